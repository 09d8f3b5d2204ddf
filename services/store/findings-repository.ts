import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { StoreError, VersionConflictError } from "../errors.ts";
import {
  ACTIVE_FINDING_STATUSES,
  type Finding,
  type FindingAlert,
  type FindingCandidate,
  type FindingDetails,
  type FindingStatus,
  findingSchema,
  type Severity,
} from "../model.ts";
import {
  addDays,
  batchGet,
  epochSeconds,
  type Item,
  isConditionFailure,
  isExpired,
  parseItem,
  queryAll,
  type RepositoryOptions,
  realSleep,
  setExpression,
} from "./dynamo.ts";
import type { PortfolioVersion } from "./portfolio-version.ts";
import { keys, projectPk } from "./tables.ts";

/** What a caller knows of the finding it acts on: which one, and the version it saw. */
export type FindingRef = { projectGid: string; ruleId: string; expectedVersion: number };

type Changes = Partial<Omit<Finding, "projectGid" | "ruleId" | "version" | "createdAt">>;

/**
 * One item per project and rule (DESIGN.md section 3). Every change is conditional on the
 * version the caller saw: of two concurrent writers exactly one wins, the other gets a
 * VersionConflictError and must reread.
 */
export class FindingsRepository {
  constructor(
    private readonly options: RepositoryOptions & {
      retentionDays: number;
      version?: Pick<PortfolioVersion, "afterWrite">;
    },
  ) {}

  private async written(finding: Finding): Promise<void> {
    await this.options.version?.afterWrite({ findings: [finding] });
  }

  private now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  private parse(item: Item): Finding {
    return parseItem(findingSchema, this.options.tableName, item);
  }

  async get(projectGid: string, ruleId: string): Promise<Finding | null> {
    const out = await this.options.doc.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.finding(projectGid, ruleId),
        ConsistentRead: true,
      }),
    );
    return out.Item && !isExpired(out.Item, this.now()) ? this.parse(out.Item) : null;
  }

  /** Opens a new finding; if one exists for the project and rule, VersionConflictError. */
  async open(candidate: FindingCandidate): Promise<Finding> {
    const at = this.now().toISOString();
    const finding = findingSchema.parse({
      ...candidate,
      status: "open",
      createdAt: at,
      updatedAt: at,
      occurrences: 1,
      version: 1,
    });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...keys.finding(finding.projectGid, finding.ruleId), ...finding },
          // An expired item the engine has not deleted yet counts as absent.
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt <= :now",
          ExpressionAttributeValues: { ":now": epochSeconds(this.now()) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new VersionConflictError(`finding ${finding.ruleId} of ${finding.projectGid}`, error);
      throw error;
    }
    await this.written(finding);
    return finding;
  }

  /**
   * A rule's candidate: opens the finding if there is none, otherwise records the new severity
   * and numbers on the existing one (status untouched; reopening is `reopen`).
   */
  async upsertCandidate(candidate: FindingCandidate): Promise<{ finding: Finding; opened: boolean }> {
    const current = await this.get(candidate.projectGid, candidate.ruleId);
    if (current === null) return { finding: await this.open(candidate), opened: true };
    const finding = await this.update(
      { projectGid: current.projectGid, ruleId: current.ruleId, expectedVersion: current.version },
      { severity: candidate.severity, details: candidate.details },
      ACTIVE_FINDING_STATUSES,
    );
    return { finding, opened: false };
  }

  /** The findings of these project-and-rule pairs that exist (absent ones are left out), 100 a call. */
  async getMany(findingKeys: readonly { projectGid: string; ruleId: string }[]): Promise<Finding[]> {
    const unique = new Map(findingKeys.map((k) => [`${k.projectGid}#${k.ruleId}`, k]));
    const now = this.now();
    const items = await batchGet(
      this.options.doc,
      this.options.tableName,
      [...unique.values()].map((k) => keys.finding(k.projectGid, k.ruleId)),
      this.options.sleep ?? realSleep,
    );
    return items.filter((item) => !isExpired(item, now)).map((item) => this.parse(item));
  }

  async listForProject(projectGid: string): Promise<Finding[]> {
    const now = this.now();
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :finding)",
        ExpressionAttributeValues: { ":pk": projectPk(projectGid), ":finding": "FINDING#" },
      },
      (item) => !isExpired(item, now),
    );
    return items.map((item) => this.parse(item));
  }

  /** Findings in one status, newest first (StatusIndex). */
  async listByStatus(status: FindingStatus, limit?: number): Promise<Finding[]> {
    return this.listByIndex("StatusIndex", "status", status, limit);
  }

  /** Everything still asking for attention: open, acknowledged and snoozed. */
  async listOpen(): Promise<Finding[]> {
    const lists = await Promise.all(ACTIVE_FINDING_STATUSES.map((status) => this.listByStatus(status)));
    return lists.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Findings of one severity, newest first (SeverityIndex); `activeOnly` leaves out resolved ones. */
  async listBySeverity(
    severity: Severity,
    options: { activeOnly?: boolean; limit?: number } = {},
  ): Promise<Finding[]> {
    const all = await this.listByIndex("SeverityIndex", "severity", severity, undefined);
    const kept = options.activeOnly ? all.filter((f) => f.status !== "resolved") : all;
    return options.limit === undefined ? kept : kept.slice(0, options.limit);
  }

  private async listByIndex(
    indexName: string,
    attribute: string,
    value: string,
    limit: number | undefined,
  ): Promise<Finding[]> {
    const now = this.now();
    const items = await queryAll(
      this.options.doc,
      {
        TableName: this.options.tableName,
        IndexName: indexName,
        KeyConditionExpression: "#key = :value",
        ExpressionAttributeNames: { "#key": attribute },
        ExpressionAttributeValues: { ":value": value },
        ScanIndexForward: false,
      },
      (item) => !isExpired(item, now),
      limit,
    );
    return items.map((item) => this.parse(item));
  }

  async acknowledge(ref: FindingRef, by: { userId: string; comment: string }): Promise<Finding> {
    const at = this.now().toISOString();
    return this.update(
      ref,
      { status: "acknowledged", acknowledgedAt: at, acknowledgedBy: by.userId, ackComment: by.comment },
      ["open", "snoozed"],
    );
  }

  /**
   * `by` is the Slack user who resolved it, or "auto" when its rule stopped firing; `details`,
   * when given, replace the finding's (the engine notes there why it resolved).
   */
  async resolve(
    ref: FindingRef,
    by: string | "auto",
    options: { details?: FindingDetails } = {},
  ): Promise<Finding> {
    const now = this.now();
    return this.update(
      ref,
      {
        status: "resolved",
        resolvedAt: now.toISOString(),
        resolvedBy: by === "auto" ? null : by,
        resolution: by === "auto" ? "auto" : "manual",
        snoozedUntil: null,
        ...(options.details === undefined ? {} : { details: options.details }),
      },
      ACTIVE_FINDING_STATUSES,
      { expiresAt: epochSeconds(addDays(now, this.options.retentionDays)) },
    );
  }

  async snooze(ref: FindingRef, until: Date, by: string): Promise<Finding> {
    return this.update(ref, { status: "snoozed", snoozedUntil: until.toISOString(), snoozedBy: by }, [
      "open",
      "acknowledged",
      "snoozed",
    ]);
  }

  /** A resolved finding whose rule fires again: the same item opens once more and counts it. */
  async reopen(ref: FindingRef, candidate: Pick<FindingCandidate, "severity" | "details">): Promise<Finding> {
    const current = await this.get(ref.projectGid, ref.ruleId);
    if (current === null)
      throw new StoreError("not_found", `finding ${ref.ruleId} of ${ref.projectGid} does not exist`);
    return this.update(
      ref,
      {
        status: "open",
        severity: candidate.severity,
        details: candidate.details,
        occurrences: current.occurrences + 1,
        acknowledgedAt: null,
        acknowledgedBy: null,
        ackComment: null,
        snoozedUntil: null,
        snoozedBy: null,
        resolvedAt: null,
        resolvedBy: null,
        resolution: null,
        alert: null,
      },
      ["resolved"],
      undefined,
      ["expiresAt"],
    );
  }

  /** Records where the finding's alert was posted and at which severity. */
  async recordAlert(ref: FindingRef, alert: FindingAlert | null): Promise<Finding> {
    return this.update(ref, { alert }, ["open", "acknowledged", "snoozed", "resolved"]);
  }

  /** Any other change to a finding, conditional on the version and, optionally, on its status. */
  async update(
    ref: FindingRef,
    changes: Changes,
    allowedFrom: readonly FindingStatus[] = ["open", "acknowledged", "snoozed", "resolved"],
    storageValues: Item = {},
    remove: readonly string[] = [],
  ): Promise<Finding> {
    const set = setExpression(
      { ...changes, ...storageValues, updatedAt: this.now().toISOString(), version: ref.expectedVersion + 1 },
      remove,
    );
    const statusValues = allowedFrom.map((_, i) => `:from${i}`);
    const values: Item = { ...set.ExpressionAttributeValues, ":expected": ref.expectedVersion };
    allowedFrom.forEach((status, i) => {
      values[`:from${i}`] = status;
    });
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.finding(ref.projectGid, ref.ruleId),
          UpdateExpression: set.UpdateExpression,
          ConditionExpression: `attribute_exists(pk) AND #version = :expected AND #status IN (${statusValues.join(", ")})`,
          ExpressionAttributeNames: {
            ...set.ExpressionAttributeNames,
            "#version": "version",
            "#status": "status",
          },
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      if (!out.Attributes)
        throw new StoreError("not_found", `finding ${ref.ruleId} of ${ref.projectGid} does not exist`);
      const finding = this.parse(out.Attributes);
      await this.written(finding);
      return finding;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw await this.explainRejection(ref, allowedFrom, error);
    }
  }

  private async explainRejection(
    ref: FindingRef,
    allowedFrom: readonly FindingStatus[],
    cause: unknown,
  ): Promise<StoreError> {
    const current = await this.get(ref.projectGid, ref.ruleId);
    const what = `finding ${ref.ruleId} of ${ref.projectGid}`;
    if (current === null) return new StoreError("not_found", `${what} does not exist`, { cause });
    if (current.version !== ref.expectedVersion) return new VersionConflictError(what, cause);
    return new StoreError(
      "invalid_transition",
      `${what} is ${current.status}; this change applies only to ${allowedFrom.join(", ")}`,
      { cause },
    );
  }
}
