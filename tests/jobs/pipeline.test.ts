import { afterAll, describe, expect, it } from "vitest";
import { SYNC_LEASE } from "../../jobs/asana-sync.ts";
import { RULES_LEASE } from "../../jobs/evaluate-rules.ts";
import { runSyncThenRules } from "../../jobs/pipeline.ts";
import type { Metrics } from "../../services/metrics.ts";
import { type RulesWorld, rulesWorld } from "../fixtures/rules-world.ts";

const worlds: RulesWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

describe("runSyncThenRules", () => {
  it("runs the rules after a full and after a partial sync, and records their counts on each run", async () => {
    let now = new Date();
    const w = await rulesWorld({ projects: 40, seed: 6, now: () => now });
    worlds.push(w);
    const full = await w.sync("full");
    expect(full.sync.status).toBe("completed");
    expect(full.rules).toMatchObject({ status: "completed", syncId: full.sync.syncId });
    const opened = full.rules?.counts.opened ?? 0;
    expect(opened).toBeGreaterThan(0);
    expect(full.sync.stats).toMatchObject({ findingsOpened: opened, findingsResolved: 0 });
    expect(await w.repos.syncLog.get(full.sync.syncId ?? "")).toMatchObject({
      status: "completed",
      findingsOpened: opened,
    });

    const fixable = (await w.repos.findings.listOpen()).find((f) => f.ruleId === "missing_due_date");
    if (!fixable) throw new Error("the sandbox has no project without a due date");
    w.sandbox.workspace.setDueOn(fixable.projectGid, "2031-01-15");
    now = new Date(now.getTime() + 1_000);
    const partial = await w.sync("partial");
    expect(partial.rules).toMatchObject({ status: "completed", counts: { resolved: 1, opened: 0 } });
    expect(await w.repos.syncLog.get(partial.sync.syncId ?? "")).toMatchObject({
      kind: "partial",
      findingsOpened: 0,
      findingsResolved: 1,
    });
    const [entry] = await w.repos.changelog.listForProject(fixable.projectGid);
    expect(entry).toMatchObject({
      fieldName: "finding:missing_due_date",
      oldValue: "open/low",
      newValue: "resolved/low",
      source: "rules",
      syncId: partial.sync.syncId,
    });
  });

  it("does not run the rules when the sync is skipped", async () => {
    const w = await rulesWorld({ projects: 5, seed: 1 });
    worlds.push(w);
    await w.repos.meta.leases.acquire(SYNC_LEASE, "other-host:1", 60_000);
    const outcome = await runSyncThenRules("partial", w.steps());
    expect(outcome.sync.status).toBe("skipped");
    expect(outcome.rules).toBeNull();
    expect(await w.repos.findings.listOpen()).toEqual([]);
  });

  it("holds the sync's and the rules' leases for the TTL it is given (JOB_LEASE_TTL_SECONDS)", async () => {
    const w = await rulesWorld({ projects: 5, seed: 2 });
    worlds.push(w);
    const taken: { name: string; ttlMs: number }[] = [];
    const acquire = w.repos.meta.leases.acquire.bind(w.repos.meta.leases);
    w.repos.meta.leases.acquire = (name, owner, ttlMs) => {
      taken.push({ name, ttlMs });
      return acquire(name, owner, ttlMs);
    };
    const outcome = await runSyncThenRules("full", w.steps({ leaseTtlMs: 7_000 }));
    expect(outcome.rules?.status).toBe("completed");
    expect(new Set(taken.map((t) => t.name))).toEqual(new Set([SYNC_LEASE, RULES_LEASE]));
    expect(taken.every((t) => t.ttlMs === 7_000)).toBe(true);
  });

  it("tells the metrics how each sync ended, a skipped or thrown one without a duration", async () => {
    const w = await rulesWorld({ projects: 5, seed: 3 });
    worlds.push(w);
    const told: Parameters<Metrics["syncRun"]>[] = [];
    const metrics = { syncRun: (...run: Parameters<Metrics["syncRun"]>) => void told.push(run) };
    const full = await runSyncThenRules("full", { ...w.steps(), metrics });
    expect(told).toEqual([["full", "completed", full.sync.stats.durationMs / 1000]]);
    await w.repos.meta.leases.acquire(SYNC_LEASE, "other-host:1", 60_000);
    await runSyncThenRules("partial", { ...w.steps(), metrics });
    const broken = {
      ...w.steps(),
      sync: () => Promise.reject(new Error("ASANA_TOKEN is missing")),
      metrics,
    };
    await expect(runSyncThenRules("partial", broken)).rejects.toThrow("ASANA_TOKEN");
    expect(told.slice(1)).toEqual([
      ["partial", "skipped", null],
      ["partial", "failed", null],
    ]);
  });
});
