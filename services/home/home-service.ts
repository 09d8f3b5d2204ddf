import type { Authorization } from "../authorization/authorization.ts";
import { compareSpanish } from "../collation.ts";
import { mapLimit } from "../concurrency.ts";
import type { Locale } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import { bySeverityDescending, type Clock, type Severity } from "../model.ts";
import { myProjects } from "../portfolio/my-projects.ts";
import type { PortfolioSnapshot, StoredPortfolio } from "../portfolio/portfolio-snapshot.ts";
import { isWithoutAccess } from "../rules/rules.ts";
import type { FindingWithProject, RenderContext } from "../slack/blocks/finding-parts.ts";
import { DEFAULT_HOME_STATE, type HomeState, type ValueFilter } from "../slack/blocks/home/home-state.ts";
import {
  type BuiltHomeView,
  type HomeProjectLine,
  homeFailedView,
  homeView,
  MY_FINDINGS_FOR_ADMIN,
  MY_FINDINGS_PAGE,
  type MyWork,
  PORTFOLIO_PAGE,
  type Portfolio,
  pageOf,
} from "../slack/blocks/home/home-view.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";

/**
 * The App Home's data (DESIGN.md section 6): the user's projects (those whose Asana owner is the
 * user's Asana user) and their unresolved findings; for admins the portfolio's unresolved
 * findings, counted and filtered. Rendered by services/slack/blocks/home.
 */

export type HomeServiceDeps = {
  repos: Pick<Repositories, "syncLog">;
  portfolio: Pick<PortfolioSnapshot, "read">;
  users: Pick<UserDirectory, "asanaUserOf" | "localeOf" | "slackUserIdFor">;
  authorization: Pick<Authorization, "isAdmin">;
  clock: Clock;
  timeZone: string;
  logger: Pick<Logger, "error">;
  /** Whether the web dashboard is on (WEB_ENABLED): the Home then offers its sign-in button. */
  webDashboard?: boolean;
};

const STORE_CONCURRENCY = 10;
const SYNC_RUNS_READ = 10;

/** Highest severity first, then newest, then a stable order. */
const bySeverityThenNewest = (a: FindingWithProject, b: FindingWithProject): number =>
  bySeverityDescending(a.finding.severity, b.finding.severity) ||
  b.finding.createdAt.localeCompare(a.finding.createdAt) ||
  `${a.finding.projectGid}#${a.finding.ruleId}`.localeCompare(`${b.finding.projectGid}#${b.finding.ruleId}`);

function matches(filter: ValueFilter, value: string | null): boolean {
  switch (filter.kind) {
    case "all":
      return true;
    case "none":
      return value === null || value.trim() === "";
    case "is":
      return value === filter.value;
  }
}

/** Whether the entry passes the admin's filters. */
export function passesFilters(state: HomeState, entry: FindingWithProject): boolean {
  return (
    (state.severity === "all" || entry.finding.severity === state.severity) &&
    matches(state.vertical, entry.project?.businessVertical ?? null) &&
    matches(state.responsable, entry.project?.responsableKey ?? null)
  );
}

export class HomeService {
  constructor(private readonly deps: HomeServiceDeps) {}

  /**
   * The Home to publish whatever happens: the user's Home, or, when it cannot be built, one that
   * says so in their language (a blank tab would leave them guessing).
   */
  async viewOrFailure(
    userId: string,
    state: HomeState = DEFAULT_HOME_STATE,
    notice: string | null = null,
  ): Promise<BuiltHomeView> {
    try {
      return await this.view(userId, state, notice);
    } catch (error) {
      this.deps.logger.error({ err: error, user: userId }, "the Home could not be built");
      const locale = await this.deps.users.localeOf(userId).catch((): Locale => "es");
      return homeFailedView(locale);
    }
  }

  /** The user's Home for this state, with `notice` on top when given. */
  async view(
    userId: string,
    state: HomeState = DEFAULT_HOME_STATE,
    notice: string | null = null,
  ): Promise<BuiltHomeView> {
    const admin = this.deps.authorization.isAdmin(userId);
    const [asanaUserGid, runs, stored] = await Promise.all([
      // Unknown to Slack and the cache: shown as not mapped, which is the truth for now.
      this.deps.users.asanaUserOf(userId),
      this.deps.repos.syncLog.recent(SYNC_RUNS_READ),
      this.deps.portfolio.read(),
    ]);
    // After the profile lookup, which may have just learnt the user's locale.
    const locale = await this.deps.users.localeOf(userId);
    const lastSync = runs.find((run) => run.status === "completed" && run.completedAt !== null) ?? null;
    const mine: MyWork =
      asanaUserGid === null ? { kind: "unmapped" } : this.myWork(stored, asanaUserGid, state, admin);
    const portfolio = admin ? this.portfolio(stored, state, lastSync?.staleProjects ?? null) : null;
    const shown = [
      ...(mine.kind === "mapped" ? mine.findings.items : []),
      ...(portfolio?.findings.items ?? []),
    ];
    // The page actually shown (a filter may have left fewer pages than the one asked for).
    const page =
      portfolio !== null ? portfolio.findings.page : mine.kind === "mapped" ? mine.findings.page : 1;
    return homeView({
      ctx: await this.renderContext(locale, shown),
      now: this.deps.clock(),
      state: { ...state, page },
      notice,
      lastSync,
      mine,
      portfolio,
      webPanel: this.deps.webDashboard === true,
    });
  }

  private myWork(stored: StoredPortfolio, asanaUserGid: string, state: HomeState, admin: boolean): MyWork {
    const owned = stored.projectsOf(asanaUserGid);
    // A project Asana refuses to show keeps its open findings, shown "sin acceso": still the user's.
    const withoutAccess = owned.filter(
      (project) => isWithoutAccess(project) && stored.findingsOf(project.gid).length > 0,
    );
    const perProject = [...myProjects({ asanaUserGid }, owned), ...withoutAccess].map((project) => ({
      project,
      findings: stored.findingsOf(project.gid),
    }));
    const lines: HomeProjectLine[] = perProject.map(({ project, findings }) => ({
      project,
      openFindings: findings.length,
    }));
    const entries = perProject
      .flatMap(({ project, findings }) => findings.map((finding) => ({ finding, project })))
      .sort(bySeverityThenNewest);
    return {
      kind: "mapped",
      projects: lines,
      projectsTotal: lines.length,
      findings: admin
        ? pageOf(entries, 1, MY_FINDINGS_FOR_ADMIN)
        : pageOf(entries, state.page, MY_FINDINGS_PAGE),
    };
  }

  private portfolio(stored: StoredPortfolio, state: HomeState, staleProjects: number | null): Portfolio {
    const entries = stored.openFindings;

    const bySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
    const verticalCounts = new Map<string | null, number>();
    const responsables = new Map<string, string | null>();
    for (const { finding, project } of entries) {
      bySeverity[finding.severity]++;
      const vertical = project?.businessVertical?.trim() ? project.businessVertical : null;
      verticalCounts.set(vertical, (verticalCounts.get(vertical) ?? 0) + 1);
      if (project?.responsableKey) {
        const name = project.responsable?.trim() ? project.responsable : null;
        if (!responsables.has(project.responsableKey) || name !== null)
          responsables.set(project.responsableKey, name);
      }
    }
    const byVertical = [...verticalCounts]
      .map(([vertical, count]) => ({ vertical, count }))
      .sort((a, b) => b.count - a.count || compareSpanish(a.vertical ?? "\uffff", b.vertical ?? "\uffff"));
    const filtered = entries.filter((entry) => passesFilters(state, entry)).sort(bySeverityThenNewest);
    return {
      bySeverity,
      byVertical,
      staleProjects,
      verticals: byVertical
        .map((v) => v.vertical)
        .filter((v) => v !== null)
        .sort(compareSpanish),
      responsables: [...responsables]
        .map(([key, name]) => ({ key, name }))
        .sort((a, b) => compareSpanish(a.name ?? a.key, b.name ?? b.key)),
      findings: pageOf(filtered, state.page, PORTFOLIO_PAGE),
    };
  }

  /** The owners of the shown findings' projects, looked up once, for mentions. */
  private async renderContext(locale: Locale, shown: readonly FindingWithProject[]): Promise<RenderContext> {
    const owners = [
      ...new Set(shown.map((e) => e.project?.responsableKey).filter((k) => typeof k === "string")),
    ];
    const slackUsers = new Map<string, string | null>();
    await mapLimit(owners, STORE_CONCURRENCY, async (key) => {
      slackUsers.set(key, await this.deps.users.slackUserIdFor(key));
    });
    return {
      locale,
      timeZone: this.deps.timeZone,
      slackUserIdFor: (project) =>
        project.responsableKey === null ? null : (slackUsers.get(project.responsableKey) ?? null),
    };
  }
}
