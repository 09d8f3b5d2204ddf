/**
 * The single definition of every DynamoDB table: name pattern, keys, indexes, TTL attribute.
 * Creation, verification, the CloudFormation template, the IAM policy and the repositories'
 * key builders all read it from here.
 */

export type TableName =
  | "projects"
  | "changelog"
  | "findings"
  | "sync-log"
  | "users"
  | "updates"
  | "conversations"
  | "meta";

export type KeyAttribute = { name: string; type: "S" | "N" };

export type IndexSpec = {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
};

export type TableSpec = {
  name: TableName;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  indexes: readonly IndexSpec[];
  ttlAttribute?: string;
};

const pk: KeyAttribute = { name: "pk", type: "S" };
const sk: KeyAttribute = { name: "sk", type: "S" };
const s = (name: string): KeyAttribute => ({ name, type: "S" });

export const TABLES = {
  projects: {
    name: "projects",
    partitionKey: pk,
    sortKey: sk,
    // DESIGN.md gives ResponsableIndex and BusinessVerticalIndex the sort key pmoId; an item
    // without that attribute is left out of the index, so a project missing its PMO ID would
    // vanish from "mis proyectos" (the very project its owner must fix). Partition-only indexes
    // keep every project; the repository orders the few items per owner or vertical by PMO ID.
    indexes: [
      { name: "ResponsableIndex", partitionKey: s("responsableKey") },
      { name: "PmoIdIndex", partitionKey: s("pmoId") },
      { name: "BusinessVerticalIndex", partitionKey: s("businessVertical") },
    ],
  },
  changelog: { name: "changelog", partitionKey: pk, sortKey: sk, indexes: [], ttlAttribute: "expiresAt" },
  findings: {
    name: "findings",
    partitionKey: pk,
    sortKey: sk,
    indexes: [
      { name: "StatusIndex", partitionKey: s("status"), sortKey: s("createdAt") },
      { name: "SeverityIndex", partitionKey: s("severity"), sortKey: s("createdAt") },
    ],
    ttlAttribute: "expiresAt",
  },
  "sync-log": {
    name: "sync-log",
    partitionKey: pk,
    sortKey: sk,
    indexes: [{ name: "RecentIndex", partitionKey: s("entity"), sortKey: s("startedAt") }],
    ttlAttribute: "expiresAt",
  },
  users: {
    name: "users",
    partitionKey: pk,
    sortKey: sk,
    indexes: [{ name: "AsanaUserIndex", partitionKey: s("asanaUserGid") }],
  },
  updates: {
    name: "updates",
    partitionKey: pk,
    sortKey: sk,
    indexes: [{ name: "AuthorIndex", partitionKey: s("slackUserId"), sortKey: s("submittedAt") }],
  },
  conversations: {
    name: "conversations",
    partitionKey: pk,
    sortKey: sk,
    indexes: [],
    ttlAttribute: "expiresAt",
  },
  meta: {
    name: "meta",
    partitionKey: pk,
    sortKey: sk,
    // Sparse: only pending work carries `pendingQueue` (INBOUND or WRITEBACK), and loses it once
    // done, so the retry jobs read their queue oldest first without scanning leases and events.
    indexes: [{ name: "PendingIndex", partitionKey: s("pendingQueue"), sortKey: s("createdAt") }],
    ttlAttribute: "expiresAt",
  },
} as const satisfies Record<TableName, TableSpec>;

export const TABLE_SPECS: readonly TableSpec[] = Object.values(TABLES);

export type TableNaming = { tablePrefix: string; env: string };

export function physicalTableName(table: TableName, naming: TableNaming): string {
  return `${naming.tablePrefix}-${table}-${naming.env}`;
}

export type TableNames = Record<TableName, string>;

export function tableNames(naming: TableNaming): TableNames {
  const names = {} as TableNames;
  for (const spec of TABLE_SPECS) names[spec.name] = physicalTableName(spec.name, naming);
  return names;
}

/** Every attribute that some index of the table uses as a key. */
export function indexKeyAttributes(spec: TableSpec): string[] {
  const names = new Set<string>();
  for (const index of spec.indexes) {
    names.add(index.partitionKey.name);
    if (index.sortKey) names.add(index.sortKey.name);
  }
  return [...names];
}

/**
 * AWS rejects an index key written as an empty string or as NULL (dynalite accepts it), so such
 * attributes are left out of the item: the item is then simply absent from that index.
 */
export function withoutEmptyIndexKeys<T extends Record<string, unknown>>(spec: TableSpec, item: T): T {
  const out: Record<string, unknown> = { ...item };
  for (const name of indexKeyAttributes(spec)) {
    const value = out[name];
    if (value === null || value === undefined || value === "") delete out[name];
  }
  return out as T;
}

const eventKey = (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: "META" });

/** Key builders, next to the spec they belong to (DESIGN.md section 3). */
export const keys = {
  project: (gid: string) => ({ pk: `PROJECT#${gid}`, sk: "META" }),
  change: (gid: string, detectedAt: string, field: string) => ({
    pk: `PROJECT#${gid}`,
    sk: `CHANGE#${detectedAt}#${field}`,
  }),
  finding: (gid: string, ruleId: string) => ({ pk: `PROJECT#${gid}`, sk: `FINDING#${ruleId}` }),
  syncRun: (syncId: string) => ({ pk: `SYNC#${syncId}`, sk: "META" }),
  user: (slackUserId: string) => ({ pk: `USER#${slackUserId}`, sk: "PROFILE" }),
  update: (gid: string, submittedAt: string, slackUserId: string) => ({
    pk: `PROJECT#${gid}`,
    sk: `UPDATE#${submittedAt}#${slackUserId}`,
  }),
  conversation: (slackUserId: string) => ({ pk: `CONV#${slackUserId}`, sk: "STATE" }),
  lock: (name: string) => ({ pk: `LOCK#${name}`, sk: "META" }),
  event: eventKey,
  /** A scheduled run claimed by one instance: an event id, as stores written before TickClaims have it. */
  tick: (job: string, at: string) => eventKey(tickEventId(job, at)),
  cursor: (name: string) => ({ pk: `CURSOR#${name}`, sk: "META" }),
  /** A Slack delivery recorded before it is processed, until it is done (meta table). */
  inbound: (id: string) => ({ pk: `INBOUND#${id}`, sk: "META" }),
  /** A status update still to be written back to Asana (meta table). */
  writeBack: (id: string) => ({ pk: `WRITEBACK#${id}`, sk: "META" }),
  /** A counter bumped after every write to some tables (meta table); see PortfolioVersion. */
  version: (name: string) => ({ pk: `VERSION#${name}`, sk: "META" }),
  /** A one-off change to the stored items, marked once it has run (meta table). */
  migration: (name: string) => ({ pk: `MIGRATION#${name}`, sk: "META" }),
  /** Hits of one subject (a person's DMs) in one fixed window (meta table). */
  rate: (subject: string, window: number) => ({ pk: `RATE#${subject}#${window}`, sk: "META" }),
} as const;

/** The event id under which a scheduled tick is claimed (stored as the item's `eventId`). */
export function tickEventId(job: string, at: string): string {
  return `tick:${job}:${at}`;
}

export const projectPk = (gid: string): string => keys.project(gid).pk;
export const SYNC_ENTITY = "SYNC";
