import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { StoreError } from "../errors.ts";
import type { Store } from "./client.ts";
import { type IndexSpec, type KeyAttribute, TABLE_SPECS, type TableNames, type TableSpec } from "./tables.ts";

export type EnsureReport = {
  created: string[];
  verified: string[];
  ttlEnabled: string[];
  ttlUnsupported: string[];
};

/**
 * Local engines (embedded, endpoint): creates the tables that are missing and switches TTL on
 * where the engine can. AWS: creates nothing (infra/template.yaml owns the tables) and verifies
 * each table, key and index, naming exactly what is missing or different.
 */
export async function ensureTables(
  store: Pick<Store, "engine" | "client" | "tables">,
): Promise<EnsureReport> {
  const report: EnsureReport = { created: [], verified: [], ttlEnabled: [], ttlUnsupported: [] };
  const problems: string[] = [];
  for (const spec of TABLE_SPECS) {
    const name = store.tables[spec.name];
    const existing = await describe(store.client, name);
    if (existing === null) {
      if (store.engine === "aws") {
        problems.push(`table ${name} does not exist`);
        continue;
      }
      await create(store.client, createTableInput(spec, name));
      report.created.push(name);
    } else {
      problems.push(...compare(spec, name, existing));
      report.verified.push(name);
    }
    if (spec.ttlAttribute !== undefined) {
      const ttl = await ensureTtl(store, name, spec.ttlAttribute);
      if (ttl === "enabled") report.ttlEnabled.push(name);
      else if (ttl === "unsupported") report.ttlUnsupported.push(name);
      else problems.push(ttl);
    }
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
  return report;
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

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | null> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table ?? null;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return null;
    throw new StoreError("store_unreachable", `could not describe table ${tableName}`, { cause: error });
  }
}

async function create(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    // Another instance created it between our describe and create.
    if (error instanceof ResourceInUseException) return;
    throw new StoreError("store_unreachable", `could not create table ${input.TableName}`, { cause: error });
  }
}

function describeKeys(keys: { AttributeName?: string; KeyType?: string }[] | undefined): string {
  return (keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(", ");
}

function compare(spec: TableSpec, tableName: string, table: TableDescription): string[] {
  const problems: string[] = [];
  const expectedKeys = describeKeys(keySchema(spec.partitionKey, spec.sortKey));
  const actualKeys = describeKeys(table.KeySchema);
  if (expectedKeys !== actualKeys) {
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
