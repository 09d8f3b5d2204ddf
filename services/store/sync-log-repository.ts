import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { StoreError } from "../errors.ts";
import { type SyncKind, type SyncRun, type SyncStats, syncRunSchema, syncStatsSchema } from "../model.ts";
import {
  addDays,
  epochSeconds,
  isConditionFailure,
  isExpired,
  parseItem,
  queryAll,
  type RepositoryOptions,
  setExpression,
} from "./dynamo.ts";
import { keys, SYNC_ENTITY } from "./tables.ts";

/** One item per sync run: running -> completed | failed | abandoned. */
export class SyncLogRepository {
  constructor(private readonly options: RepositoryOptions & { retentionDays: number }) {}

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  async createRunning(run: { syncId: string; kind: SyncKind; owner: string | null }): Promise<SyncRun> {
    const startedAt = this.now();
    const created = syncRunSchema.parse({ ...run, status: "running", startedAt: startedAt.toISOString() });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...keys.syncRun(run.syncId),
            ...created,
            entity: SYNC_ENTITY,
            expiresAt: epochSeconds(addDays(startedAt, this.options.retentionDays)),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new StoreError("invalid_transition", `sync run ${run.syncId} exists already`, { cause: error });
      throw error;
    }
    return created;
  }

  /** `warning`: what the run held back (see SyncRun.warning). */
  async complete(syncId: string, stats: Partial<SyncStats>, warning: string | null = null): Promise<SyncRun> {
    return this.finish(syncId, "completed", {
      ...syncStatsSchema.partial().parse(stats),
      errorMessage: null,
      warning,
    });
  }

  async fail(syncId: string, errorMessage: string, stats: Partial<SyncStats> = {}): Promise<SyncRun> {
    return this.finish(syncId, "failed", { ...syncStatsSchema.partial().parse(stats), errorMessage });
  }

  /** A run left "running" by a process that died. */
  async markAbandoned(syncId: string, reason: string): Promise<SyncRun> {
    return this.finish(syncId, "abandoned", { errorMessage: reason });
  }

  private async finish(
    syncId: string,
    status: "completed" | "failed" | "abandoned",
    values: Record<string, unknown>,
  ): Promise<SyncRun> {
    const set = setExpression({ ...values, status, completedAt: this.now().toISOString() });
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.syncRun(syncId),
          UpdateExpression: set.UpdateExpression,
          ConditionExpression: "attribute_exists(pk) AND #current = :running",
          ExpressionAttributeNames: { ...set.ExpressionAttributeNames, "#current": "status" },
          ExpressionAttributeValues: { ...set.ExpressionAttributeValues, ":running": "running" },
          ReturnValues: "ALL_NEW",
        }),
      );
      return parseItem(syncRunSchema, this.options.tableName, out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new StoreError("invalid_transition", `sync run ${syncId} is not running`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Writes what the rules did after this sync onto its run, whatever the run's status; a run that
   * does not exist is a `not_found` error (nothing is created).
   */
  async recordRuleCounts(
    syncId: string,
    counts: Pick<SyncStats, "findingsOpened" | "findingsResolved">,
  ): Promise<SyncRun> {
    const set = setExpression(
      syncStatsSchema.pick({ findingsOpened: true, findingsResolved: true }).parse(counts),
    );
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.syncRun(syncId),
          UpdateExpression: set.UpdateExpression,
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeNames: set.ExpressionAttributeNames,
          ExpressionAttributeValues: set.ExpressionAttributeValues,
          ReturnValues: "ALL_NEW",
        }),
      );
      return parseItem(syncRunSchema, this.options.tableName, out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error))
        throw new StoreError("not_found", `sync run ${syncId} does not exist`, { cause: error });
      throw error;
    }
  }

  async get(syncId: string): Promise<SyncRun | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.syncRun(syncId), ConsistentRead: true }),
    );
    return out.Item && !isExpired(out.Item, this.now())
      ? parseItem(syncRunSchema, this.options.tableName, out.Item)
      : null;
  }

  /** The newest `limit` runs, newest first. */
  async recent(limit = 10): Promise<SyncRun[]> {
    const now = this.now();
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        IndexName: "RecentIndex",
        KeyConditionExpression: "#entity = :entity",
        ExpressionAttributeNames: { "#entity": "entity" },
        ExpressionAttributeValues: { ":entity": SYNC_ENTITY },
        ScanIndexForward: false,
        Limit: Math.min(limit, 100),
      },
      (item) => !isExpired(item, now),
      limit,
    );
    return items.map((item) => parseItem(syncRunSchema, this.options.tableName, item));
  }
}
