import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, NumberValue, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { StoreError } from "../errors.ts";
import type { SourceItem } from "./botpmo.ts";

/**
 * Reading another system's DynamoDB tables (BOTPMO's) page by page, whatever their items hold: a
 * number JavaScript cannot hold exactly arrives as a NumberValue (its digits) and is written back
 * unchanged; sets, binaries and nested maps arrive as the document client gives them.
 */

export type SourceTable = { name: string; keyAttributes: string[] };

/** Where a scan stopped: the last key, in DynamoDB's own typed form (strings and numbers only). */
export type ScanPosition = Record<string, { S: string } | { N: string }>;

export const scanPositionSchema = z.record(
  z.string(),
  z.union([z.object({ S: z.string() }).strict(), z.object({ N: z.string() }).strict()]),
);

/** A number stays a JavaScript number only when that loses nothing. */
function exactNumber(digits: string): number | NumberValue {
  const value = Number(digits);
  return Number.isFinite(value) && String(value) === digits && Number.isSafeInteger(Math.trunc(value))
    ? value
    : NumberValue.from(digits);
}

/** A document client for reading foreign items without losing a digit. */
export function sourceDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: exactNumber },
  });
}

/** The table's key attribute names, or null when there is no such table. */
export async function describeSourceTable(client: DynamoDBClient, name: string): Promise<SourceTable | null> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    const keyAttributes = (out.Table?.KeySchema ?? [])
      .sort((a, b) => (a.KeyType === "HASH" ? -1 : b.KeyType === "HASH" ? 1 : 0))
      .map((key) => key.AttributeName)
      .filter((attribute): attribute is string => attribute !== undefined);
    return { name, keyAttributes };
  } catch (error) {
    if (
      error instanceof ResourceNotFoundException ||
      (error instanceof Error && error.name === "ResourceNotFoundException")
    )
      return null;
    throw error;
  }
}

export type SourcePage = { items: SourceItem[]; next: ScanPosition | null };

/** One page of the table from `from` (the start when null); `next` is null after the last page. */
export async function scanSourcePage(
  doc: DynamoDBDocumentClient,
  table: SourceTable,
  from: ScanPosition | null,
  limit: number,
): Promise<SourcePage> {
  const out = await doc.send(
    new ScanCommand({
      TableName: table.name,
      Limit: limit,
      ConsistentRead: true,
      ...(from === null ? {} : { ExclusiveStartKey: decodePosition(from) }),
    }),
  );
  return {
    items: out.Items ?? [],
    next: out.LastEvaluatedKey === undefined ? null : encodePosition(out.LastEvaluatedKey),
  };
}

function encodePosition(key: Record<string, unknown>): ScanPosition {
  const position: ScanPosition = {};
  for (const [name, value] of Object.entries(key)) {
    if (typeof value === "string") position[name] = { S: value };
    else if (typeof value === "number" || value instanceof NumberValue) position[name] = { N: String(value) };
    else throw new StoreError("invalid_item", `the key attribute ${name} is neither a string nor a number`);
  }
  return position;
}

function decodePosition(position: ScanPosition): Record<string, string | NumberValue> {
  const key: Record<string, string | NumberValue> = {};
  for (const [name, value] of Object.entries(position))
    key[name] = "S" in value ? value.S : NumberValue.from(value.N);
  return key;
}
