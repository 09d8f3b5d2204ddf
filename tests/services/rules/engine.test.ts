import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../../app/config.ts";
import { VersionConflictError } from "../../../services/errors.ts";
import {
  type Finding,
  type FindingCandidate,
  type Project,
  type ProjectInput,
  projectSchema,
  type TransitionCounts,
} from "../../../services/model.ts";
import {
  applyTransitions,
  changelogEntryFor,
  planTransitions,
  WRITE_ATTEMPTS,
} from "../../../services/rules/engine.ts";
import { encodeFindingState } from "../../../services/rules/finding-state-codec.ts";
import { evaluateProjectRules, type RuleContext } from "../../../services/rules/rules.ts";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const T0 = new Date("2026-03-10T17:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CONTEXT: RuleContext = { rules: parseConfig({}, "store").rules, timezone: "America/Bogota" };

function project(overrides: Partial<ProjectInput> = {}): Project {
  return projectSchema.parse({
    gid: "2001",
    name: "Portal de clientes",
    pmoId: "PMO-201",
    responsable: "Luis Gómez",
    responsableKey: "u-luis",
    businessVertical: "Seguros",
    dueOn: "2026-06-30",
    lastStatusUpdateAt: "2026-03-09T15:00:00.000Z",
    lastActivityAt: "2026-03-09T15:00:00.000Z",
    progressPercent: 50,
    totalTasks: 20,
    ...overrides,
  });
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    projectGid: "2001",
    ruleId: "schedule_risk",
    severity: "medium",
    status: "open",
    details: { daysToDue: 10, progress: 50 },
    createdAt: "2026-03-01T12:00:00.000Z",
    updatedAt: "2026-03-01T12:00:00.000Z",
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
    version: 3,
    ...overrides,
  };
}

function candidate(overrides: Partial<FindingCandidate> = {}): FindingCandidate {
  return {
    projectGid: "2001",
    ruleId: "schedule_risk",
    severity: "medium",
    details: { daysToDue: 10, progress: 50 },
    ...overrides,
  };
}

const acknowledged = {
  status: "acknowledged" as const,
  acknowledgedAt: "2026-03-02T12:00:00.000Z",
  acknowledgedBy: "U1",
};

describe("planTransitions", () => {
  const plan = (candidates: FindingCandidate[], findings: Finding[], p: Project = project(), now = T0) =>
    planTransitions(p, candidates, findings, now).map((t) => ({
      kind: t.kind,
      ruleId: t.ruleId,
      status: t.next.status,
      severity: t.next.severity,
    }));

  it.each([
    {
      name: "a new candidate opens a finding",
      candidates: [candidate({ severity: "high" })],
      findings: [],
      expected: { kind: "open", status: "open", severity: "high" },
    },
    {
      name: "an open finding with the same candidate stays",
      candidates: [candidate()],
      findings: [finding()],
      expected: { kind: "unchanged", status: "open", severity: "medium" },
    },
    {
      name: "new numbers at the same severity refresh it",
      candidates: [candidate({ details: { daysToDue: 9, progress: 50 } })],
      findings: [finding()],
      expected: { kind: "refresh", status: "open", severity: "medium" },
    },
    {
      name: "an open finding escalates",
      candidates: [candidate({ severity: "high" })],
      findings: [finding()],
      expected: { kind: "escalate", status: "open", severity: "high" },
    },
    {
      name: "an acknowledged finding that escalates opens again",
      candidates: [candidate({ severity: "high" })],
      findings: [finding(acknowledged)],
      expected: { kind: "escalate", status: "open", severity: "high" },
    },
    {
      name: "an acknowledged finding that de-escalates stays acknowledged",
      candidates: [candidate({ severity: "low" })],
      findings: [finding(acknowledged)],
      expected: { kind: "deescalate", status: "acknowledged", severity: "low" },
    },
    {
      name: "an acknowledged finding with new numbers stays acknowledged",
      candidates: [candidate({ details: { daysToDue: 8, progress: 50 } })],
      findings: [finding(acknowledged)],
      expected: { kind: "refresh", status: "acknowledged", severity: "medium" },
    },
    {
      name: "an acknowledged finding with the same candidate stays",
      candidates: [candidate()],
      findings: [finding(acknowledged)],
      expected: { kind: "unchanged", status: "acknowledged", severity: "medium" },
    },
    {
      name: "a snoozed finding keeps sleeping while its snooze lasts",
      candidates: [candidate()],
      findings: [finding({ status: "snoozed", snoozedUntil: new Date(T0.getTime() + HOUR).toISOString() })],
      expected: { kind: "unchanged", status: "snoozed", severity: "medium" },
    },
    {
      name: "a snoozed finding whose severity rises opens",
      candidates: [candidate({ severity: "high" })],
      findings: [finding({ status: "snoozed", snoozedUntil: new Date(T0.getTime() + HOUR).toISOString() })],
      expected: { kind: "escalate", status: "open", severity: "high" },
    },
    {
      name: "a snoozed finding wakes when its snooze ends, nothing else changed",
      candidates: [candidate()],
      findings: [finding({ status: "snoozed", snoozedUntil: T0.toISOString() })],
      expected: { kind: "wake", status: "open", severity: "medium" },
    },
    {
      name: "an open finding whose rule stopped firing resolves",
      candidates: [],
      findings: [finding()],
      expected: { kind: "resolve", status: "resolved", severity: "medium" },
    },
    {
      name: "an acknowledged finding whose rule stopped firing resolves",
      candidates: [],
      findings: [finding(acknowledged)],
      expected: { kind: "resolve", status: "resolved", severity: "medium" },
    },
    {
      name: "a snoozed finding whose rule stopped firing resolves, even after its snooze",
      candidates: [],
      findings: [finding({ status: "snoozed", snoozedUntil: new Date(T0.getTime() - HOUR).toISOString() })],
      expected: { kind: "resolve", status: "resolved", severity: "medium" },
    },
    {
      name: "a resolved finding whose rule fires again reopens",
      candidates: [candidate({ severity: "low" })],
      findings: [finding({ status: "resolved", resolution: "auto" })],
      expected: { kind: "reopen", status: "open", severity: "low" },
    },
  ])("$name", ({ candidates, findings, expected }) => {
    expect(plan(candidates, findings)).toEqual([{ ruleId: "schedule_risk", ...expected }]);
  });

  it("leaves a resolved finding alone while its rule stays quiet", () => {
    expect(plan([], [finding({ status: "resolved" })])).toEqual([]);
  });

  it("never auto-resolves on stale data", () => {
    const stale = project({ stale: true, staleReason: "task counts: asana_unavailable" });
    expect(plan([], [finding(), finding({ ruleId: "no_activity", ...acknowledged })], stale)).toEqual([
      { kind: "kept_on_stale_data", ruleId: "schedule_risk", status: "open", severity: "medium" },
      { kind: "kept_on_stale_data", ruleId: "no_activity", status: "acknowledged", severity: "medium" },
    ]);
    // A candidate on stale data still updates as usual.
    expect(plan([candidate({ severity: "high" })], [finding()], stale)[0]?.kind).toBe("escalate");
  });

  it("resolves the findings of a project that left the scope, saying why, even when stale", () => {
    const gone = project({
      removedAt: "2026-03-10T10:00:00.000Z",
      removedReason: "deleted",
      stale: true,
    });
    const [resolved] = planTransitions(gone, [], [finding()], T0);
    expect(resolved).toMatchObject({
      kind: "resolve",
      next: {
        status: "resolved",
        details: { daysToDue: 10, progress: 50, resolvedBecause: "left_scope", removedReason: "deleted" },
      },
    });
  });

  describe("a project Asana refuses to show (403, no_access)", () => {
    const LOST = "2026-03-10T10:00:00.000Z";
    const noAccess = project({ removedAt: LOST, removedReason: "no_access" });
    const kept = (f: Finding) => ({
      kind: "kept_without_access",
      status: f.status,
      severity: f.severity,
      details: { ...f.details, noAccessSince: LOST },
    });
    const snoozedPast = finding({
      status: "snoozed",
      snoozedUntil: "2026-03-05T00:00:00.000Z",
      snoozedBy: "U1",
    });
    it.each([
      { name: "an open finding whose rule stopped firing stays open", candidates: [], f: finding() },
      { name: "an acknowledged one stays acknowledged", candidates: [], f: finding(acknowledged) },
      { name: "a snoozed one whose snooze ended does not wake", candidates: [], f: snoozedPast },
      {
        name: "a stale one stays too",
        candidates: [],
        f: finding(),
        p: project({ removedAt: LOST, removedReason: "no_access", stale: true }),
      },
      {
        name: "a higher severity firing does not escalate it",
        candidates: [candidate({ severity: "high" })],
        f: finding(),
      },
      {
        name: "the note is kept as it was when already written",
        candidates: [],
        f: finding({ details: { daysToDue: 10, progress: 50, noAccessSince: LOST } }),
      },
    ])("$name", ({ candidates, f, p }) => {
      const [only, ...rest] = planTransitions(p ?? noAccess, candidates, [f], T0);
      expect(rest).toEqual([]);
      expect({ kind: only?.kind, ...only?.next }).toEqual(kept(f));
    });

    it.each([
      { name: "nothing opens", findings: [], candidates: [candidate()] },
      {
        name: "a resolved finding does not reopen",
        findings: [finding({ status: "resolved", resolution: "auto" })],
        candidates: [candidate({ severity: "high" })],
      },
      {
        name: "a resolved finding stays resolved",
        findings: [finding({ status: "resolved" })],
        candidates: [],
      },
    ])("$name", ({ findings, candidates }) => {
      expect(planTransitions(noAccess, candidates, findings, T0)).toEqual([]);
    });

    it.each([
      { reason: "archived" as const },
      { reason: "completed" as const },
      { reason: "deleted" as const },
      { reason: "out_of_scope" as const },
    ])("a project $reason still resolves its findings with left_scope", ({ reason }) => {
      const gone = project({ removedAt: LOST, removedReason: reason });
      const [resolved] = planTransitions(gone, [], [finding()], T0);
      expect(resolved).toMatchObject({
        kind: "resolve",
        next: { status: "resolved", details: { resolvedBecause: "left_scope", removedReason: reason } },
      });
    });

    it.each([
      {
        name: "the same rule firing with the same numbers rewrites the finding without the note",
        candidates: [candidate()],
        expected: { kind: "refresh", status: "open", details: { daysToDue: 10, progress: 50 } },
      },
      {
        name: "a rule that stopped firing resolves, without the note",
        candidates: [],
        expected: { kind: "resolve", status: "resolved", details: { daysToDue: 10, progress: 50 } },
      },
      {
        name: "a higher severity escalates",
        candidates: [candidate({ severity: "high" })],
        expected: { kind: "escalate", status: "open", details: { daysToDue: 10, progress: 50 } },
      },
      {
        name: "a rule that stopped firing on stale data stays, without the note",
        candidates: [],
        stale: true,
        expected: { kind: "refresh", status: "open", details: { daysToDue: 10, progress: 50 } },
      },
    ])("once access returns, the rules decide again: $name", ({ candidates, expected, stale }) => {
      const f = finding({ details: { daysToDue: 10, progress: 50, noAccessSince: LOST } });
      const [next] = planTransitions(project({ stale: stale ?? false }), candidates, [f], T0);
      expect({ kind: next?.kind, status: next?.next.status, details: next?.next.details }).toEqual(expected);
    });
  });

  it("plans every rule of the project at once and ignores what is not its business", () => {
    const transitions = plan(
      [candidate({ ruleId: "no_activity" }), candidate({ ruleId: "overdue", severity: "high" })],
      [
        finding({ ruleId: "no_activity" }),
        finding({ ruleId: "missing_pmo_id", severity: "low" }),
        finding({ ruleId: "reported_risk" }),
        finding({ projectGid: "9999", ruleId: "overdue" }),
      ],
    );
    expect(transitions).toEqual([
      { kind: "unchanged", ruleId: "no_activity", status: "open", severity: "medium" },
      { kind: "open", ruleId: "overdue", status: "open", severity: "high" },
      { kind: "resolve", ruleId: "missing_pmo_id", status: "resolved", severity: "low" },
    ]);
  });
});

describe("changelog encoding", () => {
  it("writes <status>/<severity> before and after, and nothing for a refresh", () => {
    expect(encodeFindingState(null)).toBeNull();
    const at = T0;
    const [opened] = planTransitions(project(), [candidate()], [], at);
    const [escalated] = planTransitions(
      project(),
      [candidate({ severity: "high" })],
      [finding(acknowledged)],
      at,
    );
    const [refreshed] = planTransitions(
      project(),
      [candidate({ details: { daysToDue: 1 } })],
      [finding()],
      at,
    );
    if (!opened || !escalated || !refreshed) throw new Error("expected transitions");
    expect(changelogEntryFor(opened, at, "sync-1")).toEqual({
      projectGid: "2001",
      fieldName: "finding:schedule_risk",
      oldValue: null,
      newValue: "open/medium",
      syncId: "sync-1",
      detectedAt: at.toISOString(),
      source: "rules",
      actor: null,
    });
    expect(changelogEntryFor(escalated, at, null)).toMatchObject({
      oldValue: "acknowledged/medium",
      newValue: "open/high",
      syncId: null,
    });
    expect(changelogEntryFor(refreshed, at, null)).toBeNull();
  });
});

describe("the engine on dynalite", () => {
  let store: Store;
  let repos: Repositories;
  let now = T0;
  const advance = (ms: number) => {
    now = new Date(now.getTime() + ms);
  };

  beforeAll(async () => {
    ({ store, repos } = await memoryStore({ clock: () => now, sleep: async () => {} }));
  });

  afterAll(async () => {
    await store?.close();
  });

  /** One evaluation of one project, as the job does it: rules, plan, apply. */
  async function evaluate(p: Project, syncId: string | null = null): Promise<TransitionCounts> {
    const candidates = evaluateProjectRules(p, CONTEXT, now);
    const findings = await repos.findings.listForProject(p.gid);
    const transitions = planTransitions(p, candidates, findings, now);
    return (await applyTransitions(repos, p, candidates, transitions, { now, syncId })).counts;
  }

  const changes = async (gid: string) =>
    (await repos.changelog.listForProject(gid, 100))
      .reverse()
      .map((e) => `${e.fieldName} ${e.oldValue} -> ${e.newValue} (${e.source}, ${e.syncId})`);

  it("open -> escalate -> acknowledge -> escalate again returns it to open; resolve; reopen", async () => {
    now = T0;
    // Today in Bogotá is 2026-03-10; 20 days at 30 % is low, 10 days medium, 5 days high.
    const gid = "3001";
    expect(
      await evaluate(project({ gid, dueOn: "2026-03-30", progressPercent: 30 }), "sync-a"),
    ).toMatchObject({
      opened: 1,
    });
    advance(HOUR);
    expect(await evaluate(project({ gid, dueOn: "2026-03-20", progressPercent: 30 }))).toMatchObject({
      escalated: 1,
    });
    const medium = await repos.findings.get(gid, "schedule_risk");
    expect(medium).toMatchObject({
      status: "open",
      severity: "medium",
      details: { daysToDue: 10, progress: 30 },
    });
    advance(HOUR);
    await repos.findings.acknowledge(
      { projectGid: gid, ruleId: "schedule_risk", expectedVersion: medium?.version ?? 0 },
      { userId: "U1", comment: "hablando con el proveedor" },
    );
    advance(HOUR);
    // Lower or equal severity leaves the acknowledgement alone.
    expect(await evaluate(project({ gid, dueOn: "2026-03-20", progressPercent: 35 }))).toMatchObject({
      refreshed: 1,
    });
    expect((await repos.findings.get(gid, "schedule_risk"))?.status).toBe("acknowledged");
    advance(HOUR);
    expect(await evaluate(project({ gid, dueOn: "2026-03-15", progressPercent: 35 }))).toMatchObject({
      escalated: 1,
    });
    expect(await repos.findings.get(gid, "schedule_risk")).toMatchObject({
      status: "open",
      severity: "high",
      acknowledgedBy: null,
      ackComment: null,
      details: { daysToDue: 5, progress: 35 },
    });
    advance(HOUR);
    expect(await evaluate(project({ gid, dueOn: "2026-03-15", progressPercent: 90 }))).toMatchObject({
      resolved: 1,
    });
    expect(await repos.findings.get(gid, "schedule_risk")).toMatchObject({
      status: "resolved",
      resolution: "auto",
      resolvedBy: null,
    });
    advance(HOUR);
    expect(await evaluate(project({ gid, dueOn: "2026-03-15", progressPercent: 70 }))).toMatchObject({
      reopened: 1,
    });
    expect(await repos.findings.get(gid, "schedule_risk")).toMatchObject({
      status: "open",
      severity: "high",
      occurrences: 2,
      resolution: null,
    });
    expect(await changes(gid)).toEqual([
      "finding:schedule_risk null -> open/low (rules, sync-a)",
      "finding:schedule_risk open/low -> open/medium (rules, null)",
      "finding:schedule_risk acknowledged/medium -> open/high (rules, null)",
      "finding:schedule_risk open/high -> resolved/high (rules, null)",
      "finding:schedule_risk resolved/high -> open/high (rules, null)",
    ]);
  });

  it("a second evaluation with nothing changed writes nothing", async () => {
    now = T0;
    const p = project({ gid: "3002", lastStatusUpdateAt: null, pmoId: null });
    expect(await evaluate(p)).toMatchObject({ opened: 2 });
    const before = await repos.findings.listForProject(p.gid);
    const changelogBefore = await changes(p.gid);
    advance(HOUR);
    const again = await evaluate(p);
    expect(again).toMatchObject({ opened: 0, unchanged: 2, refreshed: 0, resolved: 0 });
    expect(await repos.findings.listForProject(p.gid)).toEqual(before);
    expect(await changes(p.gid)).toEqual(changelogBefore);
  });

  it("keeps a finding whose rule stopped firing while the project's data is stale", async () => {
    now = T0;
    const p = project({ gid: "3003", totalTasks: 2 });
    await evaluate(p);
    advance(HOUR);
    const counts = await evaluate({
      ...p,
      totalTasks: 12,
      stale: true,
      staleReason: "events: asana_unavailable",
    });
    expect(counts).toMatchObject({ resolved: 0, keptOnStaleData: 1 });
    expect((await repos.findings.get(p.gid, "amount_of_tasks"))?.status).toBe("open");
    advance(HOUR);
    expect(await evaluate({ ...p, totalTasks: 12 })).toMatchObject({ resolved: 1 });
  });

  it("resolves the findings of a project that left the scope and keeps their history", async () => {
    now = T0;
    const p = project({ gid: "3004", pmoId: null, totalTasks: 1 });
    await evaluate(p);
    advance(HOUR);
    const counts = await evaluate({
      ...p,
      archived: true,
      removedAt: now.toISOString(),
      removedReason: "archived",
    });
    expect(counts).toMatchObject({ resolved: 2 });
    expect(await repos.findings.get(p.gid, "amount_of_tasks")).toMatchObject({
      status: "resolved",
      resolution: "auto",
      details: { taskCount: 1, resolvedBecause: "left_scope", removedReason: "archived" },
    });
  });

  it("keeps the open findings of a project without access, notes it once, and lets the rules decide when it returns", async () => {
    now = T0;
    const p = project({ gid: "3005", pmoId: null, totalTasks: 1 });
    expect(await evaluate(p)).toMatchObject({ opened: 2 });
    advance(HOUR);
    const lost = { ...p, removedAt: now.toISOString(), removedReason: "no_access" as const };
    expect(await evaluate(lost)).toMatchObject({ keptWithoutAccess: 2, resolved: 0, opened: 0 });
    const kept = await repos.findings.get(p.gid, "amount_of_tasks");
    expect(kept).toMatchObject({ status: "open", details: { taskCount: 1, noAccessSince: lost.removedAt } });
    advance(HOUR);
    expect(await evaluate(lost)).toMatchObject({ keptWithoutAccess: 2, resolved: 0 });
    expect((await repos.findings.get(p.gid, "amount_of_tasks"))?.version).toBe(kept?.version);
    advance(HOUR);
    // Access is back with the PMO ID set: that rule resolves, the other is rewritten without the note.
    const back = { ...p, pmoId: "PMO-305" };
    expect(await evaluate(back)).toMatchObject({ resolved: 1, refreshed: 1, keptWithoutAccess: 0 });
    expect((await repos.findings.get(p.gid, "amount_of_tasks"))?.details).toEqual({ taskCount: 1 });
    expect(await repos.findings.get(p.gid, "missing_pmo_id")).toMatchObject({ status: "resolved" });
  });

  it("a snoozed finding sleeps until its snooze ends, then wakes", async () => {
    now = T0;
    const p = project({ gid: "3005", lastActivityAt: "2026-02-01T12:00:00.000Z" });
    await evaluate(p);
    const opened = await repos.findings.get(p.gid, "no_activity");
    await repos.findings.snooze(
      { projectGid: p.gid, ruleId: "no_activity", expectedVersion: opened?.version ?? 0 },
      new Date(now.getTime() + 2 * DAY),
      "U2",
    );
    advance(DAY);
    // The days since the last activity keep counting; the finding keeps sleeping.
    expect(await evaluate(p)).toMatchObject({ refreshed: 1, woken: 0 });
    expect((await repos.findings.get(p.gid, "no_activity"))?.status).toBe("snoozed");
    advance(DAY - 60_000);
    expect(await evaluate(p)).toMatchObject({ woken: 0 });
    expect((await repos.findings.get(p.gid, "no_activity"))?.status).toBe("snoozed");
    advance(60_000);
    expect(await evaluate(p)).toMatchObject({ woken: 1 });
    expect(await repos.findings.get(p.gid, "no_activity")).toMatchObject({
      status: "open",
      snoozedUntil: null,
      snoozedBy: null,
    });
    expect((await changes(p.gid)).at(-1)).toBe(
      "finding:no_activity snoozed/medium -> open/medium (rules, null)",
    );
  });

  it("an acknowledgement at the same moment is reread and planned again", async () => {
    now = T0;
    const p = project({ gid: "3006", dueOn: "2026-03-20", progressPercent: 30 });
    await evaluate(p);
    advance(HOUR);
    const update = repos.findings.update.bind(repos.findings);
    let clicked = false;
    const spy = vi.spyOn(repos.findings, "update").mockImplementation(async (ref, changes, ...rest) => {
      if (!clicked) {
        clicked = true;
        // A PM clicks Acknowledge on the version the engine read, just before the engine writes.
        await repos.findings.acknowledge(ref, { userId: "U3", comment: "en eso" });
      }
      return update(ref, changes, ...rest);
    });
    try {
      const counts = await evaluate({ ...p, dueOn: "2026-03-15" });
      expect(counts).toMatchObject({ escalated: 1, conflicts: 0 });
    } finally {
      spy.mockRestore();
    }
    expect(await repos.findings.get(p.gid, "schedule_risk")).toMatchObject({
      status: "open",
      severity: "high",
    });
    expect((await changes(p.gid)).at(-1)).toBe(
      "finding:schedule_risk acknowledged/medium -> open/high (rules, null)",
    );
  });

  it("a finding that keeps changing under the engine is counted as a conflict; the others go on", async () => {
    now = T0;
    const p = project({ gid: "3007", dueOn: "2026-03-20", progressPercent: 30, totalTasks: 2 });
    await evaluate(p);
    advance(HOUR);
    const update = repos.findings.update.bind(repos.findings);
    const spy = vi.spyOn(repos.findings, "update").mockImplementation(async (ref, ...rest) => {
      if (ref.ruleId === "schedule_risk") throw new VersionConflictError(`finding ${ref.ruleId}`);
      return update(ref, ...rest);
    });
    try {
      const counts = await evaluate({ ...p, dueOn: "2026-03-15", totalTasks: 1 });
      expect(counts).toMatchObject({ conflicts: 1, refreshed: 1 });
      expect(spy.mock.calls.filter(([ref]) => ref.ruleId === "schedule_risk")).toHaveLength(WRITE_ATTEMPTS);
    } finally {
      spy.mockRestore();
    }
    expect(await repos.findings.get(p.gid, "amount_of_tasks")).toMatchObject({ details: { taskCount: 1 } });
    expect((await repos.findings.get(p.gid, "schedule_risk"))?.severity).toBe("medium");
  });
});
