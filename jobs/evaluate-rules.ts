import type { Config } from "../app/config.ts";
import { mapLimit } from "../services/concurrency.ts";
import type { Logger } from "../services/logger.ts";
import type { Clock, Finding, FindingCandidate, Project } from "../services/model.ts";
import {
  type AlertNeeded,
  addCounts,
  applyTransitions,
  emptyCounts,
  planTransitions,
  type TransitionCounts,
} from "../services/rules/engine.ts";
import { evaluateProjectRules, type RuleContext } from "../services/rules/rules.ts";
import type { Repositories } from "../services/store/repositories.ts";
import { runExclusive } from "./lease.ts";

/** Two instances never evaluate at once: their plans would race on the same findings. */
export const RULES_LEASE = "rules";
const LEASE_TTL_MS = 2 * 60_000;
const PAGE_SIZE = 100;
const PROJECT_CONCURRENCY = 10;

export type EvaluateRulesDeps = {
  repos: Repositories;
  rules: Config["rules"];
  timezone: string;
  clock: Clock;
  logger: Logger;
  /** Who runs it (host:pid:random): the lease owner. */
  owner: string;
  leaseTtlMs?: number;
};

export type EvaluateRulesOptions = {
  /** The sync run this evaluation follows: its run gets the counts, its changelog entries the id. */
  syncId?: string;
  /** Only these projects (after a DM update, say); otherwise every stored project. */
  projectGids?: readonly string[];
};

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

type Totals = { counts: TransitionCounts; alerts: AlertNeeded[]; evaluatedProjects: number };

type Evaluation = { project: Project; candidates: FindingCandidate[]; findings: Finding[] };

type RunContext = {
  deps: EvaluateRulesDeps;
  ruleContext: RuleContext;
  now: Date;
  syncId: string | null;
  signal: AbortSignal;
  totals: Totals;
};

/**
 * Evaluates the rules over every stored project (or the given ones) and moves their findings
 * accordingly (services/rules/engine.ts), under the `rules` lease. A project's failure to write
 * because someone clicked at the same moment is retried and, at worst, counted as a conflict.
 */
export async function evaluateRules(
  deps: EvaluateRulesDeps,
  options: EvaluateRulesOptions = {},
): Promise<RulesSummary> {
  const startedMs = performance.now();
  const outcome = await runExclusive(
    { meta: deps.repos.meta, name: RULES_LEASE, owner: deps.owner, ttlMs: deps.leaseTtlMs ?? LEASE_TTL_MS },
    (signal) => evaluateUnderLease(deps, options, signal, startedMs),
  );
  if (outcome.status === "ran") return outcome.value;
  deps.logger.info({ holder: outcome.holder }, "rules skipped: another evaluation is running");
  return {
    status: "skipped",
    reason: `another evaluation is running${outcome.holder ? ` (${outcome.holder})` : ""}`,
    syncId: options.syncId ?? null,
    counts: emptyCounts(),
    evaluatedProjects: 0,
    durationMs: elapsedSince(startedMs),
    alerts: [],
  };
}

async function evaluateUnderLease(
  deps: EvaluateRulesDeps,
  options: EvaluateRulesOptions,
  signal: AbortSignal,
  startedMs: number,
): Promise<RulesSummary> {
  const ctx: RunContext = {
    deps,
    ruleContext: { rules: deps.rules, timezone: deps.timezone },
    now: deps.clock(),
    syncId: options.syncId ?? null,
    signal,
    totals: { counts: emptyCounts(), alerts: [], evaluatedProjects: 0 },
  };
  const summary = (status: RulesSummary["status"], reason: string | null): RulesSummary => ({
    status,
    reason,
    syncId: ctx.syncId,
    counts: ctx.totals.counts,
    evaluatedProjects: ctx.totals.evaluatedProjects,
    durationMs: elapsedSince(startedMs),
    alerts: ctx.totals.alerts,
  });
  try {
    if (options.projectGids === undefined) await evaluateEveryProject(ctx);
    else await evaluateProjects(ctx, options.projectGids);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.logger.error({ err: error, syncId: ctx.syncId, ...ctx.totals.counts }, "rules evaluation failed");
    return summary("failed", reason);
  }
  if (ctx.syncId !== null) await recordOnSyncRun(ctx, ctx.syncId);
  const done = summary("completed", null);
  deps.logger.info(
    {
      syncId: ctx.syncId,
      evaluatedProjects: done.evaluatedProjects,
      durationMs: done.durationMs,
      ...done.counts,
    },
    "rules evaluated",
  );
  return done;
}

/**
 * Every project, a page at a time. The active findings are read once (StatusIndex, a few
 * queries); a resolved finding is read only where its rule fires again, in one batch per page.
 * At 1,400 projects that is about 20 reads instead of one query per project.
 */
async function evaluateEveryProject(ctx: RunContext): Promise<void> {
  const { repos } = ctx.deps;
  const activeByProject = groupByProject(await repos.findings.listOpen());
  for await (const page of repos.projects.iterateAll(PAGE_SIZE)) {
    ctx.signal.throwIfAborted();
    const evaluations = page.map((project) => evaluate(ctx, project, activeByProject.get(project.gid) ?? []));
    const unmatched = evaluations.flatMap(({ candidates, findings }) =>
      candidates.filter((c) => !findings.some((f) => f.ruleId === c.ruleId)),
    );
    if (unmatched.length > 0) {
      const earlier = groupByProject(await repos.findings.getMany(unmatched));
      for (const evaluation of evaluations)
        evaluation.findings.push(...(earlier.get(evaluation.project.gid) ?? []));
    }
    await applyAll(ctx, evaluations);
    for (const project of page) activeByProject.delete(project.gid);
  }
  if (activeByProject.size > 0)
    ctx.deps.logger.warn(
      { projects: [...activeByProject.keys()].slice(0, 20), count: activeByProject.size },
      "active findings of projects that are not stored were left as they are",
    );
}

/** A few projects: one read of each project's findings. */
async function evaluateProjects(ctx: RunContext, gids: readonly string[]): Promise<void> {
  const { repos } = ctx.deps;
  const projects = await repos.projects.batchGet(gids);
  const missing = gids.filter((gid) => !projects.has(gid));
  if (missing.length > 0) ctx.deps.logger.warn({ projects: missing }, "rules asked for unknown projects");
  const evaluations = await mapLimit([...projects.values()], PROJECT_CONCURRENCY, async (project) =>
    evaluate(ctx, project, await repos.findings.listForProject(project.gid)),
  );
  await applyAll(ctx, evaluations);
}

function evaluate(ctx: RunContext, project: Project, findings: readonly Finding[]): Evaluation {
  return {
    project,
    candidates: evaluateProjectRules(project, ctx.ruleContext, ctx.now),
    findings: [...findings],
  };
}

async function applyAll(ctx: RunContext, evaluations: readonly Evaluation[]): Promise<void> {
  const { repos } = ctx.deps;
  await mapLimit(evaluations, PROJECT_CONCURRENCY, async ({ project, candidates, findings }) => {
    ctx.signal.throwIfAborted();
    const transitions = planTransitions(project, candidates, findings, ctx.now);
    const result = await applyTransitions(repos, project, candidates, transitions, {
      now: ctx.now,
      syncId: ctx.syncId,
    });
    addCounts(ctx.totals.counts, result.counts);
    ctx.totals.alerts.push(...result.alerts);
    ctx.totals.evaluatedProjects++;
  });
}

async function recordOnSyncRun(ctx: RunContext, syncId: string): Promise<void> {
  const { counts } = ctx.totals;
  try {
    await ctx.deps.repos.syncLog.recordRuleCounts(syncId, {
      findingsOpened: counts.opened + counts.reopened,
      findingsResolved: counts.resolved,
    });
  } catch (error) {
    // The findings are written; a run that cannot take the counts does not undo that.
    ctx.deps.logger.warn({ err: error, syncId }, "could not record the rule counts on the sync run");
  }
}

/** Findings by project; of two copies of one finding (read while it moved) the newer wins. */
function groupByProject(findings: readonly Finding[]): Map<string, Finding[]> {
  const newest = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.projectGid}#${finding.ruleId}`;
    const seen = newest.get(key);
    if (seen === undefined || seen.version < finding.version) newest.set(key, finding);
  }
  const byProject = new Map<string, Finding[]>();
  for (const finding of newest.values()) {
    const list = byProject.get(finding.projectGid) ?? [];
    list.push(finding);
    byProject.set(finding.projectGid, list);
  }
  return byProject;
}

function elapsedSince(startedMs: number): number {
  return Math.max(0, Math.round(performance.now() - startedMs));
}
