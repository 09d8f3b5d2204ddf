import { describe, expect, it } from "vitest";
import { PmoError } from "../../../services/errors.ts";
import { encodeFindingRef, parseFindingRef } from "../../../services/slack/finding-ref.ts";
import { HOSTILE_STRINGS } from "../../fixtures/hostile-strings.ts";

describe("finding button values", () => {
  it("round-trips the finding's project, rule and version in a short JSON value", () => {
    const value = encodeFindingRef({ projectGid: "1209876543210123", ruleId: "schedule_risk", version: 12 });
    expect(JSON.parse(value)).toEqual({ p: "1209876543210123", r: "schedule_risk", v: 12 });
    expect(value.length).toBeLessThan(100);
    expect(parseFindingRef(value)).toEqual({
      projectGid: "1209876543210123",
      ruleId: "schedule_risk",
      version: 12,
    });
  });

  it.each([
    undefined,
    null,
    42,
    "",
    "not json",
    "{}",
    "[]",
    '{"p":"1","r":"x"}',
    '{"p":"","r":"x","v":1}',
    '{"p":"1","r":"x","v":-1}',
    '{"p":"1","r":"x","v":1.5}',
    '{"p":1,"r":"x","v":1}',
    `{"p":"${"9".repeat(3000)}","r":"x","v":1}`,
  ])("answers null to %j", (value) => {
    expect(parseFindingRef(value)).toBeNull();
  });

  it("answers null to every hostile string", () => {
    for (const hostile of HOSTILE_STRINGS) expect(parseFindingRef(hostile)).toBeNull();
  });

  it("refuses to build a value a button cannot carry", () => {
    expect(() => encodeFindingRef({ projectGid: "1".repeat(3000), ruleId: "x", version: 1 })).toThrow(
      PmoError,
    );
  });
});
