import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type UserProfile, type UserProfileInput, userProfileSchema } from "../model.ts";
import { isConditionFailure, parseItem, queryAll, type RepositoryOptions, setExpression } from "./dynamo.ts";
import { keys, TABLES, withoutEmptyIndexKeys } from "./tables.ts";

/** What an imported profile became: stored anew, its legacy attached to a profile kept as it was, or nothing. */
export type ProfileImport = "created" | "merged" | "present";

/** The attributes a profile owns; whatever else an item holds (`legacy`) is left alone by `upsert`. */
const PROFILE_ATTRIBUTES = Object.keys(userProfileSchema.shape);

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

  /**
   * Writes the profile's attributes. An update rather than a put, so the `legacy` map an import
   * left on the item (the old bot's attributes that have no home here) outlives every refresh.
   */
  async upsert(input: UserProfileInput): Promise<UserProfile> {
    const profile = userProfileSchema.parse(input);
    const { slackUserId: _key, ...fields } = withoutEmptyIndexKeys(TABLES.users, profile);
    const absent = PROFILE_ATTRIBUTES.filter((name) => name !== "slackUserId" && !(name in fields));
    const expression = setExpression({ slackUserId: profile.slackUserId, ...fields }, absent);
    await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: keys.user(profile.slackUserId),
        ...expression,
      }),
    );
    return profile;
  }

  /**
   * A profile brought over from another system (npm run migrate): stored when the person has no
   * profile yet; otherwise the profile PMO Pulse made is kept (it is fresher) and only `legacy` is
   * attached to it, once. Conditional writes only: running it again changes nothing.
   */
  async importProfile(
    input: UserProfileInput,
    legacy: Readonly<Record<string, unknown>>,
  ): Promise<ProfileImport> {
    const profile = userProfileSchema.parse(input);
    const withLegacy = Object.keys(legacy).length > 0;
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: withoutEmptyIndexKeys(TABLES.users, {
            ...keys.user(profile.slackUserId),
            ...profile,
            ...(withLegacy ? { legacy } : {}),
          }),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return "created";
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    if (!withLegacy) return "present";
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.user(profile.slackUserId),
          UpdateExpression: "SET legacy = :legacy",
          ConditionExpression: "attribute_exists(pk) AND attribute_not_exists(legacy)",
          ExpressionAttributeValues: { ":legacy": legacy },
        }),
      );
      return "merged";
    } catch (error) {
      if (isConditionFailure(error)) return "present";
      throw error;
    }
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
