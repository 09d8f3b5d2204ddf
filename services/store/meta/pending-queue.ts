import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { InvalidItemError } from "../../errors.ts";
import {
  epochSeconds,
  isConditionFailure,
  isExpired,
  nowOf,
  parseItem,
  queryAll,
  type RepositoryOptions,
} from "../dynamo.ts";
import { keys, TABLES } from "../tables.ts";

/** How long a Slack delivery is kept for dedupe and retries (DESIGN.md section 7). */
export const INBOUND_MEMORY_MS = 24 * 60 * 60 * 1000;
/** How long a write-back to Asana is retried before it is given up. */
export const WRITE_BACK_MEMORY_MS = 7 * 24 * 60 * 60 * 1000;
/** How long a claim on a pending item keeps other processors away. */
export const PENDING_CLAIM_MS = 2 * 60 * 1000;
/** How long work given up is kept for the daily digest (a weekend included: the digest runs on weekdays). */
export const GIVEN_UP_MEMORY_MS = 4 * 24 * 60 * 60 * 1000;

/**
 * Work that must survive a crash: a Slack delivery acked before it was processed, or a write-back
 * to Asana that failed. It stays `pending` until done; a processor claims it for a while, so two
 * instances retrying at once do not both act on it.
 */
export const pendingWorkSchema = z.object({
  id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(["pending", "done", "given_up"]),
  createdAt: z.string(),
  attempts: z.number().int().min(0).default(0),
  claimedBy: z.string().nullable().default(null),
  claimedUntilMs: z.number().int().default(0),
  /** Whether the person was already told that it failed and will be retried. */
  failureNotified: z.boolean().default(false),
  /** The code of the last failure (never its message: it could quote user text). */
  lastErrorCode: z.string().nullable().default(null),
  /** When it was given up: it could not be done within its life (it is kept a while for the digest). */
  givenUpAt: z.string().nullable().default(null),
  /** Whether the person was told that it was given up (told at most once). */
  expiryNotified: z.boolean().default(false),
});
export type PendingWork = z.output<typeof pendingWorkSchema>;

export type RecordPendingOptions = {
  /** Who processes it right away: the item is claimed for them, so a retry job leaves it alone. */
  owner?: string;
  claimMs?: number;
};

export type PendingFailure = {
  /** The code of the error (never its message). */
  errorCode: string;
  /** Whether the person has been told it failed and will be retried. */
  failureNotified: boolean;
};

export type PendingQueueSpec = {
  /** The item's `entity`, and its partition in PendingIndex while it is pending. */
  queue: "INBOUND" | "WRITEBACK";
  key: (id: string) => { pk: string; sk: string };
  /** How long an item lives (and its id is remembered) after it was recorded. */
  rememberMs: number;
  /** What done leaves: the item marked done until it expires (a redelivery is then "seen"), or nothing. */
  whenDone: "keep" | "delete";
};

export const PENDING_QUEUES = {
  inbound: { queue: "INBOUND", key: keys.inbound, rememberMs: INBOUND_MEMORY_MS, whenDone: "keep" },
  writeBack: {
    queue: "WRITEBACK",
    key: keys.writeBack,
    rememberMs: WRITE_BACK_MEMORY_MS,
    whenDone: "delete",
  },
} as const satisfies Record<string, PendingQueueSpec>;

const [PENDING_INDEX] = TABLES.meta.indexes;
/** The attribute that puts an item in PendingIndex: present only while the item is pending. */
export const PENDING_QUEUE_ATTRIBUTE = PENDING_INDEX.partitionKey.name;
/** PendingIndex's partition of a queue's given-up items (until they expire). */
const givenUpPartition = (queue: PendingQueueSpec["queue"]) => `${queue}#GIVEN_UP`;

/**
 * One queue of pending work in the meta table (`INBOUND#{id}` or `WRITEBACK#{id}`, sk `META`).
 * Items are found by id for dedupe and claims, and listed through the sparse PendingIndex.
 */
export class PendingQueue {
  constructor(
    private readonly options: RepositoryOptions,
    private readonly spec: PendingQueueSpec,
  ) {}

  /**
   * Records work by an id unique to it (a Slack event id, a submission id, an update key): "new"
   * the first time, "seen" while an item with that id lives, on any instance.
   */
  async record(
    id: string,
    payload: Record<string, unknown>,
    options: RecordPendingOptions = {},
  ): Promise<"new" | "seen"> {
    const now = nowOf(this.options);
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
            ...this.spec.key(id),
            entity: this.spec.queue,
            [PENDING_QUEUE_ATTRIBUTE]: this.spec.queue,
            ...work,
            expiresAt: epochSeconds(now) + Math.ceil(this.spec.rememberMs / 1000),
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

  /**
   * Takes pending work for `claimMs`; null when it is done, gone, or claimed (by anyone: the same
   * instance may be working on it right now).
   */
  async claim(id: string, owner: string, claimMs: number = PENDING_CLAIM_MS): Promise<PendingWork | null> {
    const now = nowOf(this.options);
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.spec.key(id),
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

  /** Gives claimed work back after a failure; it stays pending for the next retry. */
  async release(id: string, owner: string, failure: PendingFailure): Promise<void> {
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.spec.key(id),
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

  /**
   * Nothing is left to do. A queue that keeps done items leaves this one (out of PendingIndex)
   * until it expires, so a duplicate is still "seen"; the other deletes it.
   */
  async markDone(id: string): Promise<void> {
    if (this.spec.whenDone === "delete") {
      await this.options.doc.send(
        new DeleteCommand({ TableName: this.options.tableName, Key: this.spec.key(id) }),
      );
      return;
    }
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.spec.key(id),
          UpdateExpression: "SET #status = :done, claimedUntilMs = :zero REMOVE claimedBy, #queue",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: { "#status": "status", "#queue": PENDING_QUEUE_ATTRIBUTE },
          ExpressionAttributeValues: { ":done": "done", ":zero": 0 },
        }),
      );
    } catch (error) {
      // Already expired and gone: nothing is left to mark.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(id: string): Promise<PendingWork | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: this.spec.key(id), ConsistentRead: true }),
    );
    if (!out.Item || isExpired(out.Item, nowOf(this.options))) return null;
    return parseItem(pendingWorkSchema, this.options.tableName, out.Item);
  }

  /** How long an item lives after it was recorded. */
  get lifeMs(): number {
    return this.spec.rememberMs;
  }

  /**
   * Pending work recorded at or before `recordedBy`, expired included (DynamoDB deletes expired
   * items late, dynalite never), oldest first: what is about to outlive its life, or has.
   */
  async listOverdue(recordedBy: Date): Promise<PendingWork[]> {
    const items = await queryAll(this.options.doc, {
      TableName: this.options.tableName,
      IndexName: PENDING_INDEX.name,
      KeyConditionExpression: "#queue = :queue AND createdAt <= :by",
      FilterExpression: "#status = :pending",
      ExpressionAttributeNames: { "#queue": PENDING_QUEUE_ATTRIBUTE, "#status": "status" },
      ExpressionAttributeValues: {
        ":queue": this.spec.queue,
        ":by": recordedBy.toISOString(),
        ":pending": "pending",
      },
    });
    return items.map((item) => parseItem(pendingWorkSchema, this.options.tableName, item));
  }

  /**
   * Gives up pending work nobody holds a claim on: it leaves the pending partition and is kept for
   * GIVEN_UP_MEMORY_MS (a redelivery is still "seen"). False when it was done, claimed or given up
   * by someone else meanwhile.
   */
  async giveUp(id: string): Promise<boolean> {
    const now = nowOf(this.options);
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.spec.key(id),
          UpdateExpression:
            "SET #status = :givenUp, givenUpAt = :at, expiryNotified = :false, #queue = :partition, expiresAt = :expires, claimedUntilMs = :zero REMOVE claimedBy",
          ConditionExpression: "#status = :pending AND claimedUntilMs <= :nowMs",
          ExpressionAttributeNames: { "#status": "status", "#queue": PENDING_QUEUE_ATTRIBUTE },
          ExpressionAttributeValues: {
            ":givenUp": "given_up",
            ":at": now.toISOString(),
            ":false": false,
            ":partition": givenUpPartition(this.spec.queue),
            ":expires": epochSeconds(now) + Math.ceil(GIVEN_UP_MEMORY_MS / 1000),
            ":zero": 0,
            ":pending": "pending",
            ":nowMs": now.getTime(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Takes the telling of a given-up item's person: true for the one caller that flips the flag,
   * false when someone already did (or is). `false` gives it back after the telling failed.
   */
  async setExpiryNotified(id: string, notified: boolean): Promise<boolean> {
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.spec.key(id),
          UpdateExpression: "SET expiryNotified = :to",
          ConditionExpression: "#status = :givenUp AND expiryNotified = :from",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":to": notified, ":from": !notified, ":givenUp": "given_up" },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Work given up and still kept, oldest first (the digest's, and the telling's retries). */
  listGivenUp(): Promise<PendingWork[]> {
    return this.listIndexed(givenUpPartition(this.spec.queue), "given_up");
  }

  /** Work not done yet (claimed included), oldest first: one Query of this queue's PendingIndex partition. */
  listPending(): Promise<PendingWork[]> {
    return this.listIndexed(this.spec.queue, "pending");
  }

  private async listIndexed(partition: string, status: PendingWork["status"]): Promise<PendingWork[]> {
    const items = await queryAll(this.options.doc, {
      TableName: this.options.tableName,
      IndexName: PENDING_INDEX.name,
      KeyConditionExpression: "#queue = :partition",
      // Filtered as well: an index lags its table, and expired items linger until TTL deletes them.
      FilterExpression: "#status = :status AND expiresAt > :now",
      ExpressionAttributeNames: { "#queue": PENDING_QUEUE_ATTRIBUTE, "#status": "status" },
      ExpressionAttributeValues: {
        ":partition": partition,
        ":status": status,
        ":now": epochSeconds(nowOf(this.options)),
      },
    });
    return items
      .map((item) => parseItem(pendingWorkSchema, this.options.tableName, item))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }
}

/** Marks that the items written before PendingIndex existed were given their queue. */
export const PENDING_INDEX_BACKFILL = "pending-index-backfill";

const backfillCandidateSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  entity: z.enum([PENDING_QUEUES.inbound.queue, PENDING_QUEUES.writeBack.queue]),
});

/**
 * Once per store: gives pending work recorded by versions before PendingIndex (no
 * `pendingQueue`) its queue, so listPending finds it. Returns how many items it changed.
 * Instances that run it at once both succeed; each item is changed at most once.
 */
export async function backfillPendingIndex(
  doc: DynamoDBDocumentClient,
  tableName: string,
  now: Date = new Date(),
): Promise<number> {
  const marker = keys.migration(PENDING_INDEX_BACKFILL);
  const done = await doc.send(new GetCommand({ TableName: tableName, Key: marker, ConsistentRead: true }));
  if (done.Item !== undefined) return 0;
  let changed = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: "pk, sk, #entity",
        FilterExpression:
          "#entity IN (:inbound, :writeBack) AND #status = :pending AND attribute_not_exists(#queue)",
        ExpressionAttributeNames: {
          "#entity": "entity",
          "#status": "status",
          "#queue": PENDING_QUEUE_ATTRIBUTE,
        },
        ExpressionAttributeValues: {
          ":inbound": PENDING_QUEUES.inbound.queue,
          ":writeBack": PENDING_QUEUES.writeBack.queue,
          ":pending": "pending",
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const raw of page.Items ?? []) {
      const parsed = backfillCandidateSchema.safeParse(raw);
      if (!parsed.success) throw new InvalidItemError(tableName, parsed.error);
      const item = parsed.data;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: "SET #queue = :queue",
            ConditionExpression: "#status = :pending AND attribute_not_exists(#queue)",
            ExpressionAttributeNames: { "#status": "status", "#queue": PENDING_QUEUE_ATTRIBUTE },
            ExpressionAttributeValues: { ":queue": item.entity, ":pending": "pending" },
          }),
        );
        changed++;
      } catch (error) {
        // Done, or given its queue by another instance, since the scan read it.
        if (!isConditionFailure(error)) throw error;
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  await doc.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...marker, name: PENDING_INDEX_BACKFILL, ranAt: now.toISOString(), changed },
    }),
  );
  return changed;
}
