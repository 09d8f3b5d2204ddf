import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../app/config.ts";
import { asanaClientFromConfig } from "../../app/container.ts";
import { createLogger } from "../../app/logger.ts";
import { runSync, SYNC_LEASE } from "../../jobs/asana-sync.ts";
import { LeaseLostError, runExclusive } from "../../jobs/lease.ts";
import { startSandboxAsana } from "../../sandbox/asana/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import { DEFAULT_CUSTOM_FIELD_NAMES } from "../../services/asana/mapper.ts";
import type { Store } from "../../services/store/client.ts";
import type { LeaseStore } from "../../services/store/meta/lease-store.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { memoryStore } from "../fixtures/memory-store.ts";
import { startSilentEndpoint } from "../fixtures/silent-endpoint.ts";

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

const silent = createLogger({ logLevel: "silent", secrets: [] });

async function store(): Promise<{ store: Store; repos: Repositories }> {
  const opened = await memoryStore({ sleep: async () => {} });
  closers.push(() => opened.store.close());
  return opened;
}

/** Resolves when the signal aborts, with its reason. */
const aborted = (signal: AbortSignal) =>
  new Promise<unknown>((ok) => signal.addEventListener("abort", () => ok(signal.reason), { once: true }));

async function countProjects(repos: Repositories): Promise<number> {
  let count = 0;
  for await (const page of repos.projects.iterateAll()) count += page.length;
  return count;
}

describe("runExclusive", () => {
  it("renews the lease while the work runs", async () => {
    const { repos } = await store();
    const outcome = await runExclusive(
      { leases: repos.meta.leases, name: "job", owner: "me", ttlMs: 1_500, renewEveryMs: 200 },
      async (signal) => {
        await new Promise((ok) => setTimeout(ok, 2_000));
        return { aborted: signal.aborted, holder: (await repos.meta.leases.get("job"))?.owner ?? null };
      },
    );
    expect(outcome).toEqual({ status: "ran", value: { aborted: false, holder: "me" } });
    expect(await repos.meta.leases.get("job")).toBeNull();
  });

  it("aborts the work when another owner takes the lease, and leaves that owner's lease alone", async () => {
    const { repos } = await store();
    const outcome = await runExclusive(
      { leases: repos.meta.leases, name: "job", owner: "me", ttlMs: 5_000, renewEveryMs: 100 },
      async (signal) => {
        await repos.meta.leases.release("job", "me");
        await repos.meta.leases.acquire("job", "thief", 60_000);
        return aborted(signal);
      },
    );
    expect(outcome.status).toBe("ran");
    const reason = outcome.status === "ran" ? outcome.value : null;
    expect(reason).toBeInstanceOf(LeaseLostError);
    expect((await repos.meta.leases.get("job"))?.owner).toBe("thief");
  });

  it("aborts the work once the TTL passes without a renewal that succeeded, even while one hangs", async () => {
    const { repos } = await store();
    const real = repos.meta.leases;
    const hanging: LeaseStore = Object.assign(Object.create(real), {
      renew: () => new Promise<never>(() => undefined),
    });
    const started = Date.now();
    const outcome = await runExclusive(
      { leases: hanging, name: "job", owner: "me", ttlMs: 600, renewEveryMs: 100 },
      (signal) => aborted(signal),
    );
    expect(outcome.status === "ran" ? outcome.value : null).toBeInstanceOf(LeaseLostError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("the sync and its lease", () => {
  it("stops writing when it loses the lease mid-run: the run fails, nothing more is written", async () => {
    const sandbox = await startSandboxAsana({ projects: 400, latencyMs: 30, requestsPerMinute: 1_000_000 });
    closers.push(() => sandbox.stop());
    const { repos } = await store();
    const owner = `test:${randomUUID().slice(0, 6)}`;
    const running = runSync("full", {
      asana: createAsanaClient({
        baseUrl: sandbox.baseUrl,
        token: sandbox.token,
        requestsPerMinute: 1_000_000,
        sleep: async () => {},
        maxConcurrentReads: 5,
      }),
      repos,
      settings: {
        scope: { workspaceGid: sandbox.workspaceGid, teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock: () => new Date(),
      logger: silent,
      owner,
      leaseTtlMs: 3_000,
    });
    for (let i = 0; i < 400 && (await countProjects(repos)) === 0; i++)
      await new Promise((ok) => setTimeout(ok, 25));
    expect(await countProjects(repos)).toBeGreaterThan(0);
    // Another instance took the lease over (as after an expiry).
    await repos.meta.leases.release(SYNC_LEASE, owner);
    await repos.meta.leases.acquire(SYNC_LEASE, "other-instance", 60_000);
    const summary = await running;
    expect(summary).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("lost the asana-sync lease"),
    });
    const atEnd = await countProjects(repos);
    expect(atEnd).toBeLessThan(400);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(await countProjects(repos)).toBe(atEnd);
    expect((await repos.meta.leases.get(SYNC_LEASE))?.owner).toBe("other-instance");
  }, 30_000);

  it("an Asana that accepts the connection and never answers fails the run within its timeout and frees the lease", async () => {
    const endpoint = await startSilentEndpoint();
    closers.push(() => endpoint.stop());
    const { repos } = await store();
    const started = Date.now();
    const summary = await runSync("full", {
      asana: asanaClientFromConfig(
        parseConfig(
          {
            ASANA_TOKEN: "2/1/2:abcdefghij",
            ASANA_BASE_URL: `${endpoint.url}/api/1.0`,
            ASANA_TIMEOUT_MS: "300",
          },
          "store",
        ).asana,
        { maxRetries: 1, sleep: async () => {} },
      ),
      repos,
      settings: {
        scope: { workspaceGid: "1", teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock: () => new Date(),
      logger: silent,
      owner: "test:hang",
    });
    // Up to three listing attempts, each of two requests of 300 ms.
    expect(Date.now() - started).toBeLessThan(3 * 2 * 300 + 2_000);
    expect(summary).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("did not answer within 300 ms"),
    });
    expect(await repos.meta.leases.get(SYNC_LEASE)).toBeNull();
    const [run] = await repos.syncLog.recent(1);
    expect(run?.status).toBe("failed");
  }, 30_000);
});
