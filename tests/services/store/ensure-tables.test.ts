import { CreateTableCommand, DeleteTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../../services/store/client.ts";
import { createTableInput, ensureTables } from "../../../services/store/ensure-tables.ts";
import { TABLES } from "../../../services/store/tables.ts";

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
    await store.client.send(new DeleteTableCommand({ TableName: store.tables.findings }));
    const findings = createTableInput(TABLES.findings, store.tables.findings);
    findings.GlobalSecondaryIndexes = findings.GlobalSecondaryIndexes?.filter(
      (i) => i.IndexName !== "SeverityIndex",
    );
    await store.client.send(new CreateTableCommand(findings));
    await store.client.send(new DeleteTableCommand({ TableName: store.tables.users }));

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

  it("on a local engine creates the missing tables and names a table whose shape is old", async () => {
    await store.client.send(new DeleteTableCommand({ TableName: store.tables.meta }));
    await expect(ensureTables(store)).rejects.toMatchObject({
      code: "tables_mismatch",
      message: expect.stringContaining("lacks index SeverityIndex"),
    });
    const tables = await store.client.send(new ListTablesCommand({}));
    // users was dropped by the test above, meta here: both are back.
    expect(tables.TableNames).toEqual(expect.arrayContaining([store.tables.users, store.tables.meta]));
    await store.client.send(new DeleteTableCommand({ TableName: store.tables.findings }));
    const report = await ensureTables(store);
    expect(report.created).toEqual([store.tables.findings]);
    expect(report.verified).toHaveLength(7);
  });
});
