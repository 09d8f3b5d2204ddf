import { TZDate } from "@date-fns/tz";
import { format } from "date-fns/format";
import { enUS } from "date-fns/locale/en-US";
import { es as spanishDates } from "date-fns/locale/es";
import type { Locale } from "../model.ts";
import type { Catalog, MessageKey, ParamsArgument } from "./catalog.ts";
import { en } from "./en.ts";
import { es } from "./es.ts";

export type { Locale } from "../model.ts";
export type { Catalog, MessageKey, ParamsOf, Placeholders } from "./catalog.ts";

export const CATALOGS: { readonly [L in Locale]: Catalog } = { es, en };

const DATE_LOCALES = { es: spanishDates, en: enUS } as const;
const PLACEHOLDER = /\{(\w+)(?::([^}]*))?\}/g;

/**
 * The text a person reads, in their language. Parameters are inserted as given: a caller puts
 * in values already safe for where the text goes (escaped names, built mentions).
 */
export function t<K extends MessageKey>(locale: Locale, key: K, ...params: ParamsArgument<K>): string {
  const template: string = CATALOGS[locale][key];
  const values: Readonly<Record<string, string | number>> = params[0] ?? {};
  return template.replace(PLACEHOLDER, (whole, name: string, forms: string | undefined) => {
    const value = values[name];
    if (value === undefined) return whole;
    if (forms === undefined) return typeof value === "number" ? formatNumber(locale, value) : value;
    const [one = "", other = one] = forms.split("|");
    return plural(locale, Number(value)) === "one" ? one : other;
  });
}

// Intl objects are costly to build (a Home formats hundreds of numbers): one per locale.
const PLURAL_RULES: { readonly [L in Locale]: Intl.PluralRules } = {
  es: new Intl.PluralRules("es"),
  en: new Intl.PluralRules("en"),
};
const NUMBER_FORMATS: { readonly [L in Locale]: Intl.NumberFormat } = {
  es: new Intl.NumberFormat("es", { maximumFractionDigits: 1 }),
  en: new Intl.NumberFormat("en", { maximumFractionDigits: 1 }),
};

function plural(locale: Locale, count: number): Intl.LDMLPluralRule {
  return PLURAL_RULES[locale].select(count);
}

export function formatNumber(locale: Locale, value: number): string {
  return NUMBER_FORMATS[locale].format(value);
}

/** An instant, in the PMO's time zone: "5 de marzo de 2026, 14:30" / "March 5, 2026, 2:30 PM". */
export function formatDateTime(locale: Locale, timeZone: string, instant: Date | string): string {
  const zoned = new TZDate(new Date(instant).getTime(), timeZone);
  return format(zoned, t(locale, "format.dateTime"), { locale: DATE_LOCALES[locale] });
}

/** A calendar date such as a due date ("2026-03-05"): no time zone shift. */
export function formatCalendarDate(locale: Locale, isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (match === null) return isoDate;
  const [, year, month, day] = match;
  const date = new Date(Number(year), Number(month) - 1, Number(day));
  return format(date, t(locale, "format.date"), { locale: DATE_LOCALES[locale] });
}

/** A short date of an instant in the PMO's time zone: "5 mar" / "Mar 5". */
export function formatShortDate(locale: Locale, timeZone: string, instant: Date | string): string {
  const zoned = new TZDate(new Date(instant).getTime(), timeZone);
  return format(zoned, t(locale, "format.shortDate"), { locale: DATE_LOCALES[locale] });
}
