import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { VersionConflictError } from "../errors.ts";
import { type Conversation, conversationSchema } from "../model.ts";
import { epochSeconds, isConditionFailure, isExpired, parseItem, type RepositoryOptions } from "./dynamo.ts";
import { keys } from "./tables.ts";

export const CONVERSATION_TTL_MS = 60 * 60 * 1000;

/** DM conversation state, one per Slack user, gone an hour after its last change. */
export class ConversationsRepository {
  constructor(private readonly options: RepositoryOptions & { ttlMs?: number }) {}

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  /** The user's conversation, never an expired one (the engine may still hold it). */
  async get(slackUserId: string): Promise<Conversation | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.conversation(slackUserId),
        ConsistentRead: true,
      }),
    );
    if (!out.Item || isExpired(out.Item, this.now())) return null;
    return parseItem(conversationSchema, this.options.tableName, out.Item);
  }

  /**
   * The user's conversation as stored, saying whether it has expired, so a late answer can be
   * told "it expired" rather than taken for a new start. DynamoDB deletes expired items up to two
   * days late: after that this is null, like a conversation that never was.
   */
  async find(slackUserId: string): Promise<{ conversation: Conversation; expired: boolean } | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.conversation(slackUserId),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    const conversation = parseItem(conversationSchema, this.options.tableName, out.Item);
    return { conversation, expired: isExpired(out.Item, this.now()) };
  }

  /**
   * Writes the state with a fresh expiry. `expectedVersion` is the version read (0 when there was
   * none, or it had expired); a concurrent change in between throws VersionConflictError.
   */
  async put(
    state: { slackUserId: string; state: string; data: Record<string, unknown> },
    expectedVersion: number,
  ): Promise<Conversation> {
    const now = this.now();
    const conversation = conversationSchema.parse({
      ...state,
      updatedAt: now.toISOString(),
      expiresAt: epochSeconds(new Date(now.getTime() + (this.options.ttlMs ?? CONVERSATION_TTL_MS))),
      version: expectedVersion + 1,
    });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...keys.conversation(state.slackUserId), ...conversation },
          ConditionExpression:
            expectedVersion === 0
              ? "attribute_not_exists(pk) OR expiresAt <= :now"
              : "#version = :expected AND expiresAt > :now",
          ExpressionAttributeValues: {
            ":now": epochSeconds(now),
            ...(expectedVersion === 0 ? {} : { ":expected": expectedVersion }),
          },
          ...(expectedVersion === 0 ? {} : { ExpressionAttributeNames: { "#version": "version" } }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new VersionConflictError(`the conversation with ${state.slackUserId}`, error);
      throw error;
    }
    return conversation;
  }

  async clear(slackUserId: string): Promise<void> {
    await this.options.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: keys.conversation(slackUserId) }),
    );
  }
}
