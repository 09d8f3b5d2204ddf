import { z } from "zod";

/**
 * Domain types (DESIGN.md section 3). Each is a zod schema first, so data coming back from the
 * store or from outside is parsed into the type, never cast.
 */

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().default(null);

/** What time it is: passed in, so the core never reads the wall clock itself. */
export type Clock = () => Date;

export const PROJECT_STATUSES = ["on_track", "at_risk", "off_track", "on_hold", "complete", "none"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const REMOVAL_REASONS = ["archived", "completed", "deleted", "no_access", "out_of_scope"] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export const projectSchema = z.object({
  gid: z.string().min(1),
  name: z.string(),
  pmoId: nullable(z.string()),
  responsable: nullable(z.string()),
  responsableKey: nullable(z.string()),
  ownerEmail: nullable(z.string()),
  dueOn: nullable(isoDate),
  startOn: nullable(isoDate),
  status: z.enum(PROJECT_STATUSES).default("none"),
  statusText: nullable(z.string()),
  lastStatusUpdateAt: nullable(isoDateTime),
  progressPercent: nullable(z.number().int().min(0).max(100)),
  totalTasks: nullable(z.number().int().min(0)),
  completedTasks: nullable(z.number().int().min(0)),
  pendingTasks: nullable(z.number().int().min(0)),
  reportedProgress: nullable(z.number().int().min(0).max(100)),
  lastActivityAt: nullable(isoDateTime),
  businessVertical: nullable(z.string()),
  team: nullable(z.string()),
  permalinkUrl: nullable(z.string()),
  archived: z.boolean().default(false),
  completed: z.boolean().default(false),
  /** Set when the project left the sync's scope; its history stays. */
  removedAt: nullable(isoDateTime),
  removedReason: nullable(z.enum(REMOVAL_REASONS)),
  /** Set when the last sync could not read this project completely; rules never auto-resolve on it. */
  stale: z.boolean().default(false),
  staleReason: nullable(z.string()),
  raw: z.record(z.string(), z.unknown()).default({}),
  lastSyncedAt: nullable(isoDateTime),
  syncId: nullable(z.string()),
  version: z.number().int().min(0).default(0),
});
export type Project = z.output<typeof projectSchema>;
export type ProjectInput = z.input<typeof projectSchema>;

/** The fields compared at every sync; a difference is one changelog entry. */
export const CRITICAL_FIELDS = [
  "status",
  "responsable",
  "dueOn",
  "progressPercent",
  "totalTasks",
  "pendingTasks",
  "pmoId",
  "businessVertical",
  "name",
] as const satisfies readonly (keyof Project)[];

export const changeValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ChangeValue = z.output<typeof changeValueSchema>;

export const CHANGE_SOURCES = ["asana", "slack", "rules"] as const;

export const changeEntrySchema = z.object({
  projectGid: z.string().min(1),
  fieldName: z.string().min(1),
  oldValue: changeValueSchema,
  newValue: changeValueSchema,
  syncId: nullable(z.string()),
  detectedAt: isoDateTime,
  source: z.enum(CHANGE_SOURCES),
  /** Who made it, where a person did (Slack user ID). */
  actor: nullable(z.string()),
});
export type ChangeEntry = z.output<typeof changeEntrySchema>;
export type ChangeEntryInput = z.input<typeof changeEntrySchema>;

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const FINDING_STATUSES = ["open", "acknowledged", "snoozed", "resolved"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];
/** Findings that still ask for attention. */
export const ACTIVE_FINDING_STATUSES = [
  "open",
  "acknowledged",
  "snoozed",
] as const satisfies readonly FindingStatus[];

export const findingDetailsSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]),
);
export type FindingDetails = z.output<typeof findingDetailsSchema>;

export const findingAlertSchema = z.object({
  channel: z.string(),
  ts: z.string(),
  severity: z.enum(SEVERITIES),
  /** Our clock when the alert was decided (Slack's ts is Slack's clock); absent on older items. */
  at: isoDateTime.optional(),
  /** The message says the project is without access (absent = it does not). */
  shownWithoutAccess: z.boolean().optional(),
});
export type FindingAlert = z.output<typeof findingAlertSchema>;

/**
 * Written before a message about the finding is posted, cleared when its ts is recorded: an intent
 * still present on a later run means the post's outcome is unknown, and the channel's history
 * (message metadata carrying `messageKey`) tells whether it went out.
 */
export const findingAlertIntentSchema = z.object({
  kind: z.enum(["single", "digest"]),
  channel: z.string(),
  severity: z.enum(SEVERITIES),
  at: isoDateTime,
  messageKey: z.string().min(1),
  /** The finding's `occurrences` when it was written: a reopened finding ignores older intents. */
  occurrence: z.number().int().min(1),
});
export type FindingAlertIntent = z.output<typeof findingAlertIntentSchema>;

/** The digest message a medium or low finding (or a high one past the per-run cap) went into. */
export const findingDigestRefSchema = z.object({
  channel: z.string(),
  ts: z.string(),
  severity: z.enum(SEVERITIES),
  /** Our clock when the digest was decided. */
  at: isoDateTime,
  /** The finding's `occurrences` when it was posted: a reopened finding is posted again. */
  occurrence: z.number().int().min(1),
  /** The message says the project is without access (absent = it does not). */
  shownWithoutAccess: z.boolean().optional(),
});
export type FindingDigestRef = z.output<typeof findingDigestRefSchema>;

export const findingSchema = z.object({
  projectGid: z.string().min(1),
  ruleId: z.string().min(1),
  severity: z.enum(SEVERITIES),
  status: z.enum(FINDING_STATUSES),
  details: findingDetailsSchema.default({}),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  acknowledgedAt: nullable(isoDateTime),
  acknowledgedBy: nullable(z.string()),
  ackComment: nullable(z.string()),
  snoozedUntil: nullable(isoDateTime),
  snoozedBy: nullable(z.string()),
  resolvedAt: nullable(isoDateTime),
  resolvedBy: nullable(z.string()),
  resolution: nullable(z.enum(["auto", "manual"])),
  alert: nullable(findingAlertSchema),
  // The alert job's bookkeeping. Optional (absent = null) so items and fixtures written before
  // these fields existed still parse and type-check.
  alertIntent: findingAlertIntentSchema.nullable().optional(),
  digest: findingDigestRefSchema.nullable().optional(),
  /** When the alert job last updated the finding's messages to show its resolution. */
  alertClosedAt: isoDateTime.nullable().optional(),
  occurrences: z.number().int().min(1).default(1),
  version: z.number().int().min(1),
});
export type Finding = z.output<typeof findingSchema>;

export type FindingCandidate = {
  projectGid: string;
  ruleId: string;
  severity: Severity;
  details: FindingDetails;
};

export const SYNC_KINDS = ["full", "partial"] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];
export const SYNC_STATUSES = ["running", "completed", "failed", "abandoned"] as const;

export const syncStatsSchema = z.object({
  projectsSynced: z.number().int().min(0).default(0),
  changesDetected: z.number().int().min(0).default(0),
  findingsOpened: z.number().int().min(0).default(0),
  findingsResolved: z.number().int().min(0).default(0),
  asanaCalls: z.number().int().min(0).default(0),
  throttled: z.number().int().min(0).default(0),
  staleProjects: z.number().int().min(0).default(0),
  durationMs: z.number().int().min(0).default(0),
});
export type SyncStats = z.output<typeof syncStatsSchema>;

export const syncRunSchema = syncStatsSchema.extend({
  syncId: z.string().min(1),
  kind: z.enum(SYNC_KINDS),
  status: z.enum(SYNC_STATUSES),
  startedAt: isoDateTime,
  completedAt: nullable(isoDateTime),
  errorMessage: nullable(z.string()),
  /** Which process ran it (host:pid), so an abandoned run can be told apart. */
  owner: nullable(z.string()),
  /** What a completed run held back and why (a mass removal left unapplied), for the operator. */
  warning: nullable(z.string()),
});
export type SyncRun = z.output<typeof syncRunSchema>;

export const LOCALES = ["es", "en"] as const;
export type Locale = (typeof LOCALES)[number];

/** The person's Slack team and guest flags (users.info `team_id`, `is_restricted`, `is_ultra_restricted`). */
export const membershipSchema = z.object({
  teamId: nullable(z.string()),
  restricted: z.boolean(),
  ultraRestricted: z.boolean(),
});
export type Membership = z.output<typeof membershipSchema>;

export const userProfileSchema = z.object({
  slackUserId: z.string().min(1),
  email: nullable(z.string()),
  name: nullable(z.string()),
  asanaUserGid: nullable(z.string()),
  locale: nullable(z.enum(LOCALES)),
  refreshedAt: isoDateTime,
  /** Who the person is to the workspace (users.info); absent on profiles cached before it was kept. */
  membership: membershipSchema.optional(),
});
export type UserProfile = z.output<typeof userProfileSchema>;
export type UserProfileInput = z.input<typeof userProfileSchema>;

export const HEALTHS = ["on_track", "at_risk", "off_track", "on_hold"] as const;
export type Health = (typeof HEALTHS)[number];

export const parsedUpdateSchema = z.object({
  progress: nullable(z.number().int().min(0).max(100)),
  health: nullable(z.enum(HEALTHS)),
  risks: z.array(z.string()).default([]),
  blockers: z.array(z.string()).default([]),
  nextSteps: z.array(z.string()).default([]),
  eta: nullable(isoDate),
});
export type ParsedUpdate = z.output<typeof parsedUpdateSchema>;

/** What the interpreter read from a DM: the project it settled on (null: none, or several) and the facts. */
export const interpretedUpdateSchema = parsedUpdateSchema.extend({ projectGid: nullable(z.string()) });
export type InterpretedUpdate = z.output<typeof interpretedUpdateSchema>;

export const statusUpdateSchema = z.object({
  projectGid: z.string().min(1),
  slackUserId: z.string().min(1),
  submittedAt: isoDateTime,
  /** As written, byte for byte. */
  text: z.string(),
  parsed: parsedUpdateSchema,
  asanaStatusUpdateGid: nullable(z.string()),
  slackEventId: nullable(z.string()),
  /**
   * The interpreter's reading of the DM, beside `parsed`, what the writer confirmed (after Editar,
   * if they edited); null for an update written in the form alone, and on updates stored before it.
   */
  interpreted: nullable(interpretedUpdateSchema),
});
export type StatusUpdate = z.output<typeof statusUpdateSchema>;
export type StatusUpdateInput = z.input<typeof statusUpdateSchema>;

export const conversationSchema = z.object({
  slackUserId: z.string().min(1),
  state: z.string().min(1),
  data: z.record(z.string(), z.unknown()).default({}),
  updatedAt: isoDateTime,
  /** Epoch seconds, as DynamoDB TTL wants. */
  expiresAt: z.number().int(),
  version: z.number().int().min(1),
});
export type Conversation = z.output<typeof conversationSchema>;

export const leaseSchema = z.object({
  name: z.string().min(1),
  owner: z.string().min(1),
  acquiredAt: isoDateTime,
  /** Epoch milliseconds; DynamoDB's own TTL attribute (seconds) sits beside it. */
  expiresAtMs: z.number().int(),
});
export type Lease = z.output<typeof leaseSchema>;

const SEVERITY_RANK: { readonly [S in Severity]: number } = { high: 3, medium: 2, low: 1 };

/** high = 3, medium = 2, low = 1: a higher number asks for more attention. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

/** A sort comparator: the higher severity first. */
export function bySeverityDescending(a: Severity, b: Severity): number {
  return SEVERITY_RANK[b] - SEVERITY_RANK[a];
}

/** What one evaluation of the rules does to one finding (services/rules/engine.ts). */
export type TransitionKind =
  | "open"
  | "reopen"
  | "escalate"
  | "deescalate"
  | "refresh"
  | "wake"
  | "resolve"
  | "unchanged"
  | "kept_on_stale_data"
  | "kept_without_access";

export type TransitionCounts = {
  opened: number;
  reopened: number;
  escalated: number;
  deescalated: number;
  refreshed: number;
  woken: number;
  resolved: number;
  unchanged: number;
  /** Findings whose rule stopped firing but that stay, because the project's data is stale. */
  keptOnStaleData: number;
  /** Active findings of a project Asana refuses to show (403): kept open, neither resolved nor alerted. */
  keptWithoutAccess: number;
  /** Findings skipped because someone else kept changing them while the engine wrote. */
  conflicts: number;
};

/** A finding the PMO channel must hear about (again) after an evaluation. */
export type AlertNeeded = { projectGid: string; ruleId: string; kind: TransitionKind; severity: Severity };

/** One evaluation of the rules: of the whole portfolio (the job) or of a few projects (a DM update). */
export type RulesSummary = {
  status: "completed" | "skipped" | "failed";
  /** Why it was skipped or failed. */
  reason: string | null;
  syncId: string | null;
  counts: TransitionCounts;
  evaluatedProjects: number;
  durationMs: number;
  /** Findings opened, reopened, escalated or woken by this run: what the PMO channel must hear. */
  alerts: AlertNeeded[];
};

// ---- What the jobs report (what `/pmo sync`, `/pmo estado`, the CLI and the web show) -----------

/** One Asana sync. */
export type SyncSummary = {
  status: "completed" | "failed" | "skipped";
  kind: SyncKind;
  syncId: string | null;
  /** Why it was skipped or failed. */
  reason: string | null;
  stats: SyncStats & {
    projectsWritten: number;
    projectsRemoved: number;
    listingRestarts: number;
    abandonedRuns: number;
  };
  /** Set when the run held back a mass removal (left the listing, 403, 404) instead of marking it. */
  heldRemovals?: MassRemovalNotice;
};

export type AlertCounts = {
  /** Single messages posted (high findings). */
  posted: number;
  /** Digest messages posted (each part counts). */
  digests: number;
  /** Messages updated in place to show a resolution. */
  updated: number;
  /** Posts whose answer had been lost, found in the channel and recorded instead of posted again. */
  reconciled: number;
  /** Active findings left alone: already alerted, acknowledged or snoozed. */
  skipped: number;
  /** Posts or updates that failed (retried on the next run where that is safe). */
  failed: number;
};

/** One run of the alerts to the PMO channel. */
export type PushAlertsSummary = {
  status: "completed" | "skipped" | "failed";
  reason: string | null;
  /** True when this run opened with the first-run summary. */
  openingSummary: boolean;
  counts: AlertCounts;
  durationMs: number;
};

/** sync -> rules. */
export type PipelineSummary = {
  /** The sync's summary, its findingsOpened / findingsResolved filled in from the rules. */
  sync: SyncSummary;
  /** Null when the sync did not complete (skipped or failed): the rules did not run. */
  rules: RulesSummary | null;
};

/** sync -> rules -> alerts. */
export type FullPipelineSummary = PipelineSummary & {
  /** Null when the rules did not complete: nothing new to say. */
  alerts: PushAlertsSummary | null;
};

/**
 * A sync that would have marked too many active projects removed at once marked none of them:
 * what it saw, for the PMO channel notice and the sync log.
 */
export type MassRemovalNotice = {
  syncId: string;
  kind: SyncKind;
  /** Projects that would have been marked removed. */
  count: number;
  activeProjects: number;
  /** The most one sync marks removed without an admin's confirmation. */
  limit: number;
  /** The first few, with their reason. */
  samples: { gid: string; name: string; pmoId: string | null; reason: RemovalReason }[];
};
