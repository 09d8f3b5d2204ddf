import { TZDate } from "@date-fns/tz";
import type { Locale } from "../model.ts";
import { NUMBER_WORD_PATTERN, readNumber } from "./numbers.ts";
import { alternation, WORD_END, WORD_START } from "./patterns.ts";
import { foldWord } from "./slack-text.ts";

/**
 * Dates written in a status update, resolved against today in the PMO's time zone.
 *
 * Decisions (ambiguous phrases):
 * - A weekday ("el viernes", "this friday", "next friday", "el próximo viernes") is its next
 *   occurrence, today excluded: on a Wednesday, "el miércoles" is a week away.
 *   "el viernes de la próxima semana" / "friday next week" is that day in next week (Monday-Sunday).
 * - "la próxima semana" / "la semana que viene" / "next week" is the Friday of next week, the
 *   end of the working week the writer points at.
 * - "fin de mes" / "end of month" is the last day of this month; "fin de julio" / "end of July" the
 *   last day of July; "fin de esta semana" / "end of the week" is this week's Friday (next Friday
 *   when today is Saturday or Sunday). "fin de semana" alone means the weekend and is not read.
 * - Numeric dates are day/month in Spanish and month/day in English; when the order makes the
 *   month impossible (15/07 in English, 07/15 in Spanish) the other order is read.
 * - A date without a year is the next one on or after today; "el 15" alone is the next 15th.
 * - "en 2 semanas" / "in two weeks": today plus 14 days; "mañana", "pasado mañana", "hoy".
 * - A month alone ("en julio") is not a date: the interpreter does not guess which day.
 * - An impossible date (31/02, 2026-13-01) is recognised as a date but resolves to null.
 *
 * Uncertain (read, and flagged for the writer to confirm): "next Friday", "el próximo viernes",
 * "el viernes que viene" when that weekday is still to come this week, since many mean the one of
 * next week (on a Wednesday "next Friday" is the 10th or the 17th; "next Monday" is only the 13th);
 * and, in English, a numeric date both of whose orders are real dates (05/08: 8 May or 5 August).
 */

export type DateContext = { now: Date; timezone: string; language: Locale };

/**
 * A date found in folded text; `iso` is null when it looks like a date but is impossible.
 * `uncertain`: the phrase has more than one common reading (see the decisions above).
 */
export type DateMention = { start: number; end: number; iso: string | null; uncertain: boolean };

type CalendarDay = { year: number; month: number; day: number };

const DAY_MS = 86_400_000;

const MONTHS: Record<string, number> = {
  enero: 1,
  ene: 1,
  january: 1,
  jan: 1,
  febrero: 2,
  feb: 2,
  february: 2,
  marzo: 3,
  mar: 3,
  march: 3,
  abril: 4,
  abr: 4,
  april: 4,
  apr: 4,
  mayo: 5,
  may: 5,
  junio: 6,
  jun: 6,
  june: 6,
  julio: 7,
  jul: 7,
  july: 7,
  agosto: 8,
  ago: 8,
  august: 8,
  aug: 8,
  septiembre: 9,
  setiembre: 9,
  sept: 9,
  sep: 9,
  set: 9,
  september: 9,
  octubre: 10,
  oct: 10,
  october: 10,
  noviembre: 11,
  nov: 11,
  november: 11,
  diciembre: 12,
  dic: 12,
  december: 12,
  dec: 12,
};

/** 0 = Sunday, as Date.getUTCDay. */
const WEEKDAYS: Record<string, number> = {
  domingo: 0,
  sunday: 0,
  lunes: 1,
  monday: 1,
  martes: 2,
  tuesday: 2,
  miercoles: 3,
  wednesday: 3,
  jueves: 4,
  thursday: 4,
  viernes: 5,
  friday: 5,
  sabado: 6,
  saturday: 6,
};

const MONTH = alternation(Object.keys(MONTHS));
const WEEKDAY = alternation(Object.keys(WEEKDAYS));
const ORDINAL = "(?:st|nd|rd|th|º|°|ro)?";
const NOT_MORE_NUMBER = "(?![\\p{L}\\p{N}%/-]|[.,]\\d)";
const WEEKDAY_PREFIX = `(?:(?:el |on )?${WEEKDAY},? (?:el |the )?)?`;

let lastToday: { at: number; timezone: string; day: CalendarDay } | null = null;

/** Today's calendar day in the time zone (UTC when the zone is unknown). */
export function todayIn(now: Date, timezone: string): CalendarDay {
  if (lastToday !== null && lastToday.at === now.getTime() && lastToday.timezone === timezone) {
    return { ...lastToday.day };
  }
  const day = computeToday(now, timezone);
  lastToday = { at: now.getTime(), timezone, day };
  return { ...day };
}

function computeToday(now: Date, timezone: string): CalendarDay {
  const zoned = new TZDate(now.getTime(), timezone);
  if (Number.isNaN(zoned.getTime())) {
    return { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() };
  }
  return { year: zoned.getFullYear(), month: zoned.getMonth() + 1, day: zoned.getDate() };
}

function epochDay(day: CalendarDay): number {
  return Date.UTC(day.year, day.month - 1, day.day) / DAY_MS;
}

function fromEpochDay(days: number): CalendarDay {
  const date = new Date(days * DAY_MS);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

function addDays(day: CalendarDay, count: number): CalendarDay {
  return fromEpochDay(epochDay(day) + count);
}

function weekday(day: CalendarDay): number {
  return new Date(epochDay(day) * DAY_MS).getUTCDay();
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValid(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function isoOf(day: CalendarDay): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${String(day.year).padStart(4, "0")}-${pad(day.month)}-${pad(day.day)}`;
}

function exactDate(year: number, month: number, day: number): string | null {
  return isValid(year, month, day) ? isoOf({ year, month, day }) : null;
}

/** The next day/month on or after today; a 29 February waits for its leap year. */
function nextDayMonth(today: CalendarDay, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  for (let year = today.year; year <= today.year + 8; year++) {
    if (!isValid(year, month, day)) continue;
    const candidate = { year, month, day };
    if (epochDay(candidate) >= epochDay(today)) return isoOf(candidate);
  }
  return null;
}

function dayMonthWithYear(today: CalendarDay, month: number, day: number, year: string | undefined) {
  if (year === undefined) return nextDayMonth(today, month, day);
  const fullYear = year.length === 2 ? 2000 + Number(year) : Number(year);
  return exactDate(fullYear, month, day);
}

/** The next given day of the month on or after today. */
function nextDayOfMonth(today: CalendarDay, day: number): string | null {
  for (let offset = 0; offset < 3; offset++) {
    const monthIndex = today.month - 1 + offset;
    const year = today.year + Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    if (!isValid(year, month, day)) continue;
    const candidate = { year, month, day };
    if (epochDay(candidate) >= epochDay(today)) return isoOf(candidate);
  }
  return null;
}

function lastDayOfMonth(year: number, month: number): string {
  return isoOf({ year, month, day: daysInMonth(year, month) });
}

function mondayOfNextWeek(today: CalendarDay): CalendarDay {
  const isoWeekday = weekday(today) || 7;
  return addDays(today, 8 - isoWeekday);
}

function nextWeekday(today: CalendarDay, target: number): string {
  const ahead = (target - weekday(today) + 7) % 7 || 7;
  return isoOf(addDays(today, ahead));
}

function numericDayMonth(first: number, second: number, language: Locale): { day: number; month: number } {
  if (language === "en")
    return first > 12 && second <= 12 ? { day: first, month: second } : { day: second, month: first };
  return second > 12 && first <= 12 ? { day: second, month: first } : { day: first, month: second };
}

type Resolver = (
  groups: readonly (string | undefined)[],
  today: CalendarDay,
  language: Locale,
) => string | null;
type Uncertainty = (groups: readonly (string | undefined)[], today: CalendarDay, language: Locale) => boolean;

const toNumber = (value: string | undefined): number => Number(value ?? Number.NaN);
const monthOf = (value: string | undefined): number => MONTHS[(value ?? "").replace(/\.$/, "")] ?? 0;
const weekdayOf = (value: string | undefined): number => WEEKDAYS[value ?? ""] ?? 0;

/** Both orders of a numeric date are real, different days: read in English, it could be either. */
const bothOrdersReal: Uncertainty = ([first, second], _today, language) => {
  const a = toNumber(first);
  const b = toNumber(second);
  return language === "en" && a !== b && a >= 1 && a <= 12 && b >= 1 && b <= 12;
};

/** Words before or after a weekday that some read as this week's and others as next week's. */
const TWO_WEEK_MODIFIERS = new Set(["next", "el proximo", "proximo", "el siguiente", "que viene"]);

const DATE_PATTERNS: readonly { regex: RegExp; resolve: Resolver; uncertain?: Uncertainty }[] = [
  {
    regex: new RegExp(`${WORD_START}(\\d{4})-(\\d{1,2})-(\\d{1,2})${WORD_END}`, "gu"),
    resolve: ([year, month, day]) => exactDate(toNumber(year), toNumber(month), toNumber(day)),
  },
  {
    regex: new RegExp(
      `${WORD_START}${WEEKDAY_PREFIX}(\\d{1,2})[/-](\\d{1,2})(?:[/-](\\d{4}|\\d{2}))?${NOT_MORE_NUMBER}`,
      "gu",
    ),
    resolve: ([first, second, year], today, language) => {
      const { day, month } = numericDayMonth(toNumber(first), toNumber(second), language);
      return dayMonthWithYear(today, month, day, year);
    },
    uncertain: bothOrdersReal,
  },
  {
    regex: new RegExp(
      `${WORD_START}${WEEKDAY_PREFIX}(?:el |the )?(\\d{1,2})${ORDINAL}(?: de| of)? (${MONTH})\\.?(?:,? (?:de |del )?(\\d{4}))?${WORD_END}`,
      "gu",
    ),
    resolve: ([day, month, year], today) => dayMonthWithYear(today, monthOf(month), toNumber(day), year),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:${WEEKDAY},? )?(${MONTH})\\.? (\\d{1,2})${ORDINAL}(?:,? (\\d{4}))?${NOT_MORE_NUMBER}`,
      "gu",
    ),
    resolve: ([month, day, year], today) => dayMonthWithYear(today, monthOf(month), toNumber(day), year),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:el |on )?${WEEKDAY},? (?:el |the )?(\\d{1,2})${ORDINAL}${NOT_MORE_NUMBER}`,
      "gu",
    ),
    resolve: ([day], today) => nextDayOfMonth(today, toNumber(day)),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(el|este|esta|this|next|coming|this coming|el proximo|proximo|el siguiente|on|el dia) )?(${WEEKDAY})(?: (de la proxima semana|de la semana que viene|de la siguiente semana|next week|que viene|proximo))?${WORD_END}`,
      "gu",
    ),
    resolve: ([, name, nextWeek], today) => {
      const target = weekdayOf(name);
      if (nextWeek === undefined || nextWeek === "que viene" || nextWeek === "proximo") {
        return nextWeekday(today, target);
      }
      return isoOf(addDays(mondayOfNextWeek(today), (target + 6) % 7));
    },
    uncertain: ([before, name, after], today) => {
      const modified = TWO_WEEK_MODIFIERS.has(before ?? "") || TWO_WEEK_MODIFIERS.has(after ?? "");
      if (!modified) return false;
      const ahead = (weekdayOf(name) - weekday(today) + 7) % 7 || 7;
      return epochDay(addDays(today, ahead)) < epochDay(mondayOfNextWeek(today));
    },
  },
  {
    regex: new RegExp(
      `${WORD_START}(pasado manana|day after tomorrow|manana|tomorrow|hoy|today|tonight)${WORD_END}`,
      "gu",
    ),
    resolve: ([word], today) => {
      const ahead =
        word === "pasado manana" || word === "day after tomorrow"
          ? 2
          : word === "manana" || word === "tomorrow"
            ? 1
            : 0;
      return isoOf(addDays(today, ahead));
    },
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(?:fin|final|finales|cierre) (?:de|del) (?:este )?mes|(?:the )?end of (?:the |this )?month|eom)${WORD_END}`,
      "gu",
    ),
    resolve: (_groups, today) => lastDayOfMonth(today.year, today.month),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(?:fin|final|finales|cierre) del (?:proximo|siguiente) mes|(?:fin|final|finales) del mes que viene|(?:the )?end of next month)${WORD_END}`,
      "gu",
    ),
    resolve: (_groups, today) => {
      const next =
        today.month === 12
          ? { year: today.year + 1, month: 1 }
          : { year: today.year, month: today.month + 1 };
      return lastDayOfMonth(next.year, next.month);
    },
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(?:fin|final|finales|cierre) de (${MONTH})|(?:the )?end of (${MONTH}))${WORD_END}`,
      "gu",
    ),
    resolve: ([spanish, english], today) => {
      const month = monthOf(spanish ?? english);
      if (month === 0) return null;
      const year = month >= today.month ? today.year : today.year + 1;
      return lastDayOfMonth(year, month);
    },
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(?:fin|final|finales) de (?:esta|la) semana|finales de semana|(?:the )?end of (?:the |this )?week|eow)${WORD_END}`,
      "gu",
    ),
    resolve: (_groups, today) => isoOf(addDays(today, (5 - weekday(today) + 7) % 7)),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:(?:fin|final|finales) de la (?:proxima|siguiente) semana|(?:la )?(?:proxima|siguiente) semana|(?:la )?semana que viene|(?:the )?end of next week|next week)${WORD_END}`,
      "gu",
    ),
    resolve: (_groups, today) => isoOf(addDays(mondayOfNextWeek(today), 4)),
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:en|dentro de|in|within) (\\d{1,2}|un|una|a|an|${NUMBER_WORD_PATTERN}) (dias|dia|semanas|semana|days|day|weeks|week)${WORD_END}`,
      "gu",
    ),
    resolve: ([count, unit], today) => {
      const amount = ["un", "una", "a", "an"].includes(count ?? "") ? 1 : readNumber(count ?? "");
      if (amount === null) return null;
      const perUnit = (unit ?? "").startsWith("seman") || (unit ?? "").startsWith("week") ? 7 : 1;
      return isoOf(addDays(today, amount * perUnit));
    },
  },
  {
    regex: new RegExp(
      `${WORD_START}(?:el|the|on the) (\\d{1,2})${ORDINAL}(?![\\p{L}\\p{N}%/-]|[.,]\\d| ?%| por ciento| percent)`,
      "gu",
    ),
    resolve: ([day], today) => nextDayOfMonth(today, toNumber(day)),
  },
];

/**
 * Every date in a folded text (lower case, no accents, single spaces), leftmost first; where two
 * readings overlap the one starting first, then the longer, wins.
 */
export function findDateMentions(text: string, context: DateContext): DateMention[] {
  const today = todayIn(context.now, context.timezone);
  const found: DateMention[] = [];
  for (const pattern of DATE_PATTERNS) {
    for (const match of text.matchAll(pattern.regex)) {
      const groups = match.slice(1);
      const iso = pattern.resolve(groups, today, context.language);
      const uncertain = iso !== null && (pattern.uncertain?.(groups, today, context.language) ?? false);
      found.push({ start: match.index, end: match.index + match[0].length, iso, uncertain });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: DateMention[] = [];
  for (const mention of found) {
    const last = kept.at(-1);
    if (last === undefined || mention.start >= last.end) kept.push(mention);
  }
  return kept;
}

/** The first date in a phrase as an ISO date, or null (none, or impossible). */
export function resolveDate(phrase: string, context: DateContext): string | null {
  const folded = foldWord(phrase).replace(/\s+/g, " ").trim();
  return findDateMentions(folded, context)[0]?.iso ?? null;
}
