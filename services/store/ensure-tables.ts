import {
  type CreateTableCommandInput,
  DescribeTimeToLiveCommand,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { StoreError } from "../errors.ts";
import type { Store } from "./client.ts";
import { backfillPendingIndex } from "./meta/pending-queue.ts";
import {
  addIndexes,
  createTable,
  describeTable,
  missingIndexes,
  rebuildTable,
  resumeRebuild,
} from "./table-upgrade.ts";
import { type IndexSpec, type KeyAttribute, TABLE_SPECS, type TableNames, type TableSpec } from "./tables.ts";

export type EnsureReport = {
  created: string[];
  verified: string[];
  /** `{table} {index}`: indexes a local engine added to a table made by an older version. */
  indexesAdded: string[];
  /** Embedded tables recreated with their items to gain their indexes (dynalite cannot add one). */
  rebuilt: string[];
  ttlEnabled: string[];
  ttlUnsupported: string[];
  /** Pending work written before PendingIndex existed, given its queue (once per store). */
  pendingBackfilled: number;
};

/**
 * Local engines (embedded, endpoint): creates the tables that are missing, adds the indexes that
 * a table made by an older version lacks (table-upgrade.ts) and switches TTL on where the engine
 * can. AWS: creates and changes nothing (infra/template.yaml owns the tables) and verifies each
 * table, key and index, naming exactly what is missing or different. Then, on every engine,
 * pending work from before PendingIndex is given its queue, once.
 */
export async function ensureTables(
  store: Pick<Store, "engine" | "client" | "doc" | "tables">,
): Promise<EnsureReport> {
  const report: EnsureReport = {
    created: [],
    verified: [],
    indexesAdded: [],
    rebuilt: [],
    ttlEnabled: [],
    ttlUnsupported: [],
    pendingBackfilled: 0,
  };
  const problems: string[] = [];
  const present: TableSpec[] = [];
  for (const spec of TABLE_SPECS) {
    if (await ensureShape(store, spec, report, problems)) present.push(spec);
  }
  // After every shape: DynamoDB Local stops activating an index added by UpdateTable once
  // several of its tables have TTL on, so a table's new index comes before the others' TTL.
  for (const spec of present) {
    if (spec.ttlAttribute === undefined) continue;
    const name = store.tables[spec.name];
    const ttl = await ensureTtl(store, name, spec.ttlAttribute);
    if (ttl === "enabled") report.ttlEnabled.push(name);
    else if (ttl === "unsupported") report.ttlUnsupported.push(name);
    else problems.push(ttl);
  }
  if (problems.length > 0) {
    const remedy =
      store.engine === "aws"
        ? "deploy infra/template.yaml"
        : "a table made by an older version keeps its old shape: delete it (or the embedded store's DATA_DIR) to recreate it";
    throw new StoreError(
      "tables_mismatch",
      `the DynamoDB tables do not match what PMO Pulse expects (${remedy}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
  report.pendingBackfilled = await backfillPendingIndex(store.doc, store.tables.meta);
  return report;
}

/** Creates, upgrades (local engines) or verifies one table; false when it does not exist (AWS). */
async function ensureShape(
  store: Pick<Store, "engine" | "client" | "doc" | "tables">,
  spec: TableSpec,
  report: EnsureReport,
  problems: string[],
): Promise<boolean> {
  const name = store.tables[spec.name];
  const input = createTableInput(spec, name);
  if (store.engine === "embedded" && (await resumeRebuild(store, spec, input))) {
    report.rebuilt.push(name);
  }
  let existing = await describeTable(store.client, name);
  if (existing === null) {
    if (store.engine === "aws") {
      problems.push(`table ${name} does not exist`);
      return false;
    }
    await createTable(store.client, input);
    report.created.push(name);
    return true;
  }
  const missing = missingIndexes(spec, existing);
  if (store.engine !== "aws" && missing.length > 0 && sameKeys(spec, existing)) {
    if (store.engine === "embedded") {
      await rebuildTable(store, spec, input);
      if (!report.rebuilt.includes(name)) report.rebuilt.push(name);
    } else {
      const refused = await addIndexes(store.client, spec, input);
      if (refused === null) report.indexesAdded.push(...missing.map((index) => `${name} ${index.name}`));
      else problems.push(refused);
    }
    existing = (await describeTable(store.client, name)) ?? existing;
  }
  problems.push(...compare(spec, name, existing));
  report.verified.push(name);
  return true;
}

export function createTableInput(spec: TableSpec, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute["type"]>();
  const note = (a: KeyAttribute) => attributes.set(a.name, a.type);
  note(spec.partitionKey);
  note(spec.sortKey);
  for (const index of spec.indexes) {
    note(index.partitionKey);
    if (index.sortKey) note(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(spec.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: spec.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: "ALL" },
          })),
        }
      : {}),
  };
}

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: "HASH" as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: "RANGE" as const }] : []),
  ];
}

function describeKeys(keys: { AttributeName?: string; KeyType?: string }[] | undefined): string {
  return (keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(", ");
}

function sameKeys(spec: TableSpec, table: TableDescription): boolean {
  return describeKeys(keySchema(spec.partitionKey, spec.sortKey)) === describeKeys(table.KeySchema);
}

function compare(spec: TableSpec, tableName: string, table: TableDescription): string[] {
  const problems: string[] = [];
  const expectedKeys = describeKeys(keySchema(spec.partitionKey, spec.sortKey));
  const actualKeys = describeKeys(table.KeySchema);
  if (!sameKeys(spec, table)) {
    problems.push(`table ${tableName} has keys (${actualKeys}), expected (${expectedKeys})`);
  }
  const indexes = new Map((table.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
  for (const index of spec.indexes) {
    const actual = indexes.get(index.name);
    if (actual === undefined) {
      problems.push(`table ${tableName} lacks index ${index.name} (${describeIndex(index)})`);
      continue;
    }
    const expected = describeKeys(keySchema(index.partitionKey, index.sortKey));
    if (describeKeys(actual.KeySchema) !== expected) {
      problems.push(
        `index ${index.name} of ${tableName} has keys (${describeKeys(actual.KeySchema)}), expected (${expected})`,
      );
    }
    if (actual.Projection?.ProjectionType !== "ALL") {
      problems.push(`index ${index.name} of ${tableName} must project ALL attributes`);
    }
  }
  return problems;
}

function describeIndex(index: IndexSpec): string {
  return describeKeys(keySchema(index.partitionKey, index.sortKey));
}

/** "enabled", "unsupported" (dynalite has no UpdateTimeToLive), or the problem on AWS. */
async function ensureTtl(
  store: Pick<Store, "engine" | "client">,
  tableName: string,
  attribute: string,
): Promise<"enabled" | "unsupported" | string> {
  try {
    const current = await store.client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    const sameAttribute = current.TimeToLiveDescription?.AttributeName === attribute;
    if ((status === "ENABLED" || status === "ENABLING") && sameAttribute) return "enabled";
    if (store.engine === "aws") return `table ${tableName} does not have TTL enabled on ${attribute}`;
    await store.client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
    return "enabled";
  } catch (error) {
    if (error instanceof Error && error.name === "UnknownOperationException") return "unsupported";
    if (store.engine === "aws")
      return `could not read the TTL of ${tableName}: ${error instanceof Error ? error.message : String(error)}`;
    return "unsupported";
  }
}

export type { TableNames };
