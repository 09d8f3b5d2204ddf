import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { type AsanaClient, isAsanaError, type ProjectScope } from "../services/asana/client.ts";
import { type CustomFieldNames, mapAsanaProject } from "../services/asana/mapper.ts";
import type { AsanaEvent, AsanaProjectRecord } from "../services/asana/schemas.ts";
import { mapLimit } from "../services/concurrency.ts";
import { VersionConflictError } from "../services/errors.ts";
import type { Logger } from "../services/logger.ts";
import type {
  ChangeEntry,
  ChangeEntryInput,
  Clock,
  MassRemovalNotice,
  Project,
  RemovalReason,
  SyncKind,
  SyncRun,
  SyncSummary,
} from "../services/model.ts";
import {
  dropProjectState,
  emptySyncState,
  type ProjectSyncState,
  SYNC_STATE_SHARDS,
  type SyncState,
  setProjectState,
} from "../services/store/meta/sync-state.ts";
import type { Repositories } from "../services/store/repositories.ts";
import {
  asanaFingerprint,
  changelogEntries,
  latest,
  mergeConcurrentWrite,
  needsWrite,
} from "../services/sync/project-diff.ts";
import { isDisappearance, isMassRemoval, massRemovalLimit } from "../services/sync/removal-guard.ts";
import { runExclusive } from "./lease.ts";

/** One lease for both kinds: full and partial syncs never overlap. */
export const SYNC_LEASE = "asana-sync";
const LEASE_TTL_MS = 2 * 60_000;
/** Projects crawled at once: Asana's own ceiling of concurrent GETs. */
const PROJECT_CONCURRENCY = 50;
const WRITE_CONCURRENCY = 10;
const MAX_LISTING_ATTEMPTS = 3;
const PAGES_IN_FLIGHT = 3;
/** Tries of one project write that a person's concurrent write keeps conflicting with. */
const MERGE_ATTEMPTS = 3;
/** Projects named in a held mass removal's warning and notice. */
const HELD_SAMPLES = 5;

export type SyncSettings = {
  scope: ProjectScope;
  fieldNames: CustomFieldNames;
  /** How far back "any task changed?" looks for a project with no activity history yet. */
  activityLookbackDays: number;
};

export type SyncDeps = {
  asana: AsanaClient;
  repos: Repositories;
  settings: SyncSettings;
  clock: Clock;
  logger: Logger;
  /** Who runs it (host:pid:random): the lease owner and the run's owner. */
  owner: string;
  leaseTtlMs?: number;
  /** Aborts the run (the process is stopping): it stops writing, fails the run, releases the lease. */
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; listed: number; listingComplete: boolean }) => void;
  /**
   * An admin confirmed it (`/pmo sync confirmar-bajas`): this run marks projects removed even when
   * more than max(5, 5 %) of the active ones left at once.
   */
  confirmRemovals?: boolean;
  /** Told once per run that held back a mass removal: the PMO channel notice. */
  onMassRemoval?: (notice: MassRemovalNotice) => Promise<void>;
};

type Crawl = {
  project: Project;
  write: boolean;
  changes: ChangeEntryInput[];
  stale: boolean;
  newSyncToken: string | null;
  /** The token the run started from, kept when no new one is written. */
  storedToken: StoredSyncToken | null;
  /** Of Asana's side as read this run; null when the payload could not be read. */
  fingerprint: string | null;
};

type RunContext = {
  deps: SyncDeps;
  kind: SyncKind;
  syncId: string;
  startedAt: string;
  signal: AbortSignal;
  counters: SyncSummary["stats"];
  /**
   * The run before this one did not complete (a crash, a failure): it may have written changelog
   * entries and died before writing their project, so entries are checked before being written again.
   * It may also have written projects and died before saving their entries in the sync state, so
   * no fingerprint is trusted: every listed project is read and diffed.
   */
  recheckChangelog: boolean;
  heldRemovals: MassRemovalNotice | null;
  state: SyncState;
  /** Gids whose state changed since it was last saved. */
  touched: Set<string>;
  /** Saves one at a time, so a shard's last write holds its newest entries. */
  saving: Promise<void>;
};

const cursorName = (projectGid: string) => `events:${projectGid}`;

function emptyStats(): SyncSummary["stats"] {
  return {
    projectsSynced: 0,
    changesDetected: 0,
    findingsOpened: 0,
    findingsResolved: 0,
    asanaCalls: 0,
    throttled: 0,
    staleProjects: 0,
    durationMs: 0,
    projectsWritten: 0,
    projectsRemoved: 0,
    listingRestarts: 0,
    abandonedRuns: 0,
  };
}

/**
 * One sync of the configured scope (DESIGN.md section 4), under the sync lease. Full: every
 * project's task counts and a fresh events token. Partial: events with the stored token, task
 * counts only where tasks changed; a 412 re-crawls that project. Either way only changed projects
 * are written, each change becomes a changelog entry, and a project that cannot be read is
 * marked stale instead of stopping the others.
 */
export async function runSync(kind: SyncKind, deps: SyncDeps): Promise<SyncSummary> {
  const outcome = await runExclusive(
    {
      leases: deps.repos.meta.leases,
      name: SYNC_LEASE,
      owner: deps.owner,
      ttlMs: deps.leaseTtlMs ?? LEASE_TTL_MS,
    },
    (leaseSignal) =>
      runUnderLease(kind, deps, deps.signal ? AbortSignal.any([leaseSignal, deps.signal]) : leaseSignal),
  );
  if (outcome.status === "ran") return outcome.value;
  deps.logger.info({ kind, holder: outcome.holder }, "sync skipped: another sync is running");
  return {
    status: "skipped",
    kind,
    syncId: null,
    reason: `another sync is running${outcome.holder ? ` (${outcome.holder})` : ""}`,
    stats: emptyStats(),
  };
}

async function runUnderLease(kind: SyncKind, deps: SyncDeps, signal: AbortSignal): Promise<SyncSummary> {
  const { repos, clock, logger } = deps;
  const counters = emptyStats();
  const previous = await markAbandonedRuns(repos, deps.owner);
  counters.abandonedRuns = previous.marked;
  const syncId = `${clock().toISOString().replace(/[-:.]/g, "")}-${kind}-${randomUUID().slice(0, 8)}`;
  const run = await repos.syncLog.createRunning({ syncId, kind, owner: deps.owner });
  const callsBefore = deps.asana.stats.calls;
  const throttledBefore = deps.asana.stats.throttled;
  const ctx: RunContext = {
    deps,
    kind,
    syncId,
    startedAt: run.startedAt,
    signal,
    counters,
    recheckChangelog: previous.lastIncomplete,
    heldRemovals: null,
    state: emptySyncState(),
    touched: new Set(),
    saving: Promise.resolve(),
  };
  const finish = () => {
    counters.asanaCalls = deps.asana.stats.calls - callsBefore;
    counters.throttled = deps.asana.stats.throttled - throttledBefore;
    counters.durationMs = Math.max(0, clock().getTime() - Date.parse(run.startedAt));
  };
  try {
    ctx.state = await repos.meta.syncState.load();
    await syncScope(ctx);
    finish();
    const held = ctx.heldRemovals;
    await repos.syncLog.complete(syncId, counters, held === null ? null : heldWarning(held));
    logger.info({ syncId, kind, ...counters }, "sync completed");
    if (held !== null) await tellMassRemoval(deps, held);
    return {
      status: "completed",
      kind,
      syncId,
      reason: null,
      stats: counters,
      ...(held === null ? {} : { heldRemovals: held }),
    };
  } catch (error) {
    finish();
    // The entries of what was written keep their tokens for the next run (saveState writes nothing
    // once the lease is lost).
    await saveState(ctx).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    await repos.syncLog.fail(syncId, reason, counters).catch((cause: unknown) => {
      logger.error({ err: cause, syncId }, "could not record the failed sync");
    });
    logger.error({ err: error, syncId, kind }, "sync failed");
    return { status: "failed", kind, syncId, reason, stats: counters };
  }
}

/**
 * Runs left "running" by a process that died; holding the lease, nobody else is running one.
 * Also says whether the newest run ended without completing.
 */
async function markAbandonedRuns(
  repos: Repositories,
  owner: string,
): Promise<{ marked: number; lastIncomplete: boolean }> {
  const recent: SyncRun[] = await repos.syncLog.recent(20);
  const lastIncomplete = recent[0] !== undefined && recent[0].status !== "completed";
  let marked = 0;
  for (const run of recent) {
    if (run.status !== "running") continue;
    await repos.syncLog
      .markAbandoned(
        run.syncId,
        `abandoned: its process (${run.owner ?? "unknown"}) stopped before finishing; found by ${owner}`,
      )
      .then(() => marked++)
      .catch(() => undefined);
  }
  return { marked, lastIncomplete };
}

function heldWarning(held: MassRemovalNotice): string {
  const first = held.samples.map((s) => `${s.gid} ${s.reason}`).join(", ");
  return (
    `mass removal held: ${held.count} of ${held.activeProjects} active projects would have been marked ` +
    `removed (limit ${held.limit}); none was marked. First: ${first}. ` +
    "An admin applies it with /pmo sync confirmar-bajas."
  );
}

/** The channel notice; a notice that cannot be posted is logged, the run stays completed. */
async function tellMassRemoval(deps: SyncDeps, held: MassRemovalNotice): Promise<void> {
  deps.logger.warn(
    { syncId: held.syncId, count: held.count, activeProjects: held.activeProjects, limit: held.limit },
    "mass removal held back",
  );
  if (deps.onMassRemoval === undefined) return;
  try {
    await deps.onMassRemoval(held);
  } catch (error) {
    deps.logger.error({ err: error, syncId: held.syncId }, "could not post the mass removal notice");
  }
}

async function syncScope(ctx: RunContext): Promise<void> {
  const { deps } = ctx;
  const seen = new Set<string>();
  let done = 0;
  let listingComplete = false;
  for (let attempt = 1; attempt <= MAX_LISTING_ATTEMPTS && !listingComplete; attempt++) {
    // Pages are crawled while the next ones are listed, a few at a time: the Asana client's own
    // concurrency limit keeps the calls in check, this bound keeps memory flat at any scale.
    const inFlight = new Set<Promise<void>>();
    try {
      for await (const page of deps.asana.listProjects(deps.settings.scope, undefined, { archived: false })) {
        ctx.signal.throwIfAborted();
        const fresh = page.filter((record) => !seen.has(record.gid));
        for (const record of fresh) seen.add(record.gid);
        const work = syncPage(ctx, fresh).then(() => {
          done += fresh.length;
          deps.onProgress?.({ done, listed: seen.size, listingComplete: false });
        });
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work)).catch(() => undefined);
        if (inFlight.size >= PAGES_IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      listingComplete = true;
    } catch (error) {
      await Promise.allSettled(inFlight);
      // An expired offset or a page that would not come: list again from the start, skipping
      // what this run already did. Anything else (a bad token, the store failing) ends the run.
      const restartable =
        isAsanaError(error, "asana_bad_request") || isAsanaError(error, "asana_unavailable");
      if (!restartable || attempt === MAX_LISTING_ATTEMPTS) throw error;
      ctx.counters.listingRestarts++;
      deps.logger.warn({ err: error, attempt }, "project listing broke off; listing again from the start");
    }
  }
  deps.onProgress?.({ done, listed: seen.size, listingComplete: true });
  // Only a listing read to its end says which projects are gone.
  await markRemoved(ctx, seen);
}

/**
 * A page of listed projects. A full sync reads each one's stored project and crawls it afresh. A
 * partial sync goes by the sync state: a project whose Asana side reads as it did when last
 * written, with no task event, is neither read from the store nor written; only the others are.
 */
async function syncPage(ctx: RunContext, records: readonly AsanaProjectRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { repos } = ctx.deps;
  const entries = ctx.state.projects;
  const trusting = ctx.kind === "partial" && !ctx.recheckChangelog;
  const trusted = (gid: string) => (trusting ? (entries.get(gid) ?? null) : null);
  const untokened = records.filter((r) => (entries.get(r.gid)?.token ?? null) === null);
  const [stored, legacyTokens] = await Promise.all([
    repos.projects.batchGet(records.filter((r) => trusted(r.gid) === null).map((r) => r.gid)),
    // Tokens from before the sync state, one item a project: read only for projects it lacks.
    untokened.length === 0
      ? new Map<string, StoredSyncToken>()
      : repos.meta.cursors.getManyDated(untokened.map((r) => cursorName(r.gid))),
  ]);
  const readings = await mapLimit(records, PROJECT_CONCURRENCY, (record) => {
    const entry = trusted(record.gid);
    const project = stored.get(record.gid) ?? null;
    const known = entry ?? {
      stale: project?.stale === true,
      hasActivity: (project?.lastActivityAt ?? null) !== null,
    };
    return readProject(
      ctx,
      record,
      known,
      tokenOf(entries.get(record.gid), legacyTokens.get(cursorName(record.gid))),
    );
  });
  ctx.signal.throwIfAborted();
  const unchanged = new Set(readings.filter((r) => isUnchanged(r, trusted(r.record.gid))));
  const moved = readings.filter((r) => !unchanged.has(r) && trusted(r.record.gid) !== null);
  if (moved.length > 0)
    for (const [gid, project] of await repos.projects.batchGet(moved.map((r) => r.record.gid)))
      stored.set(gid, project);
  const crawls = readings
    .filter((r) => !unchanged.has(r))
    .map((r) => buildCrawl(ctx, r, stored.get(r.record.gid) ?? null));
  ctx.signal.throwIfAborted();
  await persist(ctx, crawls, stored);
  for (const reading of unchanged) keepUnchanged(ctx, reading);
  if (stateSaveDue(ctx.touched.size, ctx.state.projects.size)) await saveState(ctx);
}

/**
 * Whether enough entries changed to save the state mid-run. A save rewrites whole shards, so saving
 * after every page rewrote every shard once a page: quadratic in the projects (about 900 MB of
 * shard writes in a full sync of 50,000). Saving after an eighth of the projects changed (256
 * entries at least) rewrites each shard about eight times a run at any scale. A run that dies in
 * between loses only that progress: the next one trusts no fingerprint (`recheckChangelog`).
 */
export function stateSaveDue(touched: number, entries: number): boolean {
  return touched >= Math.max(SYNC_STATE_SHARDS, entries / 8);
}

function tokenOf(
  entry: ProjectSyncState | undefined,
  legacy: StoredSyncToken | undefined,
): StoredSyncToken | null {
  if (entry?.token != null) return { value: entry.token, updatedAt: entry.tokenAt ?? "" };
  return legacy ?? null;
}

/** Asana's side as last written, no task event, nothing failed: the stored project is as it was. */
function isUnchanged(reading: Reading, entry: ProjectSyncState | null): boolean {
  return (
    entry !== null &&
    !entry.stale &&
    // Marked removed by a run that did not list it: no fingerprint, read again. Completed or
    // archived as listed: the fingerprint holds it.
    entry.fingerprint !== null &&
    reading.fingerprint === entry.fingerprint &&
    reading.facts.problems.length === 0 &&
    reading.facts.counts === null &&
    !reading.facts.tokenMoved
  );
}

function keepUnchanged(ctx: RunContext, reading: Reading): void {
  const gid = reading.record.gid;
  const before = ctx.state.projects.get(gid);
  if (before === undefined) return;
  const token = tokenToStore(reading.facts, reading.storedToken, ctx.deps.clock());
  if (token !== null) setEntry(ctx, gid, { ...before, token, tokenAt: ctx.deps.clock().toISOString() });
  ctx.counters.projectsSynced++;
}

function setEntry(ctx: RunContext, gid: string, entry: ProjectSyncState): void {
  const before = ctx.state.projects.get(gid);
  if (before !== undefined && isDeepStrictEqual(before, entry)) return;
  setProjectState(ctx.state, gid, entry);
  ctx.touched.add(gid);
}

function dropEntry(ctx: RunContext, gid: string): void {
  if (dropProjectState(ctx.state, gid)) ctx.touched.add(gid);
}

/** Writes the shards of the entries changed since the last save; after their projects. */
function saveState(ctx: RunContext): Promise<void> {
  ctx.saving = ctx.saving.then(async () => {
    if (ctx.touched.size === 0) return;
    ctx.signal.throwIfAborted();
    const gids = [...ctx.touched];
    ctx.touched.clear();
    try {
      await ctx.deps.repos.meta.syncState.save(ctx.state, gids);
    } catch (error) {
      for (const gid of gids) ctx.touched.add(gid);
      throw error;
    }
  });
  return ctx.saving;
}

async function persist(
  ctx: RunContext,
  crawls: readonly (Crawl | null)[],
  stored: Map<string, Project>,
): Promise<void> {
  const { repos } = ctx.deps;
  const done = crawls.filter((c): c is Crawl => c !== null);
  const brandNew = done.filter((c) => c.write && !stored.has(c.project.gid));
  const changed = done.filter((c) => c.write && stored.has(c.project.gid));
  // The entries first: idempotent, they survive a crash before their project is written, and the
  // next run's diff (still against the old project) finds the same changes again.
  const entries = ctx.recheckChangelog
    ? await withoutRecorded(ctx, changed, stored)
    : changed.flatMap((c) => c.changes);
  if (entries.length > 0) ctx.counters.changesDetected += (await repos.changelog.append(entries)).written;
  if (brandNew.length > 0) await repos.projects.insertMany(brandNew.map((c) => c.project));
  const unwritten = new Set<string>();
  await mapLimit(changed, WRITE_CONCURRENCY, async (crawl) => {
    const previous = stored.get(crawl.project.gid);
    if (previous === undefined) return;
    if (!(await writeProject(ctx, crawl.project, previous))) unwritten.add(crawl.project.gid);
  });
  const now = ctx.deps.clock().toISOString();
  for (const crawl of done) {
    const gid = crawl.project.gid;
    const before = ctx.state.projects.get(gid);
    const kept = crawl.storedToken ?? { value: before?.token ?? null, updatedAt: before?.tokenAt ?? null };
    setEntry(ctx, gid, {
      token: crawl.newSyncToken ?? kept.value,
      tokenAt: crawl.newSyncToken !== null ? now : kept.updatedAt || null,
      // A project left unwritten (a person kept writing it) is read again next time.
      fingerprint: unwritten.has(gid) ? null : crawl.fingerprint,
      stale: crawl.project.stale,
      removed: crawl.project.removedAt !== null,
      hasActivity: crawl.project.lastActivityAt !== null,
    });
  }
  ctx.counters.projectsWritten += brandNew.length + changed.length - unwritten.size;
  ctx.counters.projectsSynced += done.filter((c) => !c.stale).length;
  ctx.counters.staleProjects += done.filter((c) => c.stale).length;
}

/**
 * Writes a changed project. A person's write in between (a status update by DM) is read again and
 * merged: Asana's fields from this sync, the person's as they wrote them; only a project that keeps
 * conflicting is left for the next sync (false), the run goes on.
 */
async function writeProject(ctx: RunContext, next: Project, previous: Project): Promise<boolean> {
  const { repos, logger } = ctx.deps;
  let base = previous;
  let project = next;
  for (let attempt = 1; ; attempt++) {
    try {
      await repos.projects.upsert(project, base.version);
      return true;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const fresh = await repos.projects.get(project.gid);
      if (fresh === null || attempt >= MERGE_ATTEMPTS) {
        logger.warn(
          { gid: project.gid, attempt },
          "project kept changing while synced; left for the next sync",
        );
        return false;
      }
      project = mergeConcurrentWrite(fresh, project);
      base = fresh;
      if (!needsWrite(fresh, project)) return true;
      // Against what is stored now: the same changes find their entries already written.
      const entries = changelogEntries(fresh, project, { syncId: ctx.syncId, detectedAt: ctx.startedAt });
      if (entries.length > 0) ctx.counters.changesDetected += (await repos.changelog.append(entries)).written;
    }
  }
}

/**
 * The entries of changed projects minus those a run that died already wrote: the newest entry of
 * a field recording the very same old and new value, while the stored project still holds the old
 * one, was written by a run that never wrote its project.
 */
async function withoutRecorded(
  ctx: RunContext,
  changed: readonly Crawl[],
  stored: Map<string, Project>,
): Promise<ChangeEntryInput[]> {
  const { repos } = ctx.deps;
  const kept = await mapLimit(changed, WRITE_CONCURRENCY, async (crawl) => {
    if (crawl.changes.length === 0 || !stored.has(crawl.project.gid)) return crawl.changes;
    const history = await repos.changelog.listForProject(crawl.project.gid, 50);
    const newest = new Map<string, ChangeEntry>();
    for (const entry of history) if (!newest.has(entry.fieldName)) newest.set(entry.fieldName, entry);
    return crawl.changes.filter((change) => {
      const last = newest.get(change.fieldName);
      return !(
        last !== undefined &&
        last.source === "asana" &&
        last.oldValue === change.oldValue &&
        last.newValue === change.newValue
      );
    });
  });
  return kept.flat();
}

type TaskFacts = {
  counts: Awaited<ReturnType<AsanaClient["getTaskCounts"]>> | null;
  lastActivityAt: string | null;
  newSyncToken: string | null;
  /** Whether the token moved past events (or is a first or renewed one) rather than past nothing. */
  tokenMoved: boolean;
  problems: string[];
};

type StoredSyncToken = { value: string; updatedAt: string };

/** What reading a project's task facts needs to know of what is stored. */
type KnownOfProject = { stale: boolean; hasActivity: boolean };

/** A project as read from Asana this run, before it is compared with the stored one. */
type Reading = {
  record: AsanaProjectRecord;
  facts: TaskFacts;
  mapped: ReturnType<typeof mapAsanaProject>;
  fingerprint: string | null;
  storedToken: StoredSyncToken | null;
};

/**
 * Sync tokens always expire after 24 hours (Asana's events docs); one kept this long is renewed
 * before then, so a quiet project never needs a re-crawl.
 */
export const SYNC_TOKEN_RENEW_MS = 12 * 60 * 60 * 1000;

/**
 * The token to write, or null to keep the stored one. Re-asking with the current token returns
 * the same events (Asana's docs), so a project whose events did not move keeps its token: one
 * write a project a sync was most of the store's cost. A token is written only when its events
 * were read (otherwise the next sync asks again), moved, or nears its age limit.
 */
function tokenToStore(facts: TaskFacts, stored: StoredSyncToken | null, now: Date): string | null {
  if (facts.newSyncToken === null) return null;
  if (stored === null || facts.tokenMoved) return facts.newSyncToken;
  const age = now.getTime() - Date.parse(stored.updatedAt);
  return Number.isFinite(age) && age < SYNC_TOKEN_RENEW_MS ? null : facts.newSyncToken;
}

/**
 * Reads one project's task facts as the kind of sync asks; never throws (problems are listed).
 * Events come first: with no token, or an expired one (412), the project is crawled afresh.
 */
async function readTaskFacts(
  ctx: RunContext,
  gid: string,
  known: KnownOfProject,
  syncToken: string | null,
): Promise<TaskFacts> {
  const { asana, clock, settings } = ctx.deps;
  const facts: TaskFacts = {
    counts: null,
    lastActivityAt: null,
    newSyncToken: null,
    tokenMoved: syncToken === null,
    problems: [],
  };
  const readCounts = () =>
    asana.getTaskCounts(gid).then(
      (counts) => {
        facts.counts = counts;
      },
      (error: unknown) => {
        facts.problems.push(`task counts: ${describe(error)}`);
      },
    );
  // A full sync reads every project's counts: no need to wait for its events first.
  const work: Promise<void>[] = ctx.kind === "full" ? [readCounts()] : [];
  let recrawl = syncToken === null;
  let tasksChanged = false;
  try {
    if (syncToken === null) {
      facts.newSyncToken = await asana.freshSyncToken(gid);
    } else {
      const events = await asana.getEvents(gid, syncToken);
      facts.newSyncToken = events.syncToken;
      facts.tokenMoved = events.events.length > 0 || events.hasMore;
      const taskEvents = events.events.filter(isTaskActivity);
      facts.lastActivityAt = taskEvents.reduce<string | null>((at, e) => latest(at, e.created_at), null);
      tasksChanged = taskEvents.length > 0 || events.hasMore;
    }
  } catch (error) {
    if (isAsanaError(error, "asana_sync_token_expired") && error.syncToken !== null) {
      facts.newSyncToken = error.syncToken;
      facts.tokenMoved = true;
      recrawl = true;
    } else {
      facts.problems.push(`events: ${describe(error)}`);
    }
  }
  // A stale project missed a reading (its counts, say) that its events will not bring back: it
  // stays stale until its counts are read again.
  const recount = known.stale;
  if (ctx.kind === "partial" && (recrawl || tasksChanged || recount)) work.push(readCounts());
  // Without events to go by, ask Asana once whether any task changed lately.
  if (recrawl && facts.lastActivityAt === null && !known.hasActivity) {
    const since = new Date(clock().getTime() - settings.activityLookbackDays * 86_400_000).toISOString();
    work.push(
      asana.taskModifiedSince(gid, since).then(
        (at) => {
          facts.lastActivityAt = at;
        },
        (error: unknown) => {
          facts.problems.push(`task activity: ${describe(error)}`);
        },
      ),
    );
  }
  await Promise.all(work);
  return facts;
}

async function readProject(
  ctx: RunContext,
  record: AsanaProjectRecord,
  known: KnownOfProject,
  storedToken: StoredSyncToken | null,
): Promise<Reading> {
  const facts = await readTaskFacts(ctx, record.gid, known, storedToken?.value ?? null);
  const mapped = mapAsanaProject(
    record,
    { taskCounts: facts.counts, lastActivityAt: facts.lastActivityAt },
    ctx.deps.settings.fieldNames,
  );
  return {
    record,
    facts,
    mapped,
    fingerprint: mapped.ok ? asanaFingerprint(mapped.project) : null,
    storedToken,
  };
}

function buildCrawl(ctx: RunContext, reading: Reading, stored: Project | null): Crawl | null {
  const { deps } = ctx;
  const { record, facts, mapped, storedToken } = reading;
  if (!mapped.ok) {
    deps.logger.warn({ gid: record.gid, reason: mapped.reason }, "unreadable project payload");
    return stored === null ? null : staleOnly(stored, mapped.reason);
  }
  const countsKnown = facts.counts !== null;
  const stale = facts.problems.length > 0;
  const now = deps.clock().toISOString();
  const removedReason: RemovalReason | null = mapped.project.archived
    ? "archived"
    : mapped.project.completed
      ? "completed"
      : null;
  const next: Project = {
    ...mapped.project,
    // Task figures are kept from the last good read when this sync did not (or could not) read them.
    totalTasks: countsKnown ? mapped.project.totalTasks : (stored?.totalTasks ?? null),
    completedTasks: countsKnown ? mapped.project.completedTasks : (stored?.completedTasks ?? null),
    pendingTasks: countsKnown ? mapped.project.pendingTasks : (stored?.pendingTasks ?? null),
    progressPercent: countsKnown ? mapped.project.progressPercent : (stored?.progressPercent ?? null),
    lastActivityAt: latest(stored?.lastActivityAt ?? null, mapped.project.lastActivityAt),
    lastStatusUpdateAt: latest(stored?.lastStatusUpdateAt ?? null, mapped.project.lastStatusUpdateAt),
    reportedProgress: stored?.reportedProgress ?? null,
    removedReason,
    removedAt:
      removedReason === null ? null : stored?.removedReason === removedReason ? stored.removedAt : now,
    stale,
    staleReason: stale ? facts.problems.join("; ") : null,
    // A stale project keeps the time of its last complete read: it must not look fresher.
    lastSyncedAt: stale ? (stored?.lastSyncedAt ?? null) : now,
    syncId: stale ? (stored?.syncId ?? null) : ctx.syncId,
    version: stored?.version ?? 0,
  };
  const write = needsWrite(stored, next);
  return {
    project: next,
    write,
    changes:
      stored !== null && write
        ? changelogEntries(stored, next, { syncId: ctx.syncId, detectedAt: ctx.startedAt })
        : [],
    stale,
    newSyncToken: tokenToStore(facts, storedToken, deps.clock()),
    storedToken,
    fingerprint: reading.fingerprint,
  };
}

function staleOnly(stored: Project, reason: string): Crawl {
  const next: Project = { ...stored, stale: true, staleReason: reason };
  return {
    project: next,
    write: needsWrite(stored, next),
    changes: [],
    stale: true,
    newSyncToken: null,
    storedToken: null,
    fingerprint: null,
  };
}

/**
 * Projects stored as active that the complete listing did not return: find out why, mark them.
 * When more of them vanished (out of scope, 404, 403) than one sync may mark without an admin's
 * confirmation, none of those is marked: the run records the warning and the channel is told.
 */
async function markRemoved(ctx: RunContext, seen: ReadonlySet<string>): Promise<void> {
  const { asana, clock } = ctx.deps;
  const { missing, active } = await activeNotListed(ctx, seen);
  const decided = await mapLimit(missing, PROJECT_CONCURRENCY, async (stored) => ({
    stored,
    reason: await removalReason(asana, stored.gid),
  }));
  const found = decided.flatMap((d) => (d.reason === null ? [] : [{ stored: d.stored, reason: d.reason }]));
  const vanished = found.filter((d) => isDisappearance(d.reason));
  const hold = ctx.deps.confirmRemovals !== true && isMassRemoval(vanished.length, active);
  if (hold) {
    ctx.heldRemovals = {
      syncId: ctx.syncId,
      kind: ctx.kind,
      count: vanished.length,
      activeProjects: active,
      limit: massRemovalLimit(active),
      samples: vanished.slice(0, HELD_SAMPLES).map(({ stored, reason }) => ({
        gid: stored.gid,
        name: stored.name,
        pmoId: stored.pmoId,
        reason,
      })),
    };
  }
  const applied = hold ? found.filter((d) => !isDisappearance(d.reason)) : found;
  const now = clock().toISOString();
  const removed = applied.map(({ stored, reason }): Crawl => {
    const next: Project = {
      ...stored,
      archived: reason === "archived" || stored.archived,
      completed: reason === "completed" || stored.completed,
      removedReason: reason,
      removedAt: now,
    };
    return {
      project: next,
      write: true,
      changes: changelogEntries(stored, next, { syncId: ctx.syncId, detectedAt: ctx.startedAt }),
      stale: false,
      newSyncToken: null,
      storedToken: null,
      fingerprint: null,
    };
  });
  ctx.signal.throwIfAborted();
  await persist(ctx, removed, new Map(missing.map((p) => [p.gid, p])));
  ctx.counters.projectsRemoved += removed.length;
  // persist() counted them as synced; they were only marked.
  ctx.counters.projectsSynced -= removed.length;
  await saveState(ctx);
  if (!ctx.state.complete) {
    await ctx.deps.repos.meta.syncState.setComplete(true);
    ctx.state.complete = true;
  }
}

/**
 * The stored projects still active that the listing did not return, with the raw payload (they
 * are written back), and how many are active. A partial sync takes them from a complete sync
 * state; otherwise the whole table is read, and the state is made to match it: an entry for every
 * stored project, none for anything else. A project a crashed run inserted without saving its
 * entry is missed by the partial syncs until the day's full sync.
 */
async function activeNotListed(
  ctx: RunContext,
  seen: ReadonlySet<string>,
): Promise<{ missing: Project[]; active: number }> {
  const { repos } = ctx.deps;
  const entries = ctx.state.projects;
  if (ctx.kind === "partial" && ctx.state.complete) {
    const active = [...entries].filter(([, entry]) => !entry.removed);
    const gone = active.filter(([gid]) => !seen.has(gid)).map(([gid]) => gid);
    const stored = gone.length === 0 ? new Map<string, Project>() : await repos.projects.batchGet(gone);
    const missing = [...stored.values()].filter((p) => p.removedAt === null);
    return { missing: missing.sort((a, b) => a.gid.localeCompare(b.gid)), active: active.length };
  }
  const missing: Project[] = [];
  const inTable = new Set<string>();
  let active = 0;
  for await (const page of repos.projects.iterateAll(100, { withRaw: true })) {
    for (const project of page) {
      inTable.add(project.gid);
      if (!seen.has(project.gid) || !entries.has(project.gid)) {
        const before = entries.get(project.gid);
        setEntry(ctx, project.gid, {
          token: before?.token ?? null,
          tokenAt: before?.tokenAt ?? null,
          fingerprint: null,
          stale: project.stale,
          removed: project.removedAt !== null,
          hasActivity: project.lastActivityAt !== null,
        });
      }
      if (project.removedAt !== null) continue;
      active++;
      if (!seen.has(project.gid)) missing.push(project);
    }
  }
  for (const gid of [...entries.keys()]) if (!inTable.has(gid)) dropEntry(ctx, gid);
  return { missing, active };
}

/** Why a project is no longer listed; null when Asana could not say (it stays as it was). */
async function removalReason(asana: AsanaClient, gid: string): Promise<RemovalReason | null> {
  try {
    const project = await asana.getProject(gid, ["archived", "completed"]);
    if (project.archived === true) return "archived";
    if (project.completed === true) return "completed";
    return "out_of_scope";
  } catch (error) {
    if (isAsanaError(error, "asana_not_found")) return "deleted";
    // 403: this project only; a 401 (the token itself) says nothing about the project.
    if (isAsanaError(error, "asana_auth") && error.status === 403) return "no_access";
    return null;
  }
}

function isTaskActivity(event: AsanaEvent): boolean {
  return event.resource.resource_type === "task" || event.parent?.resource_type === "task";
}

function describe(error: unknown): string {
  if (isAsanaError(error)) return error.code;
  return error instanceof Error ? error.message : String(error);
}
