import { describe, expect, it } from "vitest";
import { FINDING_STATUSES, SEVERITIES } from "../../../services/model.ts";
import {
  decodeFindingChange,
  decodeFindingState,
  encodeFindingState,
  findingStateField,
  isWake,
  ruleIdOfField,
} from "../../../services/rules/finding-state-codec.ts";

const EVERY_STATE = FINDING_STATUSES.flatMap((status) =>
  SEVERITIES.map((severity) => ({ status, severity })),
);

describe("the finding state codec", () => {
  it.each(EVERY_STATE)("round-trips $status/$severity", (state) => {
    const encoded = encodeFindingState(state);
    expect(encoded).toBe(`${state.status}/${state.severity}`);
    expect(decodeFindingState(encoded)).toEqual(state);
  });

  it("encodes no finding as null, and null decodes to no state", () => {
    expect(encodeFindingState(null)).toBeNull();
    expect(decodeFindingState(null)).toBeNull();
  });

  it("keeps only status and severity of a whole finding state", () => {
    const state = { status: "snoozed", severity: "high", details: { daysToDue: 3 } } as const;
    expect(encodeFindingState(state)).toBe("snoozed/high");
  });

  it.each<[string, unknown]>([
    ["an empty string", ""],
    ["a status alone", "snoozed"],
    ["a status and a slash", "snoozed/"],
    ["a severity alone", "/high"],
    ["an unknown status", "sleeping/high"],
    ["an unknown severity", "open/critical"],
    ["the wrong order", "high/open"],
    ["a third part", "open/high/extra"],
    ["another separator", "open:high"],
    ["padding", " open/high"],
    ["another case", "Open/High"],
    ["a number", 3],
    ["a boolean", true],
    ["an object", { status: "open", severity: "high" }],
    ["undefined", undefined],
  ])("decodes %s to null", (_name, value) => {
    expect(decodeFindingState(value)).toBeNull();
  });

  it.each<[string, string | null]>([
    ["finding:no_activity", "no_activity"],
    ["finding:", null],
    ["status", null],
    ["findings:no_activity", null],
  ])("reads the rule of field %s", (field, ruleId) => {
    expect(ruleIdOfField(field)).toBe(ruleId);
  });

  it("names the field of a rule so that it reads back", () => {
    expect(ruleIdOfField(findingStateField("schedule_risk"))).toBe("schedule_risk");
  });

  const entry = (fieldName: string, oldValue: string | number | null, newValue: string | number | null) => ({
    fieldName,
    oldValue,
    newValue,
  });

  it.each([
    {
      name: "an opening",
      entry: entry("finding:overdue", null, "open/high"),
      change: { ruleId: "overdue", from: null, to: { status: "open", severity: "high" } },
    },
    {
      name: "a wake-up",
      entry: entry("finding:overdue", "snoozed/high", "open/high"),
      change: {
        ruleId: "overdue",
        from: { status: "snoozed", severity: "high" },
        to: { status: "open", severity: "high" },
      },
    },
    { name: "a project field", entry: entry("status", "on_track", "at_risk"), change: null },
    { name: "a garbled new value", entry: entry("finding:overdue", "snoozed/high", "open"), change: null },
    {
      name: "a garbled old value",
      entry: entry("finding:overdue", "snoozed/urgent", "open/high"),
      change: null,
    },
    { name: "no new value", entry: entry("finding:overdue", "open/high", null), change: null },
  ])("reads $name as a finding change or not", ({ entry: e, change }) => {
    expect(decodeFindingChange(e)).toEqual(change);
  });

  it.each([
    { old: "snoozed/medium", next: "open/medium", field: "finding:no_activity", wake: true },
    { old: "snoozed/medium", next: "open/high", field: "finding:no_activity", wake: true },
    { old: "snoozed/medium", next: "resolved/medium", field: "finding:no_activity", wake: false },
    { old: "acknowledged/medium", next: "open/high", field: "finding:no_activity", wake: false },
    { old: "open/medium", next: "snoozed/medium", field: "finding:no_activity", wake: false },
    { old: null, next: "open/medium", field: "finding:no_activity", wake: false },
    { old: "snoozed/medium", next: "open/medium", field: "finding:overdue", wake: false },
    { old: "snoozed/medium/x", next: "open/medium", field: "finding:no_activity", wake: false },
    { old: "snoozed/", next: "open/", field: "finding:no_activity", wake: false },
  ])("$field $old -> $next is a wake-up of no_activity: $wake", ({ old, next, field, wake }) => {
    expect(isWake(entry(field, old, next), "no_activity")).toBe(wake);
  });
});
