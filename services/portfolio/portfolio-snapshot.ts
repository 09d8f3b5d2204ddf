import type { Finding, Project } from "../model.ts";
import type { FindingWithProject } from "../slack/blocks/finding-parts.ts";
import type { Clock } from "../store/dynamo.ts";
import type { VersionMark } from "../store/meta-repository.ts";
import { byPmoIdThenName } from "../store/projects-repository.ts";
import type { Repositories } from "../store/repositories.ts";

/**
 * What the admin Home and `/pmo buscar|hallazgos|estado` read: every project (without its Asana
 * payload) and every unresolved finding, loaded once and reused until something changes.
 *
 * Reading 5,000 findings and 1,400 projects costs seconds on the embedded engine and several
 * requests on DynamoDB, far over the 300 ms a Home may take. Every write to projects or findings,
 * by any process, bumps the portfolio version in the meta table (PortfolioVersion); a read costs
 * one GetItem of that version, and the snapshot is loaded again only when it moved.
 */

/** An unchanged snapshot is still reloaded after this long, in case a bump was lost. */
export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;
/**
 * The findings come from a global secondary index, which DynamoDB fills asynchronously (usually
 * within a second): a snapshot loaded this soon after a change answers the reads that waited for
 * it and is not reused.
 */
export const INDEX_SETTLE_MS = 2_000;

export type StoredPortfolio = {
  loadedAt: Date;
  /** Every stored project (active or not), without its Asana payload, by gid. */
  projects: ReadonlyMap<string, Project>;
  /** Every unresolved finding (open, acknowledged, snoozed) with its project, newest first. */
  openFindings: readonly FindingWithProject[];
  /** The project's unresolved findings, newest first. */
  findingsOf(projectGid: string): readonly Finding[];
  /** The projects whose responsable is this Asana user, by PMO ID then name. */
  projectsOf(asanaUserGid: string): readonly Project[];
};

export type PortfolioSnapshotDeps = {
  repos: Pick<Repositories, "projects" | "findings" | "portfolioVersion">;
  clock: Clock;
  maxAgeMs?: number;
  settleMs?: number;
};

type Loaded = {
  version: number;
  writesHere: number;
  /** The snapshot is not reused from this moment on. */
  reusableUntil: number;
  portfolio: StoredPortfolio;
};

type Loading = { version: number; writesHere: number; promise: Promise<Loaded> };

const NONE: readonly never[] = [];
/** Projects a Scan page: without their payload, a thousand stay under DynamoDB's 1 MB a page. */
const PAGE_SIZE = 1_000;

/** Newest first; ISO timestamps order as strings. */
const newestFirst = (a: Finding, b: Finding): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

export function storedPortfolio(
  projectList: readonly Project[],
  findings: readonly Finding[],
  loadedAt: Date,
): StoredPortfolio {
  const projects = new Map(projectList.map((project) => [project.gid, project]));
  const open = findings.filter((finding) => finding.status !== "resolved").sort(newestFirst);
  const byProject = new Map<string, Finding[]>();
  for (const finding of open) {
    const list = byProject.get(finding.projectGid);
    if (list === undefined) byProject.set(finding.projectGid, [finding]);
    else list.push(finding);
  }
  const byResponsable = new Map<string, Project[]>();
  for (const project of projectList) {
    if (project.responsableKey === null) continue;
    const list = byResponsable.get(project.responsableKey);
    if (list === undefined) byResponsable.set(project.responsableKey, [project]);
    else list.push(project);
  }
  for (const list of byResponsable.values()) list.sort(byPmoIdThenName);
  return {
    loadedAt,
    projects,
    openFindings: open.map((finding) => ({ finding, project: projects.get(finding.projectGid) ?? null })),
    findingsOf: (projectGid) => byProject.get(projectGid) ?? NONE,
    projectsOf: (asanaUserGid) => byResponsable.get(asanaUserGid) ?? NONE,
  };
}

export class PortfolioSnapshot {
  private loaded: Loaded | null = null;
  private loading: Loading | null = null;

  constructor(private readonly deps: PortfolioSnapshotDeps) {}

  /** The portfolio as stored now: reused when nothing changed since it was loaded. */
  async read(): Promise<StoredPortfolio> {
    const version = this.deps.repos.portfolioVersion;
    // Read before deciding: a write that returned before this line has bumped the version.
    const mark = await version.read();
    const writesHere = version.writesHere;
    const now = this.deps.clock().getTime();
    const loaded = this.loaded;
    if (
      loaded !== null &&
      loaded.version === mark.value &&
      loaded.writesHere === writesHere &&
      now < loaded.reusableUntil
    )
      return loaded.portfolio;
    const loading = this.loading;
    if (loading !== null && loading.version === mark.value && loading.writesHere === writesHere)
      return (await loading.promise).portfolio;
    return (await this.load(mark, writesHere)).portfolio;
  }

  /** Loads it ahead of the next reader (after a sync); a failure waits for a reader to meet it. */
  async warm(): Promise<void> {
    try {
      await this.read();
    } catch {
      // The next reader loads it again and gets the error in its own answer.
    }
  }

  private load(mark: VersionMark, writesHere: number): Promise<Loaded> {
    const promise = this.fetch(mark, writesHere);
    const loading: Loading = { version: mark.value, writesHere, promise };
    this.loading = loading;
    promise.then(
      (loaded) => {
        if (this.loading === loading) this.loading = null;
        // Two loads may overlap; the one that started from the newer version wins.
        if (this.loaded === null || this.loaded.version <= loaded.version) this.loaded = loaded;
      },
      () => {
        if (this.loading === loading) this.loading = null;
      },
    );
    return promise;
  }

  private async fetch(mark: VersionMark, writesHere: number): Promise<Loaded> {
    const startedAt = this.deps.clock().getTime();
    const [projects, findings] = await Promise.all([this.allProjects(), this.deps.repos.findings.listOpen()]);
    const settle = this.deps.settleMs ?? INDEX_SETTLE_MS;
    const changedAt = mark.changedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(mark.changedAt);
    const settled = startedAt - changedAt >= settle;
    return {
      version: mark.value,
      writesHere,
      reusableUntil: settled
        ? startedAt + (this.deps.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS)
        : Number.NEGATIVE_INFINITY,
      portfolio: storedPortfolio(projects, findings, new Date(startedAt)),
    };
  }

  private async allProjects(): Promise<Project[]> {
    const projects: Project[] = [];
    for await (const page of this.deps.repos.projects.iterateAll(PAGE_SIZE, { withRaw: false }))
      projects.push(...page);
    return projects;
  }
}
