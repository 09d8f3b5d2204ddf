import { DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../services/store/client.ts";
import { createTableInput, ensureTables } from "../../../services/store/ensure-tables.ts";
import { createRepositories } from "../../../services/store/repositories.ts";
import { createTable, dropTable, rebuildTableName } from "../../../services/store/table-upgrade.ts";
import { keys, TABLES } from "../../../services/store/tables.ts";

let store: Store;
beforeAll(async () => {
  store = await openStore(
    {
      engine: "embedded",
      endpoint: null,
      region: null,
      tablePrefix: "verify",
      env: "test",
      dataDir: "unused",
    },
    { inMemory: true },
  );
});
afterAll(async () => store.close());

describe("ensureTables", () => {
  it("on AWS creates nothing and names every missing table, index and TTL", async () => {
    const aws = { ...store, engine: "aws" as const };
    await expect(ensureTables(aws)).rejects.toMatchObject({
      code: "tables_mismatch",
      message: expect.stringContaining("does not exist"),
    });

    await ensureTables(store);
    // Recreate findings without its SeverityIndex, and projects with a wrong sort key.
    await dropTable(store.client, store.tables.findings);
    const findings = createTableInput(TABLES.findings, store.tables.findings);
    findings.GlobalSecondaryIndexes = findings.GlobalSecondaryIndexes?.filter(
      (i) => i.IndexName !== "SeverityIndex",
    );
    await createTable(store.client, findings);
    await dropTable(store.client, store.tables.users);

    let message = "";
    try {
      await ensureTables(aws);
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toContain("table verify-users-test does not exist");
    expect(message).toContain(
      "table verify-findings-test lacks index SeverityIndex (severity:HASH, createdAt:RANGE)",
    );
    // dynalite cannot switch TTL on, so on "AWS" every TTL table is reported.
    expect(message).toContain("table verify-changelog-test does not have TTL enabled on expiresAt");
    expect(message).not.toContain("verify-projects-test");
  });

  it("on a local engine creates the missing tables and still names a table whose keys differ", async () => {
    await dropTable(store.client, store.tables.conversations);
    const partitionOnly = createTableInput(TABLES.conversations, store.tables.conversations);
    partitionOnly.KeySchema = partitionOnly.KeySchema?.filter((key) => key.KeyType === "HASH");
    partitionOnly.AttributeDefinitions = partitionOnly.AttributeDefinitions?.filter(
      (a) => a.AttributeName === "pk",
    );
    await createTable(store.client, partitionOnly);
    await dropTable(store.client, store.tables.meta);
    await expect(ensureTables(store)).rejects.toMatchObject({
      code: "tables_mismatch",
      message: expect.stringContaining(
        "table verify-conversations-test has keys (pk:HASH), expected (pk:HASH, sk:RANGE)",
      ),
    });
    const tables = await store.client.send(new ListTablesCommand({}));
    // users was dropped by the test above, meta here: both are back.
    expect(tables.TableNames).toEqual(expect.arrayContaining([store.tables.users, store.tables.meta]));
    await dropTable(store.client, store.tables.conversations);
    const report = await ensureTables(store);
    expect(report.created).toEqual([store.tables.conversations]);
    expect(report.verified).toHaveLength(7);
  });
});

/** The meta table as versions before PendingIndex made it, holding what they wrote. */
async function oldMetaTable(items: Record<string, unknown>[]): Promise<void> {
  await dropTable(store.client, store.tables.meta);
  await createTable(store.client, createTableInput({ ...TABLES.meta, indexes: [] }, store.tables.meta));
  await putAll(store.tables.meta, items);
}

async function putAll(tableName: string, items: Record<string, unknown>[]): Promise<void> {
  for (const Item of items) await store.doc.send(new PutCommand({ TableName: tableName, Item }));
}

const ON_START = new Date("2026-05-04T09:00:00.000Z");

/** An inbound delivery recorded by the old code: pending, without `pendingQueue`. */
const oldInbound = (id: string) => ({
  ...keys.inbound(id),
  entity: "INBOUND",
  id,
  payload: { user: "U1", text: "PMO-1 avance 50%" },
  status: "pending",
  createdAt: ON_START.toISOString(),
  attempts: 1,
  claimedBy: null,
  claimedUntilMs: 0,
  failureNotified: false,
  lastErrorCode: "store_unreachable",
  expiresAt: Math.floor(ON_START.getTime() / 1000) + 86_400,
});
const cursorItem = (name: string, value: string) => ({
  ...keys.cursor(name),
  name,
  value,
  updatedAt: ON_START.toISOString(),
});
const OLD_ITEMS = [
  oldInbound("EvOld"),
  ...Array.from({ length: 40 }, (_, i) => cursorItem(`sync:${i}`, `token-${i}`)),
  { ...keys.version("portfolio"), value: 12, changedAt: ON_START.toISOString() },
];

function reposOn() {
  return createRepositories(store, {
    changelogRetentionDays: 365,
    findingsRetentionDays: 365,
    clock: () => ON_START,
  });
}

async function metaIndexes(): Promise<string[]> {
  const out = await store.client.send(new DescribeTableCommand({ TableName: store.tables.meta }));
  return (out.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? "");
}

describe("ensureTables and a meta table made before PendingIndex", () => {
  it("on AWS names the missing index and changes nothing", async () => {
    await ensureTables(store);
    await oldMetaTable(OLD_ITEMS);
    const aws = { ...store, engine: "aws" as const };
    await expect(ensureTables(aws)).rejects.toMatchObject({
      code: "tables_mismatch",
      message: expect.stringContaining(
        "table verify-meta-test lacks index PendingIndex (pendingQueue:HASH, createdAt:RANGE)",
      ),
    });
    expect(await metaIndexes()).toEqual([]);
  });

  it("on an endpoint engine that cannot add it (dynalite refuses the UpdateTable), names it", async () => {
    await oldMetaTable(OLD_ITEMS);
    const endpoint = { ...store, engine: "endpoint" as const };
    await expect(ensureTables(endpoint)).rejects.toMatchObject({
      code: "tables_mismatch",
      message: expect.stringContaining("could not add index PendingIndex to verify-meta-test"),
    });
  });

  it("on the embedded engine rebuilds it with its index and every item, and finds its pending work", async () => {
    await oldMetaTable(OLD_ITEMS);
    const repos = reposOn();
    const report = await ensureTables(store);
    expect(report.rebuilt).toEqual([store.tables.meta]);
    expect(report.pendingBackfilled).toBe(1);
    expect(await metaIndexes()).toEqual(["PendingIndex"]);
    expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvOld"]);
    expect(await repos.meta.inbound.get("EvOld")).toMatchObject({
      attempts: 1,
      lastErrorCode: "store_unreachable",
    });
    expect((await repos.meta.cursors.getMany(Array.from({ length: 40 }, (_, i) => `sync:${i}`))).size).toBe(
      40,
    );
    expect(await repos.meta.versions.get("portfolio")).toEqual({
      value: 12,
      changedAt: ON_START.toISOString(),
      by: null,
    });
    const tables = await store.client.send(new ListTablesCommand({}));
    expect(tables.TableNames).not.toContain(rebuildTableName(store.tables.meta));

    const again = await ensureTables(store);
    expect(again).toMatchObject({ rebuilt: [], indexesAdded: [], pendingBackfilled: 0 });
  });

  it("finishes a rebuild cut short after the original was dropped", async () => {
    // The staging copy is complete; the original was dropped (and maybe recreated empty).
    const staging = rebuildTableName(store.tables.meta);
    await createTable(store.client, createTableInput(TABLES.meta, staging));
    await putAll(staging, OLD_ITEMS);
    await dropTable(store.client, store.tables.meta);

    const report = await ensureTables(store);
    expect(report.rebuilt).toEqual([store.tables.meta]);
    expect(report.created).toEqual([]);
    const repos = reposOn();
    expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvOld"]);
    expect(await repos.meta.cursors.get("sync:39")).toBe("token-39");
    expect((await store.client.send(new ListTablesCommand({}))).TableNames).not.toContain(staging);
  });

  it("starts over a rebuild cut short while it was still copying, from the untouched original", async () => {
    await oldMetaTable(OLD_ITEMS);
    const staging = rebuildTableName(store.tables.meta);
    await createTable(store.client, createTableInput(TABLES.meta, staging));
    await putAll(staging, OLD_ITEMS.slice(0, 3));

    const report = await ensureTables(store);
    expect(report.rebuilt).toEqual([store.tables.meta]);
    const repos = reposOn();
    expect((await repos.meta.cursors.getMany(Array.from({ length: 40 }, (_, i) => `sync:${i}`))).size).toBe(
      40,
    );
    expect(await repos.meta.versions.get("portfolio")).toMatchObject({ value: 12 });
    expect((await store.client.send(new ListTablesCommand({}))).TableNames).not.toContain(staging);
  });
});
