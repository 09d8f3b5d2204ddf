import type { Freshness, SyncOutcome } from "../../../commands/pmo-service.ts";
import { t } from "../../../i18n/index.ts";
import type { SyncKind } from "../../../model.ts";
import { mentionUser } from "../../mrkdwn.ts";
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
): SlackMessage {
  const text = t(ctx.locale, "pmo.sync.started", { kind: t(ctx.locale, `pmo.sync.kind.${syncKind}`) });
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
  return finish(ctx, [section("pmo-sync-done", lines.join("\n"))], title, freshness);
}
