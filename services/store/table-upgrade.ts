import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { StoreError } from "../errors.ts";
import { batchPut, realSleep, type Sleep } from "./dynamo.ts";
import type { IndexSpec, TableSpec } from "./tables.ts";

/**
 * Bringing a local table made by an older version up to its spec's indexes, keeping its items
 * (DESIGN.md section 3: on AWS, infra/template.yaml does it). DynamoDB Local adds a GSI with
 * UpdateTable and backfills it. dynalite validates such an UpdateTable and then ignores it (4.0:
 * its updateTable only changes throughput), so on the embedded engine the table is rebuilt: copied
 * into `{name}.rebuild`, recreated, copied back. The embedded store has one process (its DATA_DIR
 * is locked) and ensureTables runs before anything else writes, so nothing changes during the copy;
 * a rebuild cut short is finished on the next start (resumeRebuild).
 */

export type UpgradeClients = { client: DynamoDBClient; doc: DynamoDBDocumentClient };

const WAIT_STEP_MS = 50;
const WAIT_LIMIT_MS = 60_000;

export const rebuildTableName = (tableName: string): string => `${tableName}.rebuild`;

export function missingIndexes(spec: TableSpec, table: TableDescription): IndexSpec[] {
  const present = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  return spec.indexes.filter((index) => !present.has(index.name));
}

/**
 * Creates each missing index with UpdateTable (one at a time, as DynamoDB allows) and waits until
 * it is active. Returns the problem to report when the engine refuses, or null.
 */
export async function addIndexes(
  client: DynamoDBClient,
  spec: TableSpec,
  input: CreateTableCommandInput,
  sleep: Sleep = realSleep,
): Promise<string | null> {
  const tableName = requireName(input);
  const table = await describeTable(client, tableName);
  for (const index of table === null ? [] : missingIndexes(spec, table)) {
    const create = input.GlobalSecondaryIndexes?.find((gsi) => gsi.IndexName === index.name);
    if (create === undefined) return `index ${index.name} is not in the spec of ${tableName}`;
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: input.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [{ Create: create }],
        }),
      );
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `could not add index ${index.name} to ${tableName}: ${reason}`;
    }
    // DynamoDB Local (2026-01-16) leaves such an index CREATING, and fails every query on it, once
    // about seven of its tables have TTL on (measured on two cores): named here, not waited for forever.
    const updated = await waitUntil(client, tableName, isActive, sleep);
    if (updated === null || missingIndexes({ ...spec, indexes: [index] }, updated).length > 0)
      return `the engine accepted index ${index.name} for ${tableName} but did not make it active within ${WAIT_LIMIT_MS / 1000} s`;
  }
  return null;
}

/** Recreates the table from its spec with every item it holds (embedded engine only). */
export async function rebuildTable(
  clients: UpgradeClients,
  spec: TableSpec,
  input: CreateTableCommandInput,
  sleep: Sleep = realSleep,
): Promise<void> {
  const tableName = requireName(input);
  const staging = rebuildTableName(tableName);
  await dropTable(clients.client, staging, sleep);
  await createTable(clients.client, { ...input, TableName: staging }, sleep);
  // Written through the new indexes once already: an item they cannot take fails here, before
  // the original is dropped.
  await copyItems(clients, tableName, staging, sleep);
  await restoreFromStaging(clients, spec, input, sleep);
}

/**
 * Finishes a rebuild that stopped half way, if one did. The original is recreated with every
 * index only after the staging copy is complete, so: an original still without them means the
 * copy may be partial (it is dropped, the original is whole); otherwise the items are copied back
 * again. True when a rebuild was found.
 */
export async function resumeRebuild(
  clients: UpgradeClients,
  spec: TableSpec,
  input: CreateTableCommandInput,
  sleep: Sleep = realSleep,
): Promise<boolean> {
  const tableName = requireName(input);
  const staging = rebuildTableName(tableName);
  if ((await describeTable(clients.client, staging)) === null) return false;
  const original = await describeTable(clients.client, tableName);
  if (original !== null && missingIndexes(spec, original).length > 0) {
    await dropTable(clients.client, staging, sleep);
    return true;
  }
  await restoreFromStaging(clients, spec, input, sleep);
  return true;
}

async function restoreFromStaging(
  clients: UpgradeClients,
  spec: TableSpec,
  input: CreateTableCommandInput,
  sleep: Sleep,
): Promise<void> {
  const tableName = requireName(input);
  const original = await describeTable(clients.client, tableName);
  if (original === null || missingIndexes(spec, original).length > 0) {
    await dropTable(clients.client, tableName, sleep);
    await createTable(clients.client, input, sleep);
  }
  const staging = rebuildTableName(tableName);
  await copyItems(clients, staging, tableName, sleep);
  await dropTable(clients.client, staging, sleep);
}

async function copyItems(clients: UpgradeClients, from: string, to: string, sleep: Sleep): Promise<void> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(
      new ScanCommand({ TableName: from, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    await batchPut(clients.doc, to, page.Items ?? [], sleep);
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
}

export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | null> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table ?? null;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw new StoreError("store_unreachable", `could not describe table ${tableName}`, { cause: error });
  }
}

/** Creates the table (one made meanwhile by another instance will do) and waits until it is active. */
export async function createTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
  sleep: Sleep = realSleep,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException))
      throw new StoreError("store_unreachable", `could not create table ${input.TableName}`, {
        cause: error,
      });
  }
  // The engines refuse writes to a table still being created.
  if ((await waitUntil(client, requireName(input), isActive, sleep)) === null)
    throw new StoreError("store_unreachable", `table ${input.TableName} did not become active`);
}

/** Deletes the table if it exists and waits until it is gone. */
export async function dropTable(
  client: DynamoDBClient,
  tableName: string,
  sleep: Sleep = realSleep,
): Promise<void> {
  if ((await describeTable(client, tableName)) === null) return;
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException))
      throw new StoreError("store_unreachable", `could not delete table ${tableName}`, { cause: error });
  }
  for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
    if ((await describeTable(client, tableName)) === null) return;
    await sleep(WAIT_STEP_MS);
  }
  throw new StoreError("store_unreachable", `table ${tableName} was not deleted`);
}

function isActive(table: TableDescription): boolean {
  return (
    table.TableStatus === "ACTIVE" &&
    (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === "ACTIVE")
  );
}

/** The table once `ready` holds, or null when it does not within the limit (or the table is gone). */
async function waitUntil(
  client: DynamoDBClient,
  tableName: string,
  ready: (table: TableDescription) => boolean,
  sleep: Sleep,
): Promise<TableDescription | null> {
  for (let waited = 0; waited < WAIT_LIMIT_MS; waited += WAIT_STEP_MS) {
    const table = await describeTable(client, tableName);
    if (table === null) return null;
    if (ready(table)) return table;
    await sleep(WAIT_STEP_MS);
  }
  return null;
}

function requireName(input: CreateTableCommandInput): string {
  if (input.TableName === undefined) throw new StoreError("tables_mismatch", "a table input without a name");
  return input.TableName;
}
