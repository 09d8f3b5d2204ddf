import type { KnownBlock } from "@slack/types";
import type { Freshness, ScheduledRun } from "../../../commands/pmo-service.ts";
import { type Locale, t } from "../../../i18n/index.ts";
import type { SyncRun } from "../../../model.ts";
import { escapeAndTruncate } from "../../mrkdwn.ts";
import type { SlackMessage } from "../finding-parts.ts";
import { age, duration, finish, type PmoRenderContext, section, stamp } from "./common.ts";

export type StatusInput = {
  runs: readonly SyncRun[];
  nextRuns: readonly ScheduledRun[];
  activeProjects: number;
  staleProjects: number;
  asanaTokenRefusedSince?: string | null;
};

const RUN_EMOJI: { readonly [S in SyncRun["status"]]: string } = {
  running: "⏳",
  completed: "✅",
  failed: "❌",
  abandoned: "⚠️",
};

/** The scheduler's job names (app/start.ts) in the reader's words; others as they are. */
function jobName(locale: Locale, name: string): string {
  if (name === "sync-full") return t(locale, "pmo.status.job.full");
  if (name === "sync-partial") return t(locale, "pmo.status.job.partial");
  return escapeAndTruncate(name, 80);
}

function runLines(ctx: PmoRenderContext, run: SyncRun): string {
  const { locale } = ctx;
  const head = t(locale, "pmo.status.run", {
    emoji: RUN_EMOJI[run.status],
    kind: t(locale, `pmo.status.kind.${run.kind}`),
    state: t(locale, `pmo.status.state.${run.status}`),
    when: `${stamp(ctx, run.startedAt)} (${age(ctx, run.startedAt)})`,
  });
  if (run.status === "running") return head;
  const counts = t(locale, "pmo.status.runCounts", {
    projects: run.projectsSynced,
    changes: run.changesDetected,
    opened: run.findingsOpened,
    resolved: run.findingsResolved,
    duration: duration(locale, run.durationMs),
  });
  const held = run.warning === null ? "" : `\n${t(locale, "pmo.status.heldRemovals")}`;
  return `${head}\n${counts}${held}`;
}

/** `/pmo estado`: the last runs with their counts, the next scheduled runs, and the projects' state. */
export function statusMessage(ctx: PmoRenderContext, input: StatusInput, freshness: Freshness): SlackMessage {
  const { locale } = ctx;
  const runs =
    input.runs.length === 0
      ? t(locale, "pmo.status.noRuns")
      : input.runs.map((run) => runLines(ctx, run)).join("\n");
  const next = input.nextRuns.map((run) =>
    t(locale, "pmo.status.next", {
      job: jobName(locale, run.name),
      when: run.next === null ? t(locale, "pmo.status.notScheduled") : stamp(ctx, run.next),
    }),
  );
  const blocks: KnownBlock[] = [section("pmo-title", t(locale, "pmo.status.title"))];
  const refusedSince = input.asanaTokenRefusedSince ?? null;
  if (refusedSince !== null)
    blocks.push(
      section(
        "pmo-status-asana-token",
        t(locale, "pmo.status.asanaTokenRefused", { when: stamp(ctx, refusedSince) }),
      ),
    );
  blocks.push(section("pmo-status-runs", `${t(locale, "pmo.status.runsTitle")}\n${runs}`));
  if (next.length > 0)
    blocks.push(section("pmo-status-next", [t(locale, "pmo.status.nextTitle"), ...next].join("\n")));
  blocks.push(
    section(
      "pmo-status-projects",
      t(locale, "pmo.status.projects", { active: input.activeProjects, stale: input.staleProjects }),
    ),
  );
  return finish(ctx, blocks, t(locale, "pmo.status.fallback"), freshness);
}
