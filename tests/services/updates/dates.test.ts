import { describe, expect, it } from "vitest";
import type { Locale } from "../../../services/model.ts";
import { type DateContext, findDateMentions, resolveDate, todayIn } from "../../../services/updates/dates.ts";

/** Wednesday 2026-07-08, 10:00 in Bogotá. */
const WEDNESDAY = new Date("2026-07-08T15:00:00.000Z");
const context = (language: Locale = "es", now: Date = WEDNESDAY): DateContext => ({
  now,
  timezone: "America/Bogota",
  language,
});

describe("resolveDate", () => {
  it.each([
    ["el viernes", "2026-07-10"],
    ["viernes", "2026-07-10"],
    ["el próximo viernes", "2026-07-10"],
    ["el viernes que viene", "2026-07-10"],
    ["el miércoles", "2026-07-15"],
    ["el lunes", "2026-07-13"],
    ["el domingo", "2026-07-12"],
    ["el viernes de la próxima semana", "2026-07-17"],
    ["el lunes de la semana que viene", "2026-07-13"],
    ["hoy", "2026-07-08"],
    ["mañana", "2026-07-09"],
    ["manana", "2026-07-09"],
    ["pasado mañana", "2026-07-10"],
    ["fin de mes", "2026-07-31"],
    ["a fin de mes", "2026-07-31"],
    ["finales de mes", "2026-07-31"],
    ["fin de julio", "2026-07-31"],
    ["fin de febrero", "2027-02-28"],
    ["fin del próximo mes", "2026-08-31"],
    ["fin de esta semana", "2026-07-10"],
    ["la próxima semana", "2026-07-17"],
    ["la semana que viene", "2026-07-17"],
    ["en 2 semanas", "2026-07-22"],
    ["en dos semanas", "2026-07-22"],
    ["en una semana", "2026-07-15"],
    ["en 3 días", "2026-07-11"],
    ["15/07", "2026-07-15"],
    ["15-07", "2026-07-15"],
    ["07/15", "2026-07-15"],
    ["08/07", "2026-07-08"],
    ["05/07", "2027-07-05"],
    ["15/01", "2027-01-15"],
    ["15/07/2026", "2026-07-15"],
    ["15/07/26", "2026-07-15"],
    ["15 de julio", "2026-07-15"],
    ["15 julio", "2026-07-15"],
    ["el 3 de agosto", "2026-08-03"],
    ["3 de agosto de 2027", "2027-08-03"],
    ["julio 15", "2026-07-15"],
    ["el lunes 20 de julio", "2026-07-20"],
    ["el martes 14", "2026-07-14"],
    ["el 15", "2026-07-15"],
    ["el 5", "2026-08-05"],
    ["2026-07-15", "2026-07-15"],
    ["29/02", "2028-02-29"],
  ])("reads '%s' in Spanish as %s", (phrase, expected) => {
    expect(resolveDate(phrase, context("es"))).toBe(expected);
  });

  it.each([
    ["this friday", "2026-07-10"],
    ["next friday", "2026-07-10"],
    ["friday", "2026-07-10"],
    ["on Monday", "2026-07-13"],
    ["friday next week", "2026-07-17"],
    ["tomorrow", "2026-07-09"],
    ["today", "2026-07-08"],
    ["the day after tomorrow", "2026-07-10"],
    ["end of month", "2026-07-31"],
    ["end of the month", "2026-07-31"],
    ["end of next month", "2026-08-31"],
    ["end of August", "2026-08-31"],
    ["end of the week", "2026-07-10"],
    ["next week", "2026-07-17"],
    ["in two weeks", "2026-07-22"],
    ["in a week", "2026-07-15"],
    ["July 15", "2026-07-15"],
    ["July 15th", "2026-07-15"],
    ["Jul 15, 2027", "2027-07-15"],
    ["15 July", "2026-07-15"],
    ["the 15th of July", "2026-07-15"],
    ["Friday, July 17", "2026-07-17"],
    ["07/15", "2026-07-15"],
    ["7/20", "2026-07-20"],
    ["15/07", "2026-07-15"],
    ["08/09", "2026-08-09"],
  ])("reads '%s' in English as %s", (phrase, expected) => {
    expect(resolveDate(phrase, context("en"))).toBe(expected);
  });

  it("reads day and month by the language when both orders are possible", () => {
    expect(resolveDate("08/09", context("es"))).toBe("2026-09-08");
    expect(resolveDate("08/09", context("en"))).toBe("2026-08-09");
  });

  it.each(["31/02", "2026-13-01", "2026-02-30", "32/07", "15/15"])(
    "recognises '%s' as an impossible date",
    (phrase) => {
      const [mention] = findDateMentions(phrase, context());
      expect(mention).toMatchObject({ start: 0, iso: null });
    },
  );

  it.each([
    "en julio",
    "fin de semana",
    "el mes que viene",
    "next month",
    "Q3",
    "pronto",
    "soon",
    "70%",
    "el 30%",
  ])("does not guess a day for '%s'", (phrase) => {
    expect(resolveDate(phrase, context())).toBeNull();
  });

  it("counts days in the PMO's time zone, not in UTC", () => {
    const lateEvening = new Date("2026-07-09T03:00:00.000Z");
    expect(todayIn(lateEvening, "America/Bogota")).toEqual({ year: 2026, month: 7, day: 8 });
    expect(resolveDate("mañana", context("es", lateEvening))).toBe("2026-07-09");
    expect(resolveDate("el viernes", context("es", lateEvening))).toBe("2026-07-10");
  });

  it("falls back to UTC for an unknown time zone", () => {
    expect(todayIn(WEDNESDAY, "Nowhere/Atlantis")).toEqual({ year: 2026, month: 7, day: 8 });
  });

  it("turns the year when the month ends it", () => {
    const december = new Date("2026-12-30T15:00:00.000Z");
    expect(resolveDate("fin del próximo mes", context("es", december))).toBe("2027-01-31");
    expect(resolveDate("la próxima semana", context("es", december))).toBe("2027-01-08");
    expect(resolveDate("el 5", context("es", december))).toBe("2027-01-05");
  });

  it("reads next week and the end of the week from a weekend", () => {
    const saturday = new Date("2026-07-11T15:00:00.000Z");
    const sunday = new Date("2026-07-12T15:00:00.000Z");
    expect(resolveDate("end of the week", context("en", saturday))).toBe("2026-07-17");
    expect(resolveDate("next week", context("en", sunday))).toBe("2026-07-17");
  });
});

describe("findDateMentions", () => {
  it("finds every date with its place, the longer reading winning", () => {
    const text = "entrega el viernes de la proxima semana, antes 15/07 y el 3 de agosto";
    expect(findDateMentions(text, context())).toEqual([
      { start: 8, end: 39, iso: "2026-07-17", uncertain: false },
      { start: 47, end: 52, iso: "2026-07-15", uncertain: false },
      { start: 55, end: 69, iso: "2026-08-03", uncertain: false },
    ]);
  });

  it.each([
    ["next friday", "en", "2026-07-10", true],
    ["el proximo viernes", "es", "2026-07-10", true],
    ["el jueves que viene", "es", "2026-07-09", true],
    ["next monday", "en", "2026-07-13", false],
    ["el proximo lunes", "es", "2026-07-13", false],
    ["this friday", "en", "2026-07-10", false],
    ["el viernes", "es", "2026-07-10", false],
    ["friday next week", "en", "2026-07-17", false],
    ["05/08", "en", "2027-05-08", true],
    ["05/08", "es", "2026-08-05", false],
    ["07/15", "en", "2026-07-15", false],
  ] as const)("flags '%s' (%s) as %s, uncertain: %s", (phrase, language, iso, uncertain) => {
    expect(findDateMentions(phrase, context(language))).toEqual([
      expect.objectContaining({ iso, uncertain }),
    ]);
  });

  it("leaves percentages, fractions of a number and PMO IDs alone", () => {
    expect(findDateMentions("avance 70% pmo-123 v1.2.3 3.5", context())).toEqual([]);
  });
});
