import { afterAll, describe, expect, it, vi } from "vitest";
import { runSync } from "../../jobs/asana-sync.ts";
import { RULES_LEASE } from "../../jobs/evaluate-rules.ts";
import type { Project } from "../../services/model.ts";
import { evaluateProjectRules, RULES } from "../../services/rules/rules.ts";
import { RULE_SETTINGS, type RulesWorld, rulesWorld, TIMEZONE } from "../fixtures/rules-world.ts";

const worlds: RulesWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

async function syncedWorld(projects: number, seed: number, now: Date) {
  const w = await rulesWorld({ projects, seed, now: () => now });
  worlds.push(w);
  const summary = await runSync("full", w.syncDeps());
  expect(summary.status).toBe("completed");
  return { w, syncId: summary.syncId ?? "" };
}

/** What the rules say about the stored projects, computed without the engine. */
function expectedFindings(projects: readonly Project[], now: Date): string[] {
  return projects
    .flatMap((p) => evaluateProjectRules(p, { rules: RULE_SETTINGS, timezone: TIMEZONE }, now))
    .map((c) => `${c.projectGid} ${c.ruleId} ${c.severity}`)
    .sort();
}

async function storedFindings(w: RulesWorld): Promise<string[]> {
  return (await w.repos.findings.listOpen()).map((f) => `${f.projectGid} ${f.ruleId} ${f.severity}`).sort();
}

describe("evaluateRules after a full sync of the sandbox", () => {
  it("opens exactly the findings the rules give for the stored projects; a second run changes nothing", async () => {
    const now = new Date();
    const { w } = await syncedWorld(150, 7, now);
    const projects = await w.allProjects();
    const expected = expectedFindings(projects, now);
    // The generated data exercises most rules, of both kinds.
    const firing = new Set(expected.map((e) => e.split(" ")[1]));
    expect(firing.size).toBeGreaterThanOrEqual(7);
    expect(RULES.filter((r) => r.kind === "data_quality").some((r) => firing.has(r.id))).toBe(true);

    const first = await w.evaluate();
    expect(first).toMatchObject({ status: "completed", evaluatedProjects: projects.length });
    expect(first.counts).toMatchObject({ opened: expected.length, resolved: 0, conflicts: 0 });
    expect(first.alerts).toHaveLength(expected.length);
    expect(await storedFindings(w)).toEqual(expected);
    const someFinding = (await w.repos.findings.listOpen())[0];
    const history = await w.repos.changelog.listForProject(someFinding?.projectGid ?? "");
    expect(history.filter((e) => e.source === "rules").length).toBeGreaterThan(0);

    const callsBefore = w.storeCalls.length;
    const second = await w.evaluate();
    const calls = w.storeCalls.slice(callsBefore);
    expect(second.counts).toEqual({
      opened: 0,
      reopened: 0,
      escalated: 0,
      deescalated: 0,
      refreshed: 0,
      woken: 0,
      resolved: 0,
      unchanged: expected.length,
      keptOnStaleData: 0,
      keptWithoutAccess: 0,
      conflicts: 0,
    });
    expect(second.alerts).toEqual([]);
    // No read per project: the active findings in a few queries, the projects page by page.
    expect(calls.filter((c) => c === "QueryCommand").length).toBeLessThanOrEqual(3);
    expect(calls.filter((c) => c === "ScanCommand").length).toBeLessThanOrEqual(3);
    expect(calls.filter((c) => !["QueryCommand", "ScanCommand"].includes(c))).toEqual([
      "PutItemCommand",
      "DeleteItemCommand",
    ]);
  });

  it("follows the sandbox: findings resolve when a project leaves the scope or its data is fixed", async () => {
    const now = new Date();
    const { w } = await syncedWorld(60, 3, now);
    await w.evaluate();
    const active = await w.repos.findings.listOpen();
    const projects = await w.allProjects();
    const withFindings = projects.filter(
      (p) => p.removedAt === null && active.some((f) => f.projectGid === p.gid),
    );
    const [leaving] = withFindings;
    const healing = withFindings.find((p) =>
      active.some((f) => f.projectGid === p.gid && f.ruleId === "missing_due_date"),
    );
    if (!leaving || !healing || healing === leaving) throw new Error("the sandbox has too few findings");
    w.sandbox.workspace.archiveProject(leaving.gid);
    w.sandbox.workspace.setDueOn(healing.gid, "2031-01-15");
    expect((await runSync("partial", w.syncDeps())).status).toBe("completed");

    const after = await w.evaluate();
    const mine = active.filter((f) => f.projectGid === leaving.gid);
    expect(after.counts.resolved).toBe(mine.length + 1);
    expect(await w.repos.findings.get(healing.gid, "missing_due_date")).toMatchObject({
      status: "resolved",
      resolution: "auto",
    });
    for (const f of await w.repos.findings.listForProject(leaving.gid))
      expect(f).toMatchObject({
        status: "resolved",
        resolution: "auto",
        details: { resolvedBecause: "left_scope", removedReason: "archived" },
      });
    expect(await storedFindings(w)).toEqual(expectedFindings(await w.allProjects(), now));
  });

  it("writes its counts on the sync run it follows, and survives a run that does not exist", async () => {
    const now = new Date();
    const { w, syncId } = await syncedWorld(30, 8, now);
    const summary = await w.evaluate({ syncId });
    expect(await w.repos.syncLog.get(syncId)).toMatchObject({
      status: "completed",
      findingsOpened: summary.counts.opened,
      findingsResolved: 0,
    });
    const changelog = await w.repos.changelog.listForProject(summary.alerts[0]?.projectGid ?? "");
    expect(changelog.find((e) => e.source === "rules")?.syncId).toBe(syncId);
    expect((await w.evaluate({ syncId: "no-such-run" })).status).toBe("completed");
  });

  it("is skipped while another instance holds the rules lease", async () => {
    const now = new Date();
    const { w } = await syncedWorld(20, 2, now);
    await w.repos.meta.leases.acquire(RULES_LEASE, "other-host:42", 60_000);
    const summary = await w.evaluate();
    expect(summary).toMatchObject({ status: "skipped", evaluatedProjects: 0 });
    expect(summary.reason).toContain("other-host:42");
    expect(await w.repos.findings.listOpen()).toEqual([]);
    await w.repos.meta.leases.release(RULES_LEASE, "other-host:42");
    expect((await w.evaluate()).status).toBe("completed");
  });

  it("of two evaluations started at once, one runs and one is skipped", async () => {
    const now = new Date();
    const { w } = await syncedWorld(20, 2, now);
    const statuses = (await Promise.all([w.evaluate(), w.evaluate()])).map((s) => s.status).sort();
    expect(statuses).toEqual(["completed", "skipped"]);
  });

  it("a store failure ends the run as failed, with a reason, and releases the lease", async () => {
    const now = new Date();
    const { w } = await syncedWorld(20, 2, now);
    const spy = vi
      .spyOn(w.repos.findings, "listOpen")
      .mockRejectedValueOnce(new Error("throughput exceeded"));
    try {
      expect(await w.evaluate()).toMatchObject({ status: "failed", reason: "throughput exceeded" });
    } finally {
      spy.mockRestore();
    }
    expect(await w.repos.meta.leases.get(RULES_LEASE)).toBeNull();
  });
});
