import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { nowOf, parseItem, type RepositoryOptions } from "../dynamo.ts";
import { keys } from "../tables.ts";

const versionSchema = z.object({ value: z.number().int().min(0), changedAt: z.string() });

/** A named change counter: how many times it was bumped, and when last (null: never). */
export type VersionMark = { value: number; changedAt: string | null };

/** Named counters that any process bumps and reads (meta table, `VERSION#{name}`). */
export class VersionCounter {
  constructor(private readonly options: RepositoryOptions) {}

  /** Adds one to the named counter and returns it as stored. */
  async bump(name: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.version(name),
        UpdateExpression: "SET #changedAt = :now ADD #value :one",
        ExpressionAttributeNames: { "#changedAt": "changedAt", "#value": "value" },
        ExpressionAttributeValues: { ":now": nowOf(this.options).toISOString(), ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    return parseItem(versionSchema, this.options.tableName, out.Attributes ?? {});
  }

  /** The named counter as last bumped (strongly consistent); never bumped reads as 0. */
  async get(name: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.version(name), ConsistentRead: true }),
    );
    return out.Item
      ? parseItem(versionSchema, this.options.tableName, out.Item)
      : { value: 0, changedAt: null };
  }
}
