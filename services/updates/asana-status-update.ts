import { TZDate } from "@date-fns/tz";
import type { NewStatusUpdate } from "../asana/client.ts";
import { formatCalendarDate, type Locale, t } from "../i18n/index.ts";
import type { Health, ParsedUpdate, StatusUpdate } from "../model.ts";

/** Asana takes status texts far longer, but a status update is read, not archived. */
export const ASANA_TEXT_MAX = 10_000;

/** The calendar day of an instant in the PMO's time zone ("2026-03-05"). */
export function calendarDayOf(instant: string, timeZone: string): string {
  const zoned = new TZDate(new Date(instant).getTime(), timeZone);
  const month = String(zoned.getMonth() + 1).padStart(2, "0");
  const day = String(zoned.getDate()).padStart(2, "0");
  return `${zoned.getFullYear()}-${month}-${day}`;
}

export function statusTypeFor(health: Health | null): NewStatusUpdate["status_type"] {
  return health ?? "on_track";
}

/** The parsed fields as plain lines (Asana shows text as written: nothing to escape). */
export function parsedLines(locale: Locale, parsed: ParsedUpdate): string[] {
  const lines: string[] = [];
  if (parsed.progress !== null) lines.push(t(locale, "update.asana.progress", { value: parsed.progress }));
  if (parsed.health !== null)
    lines.push(t(locale, "update.asana.health", { value: t(locale, `projectStatus.${parsed.health}`) }));
  if (parsed.risks.length > 0)
    lines.push(t(locale, "update.asana.risks", { value: parsed.risks.join("; ") }));
  if (parsed.blockers.length > 0)
    lines.push(t(locale, "update.asana.blockers", { value: parsed.blockers.join("; ") }));
  if (parsed.nextSteps.length > 0)
    lines.push(t(locale, "update.asana.nextSteps", { value: parsed.nextSteps.join("; ") }));
  if (parsed.eta !== null)
    lines.push(t(locale, "update.asana.eta", { value: formatCalendarDate(locale, parsed.eta) }));
  return lines;
}

/**
 * The status update written back to Asana: its status from the reported health (on track when
 * none was said), a dated title, and a text made of the parsed fields and the original message.
 */
export function asanaStatusUpdateFor(
  update: Pick<StatusUpdate, "submittedAt" | "text" | "parsed">,
  options: { locale: Locale; timeZone: string; reporter: string | null },
): NewStatusUpdate {
  const { locale } = options;
  const date = formatCalendarDate(locale, calendarDayOf(update.submittedAt, options.timeZone));
  const parts = [
    ...parsedLines(locale, update.parsed),
    "",
    t(locale, "update.asana.original"),
    update.text,
    "",
    options.reporter === null
      ? t(locale, "update.asana.footerAnonymous")
      : t(locale, "update.asana.footer", { name: options.reporter }),
  ];
  const text = parts.join("\n").trim();
  return {
    status_type: statusTypeFor(update.parsed.health),
    title: t(locale, "update.asana.title", { date }),
    text: text.length > ASANA_TEXT_MAX ? `${[...text].slice(0, ASANA_TEXT_MAX - 1).join("")}…` : text,
  };
}
