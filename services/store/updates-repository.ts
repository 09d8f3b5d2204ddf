import { GetCommand, PutCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { StoreError } from "../errors.ts";
import { type StatusUpdate, type StatusUpdateInput, statusUpdateSchema } from "../model.ts";
import { isConditionFailure, parseItem, queryAll, type RepositoryOptions } from "./dynamo.ts";
import { keys, projectPk } from "./tables.ts";

/** Status updates sent by project managers through Slack. */
export class UpdatesRepository {
  constructor(private readonly options: RepositoryOptions) {}

  /**
   * Adds an update; the same author at the same instant for the same project is stored once.
   * `legacy`: what an update brought over from another system held that has no home here (npm run
   * migrate), kept on the item as it was.
   */
  async add(
    input: StatusUpdateInput,
    options: { legacy?: Readonly<Record<string, unknown>> } = {},
  ): Promise<{ update: StatusUpdate; added: boolean }> {
    const update = statusUpdateSchema.parse(input);
    const legacy =
      options.legacy !== undefined && Object.keys(options.legacy).length > 0 ? options.legacy : null;
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...keys.update(update.projectGid, update.submittedAt, update.slackUserId),
            ...update,
            ...(legacy === null ? {} : { legacy }),
          },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return { update, added: true };
    } catch (error) {
      if (isConditionFailure(error)) return { update, added: false };
      throw error;
    }
  }

  /** One update by its key (project, instant, author); null when there is none. */
  async get(
    key: Pick<StatusUpdate, "projectGid" | "submittedAt" | "slackUserId">,
  ): Promise<StatusUpdate | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.update(key.projectGid, key.submittedAt, key.slackUserId),
        ConsistentRead: true,
      }),
    );
    return out.Item ? parseItem(statusUpdateSchema, this.options.tableName, out.Item) : null;
  }

  /** Records the gid Asana gave the update when it was written back. */
  async setAsanaStatusUpdateGid(
    update: Pick<StatusUpdate, "projectGid" | "submittedAt" | "slackUserId">,
    gid: string,
  ): Promise<void> {
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.update(update.projectGid, update.submittedAt, update.slackUserId),
          UpdateExpression: "SET asanaStatusUpdateGid = :gid",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":gid": gid },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new StoreError("not_found", "that status update does not exist", { cause: error });
      throw error;
    }
  }

  async listForProject(projectGid: string, limit = 20): Promise<StatusUpdate[]> {
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :update)",
        ExpressionAttributeValues: { ":pk": projectPk(projectGid), ":update": "UPDATE#" },
        ScanIndexForward: false,
        Limit: Math.min(limit, 100),
      },
      undefined,
      limit,
    );
    return items.map((item) => parseItem(statusUpdateSchema, this.options.tableName, item));
  }

  /**
   * Every stored update, page by page in the engine's order, never holding more than one page (a
   * Scan: for reports run now and then, such as the interpreter report, not for the app's paths).
   */
  async *iterateAll(pageSize = 100): AsyncGenerator<StatusUpdate[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.options.doc.send(
        new ScanCommand({ TableName: this.options.tableName, Limit: pageSize, ExclusiveStartKey: startKey }),
      );
      const page = (out.Items ?? []).map((item) =>
        parseItem(statusUpdateSchema, this.options.tableName, item),
      );
      if (page.length > 0) yield page;
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  async listByAuthor(slackUserId: string, limit = 20): Promise<StatusUpdate[]> {
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        IndexName: "AuthorIndex",
        KeyConditionExpression: "slackUserId = :user",
        ExpressionAttributeValues: { ":user": slackUserId },
        ScanIndexForward: false,
        Limit: Math.min(limit, 100),
      },
      undefined,
      limit,
    );
    return items.map((item) => parseItem(statusUpdateSchema, this.options.tableName, item));
  }
}
