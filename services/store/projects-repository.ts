import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { VersionConflictError } from "../errors.ts";
import { type Project, type ProjectInput, projectSchema } from "../model.ts";
import {
  batchGet,
  batchPut,
  decodeCursor,
  encodeCursor,
  type Item,
  isConditionFailure,
  type Page,
  parseItem,
  queryAll,
  type RepositoryOptions,
  realSleep,
} from "./dynamo.ts";
import type { PortfolioVersion } from "./portfolio-version.ts";
import { keys, TABLES, withoutEmptyIndexKeys } from "./tables.ts";

const spec = TABLES.projects;

/**
 * Lists leave out `raw` (the Asana payload, most of an item's size): screens and jobs that list
 * projects never read it. Only a caller that writes listed projects back asks for it.
 */
const WITHOUT_RAW = (() => {
  const fields = Object.keys(projectSchema.shape).filter((field) => field !== "raw");
  const names = Object.fromEntries(fields.map((field, i) => [`#p${i}`, field]));
  return { ProjectionExpression: Object.keys(names).join(", "), ExpressionAttributeNames: names };
})();

/** One item per Asana project (DESIGN.md section 3), versioned: the sync and people both change it. */
export class ProjectsRepository {
  constructor(
    private readonly options: RepositoryOptions & { version?: Pick<PortfolioVersion, "afterWrite"> },
  ) {}

  private get table(): string {
    return this.options.tableName;
  }

  private parse(item: Item): Project {
    return parseItem(projectSchema, this.table, item);
  }

  /**
   * Writes the whole project. `expectedVersion` is the version that was read (0 for a project
   * never stored); a concurrent writer in between makes this throw VersionConflictError.
   * Returns the project as stored, with its new version.
   */
  async upsert(input: ProjectInput, expectedVersion: number): Promise<Project> {
    const project = projectSchema.parse({ ...input, version: expectedVersion + 1 });
    const item = withoutEmptyIndexKeys(spec, { ...keys.project(project.gid), ...project });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression:
            expectedVersion === 0
              ? "attribute_not_exists(pk)"
              : "attribute_exists(pk) AND #version = :expected",
          ...(expectedVersion === 0
            ? {}
            : {
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new VersionConflictError(`project ${project.gid}`, error);
      throw error;
    }
    await this.options.version?.afterWrite({ projects: [project] });
    return project;
  }

  /**
   * Stores projects never stored before (a first sync), 25 to a BatchWriteItem. Only for gids the
   * caller just read as absent while holding the sync lease: nothing else creates projects.
   */
  async insertMany(inputs: readonly ProjectInput[]): Promise<Project[]> {
    const projects = inputs.map((input) => projectSchema.parse({ ...input, version: 1 }));
    await batchPut(
      this.options.doc,
      this.table,
      projects.map((project) => withoutEmptyIndexKeys(spec, { ...keys.project(project.gid), ...project })),
      this.options.sleep ?? realSleep,
    );
    await this.options.version?.afterWrite({ projects });
    return projects;
  }

  async get(gid: string): Promise<Project | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.project(gid), ConsistentRead: true }),
    );
    return out.Item ? this.parse(out.Item) : null;
  }

  async getByPmoId(pmoId: string): Promise<Project | null> {
    const items = await queryAll(this.options.doc, {
      TableName: this.table,
      IndexName: "PmoIdIndex",
      KeyConditionExpression: "#pmoId = :pmoId",
      ExpressionAttributeNames: { "#pmoId": "pmoId" },
      ExpressionAttributeValues: { ":pmoId": pmoId },
    });
    // Two Asana projects may carry the same PMO ID by mistake; the one still in scope wins.
    const projects = items.map((item) => this.parse(item));
    projects.sort(
      (a, b) => Number(a.removedAt !== null) - Number(b.removedAt !== null) || a.gid.localeCompare(b.gid),
    );
    return projects[0] ?? null;
  }

  async listByResponsable(asanaUserGid: string): Promise<Project[]> {
    return this.listByIndex("ResponsableIndex", "responsableKey", asanaUserGid);
  }

  async listByVertical(businessVertical: string): Promise<Project[]> {
    return this.listByIndex("BusinessVerticalIndex", "businessVertical", businessVertical);
  }

  /** Without the raw payload (see WITHOUT_RAW). */
  private async listByIndex(indexName: string, attribute: string, value: string): Promise<Project[]> {
    const items = await queryAll(this.options.doc, {
      TableName: this.table,
      IndexName: indexName,
      KeyConditionExpression: "#key = :value",
      ProjectionExpression: WITHOUT_RAW.ProjectionExpression,
      ExpressionAttributeNames: { ...WITHOUT_RAW.ExpressionAttributeNames, "#key": attribute },
      ExpressionAttributeValues: { ":value": value },
    });
    return items.map((item) => this.parse(item));
  }

  /**
   * One page of every project, in the engine's order; pass the returned cursor for the next.
   * Without the raw payload unless `withRaw` (see WITHOUT_RAW).
   */
  async listAll(
    options: { limit?: number; cursor?: string | null; withRaw?: boolean } = {},
  ): Promise<Page<Project>> {
    const out = await this.options.doc.send(
      new ScanCommand({
        TableName: this.table,
        Limit: options.limit ?? 100,
        ExclusiveStartKey: decodeCursor(options.cursor),
        ...(options.withRaw ? {} : WITHOUT_RAW),
      }),
    );
    return {
      items: (out.Items ?? []).map((item) => this.parse(item)),
      cursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  /** Every project, page by page, without holding more than one page of raw items. */
  async *iterateAll(pageSize = 100, options: { withRaw?: boolean } = {}): AsyncGenerator<Project[]> {
    let cursor: string | null = null;
    do {
      const page: Page<Project> = await this.listAll({
        limit: pageSize,
        cursor,
        withRaw: options.withRaw ?? false,
      });
      if (page.items.length > 0) yield page.items;
      cursor = page.cursor;
    } while (cursor !== null);
  }

  /**
   * Projects by gid (absent ones are simply missing from the answer), in chunks of 100; with the
   * raw payload unless `withRaw: false`.
   */
  async batchGet(
    gids: readonly string[],
    options: { withRaw?: boolean } = {},
  ): Promise<Map<string, Project>> {
    const unique = [...new Set(gids)];
    const items = await batchGet(
      this.options.doc,
      this.table,
      unique.map((gid) => keys.project(gid)),
      this.options.sleep ?? realSleep,
      options.withRaw === false ? WITHOUT_RAW : undefined,
    );
    return new Map(items.map((item) => this.parse(item)).map((p) => [p.gid, p]));
  }
}
