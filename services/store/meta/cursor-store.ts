import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { batchGet, batchPut, nowOf, parseItem, type RepositoryOptions, realSleep } from "../dynamo.ts";
import { keys } from "../tables.ts";

const cursorSchema = z.object({ name: z.string(), value: z.string(), updatedAt: z.string() });

/** Named cursors: where a job left off (meta table, `CURSOR#{name}`). */
export class CursorStore {
  constructor(private readonly options: RepositoryOptions) {}

  async get(name: string): Promise<string | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.cursor(name), ConsistentRead: true }),
    );
    return out.Item ? parseItem(cursorSchema, this.options.tableName, out.Item).value : null;
  }

  async put(name: string, value: string): Promise<void> {
    await this.options.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...keys.cursor(name), name, value, updatedAt: nowOf(this.options).toISOString() },
      }),
    );
  }

  /** Many cursors at once (BatchGetItem, 100 a request); absent names are missing from the map. */
  async getMany(names: readonly string[]): Promise<Map<string, string>> {
    const dated = await this.getManyDated(names);
    return new Map([...dated].map(([name, cursor]) => [name, cursor.value]));
  }

  /** The same, with when each was last written. */
  async getManyDated(names: readonly string[]): Promise<Map<string, { value: string; updatedAt: string }>> {
    const items = await batchGet(
      this.options.doc,
      this.options.tableName,
      [...new Set(names)].map(keys.cursor),
      this.options.sleep ?? realSleep,
    );
    const cursors = items.map((item) => parseItem(cursorSchema, this.options.tableName, item));
    return new Map(cursors.map((c) => [c.name, { value: c.value, updatedAt: c.updatedAt }]));
  }

  /** Many cursors at once (BatchWriteItem, 25 a request). */
  async putMany(values: ReadonlyMap<string, string>): Promise<void> {
    const updatedAt = nowOf(this.options).toISOString();
    await batchPut(
      this.options.doc,
      this.options.tableName,
      [...values].map(([name, value]) => ({ ...keys.cursor(name), name, value, updatedAt })),
      this.options.sleep ?? realSleep,
    );
  }

  async delete(name: string): Promise<void> {
    await this.options.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: keys.cursor(name) }),
    );
  }
}
