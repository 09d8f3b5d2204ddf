import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createLogger } from "../../app/logger.ts";
import { runSync, SYNC_TOKEN_RENEW_MS, type SyncDeps } from "../../jobs/asana-sync.ts";
import { type SandboxAsana, startSandboxAsana } from "../../sandbox/asana/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import { DEFAULT_CUSTOM_FIELD_NAMES } from "../../services/asana/mapper.ts";
import type { SyncKind } from "../../services/model.ts";
import { normalisePmoId } from "../../services/pmo-id.ts";
import type { Store } from "../../services/store/client.ts";
import { SYNC_STATE_SHARDS, setProjectState } from "../../services/store/meta/sync-state.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

const silent = createLogger({ logLevel: "silent", secrets: [] });
const stores: Store[] = [];
const sandboxes: SandboxAsana[] = [];

afterAll(async () => {
  await Promise.all([...stores.map((s) => s.close()), ...sandboxes.map((s) => s.stop())]);
});

type World = {
  sandbox: SandboxAsana;
  store: Store;
  repos: Repositories;
  sync: (kind: SyncKind, extra?: Partial<SyncDeps>) => ReturnType<typeof runSync>;
};

async function world(options: {
  projects: number;
  seed?: number;
  requestsPerMinute?: number;
  clock?: () => Date;
}): Promise<World> {
  const sandbox = await startSandboxAsana({
    projects: options.projects,
    seed: options.seed ?? 11,
    requestsPerMinute: options.requestsPerMinute ?? 1_000_000,
  });
  sandboxes.push(sandbox);
  const clock = options.clock ?? (() => new Date());
  const { store, repos } = await memoryStore({ sleep: async () => {}, clock });
  stores.push(store);
  const sync = (kind: SyncKind, extra: Partial<SyncDeps> = {}) =>
    runSync(kind, {
      asana: createAsanaClient({
        baseUrl: sandbox.baseUrl,
        token: sandbox.token,
        requestsPerMinute: options.requestsPerMinute ?? 1_000_000,
        sleep: async () => {},
        timeoutMs: 2_000,
      }),
      repos,
      settings: {
        scope: { workspaceGid: sandbox.workspaceGid, teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock,
      logger: silent,
      owner: `test:${randomUUID().slice(0, 6)}`,
      ...extra,
    });
  return { sandbox, store, repos, sync };
}

async function allProjects(repos: Repositories) {
  const out = [];
  for await (const page of repos.projects.iterateAll()) out.push(...page);
  return out;
}

const activeInAsana = (sandbox: SandboxAsana) => sandbox.workspace.projects().filter((p) => !p.archived);

describe("full sync against the sandbox", () => {
  let w: World;
  beforeEach(async () => {
    w = await world({ projects: 45 });
  });

  it("stores every project of the scope, hostile names byte for byte, and records the run", async () => {
    const summary = await w.sync("full");
    expect(summary.status).toBe("completed");
    const listed = activeInAsana(w.sandbox);
    const stored = await allProjects(w.repos);
    expect(stored.map((p) => p.gid).sort()).toEqual(listed.map((p) => p.gid).sort());
    for (const project of listed) {
      const mine = stored.find((p) => p.gid === project.gid);
      expect(mine?.name).toBe(project.name);
      expect(mine?.pmoId ?? null).toBe(project.hasPmoIdField ? normalisePmoId(project.pmoId) : null);
      expect(mine?.totalTasks).toBe(project.tasks.length);
    }
    expect(stored.some((p) => p.name.includes("<!channel>"))).toBe(true);

    const pages = Math.ceil(listed.length / 100);
    // A first sync: per project a 412 for the events token, the task counts and one activity probe.
    expect(summary.stats.asanaCalls).toBe(pages + 3 * listed.length);
    expect(summary.stats.throttled).toBe(0);
    const [run] = await w.repos.syncLog.recent(1);
    expect(run).toMatchObject({
      status: "completed",
      kind: "full",
      projectsSynced: summary.stats.projectsSynced,
      asanaCalls: summary.stats.asanaCalls,
    });
    expect(run?.completedAt).not.toBeNull();
  });

  it("with sync tokens stored, costs two calls a project", async () => {
    await w.sync("full");
    const second = await w.sync("full");
    const listed = activeInAsana(w.sandbox).length;
    expect(second.stats.asanaCalls).toBe(Math.ceil(listed / 100) + 2 * listed);
    expect(second.stats.projectsWritten).toBe(0);
    expect(second.stats.changesDetected).toBe(0);
  });

  it("survives 3 % of task-count calls failing: those projects are stale, nothing is lost", async () => {
    w = await world({ projects: 150, seed: 4 });
    await w.sync("full");
    const before = new Map((await allProjects(w.repos)).map((p) => [p.gid, p]));
    w.sandbox.setFaults({ taskCountsFailureShare: 0.03 });
    const summary = await w.sync("full");
    expect(summary.status).toBe("completed");
    const after = await allProjects(w.repos);
    expect(after).toHaveLength(before.size);
    const stale = after.filter((p) => p.stale);
    expect(stale.length).toBeGreaterThan(0);
    expect(summary.stats.staleProjects).toBe(stale.length);
    for (const project of stale) {
      const previous = before.get(project.gid);
      expect(project.staleReason).toContain("task counts");
      // The last good figures and the time of the last complete read stay.
      expect(project.totalTasks).toBe(previous?.totalTasks);
      expect(project.lastSyncedAt).toBe(previous?.lastSyncedAt);
    }
    w.sandbox.setFaults({});
    const healed = await w.sync("full");
    expect(healed.stats.staleProjects).toBe(0);
    expect((await allProjects(w.repos)).filter((p) => p.stale)).toEqual([]);
  });

  it("a project that cannot be read on a first sync is not invented", async () => {
    w.sandbox.setFaults({ taskCountsFailureShare: 0.1 });
    const summary = await w.sync("full");
    expect(summary.status).toBe("completed");
    const stored = await allProjects(w.repos);
    expect(stored).toHaveLength(activeInAsana(w.sandbox).length);
    expect(stored.filter((p) => p.stale).every((p) => p.totalTasks === null && p.lastSyncedAt === null)).toBe(
      true,
    );
  });

  it("marks projects that left the scope, with a changelog entry each", async () => {
    await w.sync("full");
    const [archived, deleted, completed] = activeInAsana(w.sandbox).filter((p) => !p.completed);
    if (!archived || !deleted || !completed) throw new Error("the sandbox has too few projects");
    w.sandbox.workspace.archiveProject(archived.gid);
    w.sandbox.workspace.deleteProject(deleted.gid);
    w.sandbox.workspace.completeProject(completed.gid);
    const summary = await w.sync("partial");
    expect(summary.stats.projectsRemoved).toBe(2);
    expect(await w.repos.projects.get(archived.gid)).toMatchObject({
      removedReason: "archived",
      archived: true,
    });
    expect(await w.repos.projects.get(deleted.gid)).toMatchObject({ removedReason: "deleted" });
    // Marking it kept the Asana payload it had.
    expect((await w.repos.projects.get(deleted.gid))?.raw).toHaveProperty("gid", deleted.gid);
    expect(await w.repos.projects.get(completed.gid)).toMatchObject({
      removedReason: "completed",
      completed: true,
    });
    for (const gid of [archived.gid, deleted.gid, completed.gid]) {
      const entries = await w.repos.changelog.listForProject(gid);
      expect(entries.some((e) => e.fieldName === "removedReason")).toBe(true);
    }
    const again = await w.sync("partial");
    expect(again.stats.projectsRemoved).toBe(0);
    expect(again.stats.changesDetected).toBe(0);
  });
});

describe("partial sync", () => {
  it("records exactly the changed fields, and a replay writes nothing", async () => {
    const w = await world({ projects: 30, seed: 5 });
    await w.sync("full");
    const candidates = activeInAsana(w.sandbox).filter(
      (p) => !p.completed && p.tasks.some((t) => !t.completed),
    );
    const [tasksDone, moved, renamed] = candidates;
    if (!tasksDone || !moved || !renamed) throw new Error("the sandbox has too few projects");
    const oldName = renamed.name;
    w.sandbox.workspace.completeTasks(tasksDone.gid, 1);
    w.sandbox.workspace.setDueOn(moved.gid, "2031-01-15");
    w.sandbox.workspace.renameProject(renamed.gid, "Renombrado <!here> & más");

    const callsBefore = w.sandbox.calls.length;
    const summary = await w.sync("partial");
    expect(summary.status).toBe("completed");
    const listed = activeInAsana(w.sandbox).length;
    // Events for every project, task counts only where tasks changed.
    expect(summary.stats.asanaCalls).toBe(Math.ceil(listed / 100) + listed + 1);
    expect(
      w.sandbox.calls
        .slice(callsBefore)
        .filter((c) => c.path.endsWith("/task_counts"))
        .map((c) => c.path),
    ).toEqual([`/projects/${tasksDone.gid}/task_counts`]);

    const fields = async (gid: string) =>
      (await w.repos.changelog.listForProject(gid)).map((e) => e.fieldName).sort();
    expect(await fields(tasksDone.gid)).toEqual(
      ["pendingTasks", "progressPercent"].filter(
        (f) => f !== "progressPercent" || progressMoves(tasksDone.tasks),
      ),
    );
    expect(await fields(moved.gid)).toEqual(["dueOn"]);
    expect(await fields(renamed.gid)).toEqual(["name"]);
    const [nameChange] = await w.repos.changelog.listForProject(renamed.gid);
    expect(nameChange).toMatchObject({
      oldValue: oldName,
      newValue: "Renombrado <!here> & más",
      source: "asana",
      syncId: summary.syncId,
    });
    expect(summary.stats.projectsWritten).toBe(3);
    expect(summary.stats.changesDetected).toBe((await fields(tasksDone.gid)).length + 2);

    const replay = await w.sync("partial");
    expect(replay.stats.projectsWritten).toBe(0);
    expect(replay.stats.changesDetected).toBe(0);
    expect(await w.repos.changelog.listForProject(moved.gid)).toHaveLength(1);
  });

  it("keeps a quiet project's events token, writes only those that moved, renews them before they expire", async () => {
    const start = new Date("2026-12-03T08:00:00.000Z");
    let now = start;
    const later = (minutes: number) => {
      now = new Date(now.getTime() + minutes * 60_000);
    };
    const w = await world({ projects: 20, seed: 7, clock: () => now });
    await w.sync("full");
    const withOpenTasks = activeInAsana(w.sandbox).filter((p) => p.tasks.some((t) => !t.completed));
    const [busy, quietThenBusy] = withOpenTasks;
    if (!busy || !quietThenBusy) throw new Error("the sandbox has too few projects with open tasks");
    const names = activeInAsana(w.sandbox).map((p) => p.gid);
    const written = async () => {
      const { projects } = await w.repos.meta.syncState.load();
      return new Map(
        names.flatMap((gid) => {
          const entry = projects.get(gid);
          return entry?.token != null ? [[gid, entry.tokenAt] as const] : [];
        }),
      );
    };
    const afterFull = await written();
    expect(afterFull.size).toBe(names.length);

    w.sandbox.workspace.completeTasks(busy.gid, 1);
    later(30);
    expect((await w.sync("partial")).status).toBe("completed");
    const afterPartial = await written();
    expect(names.filter((n) => afterPartial.get(n) !== afterFull.get(n))).toEqual([busy.gid]);

    // A kept token still brings what happened after it.
    w.sandbox.workspace.completeTasks(quietThenBusy.gid, 1);
    later(30);
    expect((await w.sync("partial")).status).toBe("completed");
    expect((await w.repos.projects.get(quietThenBusy.gid))?.completedTasks).toBe(
      quietThenBusy.tasks.filter((t) => t.completed).length,
    );

    // Asana's tokens expire after 24 h: one kept SYNC_TOKEN_RENEW_MS is written anew, the younger kept.
    const beforeRenewal = await written();
    now = new Date(start.getTime() + SYNC_TOKEN_RENEW_MS);
    const renewal = await w.sync("partial");
    expect(renewal.stats.staleProjects).toBe(0);
    const renewed = await written();
    const young = [busy.gid, quietThenBusy.gid];
    for (const name of names)
      expect(renewed.get(name), name).toBe(
        young.includes(name) ? beforeRenewal.get(name) : now.toISOString(),
      );
  });

  it("re-crawls a project whose events token expired (412)", async () => {
    const w = await world({ projects: 12, seed: 3 });
    await w.sync("full");
    w.sandbox.expireSyncTokens();
    const [project] = activeInAsana(w.sandbox).filter((p) => p.tasks.some((t) => !t.completed));
    if (!project) throw new Error("no project with open tasks");
    w.sandbox.workspace.completeTasks(project.gid, 2);
    const summary = await w.sync("partial");
    expect(summary.status).toBe("completed");
    const stored = await w.repos.projects.get(project.gid);
    expect(stored?.completedTasks).toBe(project.tasks.filter((t) => t.completed).length);
    // After the re-crawl the new tokens work: the next partial costs one call a project.
    const next = await w.sync("partial");
    const listed = activeInAsana(w.sandbox).length;
    expect(next.stats.asanaCalls).toBe(Math.ceil(listed / 100) + listed);
  });

  it("restarts the listing after an expired offset and marks nothing removed for the missing page", async () => {
    const w = await world({ projects: 860, seed: 9 });
    await w.sync("full");
    w.sandbox.setFaults({ expiredOffsetAtPage: 9 });
    const before = w.sandbox.calls.length;
    const summary = await w.sync("partial");
    expect(summary.status).toBe("completed");
    expect(summary.stats.projectsRemoved).toBe(0);
    const listings = w.sandbox.calls.slice(before).filter((c) => c.path.endsWith("/projects"));
    expect(listings.filter((c) => c.query.offset === undefined)).toHaveLength(2);
    expect(listings.some((c) => c.status === 400)).toBe(true);
    const stored = await allProjects(w.repos);
    // Completed projects left the scope on the first sync already; nothing else is marked.
    const completed = activeInAsana(w.sandbox)
      .filter((p) => p.completed)
      .map((p) => p.gid)
      .sort();
    expect(
      stored
        .filter((p) => p.removedAt !== null)
        .map((p) => p.gid)
        .sort(),
    ).toEqual(completed);
    expect(stored).toHaveLength(activeInAsana(w.sandbox).length);
  });
});

/** Keys of the projects table each request read, by command: what a sync took from the store. */
function recordProjectReads(w: World): { batchGets: string[]; scans: number } {
  const reads = { batchGets: [] as string[], scans: 0 };
  const projectsTable = w.store.tables.projects;
  w.store.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = z
        .object({
          TableName: z.string().optional(),
          RequestItems: z
            .record(z.string(), z.object({ Keys: z.array(z.object({ pk: z.string() })) }))
            .optional(),
        })
        .passthrough()
        .safeParse(args.input);
      if (input.success && context.commandName === "ScanCommand" && input.data.TableName === projectsTable)
        reads.scans++;
      const keys = input.success ? input.data.RequestItems?.[projectsTable]?.Keys : undefined;
      if (context.commandName === "BatchGetItemCommand" && keys)
        reads.batchGets.push(...keys.map((k) => k.pk.replace("PROJECT#", "")));
      return next(args);
    },
    { step: "initialize", name: "recordProjectReads" },
  );
  return reads;
}

describe("the sync state", () => {
  it("a partial sync reads and writes only the projects whose Asana side moved", async () => {
    const w = await world({ projects: 40, seed: 5 });
    await w.sync("full");
    const listed = activeInAsana(w.sandbox);
    const [busy, renamedQuietly] = listed.filter((p) => p.tasks.some((t) => !t.completed));
    if (!busy || !renamedQuietly) throw new Error("the sandbox has too few projects with open tasks");
    w.sandbox.workspace.completeTasks(busy.gid, 1);
    // A change no event told of: only the listing shows it.
    renamedQuietly.name = "Renombrado sin evento";
    const reads = recordProjectReads(w);
    const summary = await w.sync("partial");
    expect(summary.status).toBe("completed");
    expect(summary.stats.projectsSynced).toBe(listed.length);
    expect(reads.scans).toBe(0);
    expect(reads.batchGets.sort()).toEqual([busy.gid, renamedQuietly.gid].sort());
    expect((await w.repos.projects.get(renamedQuietly.gid))?.name).toBe("Renombrado sin evento");
    expect((await w.repos.projects.get(busy.gid))?.completedTasks).toBe(
      busy.tasks.filter((t) => t.completed).length,
    );

    reads.batchGets.length = 0;
    const quiet = await w.sync("partial");
    expect(quiet.stats.projectsWritten).toBe(0);
    expect(reads.batchGets).toEqual([]);
  });

  it("a person's write between syncs is kept, and the next change from Asana is written over it", async () => {
    const w = await world({ projects: 12, seed: 8 });
    await w.sync("full");
    const [project] = activeInAsana(w.sandbox);
    if (!project) throw new Error("no project");
    const stored = await w.repos.projects.get(project.gid);
    if (!stored) throw new Error("not stored");
    const byPerson = await w.repos.projects.upsert(
      { ...stored, reportedProgress: 77, lastStatusUpdateAt: "2099-01-01T00:00:00.000Z" },
      stored.version,
    );
    expect((await w.sync("partial")).stats.projectsWritten).toBe(0);
    expect(await w.repos.projects.get(project.gid)).toEqual(byPerson);

    project.name = "Nombre nuevo";
    expect((await w.sync("partial")).stats.projectsWritten).toBe(1);
    expect(await w.repos.projects.get(project.gid)).toMatchObject({
      name: "Nombre nuevo",
      reportedProgress: 77,
      lastStatusUpdateAt: "2099-01-01T00:00:00.000Z",
    });
  });

  it("takes over the tokens stored one a project, and rebuilds a lost or damaged state", async () => {
    const w = await world({ projects: 30, seed: 12 });
    await w.sync("full");
    const listed = activeInAsana(w.sandbox);
    const { projects: entries } = await w.repos.meta.syncState.load();
    // As a release before the sync state left things: one cursor a project, no state at all.
    await w.repos.meta.cursors.putMany(
      new Map(listed.map((p) => [`events:${p.gid}`, entries.get(p.gid)?.token ?? "missing"])),
    );
    for (let shard = 0; shard < SYNC_STATE_SHARDS; shard++)
      await w.repos.meta.cursors.delete(`sync-state:${String(shard).padStart(3, "0")}`);
    await w.repos.meta.cursors.delete("sync-state");
    const [moved] = listed.filter((p) => p.tasks.some((t) => !t.completed));
    if (!moved) throw new Error("no project with open tasks");
    w.sandbox.workspace.completeTasks(moved.gid, 1);

    const takeover = await w.sync("partial");
    expect(takeover.status).toBe("completed");
    // The old tokens carried on: no project was crawled afresh, the move was seen.
    expect(takeover.stats.asanaCalls).toBe(Math.ceil(listed.length / 100) + listed.length + 1);
    expect((await w.repos.projects.get(moved.gid))?.completedTasks).toBe(
      moved.tasks.filter((t) => t.completed).length,
    );
    const rebuilt = await w.repos.meta.syncState.load();
    expect(rebuilt.complete).toBe(true);
    expect([...rebuilt.projects.keys()].sort()).toEqual(listed.map((p) => p.gid).sort());

    // Damaged: an entry claiming a fingerprint that is not the project's is read and put right.
    const [victim] = listed;
    const entry = victim && rebuilt.projects.get(victim.gid);
    if (!victim || !entry) throw new Error("no entry");
    setProjectState(rebuilt, victim.gid, { ...entry, fingerprint: "not-the-project" });
    await w.repos.meta.syncState.save(rebuilt, [victim.gid]);
    const reads = recordProjectReads(w);
    const repaired = await w.sync("partial");
    expect(repaired.stats.projectsWritten).toBe(0);
    expect(reads.batchGets).toEqual([victim.gid]);
    expect((await w.repos.meta.syncState.load()).projects.get(victim.gid)?.fingerprint).toBe(
      entry.fingerprint,
    );
  });

  it("is saved a few times a run, not after every page of projects", async () => {
    const w = await world({ projects: 300, seed: 3 });
    const saves = vi.spyOn(w.repos.meta.syncState, "save");
    const summary = await w.sync("full");
    expect(summary.status).toBe("completed");
    const listed = activeInAsana(w.sandbox);
    expect(listed.length).toBeGreaterThan(200);
    // Three pages of 100: a save after each rewrote most shards three times.
    expect(saves).toHaveBeenCalledTimes(1);
    const state = await w.repos.meta.syncState.load();
    expect(state.complete).toBe(true);
    expect([...state.projects.keys()].sort()).toEqual((await allProjects(w.repos)).map((p) => p.gid).sort());
    expect([...state.projects.values()].every((e) => e.token !== null && e.fingerprint !== null)).toBe(true);
  });

  it("a run that fails mid-way still saves the entries of the projects it wrote", async () => {
    const w = await world({ projects: 250, seed: 4 });
    const insertMany = w.repos.projects.insertMany.bind(w.repos.projects);
    let inserts = 0;
    vi.spyOn(w.repos.projects, "insertMany").mockImplementation(async (projects) => {
      if (++inserts > 1) throw new Error("store down");
      return insertMany(projects);
    });
    expect((await w.sync("full")).status).toBe("failed");
    const stored = (await allProjects(w.repos)).map((p) => p.gid).sort();
    expect(stored.length).toBeGreaterThan(0);
    const { projects: entries } = await w.repos.meta.syncState.load();
    // Fewer than 256 changed: only the save after the failure wrote them.
    expect([...entries.keys()].sort()).toEqual(stored);
    expect([...entries.values()].every((e) => e.token !== null)).toBe(true);
  });

  it("after a run that wrote projects and died before saving their entries, trusts no fingerprint", async () => {
    const w = await world({ projects: 20, seed: 9 });
    await w.sync("full");
    const [project] = activeInAsana(w.sandbox);
    if (!project) throw new Error("no project");
    const original = project.name;
    // Changes no event tells of: only the listing shows them.
    project.name = "Nombre de un momento";
    const saves = vi.spyOn(w.repos.meta.syncState, "save").mockRejectedValue(new Error("store down"));
    expect((await w.sync("partial")).status).toBe("failed");
    saves.mockRestore();
    expect((await w.repos.projects.get(project.gid))?.name).toBe("Nombre de un momento");

    // Back to what the state's entry still says: only reading the project finds the store behind.
    project.name = original;
    const reads = recordProjectReads(w);
    const next = await w.sync("partial");
    expect(next.status).toBe("completed");
    expect(reads.batchGets).toHaveLength(listedCount(w));
    expect((await w.repos.projects.get(project.gid))?.name).toBe(original);
    // Saved again, the partial after it trusts the state.
    reads.batchGets.length = 0;
    await w.sync("partial");
    expect(reads.batchGets).toEqual([]);
  });
});

const listedCount = (w: World) => activeInAsana(w.sandbox).length;

describe("the sync lease", () => {
  let w: World;
  beforeEach(async () => {
    w = await world({ projects: 20, seed: 2 });
  });
  afterEach(() => {
    w.sandbox.setFaults({});
  });

  it("of two syncs started at once, one runs and one is skipped", async () => {
    const [a, b] = await Promise.all([w.sync("full"), w.sync("partial")]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(["completed", "skipped"]);
    const skipped = a.status === "skipped" ? a : b;
    expect(skipped.reason).toContain("another sync is running");
    expect(await w.repos.syncLog.recent(5)).toHaveLength(1);
  });

  it("a run left running by a dead process is marked abandoned by the next one", async () => {
    await w.repos.syncLog.createRunning({ syncId: "dead-run", kind: "full", owner: "gone:1" });
    await w.repos.meta.leases.acquire("asana-sync", "gone:1", 300);
    const blocked = await w.sync("partial");
    expect(blocked.status).toBe("skipped");
    await new Promise((ok) => setTimeout(ok, 350));
    const next = await w.sync("partial");
    expect(next.status).toBe("completed");
    expect(next.stats.abandonedRuns).toBe(1);
    expect(await w.repos.syncLog.get("dead-run")).toMatchObject({ status: "abandoned" });
  });

  it("a failing Asana token fails the run with a clear message and releases the lease", async () => {
    const summary = await w.sync("full", {
      asana: createAsanaClient({ baseUrl: w.sandbox.baseUrl, token: "wrong-token", sleep: async () => {} }),
    });
    expect(summary.status).toBe("failed");
    expect(summary.reason).toContain("ASANA_TOKEN");
    expect((await w.repos.syncLog.recent(1))[0]).toMatchObject({ status: "failed" });
    expect(await w.repos.meta.leases.get("asana-sync")).toBeNull();
    expect((await w.sync("full")).status).toBe("completed");
  });
});

function progressMoves(tasks: readonly { completed: boolean }[]): boolean {
  const total = tasks.length;
  const done = tasks.filter((t) => t.completed).length;
  return Math.round(((done - 1) / total) * 100) !== Math.round((done / total) * 100);
}
