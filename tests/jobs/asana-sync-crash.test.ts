import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { runSync, type SyncDeps } from "../../jobs/asana-sync.ts";
import { type SandboxAsana, startSandboxAsana } from "../../sandbox/asana/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import { DEFAULT_CUSTOM_FIELD_NAMES } from "../../services/asana/mapper.ts";
import { openStore, type Store } from "../../services/store/client.ts";
import { ensureTables } from "../../services/store/ensure-tables.ts";
import { createRepositories } from "../../services/store/repositories.ts";
import { runScript } from "../fixtures/node-script.ts";

/**
 * Item 4 of issue #12: a sync process killed between a changed project's changelog entries and
 * the project itself loses no entry; the next sync writes the project, and each change once.
 */

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanup.map((close) => close()));
});

describe("a sync killed between its two writes of a changed project", () => {
  it("keeps the changelog entries, and the next sync writes the project without repeating them", async () => {
    const sandbox: SandboxAsana = await startSandboxAsana({
      projects: 15,
      seed: 23,
      requestsPerMinute: 1_000_000,
    });
    const tablePrefix = `t-${randomUUID().slice(0, 8)}`;
    const store: Store = await openStore(
      { engine: "embedded", endpoint: null, region: null, tablePrefix, env: "test", dataDir: "unused" },
      { inMemory: true },
    );
    cleanup.push(
      () => store.close(),
      () => sandbox.stop(),
    );
    await ensureTables(store);
    const repos = createRepositories(store, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
    const deps = (): SyncDeps => ({
      asana: createAsanaClient({
        baseUrl: sandbox.baseUrl,
        token: sandbox.token,
        requestsPerMinute: 1_000_000,
        sleep: async () => {},
        timeoutMs: 5_000,
      }),
      repos,
      settings: {
        scope: { workspaceGid: sandbox.workspaceGid, teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock: () => new Date(),
      logger: createLogger({ logLevel: "silent", secrets: [] }),
      owner: `test:${randomUUID().slice(0, 6)}`,
    });
    expect((await runSync("full", deps())).status).toBe("completed");
    const [project] = sandbox.workspace.projects().filter((p) => !p.archived && !p.completed);
    if (project === undefined) throw new Error("the sandbox has no active project");
    sandbox.workspace.setDueOn(project.gid, "2031-03-10");
    sandbox.workspace.renameProject(project.gid, "Renombrado tras el corte");
    const before = await repos.projects.get(project.gid);

    const child = runScript("tests/fixtures/sync-crash-child.ts", [], {
      ...process.env,
      CRASH_STORE_ENDPOINT: store.endpoint ?? "",
      CRASH_TABLE_PREFIX: tablePrefix,
      CRASH_ASANA_URL: sandbox.baseUrl,
      CRASH_ASANA_TOKEN: sandbox.token,
      CRASH_WORKSPACE_GID: sandbox.workspaceGid,
    });
    const result = await child.done;
    expect(result.stdout).toContain("killed after");
    expect(result.code).toBeNull();
    // The lease of the dead process runs out before anyone syncs again.
    await repos.meta.leases.release("asana-sync", (await repos.meta.leases.get("asana-sync"))?.owner ?? "");

    const rerun = await runSync("partial", deps());
    expect(rerun.status).toBe("completed");
    expect(rerun.stats.abandonedRuns).toBe(1);
    expect(await repos.projects.get(project.gid)).toMatchObject({
      dueOn: "2031-03-10",
      name: "Renombrado tras el corte",
    });
    const entries = await repos.changelog.listForProject(project.gid);
    expect(entries.filter((e) => e.fieldName === "dueOn")).toEqual([
      expect.objectContaining({ oldValue: before?.dueOn ?? null, newValue: "2031-03-10" }),
    ]);
    expect(entries.filter((e) => e.fieldName === "name")).toEqual([
      expect.objectContaining({ oldValue: before?.name, newValue: "Renombrado tras el corte" }),
    ]);
  }, 60_000);
});
