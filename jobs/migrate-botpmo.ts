import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { VersionConflictError } from "../services/errors.ts";
import type { Logger } from "../services/logger.ts";
import {
  addProjectRef,
  type BotpmoSource,
  type BotpmoTable,
  botpmoTableName,
  countsSchema,
  describeKey,
  emptyCounts,
  emptyProjectRefs,
  mapUpdate,
  mapUser,
  type ProjectRefs,
  SKIP_REASONS,
  type Skip,
  type SkipReason,
  type SourceItem,
  skipSchema,
  type TableCounts,
  unaccounted,
} from "../services/migration/botpmo.ts";
import {
  describeSourceTable,
  type ScanPosition,
  type SourceTable,
  scanPositionSchema,
  scanSourcePage,
  sourceDocumentClient,
} from "../services/migration/botpmo-source.ts";
import type { Clock } from "../services/model.ts";
import type { Repositories } from "../services/store/repositories.ts";
import type { TableNames } from "../services/store/tables.ts";
import { runExclusive } from "./lease.ts";

/**
 * `npm run migrate -- botpmo`: BOTPMO's user profiles and status updates into PMO Pulse's tables
 * (issue 15), through the repositories, with conditional writes only: a rerun writes nothing new.
 * Order: BOTPMO's projects (read whole every run, only to resolve references), its users, its
 * updates, then the latest update of every project PMO Pulse has synced is brought onto that
 * project (lastStatusUpdateAt), so the no_status_update rule does not fire on a PM who reported
 * to BOTPMO. Conversations are transient (1 h TTL) and not read.
 *
 * After every page of users or updates, a cursor in the meta table records where the scan is and
 * the counts so far: an interrupted run resumes there (the page being written is read again; what
 * it had written counts as already present). A completed run deletes the cursor, so the next run
 * reads everything again (BOTPMO may have received updates meanwhile) and writes only what is new.
 */

export const MIGRATION_LEASE = "migrate-botpmo";
const LEASE_TTL_MS = 2 * 60_000;
const PAGE_SIZE = 100;
/** Skips kept in detail (in the summary and the cursor); past it, only their counts. */
export const MAX_SKIPS_LISTED = 500;

export type MigrateBotpmoDeps = {
  /** The DynamoDB endpoint the app uses; BOTPMO's tables are read from it. */
  client: DynamoDBClient;
  repos: Pick<Repositories, "users" | "updates" | "projects" | "changelog" | "meta">;
  /** PMO Pulse's physical table names: BOTPMO's must be other tables. */
  targetTables: TableNames;
  clock: Clock;
  logger: Logger;
  owner: string;
  /** Creates or checks PMO Pulse's tables; called once BOTPMO's are known to be other tables. */
  prepareTarget?: () => Promise<void>;
};

export type MigrateBotpmoOptions = {
  source: BotpmoSource;
  dryRun: boolean;
  pageSize?: number;
};

type WritePhase = "users" | "updates";
type Phase = WritePhase | "projects";

export type MigrationSummary = {
  /** refused: nothing could start (missing tables, BOTPMO's tables are PMO Pulse's). */
  status: "completed" | "interrupted" | "skipped" | "refused";
  reason: string | null;
  dryRun: boolean;
  /** Whether this run carried on from an interrupted one. */
  resumed: boolean;
  source: { prefix: string; env: string; tables: Record<BotpmoTable, string> };
  users: TableCounts;
  updates: TableCounts;
  /** BOTPMO's projects, read to resolve references; those that could not be used. */
  projects: { read: number; unusable: number };
  /** PMO Pulse's synced projects given the date of their latest status update. */
  projectDates: { checked: number; updated: number; withoutSync: boolean };
  skips: Skip[];
  skipsNotListed: number;
  /** Users and updates read but not written, merged, present or skipped with a reason. */
  unaccounted: number;
  durationMs: number;
};

const cursorSchema = z.object({
  version: z.literal(1),
  phase: z.enum(["users", "updates", "projects"]),
  position: scanPositionSchema.nullable(),
  users: countsSchema,
  updates: countsSchema,
  skips: z.array(skipSchema),
  skipsNotListed: z.number().int().min(0),
});
type Cursor = z.output<typeof cursorSchema>;

export const cursorName = (source: BotpmoSource): string => `migrate:botpmo:${source.prefix}:${source.env}`;

export async function migrateBotpmo(
  deps: MigrateBotpmoDeps,
  options: MigrateBotpmoOptions,
): Promise<MigrationSummary> {
  const started = deps.clock();
  const tables = {
    users: botpmoTableName("users", options.source),
    updates: botpmoTableName("updates", options.source),
    projects: botpmoTableName("projects", options.source),
  };
  const summary: MigrationSummary = {
    status: "completed",
    reason: null,
    dryRun: options.dryRun,
    resumed: false,
    source: { ...options.source, tables },
    users: emptyCounts(),
    updates: emptyCounts(),
    projects: { read: 0, unusable: 0 },
    projectDates: { checked: 0, updated: 0, withoutSync: false },
    skips: [],
    skipsNotListed: 0,
    unaccounted: 0,
    durationMs: 0,
  };
  const finish = (status: MigrationSummary["status"], reason: string | null): MigrationSummary => {
    summary.status = status;
    summary.reason = reason;
    summary.unaccounted = unaccounted(summary.users) + unaccounted(summary.updates);
    summary.durationMs = Math.max(0, deps.clock().getTime() - started.getTime());
    return summary;
  };

  const ours = new Set(Object.values(deps.targetTables));
  const shared = Object.values(tables).filter((name) => ours.has(name));
  if (shared.length > 0) {
    return finish(
      "refused",
      `${shared.join(", ")} ${shared.length === 1 ? "is" : "are"} PMO Pulse's own table name: deploy PMO Pulse with another TABLE_PREFIX or PMO_ENV than BOTPMO's`,
    );
  }
  const source = await describeSources(deps.client, tables);
  const missing = (["users", "updates"] as const).filter((table) => source[table] === null);
  if (missing.length > 0) {
    return finish("refused", `BOTPMO table not found: ${missing.map((t) => tables[t]).join(", ")}`);
  }
  await deps.prepareTarget?.();
  const run = () => migrate(deps, options, source, summary);
  try {
    if (options.dryRun) {
      await run();
    } else {
      const outcome = await runExclusive(
        { leases: deps.repos.meta.leases, name: MIGRATION_LEASE, owner: deps.owner, ttlMs: LEASE_TTL_MS },
        run,
      );
      if (outcome.status === "skipped")
        return finish(
          "skipped",
          `another migration is running${outcome.holder ? ` (${outcome.holder})` : ""}`,
        );
    }
  } catch (error) {
    deps.logger.error({ err: error }, "BOTPMO migration interrupted");
    return finish("interrupted", error instanceof Error ? error.message : String(error));
  }
  const left = unaccounted(summary.users) + unaccounted(summary.updates);
  deps.logger.info(
    { users: summary.users, updates: summary.updates, projectDates: summary.projectDates, unaccounted: left },
    "BOTPMO migration done",
  );
  return finish("completed", left === 0 ? null : `${left} items are not accounted for`);
}

type Sources = Record<BotpmoTable, SourceTable | null>;

async function describeSources(
  client: DynamoDBClient,
  tables: Record<BotpmoTable, string>,
): Promise<Sources> {
  const [users, updates, projects] = await Promise.all([
    describeSourceTable(client, tables.users),
    describeSourceTable(client, tables.updates),
    describeSourceTable(client, tables.projects),
  ]);
  return { users, updates, projects };
}

async function migrate(
  deps: MigrateBotpmoDeps,
  options: MigrateBotpmoOptions,
  source: Sources,
  summary: MigrationSummary,
): Promise<void> {
  const doc = sourceDocumentClient(deps.client);
  const pageSize = options.pageSize ?? PAGE_SIZE;
  const name = cursorName(options.source);
  const saved = options.dryRun ? null : await readCursor(deps, name);
  let cursor: Cursor = saved ?? {
    version: 1,
    phase: "users",
    position: null,
    users: emptyCounts(),
    updates: emptyCounts(),
    skips: [],
    skipsNotListed: 0,
  };
  summary.resumed = saved !== null;
  summary.users = cursor.users;
  summary.updates = cursor.updates;
  summary.skips = [...cursor.skips];
  summary.skipsNotListed = cursor.skipsNotListed;

  const refs = await readProjectRefs(deps, doc, source.projects, pageSize, summary);
  for (const phase of ["users", "updates"] as const) {
    const table = source[phase];
    if (table === null || !comesBefore(cursor.phase, phase)) continue;
    let position = cursor.phase === phase ? cursor.position : null;
    do {
      // The page is counted apart and joins the totals only once all of it is written, so the
      // totals in the cursor always describe whole pages.
      const page = await scanSourcePage(doc, table, position, pageSize);
      const pageCounts = emptyCounts();
      const pageSkips: Skip[] = [];
      const before = cursor[phase];
      try {
        for (const item of page.items) {
          pageCounts.read++;
          const outcome = await migrateItem(deps, options.dryRun, phase, item, refs);
          if (outcome.kind === "skipped") {
            const skip = { table: phase, key: describeKey(item, table.keyAttributes), ...outcome.skip };
            pageSkips.push(skip);
            pageCounts.skipped[skip.reason] = (pageCounts.skipped[skip.reason] ?? 0) + 1;
            deps.logger.warn({ table: phase, key: skip.key, reason: skip.reason }, "BOTPMO item skipped");
          } else {
            pageCounts[outcome.kind]++;
          }
        }
      } catch (error) {
        // The summary tells what this page got to; the cursor still points at its start.
        summary[phase] = addCounts(before, pageCounts);
        summary.skips.push(...pageSkips.slice(0, Math.max(0, MAX_SKIPS_LISTED - summary.skips.length)));
        throw error;
      }
      const listed = pageSkips.slice(0, Math.max(0, MAX_SKIPS_LISTED - cursor.skips.length));
      cursor = {
        ...cursor,
        phase,
        position: page.next,
        [phase]: addCounts(before, pageCounts),
        skips: [...cursor.skips, ...listed],
        skipsNotListed: cursor.skipsNotListed + pageSkips.length - listed.length,
      };
      summary[phase] = cursor[phase];
      summary.skips = [...cursor.skips];
      summary.skipsNotListed = cursor.skipsNotListed;
      position = page.next;
      if (position === null) cursor = { ...cursor, phase: phase === "users" ? "updates" : "projects" };
      if (!options.dryRun) await deps.repos.meta.cursors.put(name, JSON.stringify(cursor));
    } while (position !== null);
  }
  await bringDatesToProjects(deps, options.dryRun, summary);
  if (!options.dryRun) await deps.repos.meta.cursors.delete(name);
}

const PHASE_ORDER: readonly Phase[] = ["users", "updates", "projects"];
/** Whether the phase still has work, the cursor being at `at`. */
const comesBefore = (at: Phase, phase: Phase) => PHASE_ORDER.indexOf(at) <= PHASE_ORDER.indexOf(phase);

function addCounts(a: TableCounts, b: TableCounts): TableCounts {
  const skipped = { ...a.skipped };
  for (const reason of SKIP_REASONS) {
    const n = b.skipped[reason] ?? 0;
    if (n > 0) skipped[reason] = (skipped[reason] ?? 0) + n;
  }
  return {
    read: a.read + b.read,
    written: a.written + b.written,
    merged: a.merged + b.merged,
    alreadyPresent: a.alreadyPresent + b.alreadyPresent,
    skipped,
  };
}

async function readCursor(deps: MigrateBotpmoDeps, name: string): Promise<Cursor | null> {
  const value = await deps.repos.meta.cursors.get(name);
  if (value === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    json = null;
  }
  const parsed = cursorSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  // Not a cursor this version wrote: start over (every write is conditional, nothing is doubled).
  deps.logger.warn({ cursor: name }, "unreadable migration cursor; starting from the beginning");
  return null;
}

async function readProjectRefs(
  deps: MigrateBotpmoDeps,
  doc: DynamoDBDocumentClient,
  table: SourceTable | null,
  pageSize: number,
  summary: MigrationSummary,
): Promise<ProjectRefs> {
  const refs = emptyProjectRefs();
  if (table === null) {
    deps.logger.warn({ table: summary.source.tables.projects }, "BOTPMO projects table not found");
    return refs;
  }
  let position: ScanPosition | null = null;
  do {
    const page = await scanSourcePage(doc, table, position, Math.max(pageSize, 100));
    for (const item of page.items) {
      summary.projects.read++;
      if (addProjectRef(refs, item) !== null) summary.projects.unusable++;
    }
    position = page.next;
  } while (position !== null);
  return refs;
}

type ItemOutcome =
  | { kind: "written" | "merged" | "alreadyPresent" }
  | { kind: "skipped"; skip: { reason: SkipReason; detail: string } };

async function migrateItem(
  deps: MigrateBotpmoDeps,
  dryRun: boolean,
  phase: WritePhase,
  item: SourceItem,
  refs: ProjectRefs,
): Promise<ItemOutcome> {
  const skipped = (reason: SkipReason, detail: string): ItemOutcome => ({
    kind: "skipped",
    skip: { reason, detail },
  });
  try {
    if (phase === "users") {
      const mapped = mapUser(item, refs);
      if (!mapped.ok) return skipped(mapped.reason, mapped.detail);
      if (dryRun)
        return {
          kind:
            (await deps.repos.users.get(mapped.profile.slackUserId)) === null ? "written" : "alreadyPresent",
        };
      const result = await deps.repos.users.importProfile(mapped.profile, mapped.legacy);
      return { kind: result === "created" ? "written" : result === "merged" ? "merged" : "alreadyPresent" };
    }
    const mapped = mapUpdate(item, refs);
    if (!mapped.ok) return skipped(mapped.reason, mapped.detail);
    const stored = async () => {
      const existing = await deps.repos.updates.get(mapped.update);
      if (existing === null) return null;
      return existing.text === mapped.update.text ? "same" : "different";
    };
    const found = dryRun
      ? await stored()
      : (await deps.repos.updates.add(mapped.update, { legacy: mapped.legacy })).added
        ? null
        : await stored();
    if (found === null) return { kind: "written" };
    if (found === "same") return { kind: "alreadyPresent" };
    return skipped(
      "conflicts_with_existing",
      "another update with the same project, instant and author is stored",
    );
  } catch (error) {
    // DynamoDB refusing this one item (too large after all, an attribute it cannot store): the
    // item is reported, the run goes on. Anything else stops the run.
    if (error instanceof Error && error.name === "ValidationException")
      return skipped("rejected", error.message);
    throw error;
  }
}

const later = (a: string | null, b: string): string => (a !== null && Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * Every synced project whose latest status update (BOTPMO's, now in the updates table) is newer
 * than its lastStatusUpdateAt gets that date, with a changelog entry, as a DM update would.
 */
async function bringDatesToProjects(
  deps: MigrateBotpmoDeps,
  dryRun: boolean,
  summary: MigrationSummary,
): Promise<void> {
  const { repos } = deps;
  let stored = 0;
  for await (const page of repos.projects.iterateAll(100, { withRaw: false })) {
    stored += page.length;
    for (const listed of page) {
      const [latest] = await repos.updates.listForProject(listed.gid, 1);
      if (latest === undefined) continue;
      summary.projectDates.checked++;
      if (later(listed.lastStatusUpdateAt, latest.submittedAt) === listed.lastStatusUpdateAt) continue;
      if (dryRun || (await applyDate(deps, listed.gid, latest))) summary.projectDates.updated++;
    }
  }
  summary.projectDates.withoutSync = stored === 0;
}

async function applyDate(
  deps: MigrateBotpmoDeps,
  gid: string,
  latest: { submittedAt: string; slackUserId: string },
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const project = await deps.repos.projects.get(gid);
    if (project === null) return false;
    const lastStatusUpdateAt = later(project.lastStatusUpdateAt, latest.submittedAt);
    if (lastStatusUpdateAt === project.lastStatusUpdateAt) return false;
    await deps.repos.changelog.append([
      {
        projectGid: gid,
        fieldName: "lastStatusUpdateAt",
        oldValue: project.lastStatusUpdateAt,
        newValue: lastStatusUpdateAt,
        syncId: null,
        detectedAt: latest.submittedAt,
        source: "slack",
        actor: latest.slackUserId,
      },
    ]);
    try {
      await deps.repos.projects.upsert({ ...project, lastStatusUpdateAt }, project.version);
      return true;
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }
  return false;
}

/** 0: everything accounted for; 1: interrupted, skipped or something unaccounted; 2: refused. */
export function exitCodeOf(summary: MigrationSummary): number {
  if (summary.status === "refused") return 2;
  return summary.status === "completed" && summary.unaccounted === 0 ? 0 : 1;
}
