import { afterAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../../app/config.ts";
import { createLogger } from "../../../app/logger.ts";
import { evaluateRules, RULES_LEASE } from "../../../jobs/evaluate-rules.ts";
import type { Finding, Project, ProjectInput, RulesSummary } from "../../../services/model.ts";
import { evaluateProjectRules } from "../../../services/rules/rules.ts";
import { RulesService, type RulesServiceDeps } from "../../../services/rules/rules-service.ts";
import type { Store } from "../../../services/store/client.ts";
import { FindingsRepository } from "../../../services/store/findings-repository.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const SETTINGS = { rules: parseConfig({}, "store").rules, timezone: "America/Bogota" };
const T0 = new Date("2026-03-10T17:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const silent = createLogger({ logLevel: "silent", secrets: [] });

const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

type World = {
  store: Store;
  repos: Repositories;
  /** DynamoDB commands sent so far, with their table. */
  calls: { command: string; table: string }[];
  service: (repos?: Partial<RulesServiceDeps["repos"]>) => RulesService;
  advance: (ms: number) => void;
  now: () => Date;
  project: (input: Partial<ProjectInput> & { gid: string }) => Promise<Project>;
};

async function world(): Promise<World> {
  let now = T0;
  const clock = () => now;
  const { store, repos } = await memoryStore({ clock, sleep: async () => {} });
  stores.push(store);
  const calls: World["calls"] = [];
  store.doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input;
      const table =
        typeof input === "object" &&
        input !== null &&
        "TableName" in input &&
        typeof input.TableName === "string"
          ? input.TableName
          : "";
      calls.push({ command: context.commandName ?? "unknown", table });
      return next(args);
    },
    { step: "initialize", name: "recordStoreCalls" },
  );
  return {
    store,
    repos,
    calls,
    service: (overrides = {}) =>
      new RulesService({ repos: { ...repos, ...overrides }, settings: SETTINGS, clock, logger: silent }),
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
    },
    now: clock,
    project: (input) =>
      repos.projects.upsert(
        {
          name: `Proyecto ${input.gid}`,
          pmoId: `PMO-${input.gid}`,
          responsable: "Luis Gómez",
          responsableKey: "u-luis",
          businessVertical: "Seguros",
          dueOn: "2026-06-30",
          lastStatusUpdateAt: "2026-03-09T15:00:00.000Z",
          lastActivityAt: "2026-03-09T15:00:00.000Z",
          progressPercent: 50,
          totalTasks: 20,
          ...input,
        },
        0,
      ),
  };
}

/** What the rules say about a project, without the engine. */
const expected = (projects: readonly Project[], now: Date) =>
  projects
    .flatMap((p) => evaluateProjectRules(p, SETTINGS, now))
    .map((c) => `${c.projectGid} ${c.ruleId} ${c.severity}`)
    .sort();

const stored = (findings: readonly Finding[]) =>
  findings
    .filter((f) => f.status !== "resolved")
    .map((f) => `${f.projectGid} ${f.ruleId} ${f.severity}`)
    .sort();

const ruleChanges = async (w: World, gid: string) =>
  (await w.repos.changelog.listForProject(gid, 100))
    .filter((e) => e.source === "rules")
    .reverse()
    .map((e) => `${e.fieldName} ${e.oldValue} -> ${e.newValue}`);

const sumCounts = (summaries: readonly RulesSummary[], key: keyof RulesSummary["counts"]) =>
  summaries.reduce((sum, s) => sum + s.counts[key], 0);

describe("RulesService.evaluateProjects", () => {
  it("evaluates only the given projects, with one read of each one's findings and no lease", async () => {
    const w = await world();
    const target = await w.project({ gid: "1", pmoId: null, lastStatusUpdateAt: null });
    await w.project({ gid: "2", totalTasks: 1 });
    const before = w.calls.length;
    const summary = await w.service().evaluateProjects(["1", "404"]);
    const calls = w.calls.slice(before);
    expect(summary).toMatchObject({ status: "completed", reason: null, syncId: null, evaluatedProjects: 1 });
    expect(summary.counts).toMatchObject({ opened: 2, conflicts: 0 });
    expect(summary.alerts.map((a) => `${a.ruleId} ${a.kind}`).sort()).toEqual([
      "missing_pmo_id open",
      "no_status_update open",
    ]);
    expect(stored(await w.repos.findings.listOpen())).toEqual(expected([target], w.now()));

    const meta = w.store.tables.meta;
    // The project, its findings, per finding one write and one changelog entry; no Scan.
    expect(calls.filter((c) => c.table !== meta).map((c) => c.command)).toEqual([
      "BatchGetItemCommand",
      "QueryCommand",
      ...Array.from({ length: 2 * summary.counts.opened }, () => "PutItemCommand"),
    ]);
    // Of the meta table only the portfolio version is touched: no lease taken, renewed or released.
    expect(calls.filter((c) => c.table === meta).every((c) => c.command === "UpdateItemCommand")).toBe(true);
  });

  it("goes ahead while another instance holds the rules job's lease, and leaves that lease alone", async () => {
    const w = await world();
    await w.project({ gid: "1", totalTasks: 2 });
    await w.repos.meta.leases.acquire(RULES_LEASE, "other-host:42", 60_000);

    const summary = await w.service().evaluateProjects(["1"]);
    expect(summary).toMatchObject({ status: "completed", counts: { opened: 1 } });
    expect(await w.repos.findings.get("1", "amount_of_tasks")).toMatchObject({ status: "open" });
    expect(await w.repos.meta.leases.get(RULES_LEASE)).toMatchObject({ owner: "other-host:42" });

    // The job, by contrast, waits its turn.
    const job = await evaluateRules({
      repos: w.repos,
      rules: SETTINGS.rules,
      timezone: SETTINGS.timezone,
      clock: w.now,
      logger: silent,
      owner: "this-host:1",
    });
    expect(job).toMatchObject({ status: "skipped", evaluatedProjects: 0 });
  });

  it("records its counts on the sync run it follows, like the job", async () => {
    const w = await world();
    await w.project({ gid: "1", totalTasks: 2 });
    await w.repos.syncLog.createRunning({ syncId: "sync-1", kind: "partial", owner: null });
    await w.service().evaluateProjects(["1"], { syncId: "sync-1" });
    expect(await w.repos.syncLog.get("sync-1")).toMatchObject({ findingsOpened: 1, findingsResolved: 0 });
    expect((await w.repos.changelog.listForProject("1")).find((e) => e.source === "rules")?.syncId).toBe(
      "sync-1",
    );
    // A run that does not exist does not fail the evaluation.
    expect((await w.service().evaluateProjects(["1"], { syncId: "no-such-run" })).status).toBe("completed");
  });

  it("keeps an acknowledgement clicked between its read and its write: reread, planned again", async () => {
    const w = await world();
    await w.project({ gid: "1", lastActivityAt: "2026-02-01T12:00:00.000Z" });
    await w.service().evaluateProjects(["1"]);
    w.advance(DAY);
    // The numbers moved (one more day without activity): the engine plans a refresh of the open
    // finding, and a PM acknowledges it just before the engine writes.
    class AcknowledgedMeanwhile extends FindingsRepository {
      clicks = 0;
      override async update(...args: Parameters<FindingsRepository["update"]>): Promise<Finding> {
        const [ref] = args;
        if (this.clicks === 0) {
          this.clicks++;
          await this.acknowledge(ref, { userId: "U1", comment: "hablo con el equipo" });
        }
        return super.update(...args);
      }
    }
    const findings = new AcknowledgedMeanwhile({
      doc: w.store.doc,
      tableName: w.store.tables.findings,
      retentionDays: 365,
      clock: w.now,
    });
    const summary = await w.service({ findings }).evaluateProjects(["1"]);
    expect(findings.clicks).toBe(1);
    expect(summary.counts).toMatchObject({ refreshed: 1, conflicts: 0 });
    expect(await w.repos.findings.get("1", "no_activity")).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: "U1",
      ackComment: "hablo con el equipo",
      details: { daysSinceActivity: 38 },
    });
  });

  it("two evaluations of one project at once: each finding opened once, alerted once, no conflict", async () => {
    const w = await world();
    const project = await w.project({ gid: "1", pmoId: null, totalTasks: 2, lastStatusUpdateAt: null });
    const rules = expected([project], w.now()).length;
    expect(rules).toBe(3);
    // Both read the project's findings (none yet) before either writes.
    let reads = 0;
    let bothRead: () => void = () => {};
    const gate = new Promise<void>((open) => {
      bothRead = open;
    });
    const read = w.repos.findings.listForProject.bind(w.repos.findings);
    const spy = vi.spyOn(w.repos.findings, "listForProject").mockImplementation(async (gid) => {
      const found = await read(gid);
      if (++reads === 2) bothRead();
      await gate;
      return found;
    });
    const summaries = await Promise.all([
      w.service().evaluateProjects(["1"]),
      w.service().evaluateProjects(["1"]),
    ]).finally(() => spy.mockRestore());
    expect(reads).toBe(2);
    expect(summaries.map((s) => s.status)).toEqual(["completed", "completed"]);
    expect(sumCounts(summaries, "opened")).toBe(rules);
    expect(sumCounts(summaries, "unchanged")).toBe(rules);
    expect(sumCounts(summaries, "conflicts")).toBe(0);
    expect(summaries.flatMap((s) => s.alerts)).toHaveLength(rules);
    expect(stored(await w.repos.findings.listForProject("1"))).toEqual(expected([project], w.now()));
    expect((await w.repos.findings.listForProject("1")).every((f) => f.version === 1)).toBe(true);
    expect(await ruleChanges(w, "1")).toHaveLength(rules);
  });

  it("a DM-path evaluation during the whole-portfolio run: every finding ends as the rules say", async () => {
    const w = await world();
    const projects: Project[] = [];
    for (let i = 1; i <= 30; i++)
      projects.push(
        await w.project({ gid: String(i), totalTasks: i % 4, pmoId: i % 3 === 0 ? null : `PMO-${i}` }),
      );
    const summaries = await Promise.all([
      w.service().evaluateAll(),
      w.service().evaluateProjects(["3", "4", "5"]),
      w.service().evaluateProjects(["4"]),
    ]);
    expect(summaries.map((s) => s.status)).toEqual(["completed", "completed", "completed"]);
    const findings = await w.repos.findings.listOpen();
    expect(stored(findings)).toEqual(expected(projects, w.now()));
    expect(sumCounts(summaries, "opened")).toBe(findings.length);
    expect(sumCounts(summaries, "conflicts")).toBe(0);
    expect(summaries.flatMap((s) => s.alerts)).toHaveLength(findings.length);
  });
});

describe("RulesService.evaluateAll", () => {
  it("opens, then resolves, with a summary per run; a second run with nothing new changes nothing", async () => {
    const w = await world();
    await w.project({ gid: "1", totalTasks: 2 });
    await w.project({ gid: "2", dueOn: null });
    const first = await w.service().evaluateAll();
    expect(first).toMatchObject({ status: "completed", evaluatedProjects: 2, counts: { opened: 2 } });
    w.advance(HOUR);
    expect((await w.service().evaluateAll()).counts).toMatchObject({ opened: 0, unchanged: 2 });
    const project = await w.repos.projects.get("1");
    if (project === null) throw new Error("no project 1");
    await w.repos.projects.upsert({ ...project, totalTasks: 12 }, project.version);
    const third = await w.service().evaluateAll();
    expect(third.counts).toMatchObject({ resolved: 1, unchanged: 1 });
    expect(await ruleChanges(w, "1")).toEqual([
      "finding:amount_of_tasks null -> open/medium",
      "finding:amount_of_tasks open/medium -> resolved/medium",
    ]);
  });

  it("stops between projects when its signal aborts, and says it failed", async () => {
    const w = await world();
    await w.project({ gid: "1", totalTasks: 2 });
    const controller = new AbortController();
    controller.abort(new Error("lost the rules lease"));
    const summary = await w.service().evaluateAll({ signal: controller.signal });
    expect(summary).toMatchObject({ status: "failed", reason: "lost the rules lease", evaluatedProjects: 0 });
    expect(await w.repos.findings.listOpen()).toEqual([]);
  });

  it("a store failure ends it as failed, with the reason", async () => {
    const w = await world();
    await w.project({ gid: "1", totalTasks: 2 });
    const spy = vi
      .spyOn(w.repos.findings, "listOpen")
      .mockRejectedValueOnce(new Error("throughput exceeded"));
    try {
      expect(await w.service().evaluateAll()).toMatchObject({
        status: "failed",
        reason: "throughput exceeded",
      });
    } finally {
      spy.mockRestore();
    }
  });
});
