import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
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
const versionSchema = z.object({ value: z.number().int().min(0), changedAt: z.string() });

/** A named change counter: how many times it was bumped, and when last (null: never). */
export type VersionMark = { value: number; changedAt: string | null };

export const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;
/** How long a Slack delivery is kept for dedupe and retries (DESIGN.md section 7). */
export const INBOUND_MEMORY_MS = 24 * 60 * 60 * 1000;
/** How long a write-back to Asana is retried before it is given up. */
export const WRITE_BACK_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a claim on a pending item keeps other processors away. */
export const PENDING_CLAIM_MS = 2 * 60 * 1000;

/**
 * Work that must survive a crash: a Slack delivery acked before it was processed, or a write-back
 * to Asana that failed. It stays `pending` until done; a processor claims it for a while, so two
 * instances retrying at once do not both act on it.
 */
export const pendingWorkSchema = z.object({
  id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(["pending", "done"]),
  createdAt: z.string(),
  attempts: z.number().int().min(0).default(0),
  claimedBy: z.string().nullable().default(null),
  claimedUntilMs: z.number().int().default(0),
  /** Whether the person was already told that it failed and will be retried. */
  failureNotified: z.boolean().default(false),
  /** The code of the last failure (never its message: it could quote user text). */
  lastErrorCode: z.string().nullable().default(null),
});
export type PendingWork = z.output<typeof pendingWorkSchema>;

const PENDING_KINDS = {
  inbound: { entity: "INBOUND", key: keys.inbound, rememberMs: INBOUND_MEMORY_MS },
  writeBack: { entity: "WRITEBACK", key: keys.writeBack, rememberMs: WRITE_BACK_MEMORY_MS },
} as const;
type PendingKind = keyof typeof PENDING_KINDS;

export type RecordPendingOptions = {
  /** Who processes it right away: the item is claimed for them, so a retry job leaves it alone. */
  owner?: string;
  claimMs?: number;
};

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

  /** Adds one to the named counter and returns it as stored. */
  async bumpVersion(name: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.version(name),
        UpdateExpression: "SET #changedAt = :now ADD #value :one",
        ExpressionAttributeNames: { "#changedAt": "changedAt", "#value": "value" },
        ExpressionAttributeValues: { ":now": this.now().toISOString(), ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return parseItem(versionSchema, this.options.tableName, out.Attributes ?? {});
  }

  /** The named counter as last bumped (strongly consistent); never bumped reads as 0. */
  async getVersion(name: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.version(name), ConsistentRead: true }),
    );
    return out.Item
      ? parseItem(versionSchema, this.options.tableName, out.Item)
      : { value: 0, changedAt: null };
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

  /**
   * Records a Slack delivery (by its event id, or another id unique to the delivery) before it is
   * processed: "new" the first time, "seen" for a duplicate delivery on any instance.
   */
  recordInbound(
    id: string,
    payload: Record<string, unknown>,
    options: RecordPendingOptions = {},
  ): Promise<"new" | "seen"> {
    return this.recordPending("inbound", id, payload, options);
  }

  /**
   * Takes a pending delivery for `claimMs`; null when it is done, gone, or claimed (by anyone: the
   * same instance may be working on it right now).
   */
  claimInbound(id: string, owner: string, claimMs: number = PENDING_CLAIM_MS): Promise<PendingWork | null> {
    return this.claimPending("inbound", id, owner, claimMs);
  }

  /** Gives a claimed delivery back after a failure; it stays pending for the next retry. */
  releaseInbound(
    id: string,
    owner: string,
    failure: { errorCode: string; failureNotified: boolean },
  ): Promise<void> {
    return this.releasePending("inbound", id, owner, failure);
  }

  /** The delivery was processed; the item stays (done) until it expires, so duplicates are still "seen". */
  async markInboundDone(id: string): Promise<void> {
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.inbound(id),
          UpdateExpression: "SET #status = :done, claimedUntilMs = :zero REMOVE claimedBy",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":done": "done", ":zero": 0 },
        }),
      );
    } catch (error) {
      // Already expired and gone: nothing is left to mark.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async getInbound(id: string): Promise<PendingWork | null> {
    return this.getPending("inbound", id);
  }

  /** Deliveries not processed yet (claimed ones included), oldest first. */
  listPendingInbound(): Promise<PendingWork[]> {
    return this.listPending("inbound");
  }

  /** Records a status update still to be written back to Asana; "seen" when it already was. */
  recordPendingWriteBack(
    id: string,
    payload: Record<string, unknown>,
    options: RecordPendingOptions = {},
  ): Promise<"new" | "seen"> {
    return this.recordPending("writeBack", id, payload, options);
  }

  claimPendingWriteBack(
    id: string,
    owner: string,
    claimMs: number = PENDING_CLAIM_MS,
  ): Promise<PendingWork | null> {
    return this.claimPending("writeBack", id, owner, claimMs);
  }

  releasePendingWriteBack(id: string, owner: string, failure: { errorCode: string }): Promise<void> {
    return this.releasePending("writeBack", id, owner, { ...failure, failureNotified: true });
  }

  getPendingWriteBack(id: string): Promise<PendingWork | null> {
    return this.getPending("writeBack", id);
  }

  /** The write-back reached Asana: nothing is left to do. */
  async clearPendingWriteBack(id: string): Promise<void> {
    await this.options.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: keys.writeBack(id) }),
    );
  }

  listPendingWriteBacks(): Promise<PendingWork[]> {
    return this.listPending("writeBack");
  }

  private async recordPending(
    kind: PendingKind,
    id: string,
    payload: Record<string, unknown>,
    options: RecordPendingOptions,
  ): Promise<"new" | "seen"> {
    const spec = PENDING_KINDS[kind];
    const now = this.now();
    const claimed = options.owner !== undefined;
    const work = pendingWorkSchema.parse({
      id,
      payload,
      status: "pending",
      createdAt: now.toISOString(),
      attempts: claimed ? 1 : 0,
      claimedBy: options.owner ?? null,
      claimedUntilMs: claimed ? now.getTime() + (options.claimMs ?? PENDING_CLAIM_MS) : 0,
    });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...spec.key(id),
            entity: spec.entity,
            ...work,
            expiresAt: epochSeconds(now) + Math.ceil(spec.rememberMs / 1000),
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

  private async claimPending(
    kind: PendingKind,
    id: string,
    owner: string,
    claimMs: number,
  ): Promise<PendingWork | null> {
    const now = this.now();
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: PENDING_KINDS[kind].key(id),
          UpdateExpression: "SET claimedBy = :owner, claimedUntilMs = :until, attempts = attempts + :one",
          ConditionExpression: "#status = :pending AND expiresAt > :nowSeconds AND claimedUntilMs <= :nowMs",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":owner": owner,
            ":until": now.getTime() + claimMs,
            ":one": 1,
            ":pending": "pending",
            ":nowSeconds": epochSeconds(now),
            ":nowMs": now.getTime(),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return parseItem(pendingWorkSchema, this.options.tableName, out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  private async releasePending(
    kind: PendingKind,
    id: string,
    owner: string,
    failure: { errorCode: string; failureNotified: boolean },
  ): Promise<void> {
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: PENDING_KINDS[kind].key(id),
          UpdateExpression:
            "SET claimedUntilMs = :zero, lastErrorCode = :code, failureNotified = :notified REMOVE claimedBy",
          ConditionExpression: "#status = :pending AND claimedBy = :owner",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":zero": 0,
            ":code": failure.errorCode,
            ":notified": failure.failureNotified,
            ":pending": "pending",
            ":owner": owner,
          },
        }),
      );
    } catch (error) {
      // Someone else took it over after our claim ran out: theirs is the say now.
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async getPending(kind: PendingKind, id: string): Promise<PendingWork | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: PENDING_KINDS[kind].key(id),
        ConsistentRead: true,
      }),
    );
    if (!out.Item || isExpired(out.Item, this.now())) return null;
    return parseItem(pendingWorkSchema, this.options.tableName, out.Item);
  }

  /**
   * The meta table has no index (it holds a few thousand small items: leases, cursors, recent
   * events), so pending work is found with a filtered scan; retry jobs run every few minutes.
   */
  private async listPending(kind: PendingKind): Promise<PendingWork[]> {
    const now = this.now();
    const found: PendingWork[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.options.doc.send(
        new ScanCommand({
          TableName: this.options.tableName,
          FilterExpression: "#entity = :entity AND #status = :pending AND expiresAt > :now",
          ExpressionAttributeNames: { "#entity": "entity", "#status": "status" },
          ExpressionAttributeValues: {
            ":entity": PENDING_KINDS[kind].entity,
            ":pending": "pending",
            ":now": epochSeconds(now),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? [])
        found.push(parseItem(pendingWorkSchema, this.options.tableName, item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}
