import type { Freshness, SyncOutcome } from "../../../commands/pmo-service.ts";
import { type Locale, t } from "../../../i18n/index.ts";
import type { MassRemovalNotice, SyncKind } from "../../../model.ts";
import { escapeAndTruncate, mentionUser } from "../../mrkdwn.ts";
import type { SlackMessage } from "../finding-parts.ts";
import { duration, finish, type PmoRenderContext, section } from "./common.ts";

/** Mentions in an ephemeral answer notify nobody; they show the admins' names. */
export function syncDeniedMessage(
  ctx: PmoRenderContext,
  admins: readonly string[],
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const mentions = admins.map((id) => mentionUser(id)).filter((m): m is string => m !== null);
  const text =
    mentions.length === 0
      ? t(locale, "pmo.sync.deniedNoAdmins")
      : t(locale, "pmo.sync.denied", { admins: mentions.join(", ") });
  return finish(ctx, [section("pmo-sync-denied", text)], text, freshness);
}

export function syncStartedMessage(
  ctx: PmoRenderContext,
  syncKind: SyncKind,
  freshness: Freshness,
  options: { confirmRemovals?: boolean } = {},
): SlackMessage {
  const text =
    options.confirmRemovals === true
      ? t(ctx.locale, "pmo.sync.confirmStarted")
      : t(ctx.locale, "pmo.sync.started", { kind: t(ctx.locale, `pmo.sync.kind.${syncKind}`) });
  return finish(ctx, [section("pmo-sync-started", text)], text, freshness);
}

/** What the run did, that another one was already running, or that it failed. */
export function syncOutcomeMessage(
  ctx: PmoRenderContext,
  outcome: SyncOutcome,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  if (outcome.kind === "skipped") {
    const text = t(locale, "pmo.sync.skipped");
    return finish(ctx, [section("pmo-sync-skipped", text)], text, freshness);
  }
  if (outcome.kind === "failed") {
    const text = t(locale, "pmo.sync.failed");
    return finish(ctx, [section("pmo-sync-failed", text)], text, freshness);
  }
  const { stats } = outcome;
  const title = t(locale, "pmo.sync.completed", {
    kind: t(locale, `pmo.sync.kind.${outcome.syncKind}`),
    duration: duration(locale, stats.durationMs),
  });
  const lines = [
    title,
    t(locale, "pmo.sync.counts", {
      synced: stats.projectsSynced,
      changes: stats.changesDetected,
      opened: stats.findingsOpened,
      resolved: stats.findingsResolved,
    }),
    outcome.alertsPosted === null
      ? t(locale, "pmo.sync.noAlerts")
      : t(locale, "pmo.sync.alerts", { count: outcome.alertsPosted }),
  ];
  if (!outcome.rulesRan) lines.push(t(locale, "pmo.sync.rulesSkipped"));
  if (stats.staleProjects > 0) lines.push(t(locale, "pmo.sync.stale", { count: stats.staleProjects }));
  if (outcome.projectsRemoved !== undefined && outcome.projectsRemoved > 0)
    lines.push(t(locale, "pmo.sync.removed", { count: outcome.projectsRemoved }));
  if (outcome.removalsHeld !== undefined && outcome.removalsHeld > 0)
    lines.push(t(locale, "pmo.sync.held", { count: outcome.removalsHeld }));
  return finish(ctx, [section("pmo-sync-done", lines.join("\n"))], title, freshness);
}

/** The PMO channel notice of a sync that held back a mass removal (one per such run). */
export function massRemovalNoticeMessage(ctx: { locale: Locale }, notice: MassRemovalNotice): SlackMessage {
  const { locale } = ctx;
  const text = t(locale, "pmo.sync.massRemoval.notice", {
    kind: t(locale, `pmo.sync.kind.${notice.kind}`),
    count: notice.count,
    active: notice.activeProjects,
    limit: notice.limit,
  });
  const samples = notice.samples.map((sample) => {
    const name = escapeAndTruncate(sample.name.trim() === "" ? sample.gid : sample.name, 80);
    const pmoId = sample.pmoId === null ? "" : `${escapeAndTruncate(sample.pmoId, 40)} · `;
    return `• ${pmoId}${name} (${t(locale, `removal.reason.${sample.reason}`)})`;
  });
  const blocks = [section("pmo-mass-removal", text)];
  if (samples.length > 0)
    blocks.push(
      section("pmo-mass-removal-first", [t(locale, "pmo.sync.massRemoval.first"), ...samples].join("\n")),
    );
  return { text, blocks };
}
