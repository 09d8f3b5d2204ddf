import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { StoreError } from "../../../services/errors.ts";
import { openStore, pingStore, type StoreSettings } from "../../../services/store/client.ts";
import { createTableInput, ensureTables } from "../../../services/store/ensure-tables.ts";
import { createRepositories } from "../../../services/store/repositories.ts";
import { createTable, dropTable } from "../../../services/store/table-upgrade.ts";
import { keys, TABLES } from "../../../services/store/tables.ts";
import { startSilentEndpoint } from "../../fixtures/silent-endpoint.ts";

const settings = (dataDir: string): StoreSettings => ({
  engine: "embedded",
  endpoint: null,
  region: null,
  tablePrefix: "pmo-bot",
  env: "test",
  dataDir,
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

function holdStore(dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/fixtures/hold-store.ts", dataDir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((ok, fail) => {
    child.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && ok(child));
    child.once("exit", (code) => fail(new Error(`holder exited with ${code}`)));
  });
}

describe("embedded engine", () => {
  it("persists under DATA_DIR across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmo-store-"));
    const first = await openStore(settings(dir));
    expect((await ensureTables(first)).created).toHaveLength(8);
    await first.close();
    const second = await openStore(settings(dir));
    expect((await ensureTables(second)).created).toEqual([]);
    const tables = await second.client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toHaveLength(8);
    await second.close();
    expect(existsSync(join(dir, "pmo-pulse.lock"))).toBe(false);
  });

  it("opens a DATA_DIR made before the meta table's PendingIndex, keeping what it held", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmo-store-"));
    const old = await openStore(settings(dir));
    await ensureTables(old);
    await dropTable(old.client, old.tables.meta);
    await createTable(old.client, createTableInput({ ...TABLES.meta, indexes: [] }, old.tables.meta));
    await old.doc.send(
      new PutCommand({
        TableName: old.tables.meta,
        Item: {
          ...keys.cursor("sync:1"),
          name: "sync:1",
          value: "token-1",
          updatedAt: "2026-05-04T09:00:00.000Z",
        },
      }),
    );
    await old.close();

    const upgraded = await openStore(settings(dir));
    expect((await ensureTables(upgraded)).rebuilt).toEqual([upgraded.tables.meta]);
    await upgraded.close();
    const reopened = await openStore(settings(dir));
    expect((await ensureTables(reopened)).rebuilt).toEqual([]);
    const repos = createRepositories(reopened, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
    expect(await repos.meta.cursors.get("sync:1")).toBe("token-1");
    expect(await repos.meta.inbound.listPending()).toEqual([]);
    await reopened.close();
  });

  it("tells a second process on the same DATA_DIR who holds it, instead of crashing in dynalite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmo-store-"));
    const holder = await holdStore(dir);
    const attempt = openStore(settings(dir));
    await expect(attempt).rejects.toBeInstanceOf(StoreError);
    await expect(attempt).rejects.toMatchObject({
      code: "store_locked",
      message: expect.stringContaining(`pid ${holder.pid}`),
    });
    holder.kill("SIGTERM");
    await new Promise((ok) => holder.once("exit", ok));
    const after = await openStore(settings(dir));
    await after.close();
  });

  it("takes over a lock left by a process that no longer runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pmo-store-"));
    writeFileSync(join(dir, "pmo-pulse.lock"), "999999");
    const store = await openStore(settings(dir));
    await store.close();
  });
});

describe("an endpoint that accepts the connection and never answers", () => {
  it("fails each call with a timeout within DYNAMODB_TIMEOUT_MS per attempt, not never", async () => {
    const silent = await startSilentEndpoint();
    const store = await openStore({
      engine: "endpoint",
      endpoint: silent.url,
      region: null,
      tablePrefix: "pmo-bot",
      env: "test",
      dataDir: "unused",
      timeoutMs: 300,
      maxAttempts: 2,
    });
    try {
      const started = Date.now();
      const failure = await store.client.send(new ListTablesCommand({})).then(
        () => null,
        (error: unknown) => error,
      );
      const elapsed = Date.now() - started;
      expect(failure).toMatchObject({ name: "TimeoutError" });
      expect(elapsed).toBeGreaterThanOrEqual(2 * 300 - 50);
      expect(elapsed).toBeLessThan(2 * 300 + 1_500);
      expect(silent.connections()).toBe(2);
      await expect(pingStore(store, 200)).rejects.toThrow();
    } finally {
      await store.close();
      await silent.stop();
    }
  });
});
