import { describe, expect, it } from "vitest";
import { findPmoIds, formatPmoId, normalisePmoId, parsePmoId, pmoIdNumber } from "../../services/pmo-id.ts";

describe("parsePmoId", () => {
  it.each([
    ["PMO-123", "PMO-123"],
    ["pmo-123", "PMO-123"],
    ["pmo 123", "PMO-123"],
    ["PMO 123", "PMO-123"],
    ["pmo_123", "PMO-123"],
    ["PMO123", "PMO-123"],
    ["PMO #123", "PMO-123"],
    ["PMO#123", "PMO-123"],
    ["pmo - # 12", "PMO-12"],
    ["#123", "PMO-123"],
    ["123", "PMO-123"],
    ["  PMO-7  ", "PMO-7"],
    ["0042", "PMO-0042"],
    ["PMO-0231", "PMO-0231"],
  ])("%j -> %s", (text, pmoId) => {
    expect(parsePmoId(text)).toBe(pmoId);
  });

  it.each(["", "   ", "PMO-", "PMO", "PMO-12a", "PMO-123 extra", "PRJ-77", "proyecto 12", "12-3", "PMO:12"])(
    "%j is not a PMO ID",
    (text) => {
      expect(parsePmoId(text)).toBeNull();
    },
  );

  it("refuses more digits than asked for", () => {
    expect(parsePmoId(`PMO-${"9".repeat(20)}`, { maxDigits: 20 })).toBe(`PMO-${"9".repeat(20)}`);
    expect(parsePmoId(`PMO-${"9".repeat(21)}`, { maxDigits: 20 })).toBeNull();
    expect(parsePmoId(`PMO-${"9".repeat(21)}`)).toBe(`PMO-${"9".repeat(21)}`);
  });

  it("answers at once on a long run of separators", () => {
    const started = performance.now();
    expect(parsePmoId(`pmo${" ".repeat(50_000)}x`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("normalisePmoId (an Asana field value as stored)", () => {
  it.each([
    ["PMO-123", "PMO-123"],
    ["pmo-123", "PMO-123"],
    ["pmo 123", "PMO-123"],
    ["PMO123", "PMO-123"],
    ["PMO_123", "PMO-123"],
    ["PMO #123", "PMO-123"],
    ["123", "PMO-123"],
    ["  0042  ", "PMO-0042"],
    ["PRJ-77", "PRJ-77"],
    ["PMO-12a", "PMO-12a"],
    [" Sin código ", "Sin código"],
    ["", null],
    ["   ", null],
    [null, null],
  ])("%j -> %j", (input, expected) => {
    expect(normalisePmoId(input)).toBe(expected);
  });
});

describe("findPmoIds", () => {
  const found = (text: string) => findPmoIds(text).map(({ pmoId, number }) => [pmoId, number]);

  it.each([
    ["PMO-101 avance 70%", [["PMO-101", 101]]],
    ["pmo 101", [["PMO-101", 101]]],
    ["pmo101", [["PMO-101", 101]]],
    ["pmo_101", [["PMO-101", 101]]],
    ["pmo #101", [["PMO-101", 101]]],
    ["pmo: 101", [["PMO-101", 101]]],
    ["pmo.101", [["PMO-101", 101]]],
    ["PMO-0231", [["PMO-0231", 231]]],
    [
      "PMO-101 y pmo 102, luego PMO-101",
      [
        ["PMO-101", 101],
        ["PMO-102", 102],
        ["PMO-101", 101],
      ],
    ],
    ["(PMO-7)", [["PMO-7", 7]]],
  ])("%j -> %j", (text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it.each([
    ["a bare number", "avance 101"],
    ["a hash alone", "#101"],
    ["pmo inside a word", "xpmo-101"],
    ["a digit before", "1pmo-101"],
    ["more than six digits", "PMO-1234567"],
    ["two separators", "pmo - # 12"],
    ["a line break between", "pmo\n12"],
    ["no digits", "PMO-"],
  ])("finds nothing in %s", (_name, text) => {
    expect(findPmoIds(text)).toEqual([]);
  });

  it("says where each ID stands", () => {
    expect(findPmoIds("ver PMO-12, ya")).toEqual([{ pmoId: "PMO-12", number: 12, start: 4, end: 10 }]);
  });
});

describe("pmoIdNumber and formatPmoId", () => {
  it.each([
    ["PMO-0231", 231],
    ["PMO-7", 7],
    ["PRJ-2024-15", 15],
    ["Sin código", null],
    [null, null],
  ])("%j -> %j", (pmoId, number) => {
    expect(pmoIdNumber(pmoId)).toBe(number);
  });

  it("writes the stored form", () => {
    expect(formatPmoId(231)).toBe("PMO-231");
    expect(formatPmoId("0042")).toBe("PMO-0042");
  });
});
