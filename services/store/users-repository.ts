import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { type UserProfile, type UserProfileInput, userProfileSchema } from "../model.ts";
import { parseItem, queryAll, type RepositoryOptions } from "./dynamo.ts";
import { keys, TABLES, withoutEmptyIndexKeys } from "./tables.ts";

/** Slack user -> email -> Asana user: the cached mapping behind "mis proyectos". */
export class UsersRepository {
  constructor(private readonly options: RepositoryOptions) {}

  async get(slackUserId: string): Promise<UserProfile | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.user(slackUserId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(userProfileSchema, this.options.tableName, out.Item) : null;
  }

  async upsert(input: UserProfileInput): Promise<UserProfile> {
    const profile = userProfileSchema.parse(input);
    await this.options.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: withoutEmptyIndexKeys(TABLES.users, { ...keys.user(profile.slackUserId), ...profile }),
      }),
    );
    return profile;
  }

  /** The Slack users mapped to an Asana user (normally one). */
  async findByAsanaUserGid(asanaUserGid: string): Promise<UserProfile[]> {
    const items = await queryAll(this.options.doc, {
      TableName: this.options.tableName,
      IndexName: "AsanaUserIndex",
      KeyConditionExpression: "asanaUserGid = :gid",
      ExpressionAttributeValues: { ":gid": asanaUserGid },
    });
    return items.map((item) => parseItem(userProfileSchema, this.options.tableName, item));
  }
}
