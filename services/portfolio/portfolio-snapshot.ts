import { byPmoIdThenName } from "../collation.ts";
import type { Clock, Finding, Project } from "../model.ts";
import type { FindingWithProject } from "../slack/blocks/finding-parts.ts";
import type { VersionMark } from "../store/meta/version-counter.ts";
import type { PortfolioChange } from "../store/portfolio-version.ts";
import type { Repositories } from "../store/repositories.ts";

/**
 * What the Home and `/pmo buscar|hallazgos|estado` read: every project (without its Asana
 * payload) and every unresolved finding, loaded once and reused until something changes.
 *
 * Reading 5,000 findings and 1,400 projects costs seconds on the embedded engine and several
 * requests on DynamoDB, far over the 300 ms a Home may take. Every write to projects or findings,
 * by any process, bumps the portfolio version in the meta table (PortfolioVersion); a read costs
 * one GetItem of that version. This process's own writes are applied to the snapshot as they land
 * (a click's Home comes back at once); a version moved by another process means a new load.
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

/** A loaded portfolio, kept current with this process's own writes. */
type Loaded = {
  /** The portfolio version it matches. */
  version: number;
  /** This process's writes it includes (PortfolioVersion.writesHere). */
  writesHere: number;
  /** The snapshot is not reused from this moment on. */
  reusableUntil: number;
  loadedAt: Date;
  projects: Map<string, Project>;
  /** Unresolved findings by project and rule. */
  findings: Map<string, Finding>;
  /** What readers get; rebuilt after a write changed the maps. */
  view: StoredPortfolio | null;
};

type Loading = {
  version: number;
  writesHere: number;
  promise: Promise<Loaded>;
  /** This process's writes that landed during the load: applied to it once loaded. */
  changes: PortfolioChange[];
};

const NONE: readonly never[] = [];
/** Projects a Scan page: without their payload, a thousand stay under DynamoDB's 1 MB a page. */
const PAGE_SIZE = 1_000;

/** Newest first; ISO timestamps order as strings. */
const newestFirst = (a: Finding, b: Finding): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

function storedPortfolio(
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

const findingKey = (finding: Finding): string => `${finding.projectGid}#${finding.ruleId}`;

/**
 * Writes what a write of this process stored into a loaded portfolio; older versions never win.
 * `counted`: a write the load did not count yet (one that landed while or after it loaded).
 */
function apply(loaded: Loaded, change: PortfolioChange, counted = true): void {
  for (const project of change.projects ?? []) {
    const current = loaded.projects.get(project.gid);
    if (current === undefined || current.version <= project.version)
      loaded.projects.set(project.gid, { ...project, raw: {} });
  }
  for (const finding of change.findings ?? []) {
    const key = findingKey(finding);
    const current = loaded.findings.get(key);
    if (current !== undefined && current.version > finding.version) continue;
    if (finding.status === "resolved") loaded.findings.delete(key);
    else loaded.findings.set(key, finding);
  }
  if (counted) loaded.writesHere++;
  loaded.view = null;
}

function viewOf(loaded: Loaded): StoredPortfolio {
  loaded.view ??= storedPortfolio(
    [...loaded.projects.values()],
    [...loaded.findings.values()],
    loaded.loadedAt,
  );
  return loaded.view;
}

export class PortfolioSnapshot {
  private loaded: Loaded | null = null;
  private loading: Loading | null = null;
  /**
   * This process's writes of the last INDEX_SETTLE_MS: a load may have read the index before they
   * reached it, so they are applied to it. A sync in this process writes all along; without them
   * every load during it would wait for the index to settle, and every Home would load again.
   */
  private recentHere: { at: number; change: PortfolioChange }[] = [];
  /** The last version seen, and when another process last moved it (as far as reads tell). */
  private seenVersion: number | null = null;
  private changedElsewhereAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: PortfolioSnapshotDeps) {
    deps.repos.portfolioVersion.onWrite((change) => {
      if (this.loaded !== null) apply(this.loaded, change);
      this.loading?.changes.push(change);
      const now = deps.clock().getTime();
      this.recentHere.push({ at: now, change });
      this.forgetOlderThan(now - this.settleMs());
    });
  }

  private settleMs(): number {
    return this.deps.settleMs ?? INDEX_SETTLE_MS;
  }

  private forgetOlderThan(at: number): void {
    const keep = this.recentHere.findIndex((entry) => entry.at >= at);
    this.recentHere = keep === -1 ? [] : this.recentHere.slice(keep);
  }

  /** Bumps that were not this process's, since the version last seen, count as changes elsewhere. */
  private observe(mark: VersionMark, now: number): void {
    const seen = this.seenVersion;
    if (seen === null || !this.deps.repos.portfolioVersion.bumpedOnlyHere(seen, mark)) {
      // Who bumped before the first read is unknown: counted as elsewhere.
      if (mark.changedAt !== null) this.changedElsewhereAt = Math.min(now, Date.parse(mark.changedAt));
    }
    this.seenVersion = Math.max(seen ?? 0, mark.value);
  }

  /**
   * The portfolio as stored now: reused when nothing changed since it was loaded but this
   * process's own writes, which it has applied.
   */
  async read(): Promise<StoredPortfolio> {
    const version = this.deps.repos.portfolioVersion;
    // Read before deciding: a write that returned before this line has bumped the version.
    const mark = await version.read();
    const writesHere = version.writesHere;
    const now = this.deps.clock().getTime();
    this.observe(mark, now);
    const loaded = this.loaded;
    if (
      loaded !== null &&
      loaded.writesHere === writesHere &&
      now < loaded.reusableUntil &&
      version.bumpedOnlyHere(loaded.version, mark)
    ) {
      loaded.version = mark.value;
      return viewOf(loaded);
    }
    const loading = this.loading;
    if (loading !== null && loading.version === mark.value && loading.writesHere === writesHere)
      return viewOf(await loading.promise);
    return viewOf(await this.load(mark, writesHere));
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
    const changes: PortfolioChange[] = [];
    this.forgetOlderThan(this.deps.clock().getTime() - this.settleMs());
    const before = this.recentHere.map((entry) => entry.change);
    const promise = this.fetch(mark, writesHere).then((loaded) => {
      // What this process wrote just before or meanwhile may or may not be in what was read.
      for (const change of before) apply(loaded, change, false);
      for (const change of changes) apply(loaded, change);
      return loaded;
    });
    const loading: Loading = { version: mark.value, writesHere, promise, changes };
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
    // Only another process's changes may be missing from the index: this one's are applied.
    const settled = startedAt - this.changedElsewhereAt >= this.settleMs();
    return {
      version: mark.value,
      writesHere,
      reusableUntil: settled
        ? startedAt + (this.deps.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS)
        : Number.NEGATIVE_INFINITY,
      loadedAt: new Date(startedAt),
      projects: new Map(projects.map((project) => [project.gid, project])),
      findings: new Map(
        findings.filter((f) => f.status !== "resolved").map((finding) => [findingKey(finding), finding]),
      ),
      view: null,
    };
  }

  private async allProjects(): Promise<Project[]> {
    const projects: Project[] = [];
    for await (const page of this.deps.repos.projects.iterateAll(PAGE_SIZE, { withRaw: false }))
      projects.push(...page);
    return projects;
  }
}
