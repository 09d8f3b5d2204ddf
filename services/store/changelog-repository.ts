import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { type ChangeEntry, type ChangeEntryInput, changeEntrySchema } from "../model.ts";
import {
  addDays,
  epochSeconds,
  isConditionFailure,
  isExpired,
  parseItem,
  queryAll,
  type RepositoryOptions,
} from "./dynamo.ts";
import { keys, projectPk } from "./tables.ts";

export type AppendResult = { written: number; alreadyPresent: number };

const APPEND_CONCURRENCY = 10;

/** Field-level history of every project; kept `retentionDays` through DynamoDB TTL. */
export class ChangelogRepository {
  constructor(private readonly options: RepositoryOptions & { retentionDays: number }) {}

  /**
   * Appends entries idempotently: the key is (project, detectedAt, field), so the same sync
   * detecting the same change again finds its entry already there and writes nothing.
   */
  async append(inputs: readonly ChangeEntryInput[]): Promise<AppendResult> {
    const result: AppendResult = { written: 0, alreadyPresent: 0 };
    const entries = inputs.map((input) => changeEntrySchema.parse(input));
    for (let i = 0; i < entries.length; i += APPEND_CONCURRENCY) {
      const outcomes = await Promise.all(
        entries.slice(i, i + APPEND_CONCURRENCY).map((entry) => this.appendOne(entry)),
      );
      for (const written of outcomes) written ? result.written++ : result.alreadyPresent++;
    }
    return result;
  }

  private async appendOne(input: ChangeEntry): Promise<boolean> {
    // One spelling of the instant, so keys sort by time and a replay finds the same key.
    const entry = { ...input, detectedAt: new Date(input.detectedAt).toISOString() };
    const expiresAt = epochSeconds(addDays(new Date(entry.detectedAt), this.options.retentionDays));
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...keys.change(entry.projectGid, entry.detectedAt, entry.fieldName), ...entry, expiresAt },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Newest first, at most `limit` entries, expired ones left out. */
  async listForProject(projectGid: string, limit = 50): Promise<ChangeEntry[]> {
    const now = (this.options.clock ?? (() => new Date()))();
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :change)",
        ExpressionAttributeValues: { ":pk": projectPk(projectGid), ":change": "CHANGE#" },
        ScanIndexForward: false,
        Limit: Math.min(limit, 100),
      },
      (item) => !isExpired(item, now),
      limit,
    );
    return items.map((item) => parseItem(changeEntrySchema, this.options.tableName, item));
  }
}
