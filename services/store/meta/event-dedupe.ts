import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import {
  epochSeconds,
  isConditionFailure,
  isExpired,
  nowOf,
  parseItem,
  type RepositoryOptions,
} from "../dynamo.ts";
import { keys } from "../tables.ts";

export const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

const eventSchema = z.object({ eventId: z.string(), firstSeenAt: z.string() });

/**
 * Writes `{eventId, firstSeenAt}` under `key` unless a live one is there: "new" the first time,
 * "seen" for every later call until `rememberMs` has passed (then the id may be recorded anew).
 */
export async function rememberOnce(
  options: RepositoryOptions,
  key: { pk: string; sk: string },
  eventId: string,
  rememberMs: number,
): Promise<"new" | "seen"> {
  const now = nowOf(options);
  try {
    await options.doc.send(
      new PutCommand({
        TableName: options.tableName,
        Item: {
          ...key,
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

/** Event ids remembered for a while, so a redelivery or a second instance does the work once. */
export class EventDedupe {
  constructor(private readonly options: RepositoryOptions) {}

  /** Remembers an event id once: "new" the first time, "seen" for every later delivery. */
  record(eventId: string, rememberMs: number = EVENT_MEMORY_MS): Promise<"new" | "seen"> {
    return rememberOnce(this.options, keys.event(eventId), eventId, rememberMs);
  }

  async hasSeen(eventId: string): Promise<boolean> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.event(eventId), ConsistentRead: true }),
    );
    if (!out.Item || isExpired(out.Item, nowOf(this.options))) return false;
    parseItem(eventSchema, this.options.tableName, out.Item);
    return true;
  }
}
