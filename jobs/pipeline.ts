import type { Metrics } from "../services/metrics.ts";
import type {
  FullPipelineSummary,
  PipelineSummary,
  PushAlertsSummary,
  RulesSummary,
  SyncKind,
  SyncSummary,
} from "../services/model.ts";
import type { SyncDeps } from "./asana-sync.ts";

/**
 * The pipeline of DESIGN.md section 1, sync -> rules -> alerts, as the scheduler, `/pmo sync` and
 * the CLI run it: each step only after the one before completed. The steps come built from the
 * composition root (app/services.ts), so every caller runs the same instances.
 */

export type SyncRunOptions = {
  /** Aborts the run (the process is stopping): it stops writing, fails the run, releases the lease. */
  signal?: AbortSignal;
  onProgress?: SyncDeps["onProgress"];
  /** An admin confirmed a mass removal: this run may mark it (see SyncDeps.confirmRemovals). */
  confirmRemovals?: boolean;
};

export type PipelineSteps = {
  sync(kind: SyncKind, options: SyncRunOptions): Promise<SyncSummary>;
  /** The rules over every stored project, after the sync `syncId`. */
  rules(syncId: string): Promise<RulesSummary>;
  alerts(): Promise<PushAlertsSummary>;
  /** DMs the owners of projects whose no_status_update finding just opened. */
  nudgeOwners(projectGids: readonly string[]): Promise<unknown>;
  /** Told how each sync ended, for `/metrics`. */
  metrics?: Pick<Metrics, "syncRun">;
};

export async function runSyncThenRules(
  kind: SyncKind,
  steps: Pick<PipelineSteps, "sync" | "rules" | "metrics">,
  options: SyncRunOptions = {},
): Promise<PipelineSummary> {
  let sync: SyncSummary;
  try {
    sync = await steps.sync(kind, options);
  } catch (error) {
    steps.metrics?.syncRun(kind, "failed", null);
    throw error;
  }
  steps.metrics?.syncRun(kind, sync.status, sync.status === "skipped" ? null : sync.stats.durationMs / 1000);
  if (sync.status !== "completed" || sync.syncId === null) return { sync, rules: null };
  const rules = await steps.rules(sync.syncId);
  return { sync: withRuleCounts(sync, rules), rules };
}

function withRuleCounts(sync: SyncSummary, rules: RulesSummary): SyncSummary {
  if (rules.status !== "completed") return sync;
  return {
    ...sync,
    stats: {
      ...sync.stats,
      findingsOpened: rules.counts.opened + rules.counts.reopened,
      findingsResolved: rules.counts.resolved,
    },
  };
}

/** sync -> rules -> alerts, then a nudge to the owners whose projects just went without an update. */
export async function runPipeline(
  kind: SyncKind,
  steps: PipelineSteps,
  options: SyncRunOptions = {},
): Promise<FullPipelineSummary> {
  const { sync, rules } = await runSyncThenRules(kind, steps, options);
  const alerts = rules?.status === "completed" ? await steps.alerts() : null;
  const opened = (rules?.alerts ?? []).filter(
    (a) => a.ruleId === "no_status_update" && (a.kind === "open" || a.kind === "reopen"),
  );
  if (opened.length > 0) await steps.nudgeOwners(opened.map((a) => a.projectGid));
  return { sync, rules, alerts };
}
