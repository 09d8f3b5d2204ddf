import { TZDate } from "@date-fns/tz";
import { format } from "date-fns/format";
import { z } from "zod";
import { mapLimit } from "../concurrency.ts";
import type { ChangeValue, Finding, Project, Severity, SyncRun } from "../model.ts";
import type { Repositories } from "../store/repositories.ts";

/** The numbers and lists of one morning digest, gathered from the store; no words yet. */
export type ProjectRef = Pick<Project, "gid" | "name" | "pmoId" | "permalinkUrl" | "responsable">;

export type DigestFacts = {
  /** The PMO day the digest is for (YYYY-MM-DD in PMO_TIMEZONE). */
  day: string;
  since: string;
  generatedAt: string;
  openBySeverity: Record<Severity, number>;
  openByVertical: { vertical: string | null; count: number }[];
  openedSince: number;
  resolvedSince: number;
  notableChanges: {
    project: ProjectRef;
    field: "status" | "dueOn";
    oldValue: ChangeValue;
    newValue: ChangeValue;
  }[];
  updatesReceived: { project: ProjectRef; slackUserId: string; submittedAt: string }[];
  noFreshUpdate: { count: number; worst: ProjectRef[] };
  sync: { lastRun: SyncRun | null; failedSince: number; staleProjects: number };
  unmappedOwners: { name: string; projects: number }[];
  /** DMs, confirmations and write-backs given up since the last digest (their life ran out). */
  givenUp: { messages: number; writeBacks: number; projects: ProjectRef[] };
};

/** The project a given-up item names: a confirmation's choice, or a write-back's update key. */
const givenUpProjectSchema = z.union([
  z.object({ project: z.object({ gid: z.string().min(1) }) }).transform((p) => p.project.gid),
  z.object({ projectGid: z.string().min(1) }).transform((p) => p.projectGid),
]);

const QUERY_CONCURRENCY = 20;
const LIST_LIMIT = 10;

export function pmoDay(now: Date, timezone: string): string {
  return format(new TZDate(now.getTime(), timezone), "yyyy-MM-dd");
}

const ref = (p: Project): ProjectRef => ({
  gid: p.gid,
  name: p.name,
  pmoId: p.pmoId,
  permalinkUrl: p.permalinkUrl,
  responsable: p.responsable,
});

/** Reads what the digest says: one pass over the projects, a query or two per project. */
export async function gatherDigestFacts(
  repos: Repositories,
  options: { now: Date; since: Date; timezone: string; freshUpdateDays: number },
): Promise<DigestFacts> {
  const since = options.since.toISOString();
  const active: Project[] = [];
  for await (const page of repos.projects.iterateAll()) {
    for (const project of page)
      if (project.removedAt === null && !project.archived && !project.completed) active.push(project);
  }
  const byGid = new Map(active.map((p) => [p.gid, p]));
  const open: Finding[] = (await repos.findings.listOpen()).filter((f) => byGid.has(f.projectGid));
  const resolved = await repos.findings.listByStatus("resolved");

  const openBySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  const verticals = new Map<string | null, number>();
  for (const finding of open) {
    openBySeverity[finding.severity]++;
    const vertical = byGid.get(finding.projectGid)?.businessVertical ?? null;
    verticals.set(vertical, (verticals.get(vertical) ?? 0) + 1);
  }

  const perProject = await mapLimit(active, QUERY_CONCURRENCY, async (project) => {
    const [changes, updates] = await Promise.all([
      repos.changelog.listForProject(project.gid, 20),
      repos.updates.listForProject(project.gid, 5),
    ]);
    return {
      changes: changes.filter(
        (c) =>
          c.detectedAt > since &&
          c.source === "asana" &&
          (c.fieldName === "status" || c.fieldName === "dueOn"),
      ),
      updates: updates.filter((u) => u.submittedAt > since),
    };
  });
  const notableChanges: DigestFacts["notableChanges"] = [];
  const updatesReceived: DigestFacts["updatesReceived"] = [];
  perProject.forEach((found, i) => {
    const project = active[i];
    if (project === undefined) return;
    for (const change of found.changes) {
      if (change.fieldName === "status" || change.fieldName === "dueOn") {
        notableChanges.push({
          project: ref(project),
          field: change.fieldName,
          oldValue: change.oldValue,
          newValue: change.newValue,
        });
      }
    }
    for (const update of found.updates)
      updatesReceived.push({
        project: ref(project),
        slackUserId: update.slackUserId,
        submittedAt: update.submittedAt,
      });
  });

  const freshAfter = options.now.getTime() - options.freshUpdateDays * 86_400_000;
  const stale = active
    .filter((p) => p.lastStatusUpdateAt === null || Date.parse(p.lastStatusUpdateAt) < freshAfter)
    .sort((a, b) => (a.lastStatusUpdateAt ?? "").localeCompare(b.lastStatusUpdateAt ?? ""));

  const runs = await repos.syncLog.recent(50);
  const owners = new Map<string, { name: string; projects: number }>();
  for (const project of active) {
    if (project.responsableKey === null) continue;
    const owner = owners.get(project.responsableKey) ?? {
      name: project.responsable ?? project.responsableKey,
      projects: 0,
    };
    owner.projects++;
    owners.set(project.responsableKey, owner);
  }
  const mapped = await mapLimit(
    [...owners.keys()],
    QUERY_CONCURRENCY,
    async (gid) => (await repos.users.findByAsanaUserGid(gid)).length > 0,
  );
  const unmappedOwners = [...owners.values()]
    .filter((_, i) => !mapped[i])
    .sort((a, b) => b.projects - a.projects);

  const givenUpSince = async (queue: Repositories["meta"]["inbound"]) =>
    (await queue.listGivenUp()).filter((work) => (work.givenUpAt ?? "") > since);
  const [givenUpMessages, givenUpWriteBacks] = await Promise.all([
    givenUpSince(repos.meta.inbound),
    givenUpSince(repos.meta.writeBacks),
  ]);
  const givenUpGids = new Set<string>();
  for (const work of [...givenUpMessages, ...givenUpWriteBacks]) {
    const gid = givenUpProjectSchema.safeParse(work.payload);
    if (gid.success) givenUpGids.add(gid.data);
  }
  const givenUpProjects: ProjectRef[] = [];
  for (const gid of givenUpGids) {
    const project = byGid.get(gid) ?? (await repos.projects.get(gid));
    givenUpProjects.push(
      project === null
        ? { gid, name: gid, pmoId: null, permalinkUrl: null, responsable: null }
        : ref(project),
    );
  }

  return {
    day: pmoDay(options.now, options.timezone),
    since,
    generatedAt: options.now.toISOString(),
    openBySeverity,
    openByVertical: [...verticals]
      .map(([vertical, count]) => ({ vertical, count }))
      .sort((a, b) => b.count - a.count),
    openedSince: open.filter((f) => f.createdAt > since).length,
    resolvedSince: resolved.filter((f) => (f.resolvedAt ?? "") > since).length,
    notableChanges,
    updatesReceived,
    noFreshUpdate: { count: stale.length, worst: stale.slice(0, LIST_LIMIT).map(ref) },
    sync: {
      lastRun: runs[0] ?? null,
      failedSince: runs.filter(
        (r) => r.startedAt > since && (r.status === "failed" || r.status === "abandoned"),
      ).length,
      staleProjects: active.filter((p) => p.stale).length,
    },
    unmappedOwners,
    givenUp: {
      messages: givenUpMessages.length,
      writeBacks: givenUpWriteBacks.length,
      projects: givenUpProjects,
    },
  };
}
