import { randomUUID } from "node:crypto";
import {
  alertHere,
  digestHere,
  findingKey,
  needsNoticeBySeverity,
  neverAlerted,
  planAlerts,
  tsMillis,
  wakeSuspects,
  wokeSinceNotice,
} from "../services/alerts/plan-alerts.ts";
import { compareSpanish, compareSpanishNumeric } from "../services/collation.ts";
import { mapLimit } from "../services/concurrency.ts";
import { StoreError, VersionConflictError } from "../services/errors.ts";
import type { Locale } from "../services/i18n/index.ts";
import type { Logger } from "../services/logger.ts";
import type {
  AlertCounts,
  Clock,
  Finding,
  FindingAlertIntent,
  Project,
  PushAlertsSummary,
} from "../services/model.ts";
import { digestParts } from "../services/slack/blocks/digest.ts";
import { findingMessage } from "../services/slack/blocks/finding-message.ts";
import {
  type FindingWithProject,
  noAccessSince,
  type RenderContext,
  type SlackMessage,
} from "../services/slack/blocks/finding-parts.ts";
import { openingSummaryMessage } from "../services/slack/blocks/opening-summary.ts";
import { isSlackApiError } from "../services/slack/errors.ts";
import { METADATA_KEY_FIELD, type MessageRef, type Notifier } from "../services/slack/notifier.ts";
import type { FindingRef } from "../services/store/findings-repository.ts";
import type { Repositories } from "../services/store/repositories.ts";
import { runExclusive } from "./lease.ts";

/**
 * Alerts to the findings channel (DESIGN.md section 6), as services/alerts/plan-alerts.ts decides them:
 * a high finding gets its own message (at most `maxIndividual` a run), the rest of what is new or
 * escalated goes into one digest, and the very first run on an empty store opens with a summary
 * and the digest instead of a flood. A finding whose message was posted and that later resolves
 * gets that message updated in place, in the channel it was posted to (PMO_FINDINGS_CHANNEL_ID may
 * have changed since).
 *
 * Never twice: before a post the finding records an intent (kind, channel, severity, a message key
 * that also goes into the message's metadata); after it, the message's ts. An intent still there on
 * a later run means the answer was lost: the channel's history says whether the message exists,
 * and if it does its ts is recorded instead of posting again.
 */

export const ALERTS_LEASE = "push-alerts";
/** When the last completed run started: findings changed since then are checked for a wake-up. */
export const LAST_RUN_CURSOR = "push-alerts:last-run";
export const ALERT_EVENT_TYPE = "pmo_finding_alert";
export const DIGEST_EVENT_TYPE = "pmo_finding_digest";
export const SUMMARY_EVENT_TYPE = "pmo_alert_summary";

const LEASE_TTL_MS = 2 * 60_000;
const STORE_CONCURRENCY = 10;
const WRITE_ATTEMPTS = 4;
const CHANGES_READ = 30;
/** Clock skew and the time between recording an intent and posting, when searching the history. */
const HISTORY_MARGIN_MS = 10 * 60_000;

export type AlertSettings = { locale: Locale; timeZone: string; maxIndividual: number };

export type PushAlertsDeps = {
  repos: Pick<Repositories, "findings" | "projects" | "changelog" | "users" | "meta">;
  notifier: Notifier;
  settings: AlertSettings;
  clock: Clock;
  logger: Logger;
  owner: string;
  leaseTtlMs?: number;
};

const emptyCounts = (): AlertCounts => ({
  posted: 0,
  digests: 0,
  updated: 0,
  reconciled: 0,
  skipped: 0,
  failed: 0,
});

type RunContext = {
  deps: PushAlertsDeps;
  channel: string;
  now: Date;
  counts: AlertCounts;
  signal: AbortSignal;
};

const refOf = (f: Finding): FindingRef => ({
  projectGid: f.projectGid,
  ruleId: f.ruleId,
  expectedVersion: f.version,
});

function intentHere(f: Finding, channel: string): FindingAlertIntent | null {
  const intent = f.alertIntent ?? null;
  return intent !== null && intent.channel === channel && intent.occurrence === f.occurrences ? intent : null;
}

export async function pushAlerts(deps: PushAlertsDeps): Promise<PushAlertsSummary> {
  const started = deps.clock();
  const counts = emptyCounts();
  const finish = (
    status: PushAlertsSummary["status"],
    reason: string | null,
    openingSummary = false,
  ): PushAlertsSummary => ({
    status,
    reason,
    openingSummary,
    counts,
    durationMs: Math.max(0, deps.clock().getTime() - started.getTime()),
  });
  try {
    const outcome = await runExclusive(
      {
        leases: deps.repos.meta.leases,
        name: ALERTS_LEASE,
        owner: deps.owner,
        ttlMs: deps.leaseTtlMs ?? LEASE_TTL_MS,
      },
      (signal) => run({ deps, channel: deps.notifier.channel, now: started, counts, signal }),
    );
    if (outcome.status === "skipped") {
      const reason = `another alert run is going on${outcome.holder === null ? "" : ` (${outcome.holder})`}`;
      return finish("skipped", reason);
    }
    const summary = finish("completed", null, outcome.value.openingSummary);
    deps.logger.info(
      { alerts: { ...summary.counts, openingSummary: summary.openingSummary } },
      "alerts pushed",
    );
    return summary;
  } catch (error) {
    deps.logger.error({ err: error }, "alert run failed");
    return finish("failed", error instanceof Error ? error.message : String(error));
  }
}

async function run(ctx: RunContext): Promise<{ openingSummary: boolean }> {
  const { repos } = ctx.deps;
  const lastRunCursor = await repos.meta.cursors.get(LAST_RUN_CURSOR);
  const [active, resolved] = await Promise.all([
    repos.findings.listOpen(),
    repos.findings.listByStatus("resolved"),
  ]);
  const findings = new Map([...active, ...resolved].map((f) => [findingKey(f), f]));
  // Read before the intents are reconciled: an intent left behind means a post may have gone out.
  const storeNeverAlerted = neverAlerted(findings.values());

  await reconcileIntents(ctx, findings);
  await refreshMessages(ctx, findings);

  const current = [...findings.values()].filter((f) => f.status !== "resolved");
  const woken = await findWoken(ctx, current, lastRunCursor === null ? null : Date.parse(lastRunCursor));
  const { singles, digest, openingSummary, skipped } = planAlerts({
    findings: current,
    channel: ctx.channel,
    woken,
    neverAlerted: storeNeverAlerted,
    settings: { maxIndividual: ctx.deps.settings.maxIndividual },
  });
  ctx.counts.skipped += skipped.length;

  const projects = await repos.projects.batchGet(
    [...singles, ...digest].map((f) => f.projectGid),
    { withRaw: false },
  );
  const render = await renderContext(ctx, [...projects.values()]);
  const withProject = (f: Finding): FindingWithProject => ({
    finding: f,
    project: projects.get(f.projectGid) ?? null,
  });

  for (const finding of singles) {
    if (ctx.signal.aborted) break;
    await postSingle(ctx, render, withProject(finding), woken.has(findingKey(finding)));
  }
  if (!ctx.signal.aborted && digest.length > 0) {
    const entries = digest.map(withProject).sort(byProject);
    await postDigest(ctx, render, entries, woken, openingSummary ? digest.map(withProject) : null);
  }
  if (!ctx.signal.aborted) await repos.meta.cursors.put(LAST_RUN_CURSOR, ctx.now.toISOString());
  return { openingSummary };
}

const byProject = (a: FindingWithProject, b: FindingWithProject) =>
  compareSpanishNumeric(a.project?.pmoId ?? "\uffff", b.project?.pmoId ?? "\uffff") ||
  compareSpanish(a.project?.name ?? a.finding.projectGid, b.project?.name ?? b.finding.projectGid) ||
  a.finding.ruleId.localeCompare(b.finding.ruleId);

/** The owners' Slack users, looked up once for the projects about to be rendered. */
async function renderContext(ctx: RunContext, projects: readonly Project[]): Promise<RenderContext> {
  const asanaUsers = [...new Set(projects.map((p) => p.responsableKey).filter((k) => k !== null))];
  const slackUsers = new Map<string, string>();
  await mapLimit(asanaUsers, STORE_CONCURRENCY, async (asanaUserGid) => {
    const [profile] = await ctx.deps.repos.users.findByAsanaUserGid(asanaUserGid);
    if (profile !== undefined) slackUsers.set(asanaUserGid, profile.slackUserId);
  });
  return {
    locale: ctx.deps.settings.locale,
    timeZone: ctx.deps.settings.timeZone,
    slackUserIdFor: (project) =>
      project.responsableKey === null ? null : (slackUsers.get(project.responsableKey) ?? null),
  };
}

/**
 * Findings whose intent is still there: the post's answer was lost (or the process died). Those
 * found in the channel get the message's ts recorded; the others lose the intent and are decided
 * again like any finding.
 */
async function reconcileIntents(ctx: RunContext, findings: Map<string, Finding>): Promise<void> {
  const pending = [...findings.values()].filter((f) => (f.alertIntent ?? null) !== null);
  if (pending.length === 0) return;
  const intents = pending.map((f) => intentHere(f, ctx.channel)).filter((intent) => intent !== null);
  let posted = new Map<string, MessageRef>();
  if (intents.length > 0) {
    const since = Math.min(...intents.map((intent) => Date.parse(intent.at))) - HISTORY_MARGIN_MS;
    posted = await ctx.deps.notifier.findPosted(new Set(intents.map((i) => i.messageKey)), new Date(since));
  }
  const reconciledKeys = new Set<string>();
  await mapLimit(pending, STORE_CONCURRENCY, async (finding) => {
    const intent = intentHere(finding, ctx.channel);
    const ref = intent === null ? undefined : posted.get(intent.messageKey);
    let changes: Partial<Finding> = { alertIntent: null };
    if (intent !== null && ref !== undefined) {
      reconciledKeys.add(intent.messageKey);
      changes =
        intent.kind === "single"
          ? {
              alertIntent: null,
              alert: { channel: ref.channel, ts: ref.ts, severity: intent.severity, at: intent.at },
            }
          : {
              alertIntent: null,
              digest: {
                channel: ref.channel,
                ts: ref.ts,
                severity: intent.severity,
                at: intent.at,
                occurrence: intent.occurrence,
              },
            };
    }
    const updated = await writeAfterReread(ctx, finding, () => changes);
    if (updated !== null) findings.set(findingKey(updated), updated);
  });
  ctx.counts.reconciled += reconciledKeys.size;
  if (reconciledKeys.size > 0)
    ctx.deps.logger.info({ reconciled: reconciledKeys.size }, "lost posts found in the channel");
}

const withoutAccess = (f: Finding): boolean => noAccessSince(f) !== null;
const messageId = (ref: MessageRef): string => `${ref.channel} ${ref.ts}`;
const sameMessage = (a: MessageRef | null, b: MessageRef | null): boolean =>
  a !== null && b !== null && messageId(a) === messageId(b);

/** Whether a message about the active finding says "sin acceso" when it should not, or the reverse. */
function accessShownWrong(f: Finding, channel: string): boolean {
  if (f.status === "resolved") return false;
  const shown = [alertHere(f, channel), digestHere(f, channel)].filter((ref) => ref !== null);
  return shown.some((ref) => (ref.shownWithoutAccess ?? false) !== withoutAccess(f));
}

/** The message refs of `current` that show `rendered`, marked with the access state they now show. */
function accessShownChanges(rendered: Finding, current: Finding, channel: string): Partial<Finding> | null {
  const shown = withoutAccess(rendered);
  const changes: Partial<Finding> = {};
  const alert = alertHere(current, channel);
  if (alert !== null && sameMessage(alert, alertHere(rendered, channel)))
    changes.alert = { ...alert, shownWithoutAccess: shown };
  const digest = digestHere(current, channel);
  if (digest !== null && sameMessage(digest, digestHere(rendered, channel)))
    changes.digest = { ...digest, shownWithoutAccess: shown };
  return Object.keys(changes).length === 0 ? null : changes;
}

/**
 * Messages that no longer tell the finding's state, each updated in place: a resolved finding's
 * (its resolution), and an active finding's whose project lost or regained access in Asana.
 */
async function refreshMessages(ctx: RunContext, findings: Map<string, Finding>): Promise<void> {
  const all = [...findings.values()];
  const toClose = all.filter(
    (f) =>
      accessShownWrong(f, ctx.channel) ||
      (f.status === "resolved" &&
        (alertHere(f, ctx.channel) !== null || digestHere(f, ctx.channel) !== null) &&
        ((f.alertClosedAt ?? null) === null || (f.alertClosedAt ?? "") < (f.resolvedAt ?? f.updatedAt))),
  );
  if (toClose.length === 0) return;
  // A digest is told by its channel and ts: it may sit in the channel findings went to before.
  const digestOf = (f: Finding): string | null => {
    const digest = digestHere(f, ctx.channel);
    return digest === null ? null : messageId(digest);
  };
  const digestIds = new Set(toClose.map(digestOf).filter((id) => id !== null));
  const digestMembers = all.filter((f) => {
    const id = digestOf(f);
    return id !== null && digestIds.has(id);
  });
  const projects = await ctx.deps.repos.projects.batchGet(
    [...toClose, ...digestMembers].map((f) => f.projectGid),
  );
  const render = await renderContext(ctx, [...projects.values()]);
  const withProject = (f: Finding): FindingWithProject => ({
    finding: f,
    project: projects.get(f.projectGid) ?? null,
  });
  /** Per finding: false once one of its messages could not be updated and may be retried. */
  const done = new Map(toClose.map((f) => [findingKey(f), true]));

  for (const finding of toClose) {
    const alert = alertHere(finding, ctx.channel);
    if (alert === null || ctx.signal.aborted) continue;
    const changes = await ctx.deps.repos.changelog.listForProject(finding.projectGid, CHANGES_READ);
    const message = findingMessage(render, { ...withProject(finding), changes });
    if (!(await updateMessage(ctx, alert, message))) done.set(findingKey(finding), false);
  }
  for (const id of digestIds) {
    if (ctx.signal.aborted) break;
    const members = digestMembers.filter((f) => digestOf(f) === id);
    const ref = members.map((f) => digestHere(f, ctx.channel)).find((d) => d !== null);
    if (ref === undefined) continue;
    const [part] = digestParts(render, {
      entries: members.map(withProject).sort(byProject),
      postedAt: new Date(tsMillis(ref.ts)),
    });
    if (part === undefined) continue;
    if (!(await updateMessage(ctx, { channel: ref.channel, ts: ref.ts }, part.message))) {
      for (const f of members) if (done.has(findingKey(f))) done.set(findingKey(f), false);
    }
  }
  if (ctx.signal.aborted) return;
  // Now, not the run's start: a resolution that landed after the run began is then shown too.
  const closedAt = ctx.deps.clock().toISOString();
  await mapLimit(
    toClose.filter((f) => done.get(findingKey(f)) === true),
    STORE_CONCURRENCY,
    async (finding) => {
      const updated = await writeAfterReread(ctx, finding, (current) =>
        finding.status === "resolved"
          ? { alertClosedAt: closedAt }
          : accessShownChanges(finding, current, ctx.channel),
      );
      if (updated !== null) findings.set(findingKey(updated), updated);
    },
  );
}

/** True when the message now shows the finding's state, or can never be updated (deleted, say). */
async function updateMessage(ctx: RunContext, ref: MessageRef, message: SlackMessage): Promise<boolean> {
  try {
    await ctx.deps.notifier.update(ref, message);
    ctx.counts.updated++;
    return true;
  } catch (error) {
    ctx.counts.failed++;
    ctx.deps.logger.warn({ err: error, ts: ref.ts }, "could not update an alert message");
    return isSlackApiError(error, "slack_rejected");
  }
}

/**
 * Findings that were snoozed after their last message and have opened again since, as the rules
 * engine's changelog entries say (services/rules/finding-state-codec.ts). Only findings changed
 * since the last run (and after their message) are looked up, one read a project.
 */
async function findWoken(
  ctx: RunContext,
  current: readonly Finding[],
  lastRunMs: number | null,
): Promise<Set<string>> {
  const suspects = wakeSuspects(current, ctx.channel, lastRunMs);
  const woken = new Set<string>();
  const byProject = new Map<string, Finding[]>();
  for (const f of suspects) byProject.set(f.projectGid, [...(byProject.get(f.projectGid) ?? []), f]);
  await mapLimit([...byProject], STORE_CONCURRENCY, async ([projectGid, projectFindings]) => {
    const entries = await ctx.deps.repos.changelog.listForProject(projectGid, 50);
    for (const finding of projectFindings)
      if (wokeSinceNotice(finding, entries, ctx.channel)) woken.add(findingKey(finding));
  });
  return woken;
}

/**
 * Writes `changes` computed from the finding; on a version conflict rereads it and computes them
 * again (null from `decide` = nothing to write any more). Returns the stored finding, or null.
 */
async function writeAfterReread(
  ctx: RunContext,
  finding: Finding,
  decide: (current: Finding) => Partial<Finding> | null,
  allowedFrom: readonly Finding["status"][] = ["open", "acknowledged", "snoozed", "resolved"],
): Promise<Finding | null> {
  let current: Finding | null = finding;
  for (let attempt = 0; attempt < WRITE_ATTEMPTS && current !== null; attempt++) {
    const changes = decide(current);
    if (changes === null) return null;
    try {
      return await ctx.deps.repos.findings.update(refOf(current), changes, allowedFrom);
    } catch (error) {
      if (error instanceof VersionConflictError) {
        current = await ctx.deps.repos.findings.get(current.projectGid, current.ruleId);
        continue;
      }
      if (error instanceof StoreError && (error.code === "invalid_transition" || error.code === "not_found"))
        return null;
      throw error;
    }
  }
  if (current !== null)
    ctx.deps.logger.warn({ finding: findingKey(current) }, "finding kept changing; left for the next run");
  return null;
}

/**
 * Slack said no (nothing was posted): the intents go, so the next run decides afresh instead of
 * searching the channel for messages that do not exist. An answer that never came keeps them.
 */
async function dropIntents(ctx: RunContext, findings: readonly Finding[]): Promise<void> {
  await mapLimit(findings, STORE_CONCURRENCY, (finding) =>
    writeAfterReread(ctx, finding, () => ({ alertIntent: null })),
  );
}

/** Records the intent to post; null when the finding no longer needs the message. */
function recordIntent(
  ctx: RunContext,
  finding: Finding,
  intent: Omit<FindingAlertIntent, "severity" | "occurrence">,
  wasWoken: boolean,
): Promise<Finding | null> {
  return writeAfterReread(
    ctx,
    finding,
    (current) =>
      current.status === "open" && (wasWoken || needsNoticeBySeverity(current, ctx.channel))
        ? { alertIntent: { ...intent, severity: current.severity, occurrence: current.occurrences } }
        : null,
    ["open"],
  );
}

async function postSingle(
  ctx: RunContext,
  render: RenderContext,
  entry: FindingWithProject,
  wasWoken: boolean,
): Promise<void> {
  const messageKey = `alert:${randomUUID()}`;
  const finding = await recordIntent(
    ctx,
    entry.finding,
    { kind: "single", channel: ctx.channel, at: ctx.now.toISOString(), messageKey },
    wasWoken,
  );
  if (finding === null) {
    ctx.counts.skipped++;
    return;
  }
  const changes = await ctx.deps.repos.changelog.listForProject(finding.projectGid, CHANGES_READ);
  const message = findingMessage(render, { finding, project: entry.project, changes });
  let ref: MessageRef;
  try {
    ref = await ctx.deps.notifier.post({
      ...message,
      metadata: {
        event_type: ALERT_EVENT_TYPE,
        event_payload: {
          [METADATA_KEY_FIELD]: messageKey,
          project: finding.projectGid,
          rule: finding.ruleId,
          severity: finding.severity,
        },
      },
    });
  } catch (error) {
    ctx.counts.failed++;
    ctx.deps.logger.warn({ err: error, finding: findingKey(finding) }, "alert not posted");
    if (isSlackApiError(error) && error.certainlyFailed) await dropIntents(ctx, [finding]);
    return;
  }
  ctx.counts.posted++;
  await writeAfterReread(ctx, finding, () => ({
    alertIntent: null,
    alert: {
      channel: ref.channel,
      ts: ref.ts,
      severity: finding.severity,
      at: ctx.now.toISOString(),
      ...(withoutAccess(finding) ? { shownWithoutAccess: true } : {}),
    },
  }));
}

async function postDigest(
  ctx: RunContext,
  render: RenderContext,
  entries: readonly FindingWithProject[],
  woken: ReadonlySet<string>,
  summaryOf: readonly FindingWithProject[] | null,
): Promise<void> {
  const planned = digestParts(render, { entries, postedAt: ctx.now });
  const at = ctx.now.toISOString();
  // Every part's intent is on its findings before anything is posted, so a crash half-way leaves
  // each finding either recorded or with an intent the next run can look up.
  const parts: { index: number; messageKey: string; members: FindingWithProject[] }[] = [];
  for (const [index, part] of planned.entries()) {
    const messageKey = `digest:${randomUUID()}`;
    const kept = await mapLimit(part.entries, STORE_CONCURRENCY, async ({ finding, project }) => {
      const updated = await recordIntent(
        ctx,
        finding,
        { kind: "digest", channel: ctx.channel, at, messageKey },
        woken.has(findingKey(finding)),
      );
      return updated === null ? null : { finding: updated, project };
    });
    const members = kept.filter((e) => e !== null);
    ctx.counts.skipped += part.entries.length - members.length;
    parts.push({ index, messageKey, members });
  }

  if (summaryOf !== null) {
    try {
      await ctx.deps.notifier.post({
        ...openingSummaryMessage(render, summaryOf),
        metadata: {
          event_type: SUMMARY_EVENT_TYPE,
          event_payload: { [METADATA_KEY_FIELD]: `summary:${randomUUID()}` },
        },
      });
    } catch (error) {
      ctx.counts.failed++;
      ctx.deps.logger.warn({ err: error }, "opening summary not posted");
    }
  }

  for (const part of parts) {
    if (ctx.signal.aborted || part.members.length === 0) continue;
    const [rendered] = digestParts(render, {
      entries: part.members,
      postedAt: ctx.now,
      numbering: { part: part.index + 1, parts: planned.length },
    });
    if (rendered === undefined) continue;
    let ref: MessageRef;
    try {
      ref = await ctx.deps.notifier.post({
        ...rendered.message,
        metadata: {
          event_type: DIGEST_EVENT_TYPE,
          event_payload: { [METADATA_KEY_FIELD]: part.messageKey, findings: part.members.length },
        },
      });
    } catch (error) {
      ctx.counts.failed++;
      ctx.deps.logger.warn({ err: error }, "digest not posted");
      if (isSlackApiError(error) && error.certainlyFailed)
        await dropIntents(
          ctx,
          part.members.map((m) => m.finding),
        );
      continue;
    }
    ctx.counts.digests++;
    await mapLimit(part.members, STORE_CONCURRENCY, ({ finding }) =>
      writeAfterReread(ctx, finding, () => ({
        alertIntent: null,
        digest: {
          channel: ref.channel,
          ts: ref.ts,
          severity: finding.severity,
          at,
          occurrence: finding.occurrences,
          ...(withoutAccess(finding) ? { shownWithoutAccess: true } : {}),
        },
      })),
    );
  }
}
