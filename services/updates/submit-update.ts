import { z } from "zod";
import type { AsanaClient } from "../asana/client.ts";
import { PmoError, VersionConflictError } from "../errors.ts";
import type { Locale } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import type { Clock } from "../model.ts";
import {
  ACTIVE_FINDING_STATUSES,
  type ChangeEntryInput,
  type InterpretedUpdate,
  type ParsedUpdate,
  type Project,
  type RulesSummary,
  type StatusUpdate,
} from "../model.ts";
import type { RulesService } from "../rules/rules-service.ts";
import { updateAlertMessage } from "../slack/blocks/update-alert.ts";
import type { Notifier } from "../slack/notifier.ts";
import type { PendingWork } from "../store/meta/pending-queue.ts";
import type { Repositories } from "../store/repositories.ts";
import { asanaStatusUpdateFor } from "./asana-status-update.ts";
import { reportsRisk } from "./risk.ts";

/**
 * Saving a confirmed status update (DESIGN.md section 6), every step safe to run again: a retry
 * after a failure half-way finds what was already done and does only the rest.
 *
 *   1. the update is stored (the same author, project and instant is stored once);
 *   2. the project's lastStatusUpdateAt and reportedProgress are set, with changelog entries
 *      (source `slack`), conditional on the project's version (reread and retried once);
 *   3. the project's rules are evaluated at once, so its no_status_update finding resolves (no
 *      lease: it does not wait for a whole-portfolio evaluation under way);
 *   4. with ASANA_WRITE_BACK on, it is posted to Asana as a status update; a failure leaves a
 *      pending write-back in the meta table, retried by retryPendingWriteBacks();
 *   5. an update reporting a risk, a blocker or a bad health is posted to the PMO channel.
 *
 * Steps 1 and 2 must succeed (they throw); 3 to 5 report how they went.
 */

export type SubmitUpdateSettings = {
  writeBack: boolean;
  timezone: string;
  /** The PMO's language: the channel alert and the Asana text are in it. */
  locale: Locale;
};

export type SubmitUpdateDeps = {
  repos: Repositories;
  notifier: Notifier;
  asana: Pick<AsanaClient, "createStatusUpdate"> | null;
  rules: Pick<RulesService, "evaluateProjects">;
  settings: SubmitUpdateSettings;
  clock: Clock;
  logger: Logger;
  /** This process (host:pid:random): the owner of the write-back claims. */
  owner: string;
};

export type UpdateSubmission = {
  projectGid: string;
  slackUserId: string;
  /** Fixed when the writer confirmed, so every retry names the same update. */
  submittedAt: string;
  text: string;
  parsed: ParsedUpdate;
  /** What the interpreter read, kept beside `parsed` (null: nothing was read, a form alone). */
  interpreted?: InterpretedUpdate | null;
  slackEventId: string | null;
};

export type WriteBackOutcome = "off" | "written" | "already_written" | "pending";
export type AlertOutcome = "none" | "posted" | "already_posted" | "failed";

export type SubmitOutcome = {
  update: StatusUpdate;
  /** False when an earlier attempt had stored it already. */
  added: boolean;
  project: Project;
  rules: RulesSummary["status"];
  writeBack: WriteBackOutcome;
  alert: AlertOutcome;
};

export type SubmitErrorCode = "project_not_found";
export class SubmitUpdateError extends PmoError<SubmitErrorCode> {}

/** The key of an update in the meta table's pending write-backs and alert records. */
export function updateKey(update: Pick<StatusUpdate, "projectGid" | "submittedAt" | "slackUserId">): string {
  return `${update.projectGid}#${update.submittedAt}#${update.slackUserId}`;
}

const alertEventId = (key: string) => `update-alert:${key}`;

export async function submitUpdate(
  deps: SubmitUpdateDeps,
  submission: UpdateSubmission,
): Promise<SubmitOutcome> {
  const { update, added } = await storeUpdate(deps, submission);
  const project = await applyToProject(deps, update);
  const rules = await evaluateProject(deps, project.gid);
  const writeBack = await writeBackOnce(deps, update);
  const alert = await alertPmo(deps, update, project, !added);
  deps.logger.info(
    { projectGid: project.gid, added, rules, writeBack, alert, slackEventId: update.slackEventId },
    "status update saved",
  );
  return { update, added, project, rules, writeBack, alert };
}

async function storeUpdate(
  deps: SubmitUpdateDeps,
  submission: UpdateSubmission,
): Promise<{ update: StatusUpdate; added: boolean }> {
  const result = await deps.repos.updates.add({ ...submission, asanaStatusUpdateGid: null });
  if (result.added) return result;
  // Stored by an earlier attempt: what it holds (its Asana gid, say) is the truth.
  const stored = await deps.repos.updates.get(submission);
  return { update: stored ?? result.update, added: false };
}

const later = (a: string | null, b: string): string => (a !== null && Date.parse(a) >= Date.parse(b) ? a : b);

async function applyToProject(deps: SubmitUpdateDeps, update: StatusUpdate): Promise<Project> {
  for (let attempt = 0; ; attempt++) {
    const project = await deps.repos.projects.get(update.projectGid);
    if (project === null)
      throw new SubmitUpdateError("project_not_found", `project ${update.projectGid} is not stored`);
    const lastStatusUpdateAt = later(project.lastStatusUpdateAt, update.submittedAt);
    const reportedProgress = update.parsed.progress ?? project.reportedProgress;
    if (lastStatusUpdateAt === project.lastStatusUpdateAt && reportedProgress === project.reportedProgress)
      return project;
    const entry = (fieldName: string, oldValue: string | number | null, newValue: string | number | null) =>
      ({
        projectGid: project.gid,
        fieldName,
        oldValue,
        newValue,
        syncId: null,
        detectedAt: update.submittedAt,
        source: "slack",
        actor: update.slackUserId,
      }) satisfies ChangeEntryInput;
    const entries: ChangeEntryInput[] = [];
    if (lastStatusUpdateAt !== project.lastStatusUpdateAt)
      entries.push(entry("lastStatusUpdateAt", project.lastStatusUpdateAt, lastStatusUpdateAt));
    if (reportedProgress !== project.reportedProgress)
      entries.push(entry("reportedProgress", project.reportedProgress, reportedProgress));
    // The entries' keys are (project, instant, field): written first, a retry finds them there.
    await deps.repos.changelog.append(entries);
    try {
      return await deps.repos.projects.upsert(
        { ...project, lastStatusUpdateAt, reportedProgress },
        project.version,
      );
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= 1) throw error;
    }
  }
}

async function evaluateProject(deps: SubmitUpdateDeps, projectGid: string): Promise<RulesSummary["status"]> {
  try {
    return (await deps.rules.evaluateProjects([projectGid])).status;
  } catch (error) {
    // The update is saved; the next scheduled evaluation catches up.
    deps.logger.warn({ err: error, projectGid }, "rules could not be evaluated after a status update");
    return "failed";
  }
}

// ---- Asana ------------------------------------------------------------------------------------

export const writeBackPayloadSchema = z.object({
  projectGid: z.string().min(1),
  submittedAt: z.string().min(1),
  slackUserId: z.string().min(1),
});

async function writeBackOnce(deps: SubmitUpdateDeps, update: StatusUpdate): Promise<WriteBackOutcome> {
  if (!deps.settings.writeBack || deps.asana === null) return "off";
  if (update.asanaStatusUpdateGid !== null) return "already_written";
  const id = updateKey(update);
  const payload = {
    projectGid: update.projectGid,
    submittedAt: update.submittedAt,
    slackUserId: update.slackUserId,
  };
  // Recorded before the post: if this process dies in between, the retry job still knows.
  const recorded = await deps.repos.meta.writeBacks.record(id, payload, { owner: deps.owner });
  if (recorded === "seen" && (await deps.repos.meta.writeBacks.claim(id, deps.owner)) === null) {
    const pending = await deps.repos.meta.writeBacks.get(id);
    return pending === null ? "already_written" : "pending";
  }
  return (await postToAsana(deps, id, update)) ? "written" : "pending";
}

/** Posts the update to Asana under a claim this process holds; false (and released) on failure. */
async function postToAsana(deps: SubmitUpdateDeps, id: string, update: StatusUpdate): Promise<boolean> {
  const { asana } = deps;
  if (asana === null) return false;
  try {
    const reporter = (await deps.repos.users.get(update.slackUserId))?.name ?? null;
    const created = await asana.createStatusUpdate(
      update.projectGid,
      asanaStatusUpdateFor(update, {
        locale: deps.settings.locale,
        timeZone: deps.settings.timezone,
        reporter,
      }),
    );
    await deps.repos.updates.setAsanaStatusUpdateGid(update, created.gid);
    await deps.repos.meta.writeBacks.markDone(id);
    return true;
  } catch (error) {
    const errorCode = error instanceof PmoError ? error.code : "unexpected";
    deps.logger.warn(
      { err: error, projectGid: update.projectGid },
      "status update not written back to Asana yet",
    );
    await deps.repos.meta.writeBacks
      .release(id, deps.owner, { errorCode, failureNotified: true })
      .catch((releaseError: unknown) =>
        deps.logger.warn(
          { err: releaseError },
          "could not release a pending write-back; its claim will lapse",
        ),
      );
    return false;
  }
}

export type WriteBackRetrySummary = {
  status: "completed" | "skipped";
  reason: string | null;
  pending: number;
  written: number;
  failed: number;
  /** Claimed by another instance, or already written. */
  skipped: number;
};

/**
 * Writes back to Asana the updates whose write-back failed earlier (for the scheduler). Each one is
 * claimed first, so two instances never post the same update. A post whose answer was lost may
 * have reached Asana: Asana has no idempotency key, so such an update can appear there twice.
 */
export async function retryPendingWriteBacks(deps: SubmitUpdateDeps): Promise<WriteBackRetrySummary> {
  const summary: WriteBackRetrySummary = {
    status: "completed",
    reason: null,
    pending: 0,
    written: 0,
    failed: 0,
    skipped: 0,
  };
  if (!deps.settings.writeBack || deps.asana === null)
    return { ...summary, status: "skipped", reason: "ASANA_WRITE_BACK is off or there is no Asana client" };
  const pending = await deps.repos.meta.writeBacks.listPending();
  summary.pending = pending.length;
  for (const work of pending) {
    const outcome = await retryOne(deps, work);
    summary[outcome]++;
  }
  deps.logger.info({ ...summary }, "pending write-backs retried");
  return summary;
}

async function retryOne(
  deps: SubmitUpdateDeps,
  work: PendingWork,
): Promise<"written" | "failed" | "skipped"> {
  const payload = writeBackPayloadSchema.safeParse(work.payload);
  if (!payload.success) {
    deps.logger.warn({ id: work.id }, "a pending write-back has an unreadable payload; dropped");
    await deps.repos.meta.writeBacks.markDone(work.id);
    return "skipped";
  }
  if ((await deps.repos.meta.writeBacks.claim(work.id, deps.owner)) === null) return "skipped";
  const update = await deps.repos.updates.get(payload.data);
  if (update === null || update.asanaStatusUpdateGid !== null) {
    await deps.repos.meta.writeBacks.markDone(work.id);
    return "skipped";
  }
  return (await postToAsana(deps, work.id, update)) ? "written" : "failed";
}

// ---- the PMO channel ---------------------------------------------------------------------------

async function alertPmo(
  deps: SubmitUpdateDeps,
  update: StatusUpdate,
  project: Project,
  isRetry: boolean,
): Promise<AlertOutcome> {
  if (!reportsRisk(update.parsed)) return "none";
  const key = updateKey(update);
  try {
    if (await deps.repos.meta.events.hasSeen(alertEventId(key))) return "already_posted";
    // A retry after a post whose answer was lost: the channel's history tells.
    if (isRetry) {
      const since = new Date(Date.parse(update.submittedAt) - 60_000);
      if ((await deps.notifier.findPosted(new Set([key]), since)).has(key)) {
        await deps.repos.meta.events.record(alertEventId(key));
        return "already_posted";
      }
    }
    const findings = (await deps.repos.findings.listForProject(project.gid)).filter((f) =>
      (ACTIVE_FINDING_STATUSES as readonly string[]).includes(f.status),
    );
    await deps.notifier.post(updateAlertMessage(deps.settings.locale, { project, update, findings, key }));
    await deps.repos.meta.events.record(alertEventId(key));
    return "posted";
  } catch (error) {
    deps.logger.error(
      { err: error, projectGid: project.gid },
      "the risk alert of a status update was not posted",
    );
    return "failed";
  }
}
