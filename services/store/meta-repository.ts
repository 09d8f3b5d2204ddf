import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { StoreError } from "../errors.ts";
import { type Lease, leaseSchema } from "../model.ts";
import {
  batchGet,
  batchPut,
  epochSeconds,
  isConditionFailure,
  isExpired,
  parseItem,
  type RepositoryOptions,
  realSleep,
} from "./dynamo.ts";
import { keys } from "./tables.ts";

const cursorSchema = z.object({ name: z.string(), value: z.string(), updatedAt: z.string() });
const eventSchema = z.object({ eventId: z.string(), firstSeenAt: z.string() });

export const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Leases for jobs, seen Slack event ids, and named cursors (DESIGN.md section 3, table meta). */
export class MetaRepository {
  constructor(private readonly options: RepositoryOptions) {}

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  /**
   * Takes the lease if it is free, expired, or already this owner's (then it is extended).
   * Returns the lease held, or null when another owner holds a live one.
   */
  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const now = this.now();
    const lease = leaseSchema.parse({
      name,
      owner,
      acquiredAt: now.toISOString(),
      expiresAtMs: now.getTime() + ttlMs,
    });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...keys.lock(name), ...lease, expiresAt: epochSeconds(new Date(lease.expiresAtMs)) + 60 },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAtMs <= :now OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":now": now.getTime(), ":owner": owner },
        }),
      );
      return lease;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  /** Extends a lease this owner still holds; otherwise a `lease_not_held` error. */
  async renewLease(name: string, owner: string, ttlMs: number): Promise<Lease> {
    const now = this.now();
    const expiresAtMs = now.getTime() + ttlMs;
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.lock(name),
          UpdateExpression: "SET expiresAtMs = :until, expiresAt = :ttl",
          ConditionExpression: "#owner = :owner AND expiresAtMs > :now",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: {
            ":owner": owner,
            ":now": now.getTime(),
            ":until": expiresAtMs,
            ":ttl": epochSeconds(new Date(expiresAtMs)) + 60,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return parseItem(leaseSchema, this.options.tableName, out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error))
        throw new StoreError("lease_not_held", `lease ${name} is not held by ${owner}`, { cause: error });
      throw error;
    }
  }

  /** Gives the lease up if this owner holds it; true when it did. */
  async releaseLease(name: string, owner: string): Promise<boolean> {
    try {
      await this.options.doc.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: keys.lock(name),
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The live lease, or null when none is held or it has expired. */
  async getLease(name: string): Promise<Lease | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.lock(name), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const lease = parseItem(leaseSchema, this.options.tableName, out.Item);
    return lease.expiresAtMs > this.now().getTime() ? lease : null;
  }

  /** Remembers an event id once: "new" the first time, "seen" for every later delivery. */
  async recordEvent(eventId: string, rememberMs: number = EVENT_MEMORY_MS): Promise<"new" | "seen"> {
    const now = this.now();
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...keys.event(eventId),
            eventId,
            firstSeenAt: now.toISOString(),
            expiresAt: epochSeconds(now) + Math.ceil(rememberMs / 1000),
          },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
          ExpressionAttributeValues: { ":now": epochSeconds(now) },
        }),
      );
      return "new";
    } catch (error) {
      if (isConditionFailure(error)) return "seen";
      throw error;
    }
  }

  async hasSeenEvent(eventId: string): Promise<boolean> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.event(eventId), ConsistentRead: true }),
    );
    if (!out.Item || isExpired(out.Item, this.now())) return false;
    parseItem(eventSchema, this.options.tableName, out.Item);
    return true;
  }

  async getCursor(name: string): Promise<string | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.cursor(name), ConsistentRead: true }),
    );
    return out.Item ? parseItem(cursorSchema, this.options.tableName, out.Item).value : null;
  }

  async putCursor(name: string, value: string): Promise<void> {
    await this.options.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...keys.cursor(name), name, value, updatedAt: this.now().toISOString() },
      }),
    );
  }

  /** Many cursors at once (BatchGetItem, 100 a request); absent names are missing from the map. */
  async getCursors(names: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGet(
      this.options.doc,
      this.options.tableName,
      [...new Set(names)].map(keys.cursor),
      this.options.sleep ?? realSleep,
    );
    const cursors = items.map((item) => parseItem(cursorSchema, this.options.tableName, item));
    return new Map(cursors.map((c) => [c.name, c.value]));
  }

  /** Many cursors at once (BatchWriteItem, 25 a request). */
  async putCursors(values: ReadonlyMap<string, string>): Promise<void> {
    const updatedAt = this.now().toISOString();
    await batchPut(
      this.options.doc,
      this.options.tableName,
      [...values].map(([name, value]) => ({ ...keys.cursor(name), name, value, updatedAt })),
      this.options.sleep ?? realSleep,
    );
  }

  async deleteCursor(name: string): Promise<void> {
    await this.options.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: keys.cursor(name) }),
    );
  }
}
