import { describe, expect, it } from "vitest";
import {
  findingKey,
  neverAlerted,
  onSameSurface,
  type PlanAlertsInput,
  planAlerts,
  wakeSuspects,
  wokeSinceNotice,
} from "../../../services/alerts/plan-alerts.ts";
import type { Finding } from "../../../services/model.ts";
import { encodeFindingState, findingStateField } from "../../../services/rules/finding-state-codec.ts";
import { TEXT_CHANNEL } from "../../../services/slack/notifier.ts";

const CHANNEL = "CPMO";
const T0 = "2026-03-10T12:00:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

function finding(id: string, overrides: Partial<Finding> = {}): Finding {
  const [projectGid = id, ruleId = "schedule_risk"] = id.split("#");
  return {
    projectGid,
    ruleId,
    severity: "medium",
    status: "open",
    details: {},
    createdAt: T0,
    updatedAt: T0,
    acknowledgedAt: null,
    acknowledgedBy: null,
    ackComment: null,
    snoozedUntil: null,
    snoozedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    resolution: null,
    alert: null,
    occurrences: 1,
    version: 1,
    ...overrides,
  };
}

const postedAlone = (severity: Finding["severity"], channel = CHANNEL) => ({
  alert: { channel, ts: "1773144000.000100", severity, at: T0 },
});
const inDigest = (severity: Finding["severity"], occurrence = 1, channel = CHANNEL) => ({
  digest: { channel, ts: "1773144000.000200", severity, at: T0, occurrence },
});

type Case = {
  name: string;
  findings: Finding[];
  woken?: string[];
  neverAlerted?: boolean;
  maxIndividual?: number;
  expected: { singles: string[]; digest: string[]; openingSummary: boolean; skipped: string[] };
};

const keys = (findings: readonly Finding[]) => findings.map(findingKey);

describe("planAlerts", () => {
  it.each<Case>([
    {
      name: "a new high gets its own message; new mediums and lows go into the digest",
      findings: [
        finding("1#overdue", { severity: "high" }),
        finding("2#no_activity"),
        finding("3#missing_pmo_id", { severity: "low" }),
      ],
      expected: {
        singles: ["1#overdue"],
        digest: ["2#no_activity", "3#missing_pmo_id"],
        openingSummary: false,
        skipped: [],
      },
    },
    {
      name: "acknowledged and snoozed findings are left alone, whatever their severity",
      findings: [
        finding("1", { severity: "high", status: "acknowledged" }),
        finding("2", { status: "snoozed", snoozedUntil: at(60) }),
      ],
      expected: {
        singles: [],
        digest: [],
        openingSummary: false,
        skipped: ["1#schedule_risk", "2#schedule_risk"],
      },
    },
    {
      name: "a finding already posted at its severity is not posted again, alone or in a digest",
      findings: [
        finding("1", { severity: "high", ...postedAlone("high") }),
        finding("2", inDigest("medium")),
      ],
      expected: {
        singles: [],
        digest: [],
        openingSummary: false,
        skipped: ["1#schedule_risk", "2#schedule_risk"],
      },
    },
    {
      name: "an escalation is posted again; a de-escalation is not",
      findings: [
        finding("1", { severity: "high", ...inDigest("medium") }),
        finding("2", { severity: "low", ...postedAlone("high") }),
      ],
      expected: {
        singles: ["1#schedule_risk"],
        digest: [],
        openingSummary: false,
        skipped: ["2#schedule_risk"],
      },
    },
    {
      name: "the strongest of its two messages counts",
      findings: [finding("1", { severity: "medium", ...postedAlone("high"), ...inDigest("low") })],
      expected: { singles: [], digest: [], openingSummary: false, skipped: ["1#schedule_risk"] },
    },
    {
      name: "a reopened finding is posted again: its digest belongs to the earlier occurrence",
      findings: [finding("1", { occurrences: 2, ...inDigest("medium", 1) })],
      expected: { singles: [], digest: ["1#schedule_risk"], openingSummary: false, skipped: [] },
    },
    {
      name: "a message in another Slack channel (where findings went before) counts: it is not posted again",
      findings: [
        finding("1", { severity: "high", ...postedAlone("high", "COLDPMO") }),
        finding("2", inDigest("medium", 1, "COLDPMO")),
      ],
      expected: {
        singles: [],
        digest: [],
        openingSummary: false,
        skipped: ["1#schedule_risk", "2#schedule_risk"],
      },
    },
    {
      name: "an escalation after the channel moved is posted in the new channel",
      findings: [finding("1", { severity: "high", ...inDigest("medium", 1, "COLDPMO") })],
      expected: { singles: ["1#schedule_risk"], digest: [], openingSummary: false, skipped: [] },
    },
    {
      name: "a message only printed as text (a run without Slack) does not count for Slack",
      findings: [
        finding("1", { severity: "high", ...postedAlone("high", TEXT_CHANNEL) }),
        finding("2", inDigest("medium", 1, TEXT_CHANNEL)),
      ],
      expected: {
        singles: ["1#schedule_risk"],
        digest: ["2#schedule_risk"],
        openingSummary: false,
        skipped: [],
      },
    },
    {
      name: "a woken finding is posted again at the same severity; a woken key that is not open is not",
      findings: [
        finding("1", { severity: "high", ...postedAlone("high") }),
        finding("2", inDigest("medium")),
        finding("3", { status: "snoozed", ...inDigest("medium") }),
      ],
      woken: ["1#schedule_risk", "2#schedule_risk", "3#schedule_risk"],
      expected: {
        singles: ["1#schedule_risk"],
        digest: ["2#schedule_risk"],
        openingSummary: false,
        skipped: ["3#schedule_risk"],
      },
    },
    {
      name: "at most maxIndividual singles, the oldest highs first; the other highs join the digest",
      findings: [
        finding("1", { severity: "high", createdAt: at(30) }),
        finding("2", { severity: "high", createdAt: at(10) }),
        finding("3"),
        finding("4", { severity: "high", createdAt: at(20) }),
        finding("5", { severity: "high", createdAt: at(10) }),
      ],
      maxIndividual: 2,
      expected: {
        singles: ["2#schedule_risk", "5#schedule_risk"],
        digest: ["1#schedule_risk", "3#schedule_risk", "4#schedule_risk"],
        openingSummary: false,
        skipped: [],
      },
    },
    {
      name: "no singles at all when maxIndividual is 0",
      findings: [finding("1", { severity: "high" })],
      maxIndividual: 0,
      expected: { singles: [], digest: ["1#schedule_risk"], openingSummary: false, skipped: [] },
    },
    {
      name: "a store never alerted with more than maxIndividual to say opens with a summary, all in the digest",
      findings: [
        finding("1", { severity: "high" }),
        finding("2", { severity: "high" }),
        finding("3", { severity: "low" }),
        finding("4", { status: "acknowledged" }),
      ],
      neverAlerted: true,
      maxIndividual: 2,
      expected: {
        singles: [],
        digest: ["1#schedule_risk", "2#schedule_risk", "3#schedule_risk"],
        openingSummary: true,
        skipped: ["4#schedule_risk"],
      },
    },
    {
      name: "a store never alerted with no more than maxIndividual to say posts as usual",
      findings: [finding("1", { severity: "high" }), finding("2", { severity: "low" })],
      neverAlerted: true,
      maxIndividual: 2,
      expected: {
        singles: ["1#schedule_risk"],
        digest: ["2#schedule_risk"],
        openingSummary: false,
        skipped: [],
      },
    },
    {
      name: "a store that alerted before never gets the opening summary, however much is new",
      findings: [finding("1", { severity: "high" }), finding("2", { severity: "high" }), finding("3")],
      maxIndividual: 1,
      expected: {
        singles: ["1#schedule_risk"],
        digest: ["2#schedule_risk", "3#schedule_risk"],
        openingSummary: false,
        skipped: [],
      },
    },
    {
      name: "resolved findings are not this plan's business",
      findings: [finding("1", { status: "resolved", resolution: "auto" }), finding("2")],
      expected: { singles: [], digest: ["2#schedule_risk"], openingSummary: false, skipped: [] },
    },
  ])("$name", ({ findings, woken = [], neverAlerted: never = false, maxIndividual = 10, expected }) => {
    const input: PlanAlertsInput = {
      findings,
      channel: CHANNEL,
      woken: new Set(woken),
      neverAlerted: never,
      settings: { maxIndividual },
    };
    const plan = planAlerts(input);
    expect({
      singles: keys(plan.singles),
      digest: keys(plan.digest),
      openingSummary: plan.openingSummary,
      skipped: keys(plan.skipped),
    }).toEqual(expected);
  });

  it("is pure: the same input gives the same plan, and the input is not changed", () => {
    const findings = [
      finding("2", { severity: "high", createdAt: at(5) }),
      finding("1", { severity: "high" }),
    ];
    const before = structuredClone(findings);
    const input = {
      findings,
      channel: CHANNEL,
      woken: new Set<string>(),
      neverAlerted: false,
      settings: { maxIndividual: 5 },
    };
    expect(planAlerts(input)).toEqual(planAlerts(input));
    expect(findings).toEqual(before);
  });
});

describe("neverAlerted", () => {
  it.each<[string, Partial<Finding>, boolean]>([
    ["nothing posted", {}, true],
    ["a single message", postedAlone("high"), false],
    ["a digest", inDigest("low"), false],
    [
      "an intent to post",
      {
        alertIntent: {
          kind: "single",
          channel: CHANNEL,
          severity: "high",
          at: T0,
          messageKey: "k",
          occurrence: 1,
        },
      },
      false,
    ],
    ["a resolved finding that was posted", { status: "resolved", ...postedAlone("high") }, false],
  ])("%s: %s", (_name, overrides, expected) => {
    expect(neverAlerted([finding("1"), finding("2", overrides)])).toBe(expected);
  });
});

describe("wake-ups", () => {
  const posted = (overrides: Partial<Finding> = {}) =>
    finding("1#no_activity", { ...inDigest("medium"), updatedAt: at(60), ...overrides });

  it.each<[string, Partial<Finding>, number | null, boolean]>([
    ["changed after its message, no run yet", {}, null, true],
    ["changed after its message and after the last run", {}, Date.parse(at(30)), true],
    ["changed within the clock margin before the last run", {}, Date.parse(at(64)), true],
    ["changed well before the last run", {}, Date.parse(at(120)), false],
    ["not changed since its message", { updatedAt: T0 }, null, false],
    ["still snoozed", { status: "snoozed" }, null, false],
    ["never posted (the severity says it all)", { digest: null }, null, false],
  ])("a finding %s is a suspect: %s", (_name, overrides, lastRunMs, expected) => {
    expect(wakeSuspects([posted(overrides)], CHANNEL, lastRunMs).length === 1).toBe(expected);
  });

  const wakeEntry = (detectedAt: string, ruleId = "no_activity") => ({
    fieldName: findingStateField(ruleId),
    oldValue: encodeFindingState({ status: "snoozed", severity: "medium" }),
    newValue: encodeFindingState({ status: "open", severity: "medium" }),
    detectedAt,
  });

  it.each([
    { name: "a wake-up after its message", entries: [wakeEntry(at(30))], woke: true },
    { name: "a wake-up before its message (an earlier snooze)", entries: [wakeEntry(at(-30))], woke: false },
    { name: "a wake-up of another rule", entries: [wakeEntry(at(30), "overdue")], woke: false },
    {
      name: "an escalation, not a wake-up",
      entries: [
        {
          fieldName: findingStateField("no_activity"),
          oldValue: "acknowledged/medium",
          newValue: "open/high",
          detectedAt: at(30),
        },
      ],
      woke: false,
    },
    { name: "nothing", entries: [], woke: false },
  ])("$name: woke = $woke", ({ entries, woke }) => {
    expect(wokeSinceNotice(posted(), entries, CHANNEL)).toBe(woke);
  });
});

describe("onSameSurface", () => {
  it.each<[string, string, boolean]>([
    ["CPMO", "CPMO", true],
    ["COLDPMO", "CPMO", true],
    [TEXT_CHANNEL, "CPMO", false],
    ["CPMO", TEXT_CHANNEL, false],
    [TEXT_CHANNEL, TEXT_CHANNEL, true],
  ])("a message in %s, a run posting to %s: %s", (recorded, channel, expected) => {
    expect(onSameSurface(recorded, channel)).toBe(expected);
  });
});
