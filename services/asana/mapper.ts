import { type Project, type ProjectStatus, projectSchema } from "../model.ts";
import { normalisePmoId } from "../pmo-id.ts";
import { type AsanaCustomField, type AsanaTaskCounts, asanaProjectSchema } from "./schemas.ts";

/**
 * Pure: an Asana project as received (PROJECT_OPT_FIELDS), its task counts and its last task
 * activity become the Asana-owned fields of a Project. Fields the store or Slack own
 * (reportedProgress, lastSyncedAt, syncId, removedAt, removedReason, version) keep their defaults
 * for the sync to fill. Names and texts are kept byte for byte; escaping for Slack happens when
 * they are rendered.
 */

export type CustomFieldNames = { pmoIdField: string; verticalField: string };

export const DEFAULT_CUSTOM_FIELD_NAMES: CustomFieldNames = {
  pmoIdField: "PMO ID",
  verticalField: "Business Vertical",
};

export type ProjectExtras = {
  /** From GET /projects/{gid}/task_counts; null or absent when they were not fetched. */
  taskCounts?: AsanaTaskCounts | null;
  /** The latest task activity seen (events or tasks modified_since), ISO date-time. */
  lastActivityAt?: string | null;
};

export type MapProjectResult =
  | { ok: true; project: Project }
  | { ok: false; gid: string | null; reason: string };

export function mapAsanaProject(
  payload: unknown,
  extras: ProjectExtras = {},
  fieldNames: CustomFieldNames = DEFAULT_CUSTOM_FIELD_NAMES,
): MapProjectResult {
  const gid = gidOf(payload);
  const parsed = asanaProjectSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, gid, reason: `unreadable Asana project: ${describeIssues(parsed.error.issues)}` };
  const asana = parsed.data;
  const counts = taskTotals(extras.taskCounts ?? null);
  const statusUpdate = asana.current_status_update ?? null;
  const candidate = {
    gid: asana.gid,
    name: asana.name,
    pmoId: normalisePmoId(customFieldValue(asana.custom_fields, fieldNames.pmoIdField)),
    businessVertical: trimmedOrNull(customFieldValue(asana.custom_fields, fieldNames.verticalField)),
    responsable: nonEmpty(asana.owner?.name),
    responsableKey: asana.owner?.gid ?? null,
    ownerEmail: nonEmpty(asana.owner?.email),
    dueOn: asana.due_on ?? null,
    startOn: asana.start_on ?? null,
    status: mapStatusType(statusUpdate?.status_type),
    statusText: nonEmpty(statusUpdate?.text) ?? nonEmpty(statusUpdate?.title),
    lastStatusUpdateAt: statusUpdate?.created_at ?? null,
    totalTasks: counts.total,
    completedTasks: counts.completed,
    pendingTasks: counts.pending,
    progressPercent: progressPercent(counts.completed, counts.total),
    lastActivityAt: extras.lastActivityAt ?? null,
    team: nonEmpty(asana.team?.name),
    permalinkUrl: nonEmpty(asana.permalink_url),
    archived: asana.archived ?? false,
    completed: asana.completed ?? false,
    raw: recordOf(payload),
  };
  const project = projectSchema.safeParse(candidate);
  if (!project.success)
    return { ok: false, gid, reason: `unreadable Asana project: ${describeIssues(project.error.issues)}` };
  return { ok: true, project: project.data };
}

/**
 * Asana's status types onto PMO Pulse's. Projects use the first six; achieved, partial and missed
 * belong to goals and are mapped for completeness: achieved -> complete, partial -> at_risk,
 * missed -> off_track; dropped (a project stopped on purpose) -> on_hold. Anything else -> none.
 */
const STATUS_BY_TYPE: Readonly<Record<string, ProjectStatus>> = {
  on_track: "on_track",
  at_risk: "at_risk",
  off_track: "off_track",
  on_hold: "on_hold",
  complete: "complete",
  achieved: "complete",
  partial: "at_risk",
  missed: "off_track",
  dropped: "on_hold",
};

export function mapStatusType(statusType: string | null | undefined): ProjectStatus {
  if (statusType === null || statusType === undefined) return "none";
  return Object.hasOwn(STATUS_BY_TYPE, statusType) ? (STATUS_BY_TYPE[statusType] ?? "none") : "none";
}

/** Lower case, accents removed (NFD, combining marks dropped), spaces collapsed. */
export function fieldNameKey(name: string): string {
  return name.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** The display_value of the first custom field with that name (case and accents ignored) that has one. */
export function customFieldValue(
  fields: readonly AsanaCustomField[] | undefined,
  name: string,
): string | null {
  const key = fieldNameKey(name);
  for (const field of fields ?? []) {
    if (field.name === undefined || fieldNameKey(field.name) !== key) continue;
    const value = trimmedOrNull(field.display_value);
    if (value !== null) return value;
  }
  return null;
}

export function progressPercent(completed: number | null, total: number | null): number | null {
  if (completed === null || total === null || total <= 0) return null;
  return Math.min(100, Math.max(0, Math.round((completed / total) * 100)));
}

type TaskTotals = { total: number | null; completed: number | null; pending: number | null };

/** Fills in the one count Asana left out when the other two give it. */
export function taskTotals(counts: AsanaTaskCounts | null): TaskTotals {
  const total = counts?.num_tasks ?? null;
  let completed = counts?.num_completed_tasks ?? null;
  let pending = counts?.num_incomplete_tasks ?? null;
  if (total !== null && completed === null && pending !== null) completed = Math.max(0, total - pending);
  if (total !== null && pending === null && completed !== null) pending = Math.max(0, total - completed);
  return { total, completed, pending };
}

function trimmedOrNull(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

/** Kept as given (not trimmed) unless empty. */
function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value.trim() === "" ? null : value;
}

function gidOf(payload: unknown): string | null {
  if (typeof payload !== "object" || payload === null || !("gid" in payload)) return null;
  return typeof payload.gid === "string" && payload.gid !== "" ? payload.gid : null;
}

function recordOf(payload: unknown): Record<string, unknown> {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return {};
  return Object.fromEntries(Object.entries(payload));
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.map(String).join(".")}: ${issue.message}`,
    )
    .join("; ");
}
