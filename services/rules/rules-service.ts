import { mapLimit } from "../concurrency.ts";
import type { Logger } from "../logger.ts";
import type {
  AlertNeeded,
  Clock,
  Finding,
  FindingCandidate,
  Project,
  RulesSummary,
  TransitionCounts,
} from "../model.ts";
import type { ChangelogRepository } from "../store/changelog-repository.ts";
import type { FindingsRepository } from "../store/findings-repository.ts";
import type { ProjectsRepository } from "../store/projects-repository.ts";
import type { SyncLogRepository } from "../store/sync-log-repository.ts";
import { addCounts, applyTransitions, emptyCounts, planTransitions } from "./engine.ts";
import { evaluateProjectRules, type RuleContext, type RuleSettings } from "./rules.ts";

/**
 * Evaluating the rules and moving the findings accordingly (./engine.ts), for the whole portfolio
 * (the rules job, under its lease) or for a few projects (after a DM status update). It takes no
 * lease: every finding write is conditional on the version read, and a write that lost a race is
 * reread and planned again (applyTransitions), so two evaluations of the same project at once, or
 * an evaluation and a click, leave each finding as one of them decided, never half of each.
 */

export type RulesServiceDeps = {
  repos: {
    projects: Pick<ProjectsRepository, "iterateAll" | "batchGet">;
    findings: Pick<
      FindingsRepository,
      "listOpen" | "getMany" | "listForProject" | "get" | "open" | "update" | "reopen" | "resolve"
    >;
    changelog: Pick<ChangelogRepository, "append">;
    syncLog: Pick<SyncLogRepository, "recordRuleCounts">;
  };
  settings: { rules: RuleSettings; timezone: string };
  clock: Clock;
  logger: Logger;
};

export type EvaluateOptions = {
  /** The sync run this evaluation follows: its run gets the counts, its changelog entries the id. */
  syncId?: string;
  /** Stops the evaluation between projects (the job's lease was lost, say). */
  signal?: AbortSignal;
};

const PAGE_SIZE = 100;
const PROJECT_CONCURRENCY = 10;

type Totals = { counts: TransitionCounts; alerts: AlertNeeded[]; evaluatedProjects: number };

type Evaluation = { project: Project; candidates: FindingCandidate[]; findings: Finding[] };

type Run = {
  ruleContext: RuleContext;
  now: Date;
  syncId: string | null;
  signal: AbortSignal | null;
  totals: Totals;
};

export class RulesService {
  constructor(private readonly deps: RulesServiceDeps) {}

  /** A few projects (one read of each one's findings); unknown gids are logged and left out. */
  evaluateProjects(gids: readonly string[], options: EvaluateOptions = {}): Promise<RulesSummary> {
    return this.run(options, (run) => this.projects(run, gids));
  }

  /** Every stored project, a page at a time. */
  evaluateAll(options: EvaluateOptions = {}): Promise<RulesSummary> {
    return this.run(options, (run) => this.everyProject(run));
  }

  private async run(options: EvaluateOptions, work: (run: Run) => Promise<void>): Promise<RulesSummary> {
    const { logger } = this.deps;
    const startedMs = performance.now();
    const run: Run = {
      ruleContext: { rules: this.deps.settings.rules, timezone: this.deps.settings.timezone },
      now: this.deps.clock(),
      syncId: options.syncId ?? null,
      signal: options.signal ?? null,
      totals: { counts: emptyCounts(), alerts: [], evaluatedProjects: 0 },
    };
    const summary = (status: RulesSummary["status"], reason: string | null): RulesSummary => ({
      status,
      reason,
      syncId: run.syncId,
      counts: run.totals.counts,
      evaluatedProjects: run.totals.evaluatedProjects,
      durationMs: Math.max(0, Math.round(performance.now() - startedMs)),
      alerts: run.totals.alerts,
    });
    try {
      await work(run);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.error({ err: error, syncId: run.syncId, ...run.totals.counts }, "rules evaluation failed");
      return summary("failed", reason);
    }
    if (run.syncId !== null) await this.recordOnSyncRun(run, run.syncId);
    const done = summary("completed", null);
    logger.info(
      {
        syncId: run.syncId,
        evaluatedProjects: done.evaluatedProjects,
        durationMs: done.durationMs,
        ...done.counts,
      },
      "rules evaluated",
    );
    return done;
  }

  /**
   * The active findings are read once (StatusIndex, a few queries); a resolved finding is read
   * only where its rule fires again, in one batch per page. At 1,400 projects that is about 20
   * reads instead of one query per project.
   */
  private async everyProject(run: Run): Promise<void> {
    const { repos, logger } = this.deps;
    const activeByProject = groupByProject(await repos.findings.listOpen());
    for await (const page of repos.projects.iterateAll(PAGE_SIZE)) {
      run.signal?.throwIfAborted();
      const evaluations = page.map((project) =>
        this.evaluate(run, project, activeByProject.get(project.gid) ?? []),
      );
      const unmatched = evaluations.flatMap(({ candidates, findings }) =>
        candidates.filter((c) => !findings.some((f) => f.ruleId === c.ruleId)),
      );
      if (unmatched.length > 0) {
        const earlier = groupByProject(await repos.findings.getMany(unmatched));
        for (const evaluation of evaluations)
          evaluation.findings.push(...(earlier.get(evaluation.project.gid) ?? []));
      }
      await this.applyAll(run, evaluations);
      for (const project of page) activeByProject.delete(project.gid);
    }
    if (activeByProject.size > 0)
      logger.warn(
        { projects: [...activeByProject.keys()].slice(0, 20), count: activeByProject.size },
        "active findings of projects that are not stored were left as they are",
      );
  }

  private async projects(run: Run, gids: readonly string[]): Promise<void> {
    const { repos, logger } = this.deps;
    const projects = await repos.projects.batchGet(gids);
    const missing = gids.filter((gid) => !projects.has(gid));
    if (missing.length > 0) logger.warn({ projects: missing }, "rules asked for unknown projects");
    const evaluations = await mapLimit([...projects.values()], PROJECT_CONCURRENCY, async (project) =>
      this.evaluate(run, project, await repos.findings.listForProject(project.gid)),
    );
    await this.applyAll(run, evaluations);
  }

  private evaluate(run: Run, project: Project, findings: readonly Finding[]): Evaluation {
    return {
      project,
      candidates: evaluateProjectRules(project, run.ruleContext, run.now),
      findings: [...findings],
    };
  }

  private async applyAll(run: Run, evaluations: readonly Evaluation[]): Promise<void> {
    await mapLimit(evaluations, PROJECT_CONCURRENCY, async ({ project, candidates, findings }) => {
      run.signal?.throwIfAborted();
      const transitions = planTransitions(project, candidates, findings, run.now);
      const result = await applyTransitions(this.deps.repos, project, candidates, transitions, {
        now: run.now,
        syncId: run.syncId,
      });
      addCounts(run.totals.counts, result.counts);
      run.totals.alerts.push(...result.alerts);
      run.totals.evaluatedProjects++;
    });
  }

  private async recordOnSyncRun(run: Run, syncId: string): Promise<void> {
    const { counts } = run.totals;
    try {
      await this.deps.repos.syncLog.recordRuleCounts(syncId, {
        findingsOpened: counts.opened + counts.reopened,
        findingsResolved: counts.resolved,
      });
    } catch (error) {
      // The findings are written; a run that cannot take the counts does not undo that.
      this.deps.logger.warn({ err: error, syncId }, "could not record the rule counts on the sync run");
    }
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
