import type { Authorization } from "../authorization/authorization.ts";
import { compareSpanish, compareSpanishNumeric } from "../collation.ts";
import { mapLimit } from "../concurrency.ts";
import type { Logger } from "../logger.ts";
import {
  bySeverityDescending,
  type Finding,
  type FullPipelineSummary,
  type Locale,
  type Project,
  SEVERITIES,
  type Severity,
  type SyncKind,
  type SyncRun,
  type SyncStats,
  type UserProfile,
} from "../model.ts";
import { loadMyProjects } from "../portfolio/my-projects.ts";
import type { PortfolioSnapshot } from "../portfolio/portfolio-snapshot.ts";
import { isActiveProject } from "../rules/rules.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import { type FindingFilters, foldText, type PmoCommand, type ResponsableFilter } from "./parse-pmo.ts";

/**
 * The use cases behind `/pmo`: each command becomes an answer made of domain data, which the
 * builders in services/slack/blocks/pmo/ render. No Slack here.
 */

/** When the data was last brought from Asana: the newest completed sync in the sync log. */
export type Freshness = { lastSyncAt: string | null };

export type ProjectSummary = {
  project: Project;
  /** Findings still asking for attention; null when not counted (search results). */
  openFindings: number | null;
  worstSeverity: Severity | null;
};

/** A finding and its project (null when the project is no longer stored). */
export type FindingEntry = { finding: Finding; project: Project | null };

export type ScheduledRun = { name: string; next: Date | null };

export type UnmappedReason = "no_email" | "no_asana_user" | "lookup_failed";

export type PmoAnswer =
  | { kind: "help"; notUnderstood: string | null }
  | Extract<PmoCommand, { kind: "invalid" }>
  | { kind: "mine"; projects: ProjectSummary[] }
  | { kind: "mine_unmapped"; reason: UnmappedReason; email: string | null }
  | { kind: "project"; project: Project; findings: Finding[] }
  | { kind: "project_not_found"; pmoId: string }
  | { kind: "search"; query: string; matches: ProjectSummary[] }
  | {
      kind: "findings";
      filters: FindingFilters;
      /** How the responsable filter reads (a mention's name), when there is one. */
      responsableLabel: string | null;
      /** A mentioned person who could not be mapped to an Asana user: nothing was filtered. */
      unmappedMention: boolean;
      entries: FindingEntry[];
    }
  | {
      kind: "status";
      runs: SyncRun[];
      nextRuns: ScheduledRun[];
      activeProjects: number;
      staleProjects: number;
      /** Since when Asana refuses ASANA_TOKEN; null while it takes it. */
      asanaTokenRefusedSince?: string | null;
    };

export type PmoReply = { locale: Locale; freshness: Freshness; answer: PmoAnswer };

/** Every command but `sync`, which answers twice (see runSync). */
/** sync and export are run by their listeners, which answer while they work. */
export type AnswerableCommand = Exclude<
  PmoCommand,
  { kind: "sync" } | { kind: "export" } | { kind: "update" }
>;

export type SyncOutcome =
  | {
      kind: "completed";
      syncKind: SyncKind;
      stats: SyncStats;
      /** False when the rules did not complete after the sync. */
      rulesRan: boolean;
      /** Messages posted in the PMO channel (single alerts and digests); null when alerts did not run. */
      alertsPosted: number | null;
      projectsRemoved?: number;
      /** Projects that vanished at once and were not marked removed (a held mass removal). */
      removalsHeld?: number;
    }
  | { kind: "skipped"; syncKind: SyncKind }
  | { kind: "failed"; syncKind: SyncKind; cause: unknown };

/** What a manual run returns: sync -> rules -> alerts. */
export type ManualRunSummary = FullPipelineSummary;

export type PmoServiceDeps = {
  repos: Pick<Repositories, "projects" | "findings" | "syncLog">;
  /** Every project and unresolved finding: what `buscar`, `hallazgos` and `estado` go through. */
  portfolio: Pick<PortfolioSnapshot, "read">;
  users: Pick<UserDirectory, "profile" | "localeOf">;
  authorization: Pick<Authorization, "may" | "admins">;
  jobs: {
    runPipeline(kind: SyncKind, options?: { confirmRemovals?: boolean }): Promise<ManualRunSummary>;
    nextRuns(): ScheduledRun[];
  };
  logger: Pick<Logger, "warn">;
  /** Whether Asana currently refuses the token (absent: not watched). */
  asanaToken?: { refusedSince(): string | null };
};

/** Runs read to find the last completed one; a streak of failures longer than this reads as none. */
const RECENT_RUNS = 25;
/** Runs shown by `/pmo estado`. */
export const STATUS_RUNS = 5;
/** Parallel finding queries for `/pmo mis-proyectos`. */
const FINDING_QUERIES = 8;

const isActiveFinding = (finding: Finding): boolean => finding.status !== "resolved";

/** The project without the Asana payload it was read from: what answers keep in memory. */
const slim = (project: Project): Project => ({ ...project, raw: {} });

function summarize(project: Project, findings: readonly Finding[]): ProjectSummary {
  const active = findings.filter(isActiveFinding);
  const worst = SEVERITIES.find((severity) => active.some((f) => f.severity === severity)) ?? null;
  return { project, openFindings: active.length, worstSeverity: worst };
}

const bySeverity = (a: Finding, b: Finding): number =>
  bySeverityDescending(a.severity, b.severity) || a.ruleId.localeCompare(b.ruleId);

const projectOrder = (a: Project | null, b: Project | null): number =>
  compareSpanishNumeric(a?.pmoId ?? "\uffff", b?.pmoId ?? "\uffff") ||
  compareSpanish(a?.name ?? "", b?.name ?? "");

/** Name words: accents and case ignored, `.`, `_` and `-` read as spaces (Slack handles). */
const nameWords = (text: string): string[] =>
  foldText(text)
    .split(/[\s._-]+/)
    .filter((word) => word !== "");

/** Every word asked for starts a word of the responsable's name: "ana" finds "Ana Pérez", not "Mariana". */
export function responsableMatches(responsable: string | null, name: string): boolean {
  if (responsable === null) return false;
  const words = nameWords(responsable);
  const wanted = nameWords(name);
  return wanted.length > 0 && wanted.every((w) => words.some((word) => word.startsWith(w)));
}

/**
 * How well a project name answers a search, lower is better; null when it does not. Whole name,
 * then start of the name, then start of a word, then anywhere, then every word somewhere.
 */
export function searchRank(name: string, query: string): number | null {
  const folded = foldText(name);
  const needle = foldText(query);
  if (needle === "") return null;
  if (folded === needle) return 0;
  if (folded.startsWith(needle)) return 1;
  if (folded.includes(` ${needle}`)) return 2;
  if (folded.includes(needle)) return 3;
  const words = needle.split(" ");
  return words.length > 1 && words.every((word) => folded.includes(word)) ? 4 : null;
}

export function freshnessOf(runs: readonly SyncRun[]): Freshness {
  const last = runs.find((run) => run.status === "completed" && run.completedAt !== null);
  return { lastSyncAt: last?.completedAt ?? null };
}

type ResponsableMatch = {
  matches: (project: Project) => boolean;
  label: string | null;
  unmapped: boolean;
};

export class PmoService {
  constructor(private readonly deps: PmoServiceDeps) {}

  /** The language the user reads: their Slack locale when known, DEFAULT_LOCALE otherwise. */
  localeOf(slackUserId: string): Promise<Locale> {
    return this.deps.users.localeOf(slackUserId);
  }

  async freshness(): Promise<Freshness> {
    return freshnessOf(await this.deps.repos.syncLog.recent(RECENT_RUNS));
  }

  async answer(command: AnswerableCommand, slackUserId: string): Promise<PmoReply> {
    const runs = await this.deps.repos.syncLog.recent(RECENT_RUNS);
    const answer = await this.answerFor(command, slackUserId, runs);
    // After the answer: `mis-proyectos` may just have refreshed the user's profile and language.
    const locale = await this.deps.users.localeOf(slackUserId);
    return { locale, freshness: freshnessOf(runs), answer };
  }

  private answerFor(command: AnswerableCommand, slackUserId: string, runs: SyncRun[]): Promise<PmoAnswer> {
    switch (command.kind) {
      case "help":
      case "invalid":
        return Promise.resolve(command);
      case "mine":
        return this.myProjects(slackUserId);
      case "project":
        return this.project(command.pmoId);
      case "search":
        return this.search(command.query);
      case "findings":
        return this.findings(command.filters);
      case "status":
        return this.status(runs);
    }
  }

  async myProjects(slackUserId: string): Promise<PmoAnswer> {
    let profile: UserProfile;
    try {
      profile = await this.deps.users.profile(slackUserId);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, user: slackUserId },
        "/pmo mis-proyectos could not read the profile",
      );
      return { kind: "mine_unmapped", reason: "lookup_failed", email: null };
    }
    if (profile.asanaUserGid === null) {
      return {
        kind: "mine_unmapped",
        reason: profile.email === null ? "no_email" : "no_asana_user",
        email: profile.email,
      };
    }
    const projects = (await loadMyProjects(this.deps.repos.projects, profile)).map(slim);
    const summaries = await mapLimit(projects, FINDING_QUERIES, async (project) =>
      summarize(project, await this.deps.repos.findings.listForProject(project.gid)),
    );
    return { kind: "mine", projects: summaries };
  }

  async project(pmoId: string): Promise<PmoAnswer> {
    const project = await this.deps.repos.projects.getByPmoId(pmoId);
    if (project === null) return { kind: "project_not_found", pmoId };
    const findings = (await this.deps.repos.findings.listForProject(project.gid))
      .filter(isActiveFinding)
      .sort(bySeverity);
    return { kind: "project", project: slim(project), findings };
  }

  /** Every active project whose name answers the query, best match first. */
  async search(query: string): Promise<PmoAnswer> {
    const matches: { summary: ProjectSummary; rank: number }[] = [];
    for (const project of (await this.deps.portfolio.read()).projects.values()) {
      if (!isActiveProject(project)) continue;
      const rank = searchRank(project.name, query);
      if (rank !== null)
        matches.push({ summary: { project, openFindings: null, worstSeverity: null }, rank });
    }
    matches.sort(
      (a, b) =>
        a.rank - b.rank ||
        a.summary.project.name.length - b.summary.project.name.length ||
        compareSpanish(a.summary.project.name, b.summary.project.name),
    );
    return { kind: "search", query, matches: matches.map((m) => m.summary) };
  }

  async findings(filters: FindingFilters): Promise<PmoAnswer> {
    const responsable = await this.responsableMatch(filters.responsable);
    if (responsable.unmapped) {
      return { kind: "findings", filters, responsableLabel: null, unmappedMention: true, entries: [] };
    }
    const { openFindings } = await this.deps.portfolio.read();
    const vertical = filters.vertical === null ? null : foldText(filters.vertical);
    const entries: FindingEntry[] = [];
    for (const { finding, project } of openFindings) {
      if (filters.severities.length > 0 && !filters.severities.includes(finding.severity)) continue;
      if (vertical !== null && (project === null || foldText(project.businessVertical ?? "") !== vertical))
        continue;
      if (filters.responsable !== null && (project === null || !responsable.matches(project))) continue;
      entries.push({ finding, project });
    }
    entries.sort(
      (a, b) =>
        bySeverityDescending(a.finding.severity, b.finding.severity) ||
        projectOrder(a.project, b.project) ||
        a.finding.projectGid.localeCompare(b.finding.projectGid) ||
        a.finding.ruleId.localeCompare(b.finding.ruleId),
    );
    return {
      kind: "findings",
      filters,
      responsableLabel: responsable.label,
      unmappedMention: false,
      entries,
    };
  }

  /**
   * A mention is the Asana user mapped to that Slack user; when there is none, the name Slack
   * sent with the mention (or the profile's) is matched like a typed name.
   */
  private async responsableMatch(filter: ResponsableFilter | null): Promise<ResponsableMatch> {
    if (filter === null) return { matches: () => true, label: null, unmapped: false };
    if (filter.kind === "name") {
      return {
        matches: (p) => responsableMatches(p.responsable, filter.name),
        label: filter.name,
        unmapped: false,
      };
    }
    let profile: UserProfile | null = null;
    try {
      profile = await this.deps.users.profile(filter.slackUserId);
    } catch (error) {
      this.deps.logger.warn(
        { err: error, user: filter.slackUserId },
        "/pmo hallazgos could not map a mention",
      );
    }
    const label = filter.label ?? profile?.name ?? null;
    const asanaUserGid = profile?.asanaUserGid ?? null;
    if (asanaUserGid !== null)
      return { matches: (p) => p.responsableKey === asanaUserGid, label, unmapped: false };
    if (label === null) return { matches: () => false, label: null, unmapped: true };
    return { matches: (p) => responsableMatches(p.responsable, label), label, unmapped: false };
  }

  async status(runs: readonly SyncRun[]): Promise<PmoAnswer> {
    const refusedSince = this.deps.asanaToken?.refusedSince() ?? null;
    let activeProjects = 0;
    let staleProjects = 0;
    for (const project of (await this.deps.portfolio.read()).projects.values()) {
      if (!isActiveProject(project)) continue;
      activeProjects++;
      if (project.stale) staleProjects++;
    }
    return {
      kind: "status",
      runs: runs.slice(0, STATUS_RUNS),
      nextRuns: this.deps.jobs.nextRuns(),
      activeProjects,
      staleProjects,
      ...(refusedSince === null ? {} : { asanaTokenRefusedSince: refusedSince }),
    };
  }

  mayRunSync(slackUserId: string): Promise<boolean> {
    return this.deps.authorization.may(slackUserId, "sync");
  }

  /** Who may run `/pmo sync`: the configured PMO admins. */
  syncAdmins(): readonly string[] {
    return this.deps.authorization.admins();
  }

  /** sync -> rules -> alerts through the same lease as the schedule; never throws. */
  async runSync(syncKind: SyncKind, options: { confirmRemovals?: boolean } = {}): Promise<SyncOutcome> {
    let summary: ManualRunSummary;
    try {
      summary = await this.deps.jobs.runPipeline(
        syncKind,
        options.confirmRemovals === true ? { confirmRemovals: true } : {},
      );
    } catch (error) {
      return { kind: "failed", syncKind, cause: error };
    }
    const { sync, rules } = summary;
    if (sync.status === "skipped") return { kind: "skipped", syncKind };
    if (sync.status === "failed") return { kind: "failed", syncKind, cause: sync.reason };
    const alerts = summary.alerts ?? null;
    return {
      kind: "completed",
      syncKind,
      stats: sync.stats,
      rulesRan: rules?.status === "completed",
      alertsPosted: alerts?.status === "completed" ? alerts.counts.posted + alerts.counts.digests : null,
      ...(sync.stats.projectsRemoved > 0 ? { projectsRemoved: sync.stats.projectsRemoved } : {}),
      ...(sync.heldRemovals === undefined ? {} : { removalsHeld: sync.heldRemovals.count }),
    };
  }
}
