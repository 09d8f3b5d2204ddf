import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../app/config.ts";
import { type Project, type ProjectInput, projectSchema } from "../../../services/model.ts";
import {
  evaluateProjectRules,
  isRuleId,
  RULE_FUNCTIONS,
  RULE_IDS,
  RULES,
  type RuleContext,
  type RuleId,
  ruleKind,
} from "../../../services/rules/rules.ts";

const DEFAULT_RULES = parseConfig({}, "store").rules;
const BOGOTA: RuleContext = { rules: DEFAULT_RULES, timezone: "America/Bogota" };
/** Tuesday 10 March 2026, 12:00 in Bogotá (UTC-5). */
const NOW = new Date("2026-03-10T17:00:00.000Z");
const MINUTE = 60_000;
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

/** A healthy project: no rule fires for it at NOW. */
function project(overrides: Partial<ProjectInput> = {}): Project {
  return projectSchema.parse({
    gid: "1001",
    name: "Migración core bancario",
    pmoId: "PMO-101",
    responsable: "Ana Pérez",
    responsableKey: "u-ana",
    businessVertical: "Banca",
    dueOn: "2026-06-30",
    status: "on_track",
    lastStatusUpdateAt: ago(DAY),
    lastActivityAt: ago(DAY),
    progressPercent: 50,
    totalTasks: 20,
    completedTasks: 10,
    pendingTasks: 10,
    ...overrides,
  });
}

function run(ruleId: RuleId, p: Project, context: RuleContext = BOGOTA, now: Date = NOW) {
  return RULE_FUNCTIONS[ruleId](p, context, now);
}

const withRules = (changes: Partial<RuleContext["rules"]>): RuleContext => ({
  ...BOGOTA,
  rules: { ...DEFAULT_RULES, ...changes },
});

describe("the rule list", () => {
  it("names every rule once with its kind, and has a function for each", () => {
    expect(new Set(RULE_IDS).size).toBe(RULES.length);
    expect(Object.keys(RULE_FUNCTIONS).sort()).toEqual([...RULE_IDS].sort());
    expect(RULES.filter((r) => r.kind === "data_quality").map((r) => r.id)).toEqual([
      "missing_pmo_id",
      "missing_responsable",
      "missing_vertical",
      "missing_due_date",
    ]);
    expect(isRuleId("overdue")).toBe(true);
    expect(isRuleId("reported_risk")).toBe(false);
    expect(ruleKind("missing_vertical")).toBe("data_quality");
    expect(ruleKind("schedule_risk")).toBe("health");
    expect(ruleKind("reported_risk")).toBeNull();
  });

  it("a healthy project raises nothing", () => {
    expect(evaluateProjectRules(project(), BOGOTA, NOW)).toEqual([]);
  });
});

describe("no_status_update and no_activity", () => {
  const cases = [
    { name: "exactly 7 days ago", at: ago(7 * DAY), fires: false, days: null },
    { name: "7 days and 1 minute ago", at: ago(7 * DAY + MINUTE), fires: true, days: 7 },
    { name: "6 days 23 h ago", at: ago(7 * DAY - 60 * MINUTE), fires: false, days: null },
    { name: "30 days ago", at: ago(30 * DAY), fires: true, days: 30 },
    { name: "never", at: null, fires: true, days: null },
  ];

  it.each(cases)("no_status_update, last update $name", ({ at, fires, days }) => {
    const fired = run("no_status_update", project({ lastStatusUpdateAt: at }));
    if (!fires) return expect(fired).toBeNull();
    expect(fired).toEqual({
      projectGid: "1001",
      ruleId: "no_status_update",
      severity: "medium",
      details: { daysSinceUpdate: days, lastStatusUpdateAt: at },
    });
  });

  it.each(cases)("no_activity, last task activity $name", ({ at, fires, days }) => {
    const fired = run("no_activity", project({ lastActivityAt: at }));
    if (!fires) return expect(fired).toBeNull();
    expect(fired).toEqual({
      projectGid: "1001",
      ruleId: "no_activity",
      severity: "medium",
      details: { daysSinceActivity: days, lastActivityAt: at },
    });
  });

  it("follow the configured number of days", () => {
    const context = withRules({ noStatusUpdateDays: 3, noActivityDays: 10 });
    expect(
      run("no_status_update", project({ lastStatusUpdateAt: ago(3 * DAY + MINUTE) }), context),
    ).not.toBeNull();
    expect(run("no_activity", project({ lastActivityAt: ago(8 * DAY) }), context)).toBeNull();
  });
});

describe("schedule_risk", () => {
  // Today in Bogotá is 2026-03-10.
  const cases: {
    dueOn: string;
    progress: number;
    severity: "high" | "medium" | "low" | null;
    days: number;
  }[] = [
    { dueOn: "2026-03-10", progress: 79, severity: "high", days: 0 },
    { dueOn: "2026-03-10", progress: 80, severity: null, days: 0 },
    { dueOn: "2026-03-17", progress: 79, severity: "high", days: 7 },
    { dueOn: "2026-03-17", progress: 80, severity: null, days: 7 },
    { dueOn: "2026-03-17", progress: 10, severity: "high", days: 7 },
    { dueOn: "2026-03-18", progress: 79, severity: null, days: 8 },
    { dueOn: "2026-03-18", progress: 59, severity: "medium", days: 8 },
    { dueOn: "2026-03-24", progress: 59, severity: "medium", days: 14 },
    { dueOn: "2026-03-24", progress: 60, severity: null, days: 14 },
    { dueOn: "2026-03-25", progress: 59, severity: null, days: 15 },
    { dueOn: "2026-03-25", progress: 39, severity: "low", days: 15 },
    { dueOn: "2026-04-09", progress: 39, severity: "low", days: 30 },
    { dueOn: "2026-04-09", progress: 40, severity: null, days: 30 },
    { dueOn: "2026-04-10", progress: 0, severity: null, days: 31 },
  ];

  it.each(cases)(
    "due $dueOn ($days days) at $progress % -> $severity",
    ({ dueOn, progress, severity, days }) => {
      const fired = run("schedule_risk", project({ dueOn, progressPercent: progress }));
      if (severity === null) return expect(fired).toBeNull();
      expect(fired).toEqual({
        projectGid: "1001",
        ruleId: "schedule_risk",
        severity,
        details: { daysToDue: days, progress, dueOn },
      });
    },
  );

  it("takes the highest severity first, whatever the configured order", () => {
    const reversed = withRules({ schedule: [...DEFAULT_RULES.schedule].reverse() });
    expect(
      run("schedule_risk", project({ dueOn: "2026-03-12", progressPercent: 5 }), reversed)?.severity,
    ).toBe("high");
  });

  it.each([
    {
      name: "an overdue project (that is overdue's job)",
      overrides: { dueOn: "2026-03-09", progressPercent: 10 },
    },
    { name: "no due date", overrides: { dueOn: null, progressPercent: 10 } },
    { name: "no progress known", overrides: { dueOn: "2026-03-11", progressPercent: null } },
    {
      name: "a project reported complete",
      overrides: { dueOn: "2026-03-11", progressPercent: 10, status: "complete" as const },
    },
  ])("does not fire for $name", ({ overrides }) => {
    expect(run("schedule_risk", project(overrides))).toBeNull();
  });
});

describe("overdue", () => {
  it.each([
    { dueOn: "2026-03-09", fires: true, daysOverdue: 1 },
    { dueOn: "2026-02-08", fires: true, daysOverdue: 30 },
    { dueOn: "2026-03-10", fires: false, daysOverdue: 0 },
    { dueOn: "2026-03-11", fires: false, daysOverdue: 0 },
  ])("due $dueOn -> fires: $fires", ({ dueOn, fires, daysOverdue }) => {
    const fired = run("overdue", project({ dueOn, progressPercent: 65 }));
    if (!fires) return expect(fired).toBeNull();
    expect(fired).toEqual({
      projectGid: "1001",
      ruleId: "overdue",
      severity: "high",
      details: { daysOverdue, progress: 65, dueOn },
    });
  });

  it("fires with unknown progress, not for a project reported complete", () => {
    expect(run("overdue", project({ dueOn: "2026-03-01", progressPercent: null }))?.details).toMatchObject({
      progress: null,
      daysOverdue: 9,
    });
    expect(run("overdue", project({ dueOn: "2026-03-01", status: "complete" }))).toBeNull();
  });

  it("reads the due date in the PMO's time zone: 23:30 in Bogotá is still the due day", () => {
    // 04:30 UTC on the 11th is 23:30 on the 10th in Bogotá.
    const lateEvening = new Date("2026-03-11T04:30:00.000Z");
    const dueToday = project({ dueOn: "2026-03-10", progressPercent: 50 });
    expect(run("overdue", dueToday, BOGOTA, lateEvening)).toBeNull();
    expect(run("schedule_risk", dueToday, BOGOTA, lateEvening)).toMatchObject({
      severity: "high",
      details: { daysToDue: 0 },
    });
    // In UTC the same instant is already the next day.
    expect(run("overdue", dueToday, { ...BOGOTA, timezone: "UTC" }, lateEvening)).not.toBeNull();
    // Half an hour later it is the 11th in Bogotá too.
    const midnight = new Date("2026-03-11T05:00:00.000Z");
    expect(run("overdue", dueToday, BOGOTA, midnight)?.details).toMatchObject({ daysOverdue: 1 });
  });
});

describe("amount_of_tasks", () => {
  it.each([
    { totalTasks: 0, fires: true },
    { totalTasks: 3, fires: true },
    { totalTasks: 4, fires: false },
    { totalTasks: null, fires: false },
  ])("$totalTasks tasks -> fires: $fires", ({ totalTasks, fires }) => {
    const fired = run("amount_of_tasks", project({ totalTasks }));
    if (!fires) return expect(fired).toBeNull();
    expect(fired).toMatchObject({ severity: "medium", details: { taskCount: totalTasks } });
  });

  it("follows the configured minimum", () => {
    expect(run("amount_of_tasks", project({ totalTasks: 5 }), withRules({ minTasks: 5 }))).not.toBeNull();
  });
});

describe("progress_mismatch", () => {
  it.each([
    { reported: 70, progress: 40, fires: true },
    { reported: 69, progress: 40, fires: false },
    { reported: 10, progress: 40, fires: true },
    { reported: 100, progress: 0, fires: true },
    { reported: null, progress: 40, fires: false },
    { reported: 70, progress: null, fires: false },
  ])("reported $reported vs $progress -> fires: $fires", ({ reported, progress, fires }) => {
    const fired = run(
      "progress_mismatch",
      project({ reportedProgress: reported, progressPercent: progress }),
    );
    if (!fires) return expect(fired).toBeNull();
    expect(fired).toEqual({
      projectGid: "1001",
      ruleId: "progress_mismatch",
      severity: "low",
      details: {
        reportedProgress: reported,
        progress,
        difference: Math.abs((reported ?? 0) - (progress ?? 0)),
      },
    });
  });
});

describe("data quality", () => {
  it.each([
    { ruleId: "missing_pmo_id" as const, toggle: "pmo_id" as const, overrides: { pmoId: null } },
    { ruleId: "missing_pmo_id" as const, toggle: "pmo_id" as const, overrides: { pmoId: "  " } },
    {
      ruleId: "missing_responsable" as const,
      toggle: "responsable" as const,
      overrides: { responsable: null, responsableKey: null },
    },
    {
      ruleId: "missing_vertical" as const,
      toggle: "vertical" as const,
      overrides: { businessVertical: null },
    },
    { ruleId: "missing_due_date" as const, toggle: "due_date" as const, overrides: { dueOn: null } },
  ])("$ruleId fires low, and not when switched off", ({ ruleId, toggle, overrides }) => {
    expect(run(ruleId, project(overrides))).toEqual({
      projectGid: "1001",
      ruleId,
      severity: "low",
      details: {},
    });
    expect(run(ruleId, project())).toBeNull();
    const off = withRules({ dataQuality: DEFAULT_RULES.dataQuality.filter((d) => d !== toggle) });
    expect(run(ruleId, project(overrides), off)).toBeNull();
  });
});

describe("which projects the rules look at", () => {
  const neglected = {
    pmoId: null,
    responsable: null,
    responsableKey: null,
    dueOn: "2026-03-01",
    lastStatusUpdateAt: null,
    lastActivityAt: null,
    progressPercent: 10,
    reportedProgress: 90,
    totalTasks: 1,
  };
  const ids = (p: Project, context: RuleContext = BOGOTA) =>
    evaluateProjectRules(p, context, NOW)
      .map((c) => c.ruleId)
      .sort();

  it("an active project with everything wrong raises every rule but schedule_risk", () => {
    expect(ids(project(neglected))).toEqual(
      [
        "amount_of_tasks",
        "missing_pmo_id",
        "missing_responsable",
        "no_activity",
        "no_status_update",
        "overdue",
        "progress_mismatch",
      ].sort(),
    );
  });

  it.each([
    { name: "archived", overrides: { archived: true } },
    { name: "completed", overrides: { completed: true } },
    { name: "out of scope", overrides: { removedAt: ago(DAY), removedReason: "out_of_scope" as const } },
  ])("skips a project $name entirely", ({ overrides }) => {
    expect(ids(project({ ...neglected, businessVertical: null, ...overrides }))).toEqual([]);
  });

  it("without a vertical only data-quality rules run, unless the vertical is not required", () => {
    const noVertical = project({ ...neglected, businessVertical: null });
    expect(ids(noVertical)).toEqual(["missing_pmo_id", "missing_responsable", "missing_vertical"]);
    const optional = withRules({ requireVertical: false });
    expect(ids(noVertical, optional)).toEqual(
      [
        "amount_of_tasks",
        "missing_pmo_id",
        "missing_responsable",
        "missing_vertical",
        "no_activity",
        "no_status_update",
        "overdue",
        "progress_mismatch",
      ].sort(),
    );
  });

  it("evaluates a stale project like any other (the engine decides what stale means)", () => {
    expect(ids(project({ ...neglected, stale: true }))).toContain("overdue");
  });
});
