import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { nowOf, parseItem, type RepositoryOptions } from "../dynamo.ts";
import { keys } from "../tables.ts";

const versionSchema = z.object({
  value: z.number().int().min(0),
  changedAt: z.string(),
  by: z.string().optional(),
});

/**
 * A named change counter: how many times it was bumped, when last (null: never), and by whom when
 * the bumper said (null: not said, or never bumped).
 */
export type VersionMark = { value: number; changedAt: string | null; by: string | null };

/** Named counters that any process bumps and reads (meta table, `VERSION#{name}`). */
export class VersionCounter {
  constructor(private readonly options: RepositoryOptions) {}

  /** Adds one to the named counter, recording who did (`by`), and returns it as stored. */
  async bump(name: string, by?: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.version(name),
        UpdateExpression:
          by === undefined
            ? "SET #changedAt = :now REMOVE #by ADD #value :one"
            : "SET #changedAt = :now, #by = :by ADD #value :one",
        ExpressionAttributeNames: { "#changedAt": "changedAt", "#value": "value", "#by": "by" },
        ExpressionAttributeValues: {
          ":now": nowOf(this.options).toISOString(),
          ":one": 1,
          ...(by === undefined ? {} : { ":by": by }),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return markOf(parseItem(versionSchema, this.options.tableName, out.Attributes ?? {}));
  }

  /** The named counter as last bumped (strongly consistent); never bumped reads as 0. */
  async get(name: string): Promise<VersionMark> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.version(name), ConsistentRead: true }),
    );
    return out.Item
      ? markOf(parseItem(versionSchema, this.options.tableName, out.Item))
      : { value: 0, changedAt: null, by: null };
  }
}

function markOf(stored: z.output<typeof versionSchema>): VersionMark {
  return { value: stored.value, changedAt: stored.changedAt, by: stored.by ?? null };
}
