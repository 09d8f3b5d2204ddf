import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { runSync } from "../../jobs/asana-sync.ts";
import { type SandboxAsana, startSandboxAsana } from "../../sandbox/asana/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import { DEFAULT_CUSTOM_FIELD_NAMES } from "../../services/asana/mapper.ts";
import { ensureTables } from "../../services/store/ensure-tables.ts";
import { createRepositories } from "../../services/store/repositories.ts";
import { endpointStore } from "../fixtures/endpoint-store.ts";
import { runScript } from "../fixtures/node-script.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

async function setup(options: { projects: number; latencyMs: number }) {
  const sandbox: SandboxAsana = await startSandboxAsana({
    projects: options.projects,
    seed: 21,
    latencyMs: options.latencyMs,
    requestsPerMinute: 1_000_000,
  });
  // The job creates its tables, as it does on a new deployment.
  const { store, env: storeEnv, close } = await endpointStore({ tables: false });
  cleanups.push(() => sandbox.stop(), close);
  const env = {
    ...process.env,
    ASANA_BASE_URL: sandbox.baseUrl,
    ASANA_TOKEN: sandbox.token,
    ASANA_WORKSPACE_GID: sandbox.workspaceGid,
    ...storeEnv,
    LOG_LEVEL: "warn",
  };
  return { sandbox, env, store };
}

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runScript("jobs/cli.ts", args, env);

describe("npm run job -- sync", () => {
  it("--full --json stores every project and ends with one JSON line of counts", async () => {
    const { sandbox, env, store } = await setup({ projects: 40, latencyMs: 0 });
    const { done } = runCli(["sync", "--full", "--json"], env);
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Sync full completed/);
    const json: unknown = JSON.parse(lines.at(-1) ?? "");
    const listed = sandbox.workspace.projects().filter((p) => !p.archived).length;
    expect(json).toMatchObject({
      job: "sync",
      status: "completed",
      kind: "full",
      stats: { projectsSynced: expect.any(Number), throttled: 0 },
      rules: { status: "completed", counts: { opened: expect.any(Number), conflicts: 0 } },
    });
    expect(result.stdout).toMatch(/\nRules completed over \d+ projects/);
    const repos = createRepositories(store, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
    let stored = 0;
    for await (const page of repos.projects.iterateAll()) stored += page.length;
    expect(stored).toBe(listed);
    expect(result.stderr).not.toContain(sandbox.token);
  });

  it("answers a usage error with exit code 2", async () => {
    const { env } = await setup({ projects: 1, latencyMs: 0 });
    const result = await runCli(["sync", "--sideways"], env).done;
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("usage: npm run job");
  });

  it("stops with the one-message config error when Asana is not configured", async () => {
    const env = { ...process.env, ASANA_TOKEN: "", ASANA_WORKSPACE_GID: "", ASANA_PLAN: "gold" };
    const result = await runCli(["sync", "--full"], env).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PMO Pulse cannot start: 3 configuration problems");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a sync killed half-way: the next one completes and marks the old run abandoned", async () => {
    const { sandbox, env, store } = await setup({ projects: 400, latencyMs: 25 });
    const { child, done } = runCli(["sync", "--full"], env);
    const repos = createRepositories(store, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
    // Kill it once some pages are written, before the rest are.
    for (let i = 0; i < 600; i++) {
      const page = await repos.projects.listAll({ limit: 100 }).catch(() => ({ items: [] }));
      if (page.items.length >= 100) break;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    child.kill("SIGKILL");
    await done;
    const [orphan] = await repos.syncLog.recent(1);
    expect(orphan?.status).toBe("running");

    // The killed process's lease runs out after its TTL: the next sync runs a few minutes later.
    const later = createRepositories(store, {
      changelogRetentionDays: 365,
      findingsRetentionDays: 365,
      clock: () => new Date(Date.now() + 5 * 60_000),
    });
    const summary = await runSync("full", {
      asana: createAsanaClient({
        baseUrl: sandbox.baseUrl,
        token: sandbox.token,
        requestsPerMinute: 1_000_000,
      }),
      repos: later,
      settings: {
        scope: { workspaceGid: sandbox.workspaceGid, teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock: () => new Date(),
      logger: createLogger({ logLevel: "silent", secrets: [] }),
      owner: "test:next",
    });
    expect(summary.status).toBe("completed");
    expect(summary.stats.abandonedRuns).toBe(1);
    expect(await repos.syncLog.get(orphan?.syncId ?? "")).toMatchObject({ status: "abandoned" });
    let stored = 0;
    for await (const page of repos.projects.iterateAll()) stored += page.length;
    expect(stored).toBe(sandbox.workspace.projects().filter((p) => !p.archived).length);
  });
});

describe("npm run job -- rules", () => {
  it("--json evaluates the stored projects and ends with one JSON line of counts", async () => {
    const { env, store } = await setup({ projects: 1, latencyMs: 0 });
    await ensureTables(store);
    const repos = createRepositories(store, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const base = {
      name: "Proyecto",
      responsable: "Ana Pérez",
      responsableKey: "u-ana",
      businessVertical: "Banca",
      lastStatusUpdateAt: yesterday,
      lastActivityAt: yesterday,
      progressPercent: 50,
      totalTasks: 20,
    };
    await repos.projects.insertMany([
      { ...base, gid: "1", pmoId: "PMO-1", dueOn: "2099-12-31" },
      { ...base, gid: "2", pmoId: null, dueOn: "2020-01-31" },
      { ...base, gid: "3", pmoId: null, dueOn: "2020-01-31", archived: true },
    ]);

    const first = await runCli(["rules", "--json"], env).done;
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^Rules completed over 3 projects in \d+\.\d s$/);
    const json: unknown = JSON.parse(lines.at(-1) ?? "");
    expect(json).toMatchObject({
      job: "rules",
      status: "completed",
      evaluatedProjects: 3,
      counts: { opened: 2, resolved: 0, unchanged: 0, conflicts: 0 },
      alertsNeeded: 2,
    });
    expect((await repos.findings.listForProject("2")).map((f) => f.ruleId).sort()).toEqual([
      "missing_pmo_id",
      "overdue",
    ]);

    const second = await runCli(["rules", "--json"], env).done;
    expect(JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "")).toMatchObject({
      counts: { opened: 0, unchanged: 2 },
    });
  });

  it("answers an unknown option with exit code 2", async () => {
    const { env } = await setup({ projects: 1, latencyMs: 0 });
    const result = await runCli(["rules", "--sideways"], env).done;
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("usage: npm run job");
  });
});
