import type { Config } from "../app/config.ts";
import type { Container } from "../app/container.ts";
import type { SyncKind } from "../services/model.ts";
import { runSync, type SyncDeps, type SyncSummary } from "./asana-sync.ts";
import { type DailyDigestSummary, sendDailyDigest } from "./daily-digest.ts";
import { type EvaluateRulesDeps, evaluateRules, type RulesSummary } from "./evaluate-rules.ts";
import { type PushAlertsSummary, pushAlerts } from "./push-alerts.ts";
import { nudgeOwners, type RemindDeps } from "./remind-owners.ts";

/**
 * The pipeline of DESIGN.md section 1, sync -> rules -> alerts, as the CLI and the scheduler run
 * it: each step only after the one before completed.
 */

export type PipelineDeps = SyncDeps & { rules: Config["rules"]; timezone: string };

export type PipelineSummary = {
  /** The sync's summary, its findingsOpened / findingsResolved filled in from the rules. */
  sync: SyncSummary;
  /** Null when the sync did not complete (skipped or failed): the rules did not run. */
  rules: RulesSummary | null;
};

export async function runSyncThenRules(kind: SyncKind, deps: PipelineDeps): Promise<PipelineSummary> {
  const sync = await runSync(kind, deps);
  if (sync.status !== "completed" || sync.syncId === null) return { sync, rules: null };
  const rules = await evaluateRules(
    {
      repos: deps.repos,
      rules: deps.rules,
      timezone: deps.timezone,
      clock: deps.clock,
      logger: deps.logger,
      owner: deps.owner,
      ...(deps.leaseTtlMs === undefined ? {} : { leaseTtlMs: deps.leaseTtlMs }),
    },
    { syncId: sync.syncId },
  );
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

export type FullPipelineSummary = PipelineSummary & {
  /** Null when the rules did not complete: nothing new to say. */
  alerts: PushAlertsSummary | null;
};

/** sync -> rules -> alerts with the app's own parts: what the schedule and `/pmo sync` run. */
export async function runPipeline(
  kind: SyncKind,
  container: Container,
  signal?: AbortSignal,
): Promise<FullPipelineSummary> {
  if (container.asana === null) throw new Error("runPipeline needs an Asana client (ASANA_TOKEN)");
  const { sync, rules } = await runSyncThenRules(kind, {
    ...pipelineDepsOf(container, container.asana),
    ...(signal ? { signal } : {}),
  });
  const alerts = rules?.status === "completed" ? await pushAlertsWith(container) : null;
  const opened = (rules?.alerts ?? []).filter(
    (a) => a.ruleId === "no_status_update" && (a.kind === "open" || a.kind === "reopen"),
  );
  if (opened.length > 0)
    await nudgeOwners(
      remindDepsOf(container),
      opened.map((a) => a.projectGid),
    );
  return { sync, rules, alerts };
}

/** The rules job with the app's own parts and its lease TTL (JOB_LEASE_TTL_SECONDS). */
export function rulesDepsOf(container: Container): EvaluateRulesDeps {
  return {
    repos: container.repos,
    rules: container.config.rules,
    timezone: container.config.timezone,
    clock: container.clock,
    logger: container.logger,
    owner: container.owner,
    leaseTtlMs: container.config.jobLeaseTtlMs,
  };
}

/** Sync then rules with the app's own parts, for the scheduler, `/pmo sync` and the CLI alike. */
export function pipelineDepsOf(container: Container, asana: SyncDeps["asana"]): PipelineDeps {
  return { ...rulesDepsOf(container), asana, settings: container.syncSettings };
}

export function pushAlertsWith(container: Container): Promise<PushAlertsSummary> {
  const { config } = container;
  return pushAlerts({
    repos: container.repos,
    notifier: container.notifier,
    settings: {
      locale: config.defaultLocale,
      timeZone: config.timezone,
      maxIndividual: config.alerts.maxIndividual,
    },
    clock: container.clock,
    logger: container.logger,
    owner: container.owner,
    leaseTtlMs: container.config.jobLeaseTtlMs,
  });
}

export function sendDailyDigestWith(container: Container): Promise<DailyDigestSummary> {
  const { config } = container;
  return sendDailyDigest({
    repos: container.repos,
    notifier: container.notifier,
    clock: container.clock,
    logger: container.logger,
    owner: container.owner,
    settings: {
      locale: config.defaultLocale,
      timeZone: config.timezone,
      freshUpdateDays: config.rules.noStatusUpdateDays,
    },
  });
}

export function remindDepsOf(container: Container): RemindDeps {
  const { config } = container;
  return {
    repos: container.repos,
    messenger: container.messenger,
    clock: container.clock,
    logger: container.logger,
    owner: container.owner,
    settings: {
      timeZone: config.timezone,
      defaultLocale: config.defaultLocale,
      adminUserIds: config.slack.adminUserIds,
      freshUpdateDays: config.rules.noStatusUpdateDays,
    },
  };
}
