import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { z } from "zod";
import { InvalidItemError, StoreError } from "../errors.ts";
import type { Clock } from "../model.ts";

/** Shared plumbing of the repositories: parsing, TTL, paging, batches with retries. */

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

export type Item = Record<string, unknown>;

export type RepositoryOptions = {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  sleep?: Sleep;
};

/** The repository's clock reading, the system's when none was given. */
export const nowOf = (options: Pick<RepositoryOptions, "clock">): Date =>
  (options.clock ?? (() => new Date()))();

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
export const addDays = (date: Date, days: number): Date => new Date(date.getTime() + days * 86_400_000);

/** DynamoDB deletes expired items up to two days late, dynalite never: every read checks. */
export function isExpired(item: Item, now: Date): boolean {
  const expiresAt = item.expiresAt;
  return typeof expiresAt === "number" && expiresAt <= epochSeconds(now);
}

const STORAGE_ATTRIBUTES = new Set(["pk", "sk", "entity"]);

/** Parses an item into its domain type; storage-only attributes are dropped first. */
export function parseItem<S extends z.ZodType>(schema: S, tableName: string, item: Item): z.output<S> {
  const data: Item = {};
  for (const [key, value] of Object.entries(item)) if (!STORAGE_ATTRIBUTES.has(key)) data[key] = value;
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InvalidItemError(tableName, parsed.error);
  return parsed.data;
}

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === "ConditionalCheckFailedException")
  );
}

export type Page<T> = { items: T[]; cursor: string | null };

export function encodeCursor(key: Item | undefined): string | null {
  return key === undefined ? null : Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** A cursor comes back from a user (a "ver más" button): it must decode to a plain key of strings. */
export function decodeCursor(cursor: string | null | undefined): Record<string, string> | undefined {
  if (cursor === null || cursor === undefined || cursor === "") return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = null;
  }
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded)) {
    throw new StoreError("invalid_item", "the page cursor is not valid");
  }
  const key: Record<string, string> = {};
  for (const [name, value] of Object.entries(decoded)) {
    if (typeof value !== "string") throw new StoreError("invalid_item", "the page cursor is not valid");
    key[name] = value;
  }
  return key;
}

/** Every page of a query, newest or oldest first as asked, stopping once `limit` items are kept. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  keep: (item: Item) => boolean = () => true,
  limit = Number.POSITIVE_INFINITY,
): Promise<Item[]> {
  const out: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (keep(item)) out.push(item);
      if (out.length >= limit) return out;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return out;
}

export const BATCH_WRITE_SIZE = 25;
export const BATCH_GET_SIZE = 100;
const MAX_BATCH_ATTEMPTS = 8;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function backoffMs(attempt: number): number {
  const base = Math.min(2_000, 50 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/** BatchWriteItem in chunks of 25; UnprocessedItems are sent again with backoff. */
export async function batchPut(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  sleep: Sleep = realSleep,
): Promise<number> {
  let requests = 0;
  for (const group of chunk(items, BATCH_WRITE_SIZE)) {
    let pending = group.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new StoreError(
          "batch_incomplete",
          `${pending.length} writes to ${tableName} stayed unprocessed`,
        );
      }
      if (attempt > 0) await sleep(backoffMs(attempt));
      requests++;
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  }
  return requests;
}

/** BatchGetItem in chunks of 100; UnprocessedKeys are asked again with backoff. */
export async function batchGet(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Item[],
  sleep: Sleep = realSleep,
  projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
): Promise<Item[]> {
  const found: Item[] = [];
  for (const group of chunk(keys, BATCH_GET_SIZE)) {
    let pending: Item[] = group;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new StoreError(
          "batch_incomplete",
          `${pending.length} reads from ${tableName} stayed unprocessed`,
        );
      }
      if (attempt > 0) await sleep(backoffMs(attempt));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ...projection } } }),
      );
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Builds `SET #a = :a, …` with every attribute name aliased (status, name… are reserved words). */
export function setExpression(
  values: Item,
  remove: readonly string[] = [],
): {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Item;
} {
  const names: Record<string, string> = {};
  const attrValues: Item = {};
  const sets: string[] = [];
  let i = 0;
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    names[`#s${i}`] = name;
    attrValues[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
    i++;
  }
  const removes = remove.map((name, j) => {
    names[`#r${j}`] = name;
    return `#r${j}`;
  });
  const parts = [
    sets.length > 0 ? `SET ${sets.join(", ")}` : "",
    removes.length > 0 ? `REMOVE ${removes.join(", ")}` : "",
  ];
  return {
    UpdateExpression: parts.filter((p) => p !== "").join(" "),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: attrValues,
  };
}
