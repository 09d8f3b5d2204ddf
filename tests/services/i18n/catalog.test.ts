import { describe, expect, it } from "vitest";
import { en } from "../../../services/i18n/en.ts";
import { es } from "../../../services/i18n/es.ts";
import {
  CATALOGS,
  formatCalendarDate,
  formatDateTime,
  formatShortDate,
  type MessageKey,
  t,
} from "../../../services/i18n/index.ts";

const placeholders = (template: string): string[] =>
  [...new Set([...template.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1] ?? ""))].sort();

const keys = Object.keys(es).filter((key): key is MessageKey => key in es);

describe("the catalogs", () => {
  it("English has exactly the Spanish keys", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(es).sort());
  });

  it.each(keys)("%s has the same placeholders in both languages", (key) => {
    expect(placeholders(en[key])).toEqual(placeholders(es[key]));
  });

  it.each(["es", "en"] as const)(
    "%s templates hold no mrkdwn control characters and no empty text",
    (locale) => {
      for (const key of keys) {
        const template: string = CATALOGS[locale][key];
        expect(template, key).not.toMatch(/[<>&]/);
        expect(template.trim(), key).not.toBe("");
      }
    },
  );
});

describe("t()", () => {
  it.each([
    ["es", "Vence en 5 días con 40 % de avance"],
    ["en", "Due in 5 days at 40% progress"],
  ] as const)("fills parameters (%s)", (locale, expected) => {
    expect(t(locale, "rule.schedule_risk", { days: 5, progress: 40 })).toBe(expected);
  });

  it.each([
    ["es", 1, "Sin actualización de estado hace 1 día"],
    ["es", 9, "Sin actualización de estado hace 9 días"],
    ["en", 1, "No status update for 1 day"],
    ["en", 9, "No status update for 9 days"],
  ] as const)("picks the plural form (%s, %d)", (locale, days, expected) => {
    expect(t(locale, "rule.no_status_update", { days })).toBe(expected);
  });

  it("inserts a parameter as given, once: braces inside a value are not expanded", () => {
    expect(t("es", "finding.resolvedBy", { user: "{date}", date: "hoy" })).toBe(
      "✅ Resuelto por {date} el hoy",
    );
  });

  it("names severities and buttons in both languages", () => {
    expect([t("es", "severity.high"), t("es", "severity.medium"), t("es", "severity.low")]).toEqual([
      "Alta",
      "Media",
      "Baja",
    ]);
    expect([t("es", "button.acknowledge"), t("es", "button.resolve"), t("es", "button.snooze")]).toEqual([
      "Reconocer",
      "Resolver",
      "Posponer",
    ]);
    expect([t("en", "button.acknowledge"), t("en", "button.resolve"), t("en", "button.snooze")]).toEqual([
      "Acknowledge",
      "Resolve",
      "Snooze",
    ]);
  });
});

describe("dates", () => {
  const instant = "2026-03-06T02:30:00.000Z";

  it("formats an instant in the PMO time zone, per language", () => {
    // 02:30 UTC is still the 5th in Bogotá (UTC-5).
    expect(formatDateTime("es", "America/Bogota", instant)).toBe("5 de marzo de 2026, 21:30");
    expect(formatDateTime("en", "America/Bogota", instant)).toBe("March 5, 2026, 9:30 PM");
    expect(formatDateTime("es", "Europe/Madrid", instant)).toBe("6 de marzo de 2026, 03:30");
    expect(formatShortDate("es", "America/Bogota", instant)).toBe("5 mar");
    expect(formatShortDate("en", "America/Bogota", instant)).toBe("Mar 5");
  });

  it("formats a calendar date without shifting it", () => {
    expect(formatCalendarDate("es", "2026-03-05")).toBe("5 de marzo de 2026");
    expect(formatCalendarDate("en", "2026-03-05")).toBe("March 5, 2026");
  });
});
