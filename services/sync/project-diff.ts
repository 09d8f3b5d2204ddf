import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type ChangeEntryInput, type ChangeValue, CRITICAL_FIELDS, type Project } from "../model.ts";

/** Fields that say when and by which run a project was written, not what it is. */
const BOOKKEEPING_FIELDS = new Set<keyof Project>(["lastSyncedAt", "syncId", "version"]);

/** The critical fields that differ, as changelog entries of one sync (DESIGN.md section 3). */
export function changelogEntries(
  stored: Project,
  next: Project,
  run: { syncId: string; detectedAt: string },
): ChangeEntryInput[] {
  const entries: ChangeEntryInput[] = [];
  for (const field of CRITICAL_FIELDS) {
    const oldValue: ChangeValue = stored[field];
    const newValue: ChangeValue = next[field];
    if (oldValue !== newValue) {
      entries.push({ projectGid: next.gid, fieldName: field, oldValue, newValue, ...run, source: "asana" });
    }
  }
  if (stored.removedReason !== next.removedReason) {
    entries.push({
      projectGid: next.gid,
      fieldName: "removedReason",
      oldValue: stored.removedReason,
      newValue: next.removedReason,
      ...run,
      source: "asana",
    });
  }
  return entries;
}

/** Whether the project must be written: anything but the bookkeeping differs, raw payload included. */
export function needsWrite(stored: Project | null, next: Project): boolean {
  if (stored === null) return true;
  for (const key of Object.keys(next) as (keyof Project)[]) {
    if (BOOKKEEPING_FIELDS.has(key)) continue;
    if (!isDeepStrictEqual(stored[key], next[key])) return true;
  }
  return false;
}

/** The later of two ISO instants, either possibly missing. */
export function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * The sync's reading of Asana laid over a project a person wrote meanwhile (a status update by
 * DM): Asana's fields come from the sync, the person's stay as they wrote them.
 */
export function mergeConcurrentWrite(fresh: Project, next: Project): Project {
  return {
    ...next,
    reportedProgress: fresh.reportedProgress,
    lastStatusUpdateAt: latest(fresh.lastStatusUpdateAt, next.lastStatusUpdateAt),
    lastActivityAt: latest(fresh.lastActivityAt, next.lastActivityAt),
    version: fresh.version,
  };
}

/**
 * What Asana says of a project apart from its tasks: when it equals what the sync last wrote (or
 * found unchanged), and no task event came, the stored project needs neither reading nor writing.
 * People write only fields the sync carries over from the stored project (reportedProgress,
 * lastStatusUpdateAt as the later of both), so their writes do not make this stale.
 */
export function asanaFingerprint(mapped: Project): string {
  const { totalTasks, completedTasks, pendingTasks, progressPercent, lastActivityAt, ...asanaSide } = mapped;
  return createHash("sha1").update(JSON.stringify(asanaSide)).digest("base64url").slice(0, 16);
}
