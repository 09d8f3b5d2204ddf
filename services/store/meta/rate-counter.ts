import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { epochSeconds, nowOf, parseItem, type RepositoryOptions } from "../dynamo.ts";
import { keys } from "../tables.ts";

const countedSchema = z.object({ hits: z.number().int().min(1) });

/**
 * Counts events per subject in fixed windows (`RATE#{subject}#{window}`), one atomic ADD per hit,
 * so instances share the count. A window's item expires one window after it ends.
 */
export class RateCounter {
  constructor(private readonly options: RepositoryOptions) {}

  /** Counts one hit in the window `now` falls in; returns the hits so far in it, this one included. */
  async hit(subject: string, windowMs: number): Promise<number> {
    const now = nowOf(this.options);
    const window = Math.floor(now.getTime() / windowMs);
    const out = await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.rate(subject, window),
        UpdateExpression:
          "ADD hits :one SET entity = :entity, expiresAt = if_not_exists(expiresAt, :expires)",
        ExpressionAttributeValues: {
          ":one": 1,
          ":entity": "RATE",
          ":expires": epochSeconds(new Date((window + 2) * windowMs)),
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return parseItem(countedSchema, this.options.tableName, out.Attributes ?? {}).hits;
  }
}
