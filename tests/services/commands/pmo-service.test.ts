import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ManualRunSummary,
  type PmoAnswer,
  PmoService,
  type PmoServiceDeps,
  responsableMatches,
  searchRank,
} from "../../../services/commands/pmo-service.ts";
import type {
  FullPipelineSummary,
  ProjectInput,
  PushAlertsSummary,
  Severity,
} from "../../../services/model.ts";
import { ADMIN, type Harness, listenerHarness } from "../../fixtures/listener-harness.ts";

const T0 = new Date("2026-11-22T13:00:00.000Z");
let now = T0;
const silent = { warn: () => undefined };

let h: Harness;

function service(overrides: Partial<PmoServiceDeps> = {}): PmoService {
  return new PmoService({
    repos: h.repos,
    portfolio: h.services.portfolio,
    users: h.services.users,
    authorization: h.services.authorization,
    jobs: h.jobs,
    logger: silent,
    ...overrides,
  });
}

const project = (gid: string, overrides: Partial<ProjectInput> = {}): ProjectInput => ({
  gid,
  name: `Proyecto ${gid}`,
  pmoId: `PMO-${gid}`,
  responsable: "Carlos Ruiz",
  responsableKey: "9002",
  businessVertical: "Seguros",
  permalinkUrl: `https://app.asana.com/0/${gid}/list`,
  ...overrides,
});

async function openFinding(projectGid: string, ruleId: string, severity: Severity) {
  return h.repos.findings.open({ projectGid, ruleId, severity, details: { daysSinceUpdate: 9 } });
}

const isKind = <K extends PmoAnswer["kind"]>(
  answer: PmoAnswer,
  kind: K,
): answer is Extract<PmoAnswer, { kind: K }> => answer.kind === kind;

function expectKind<K extends PmoAnswer["kind"]>(
  answer: PmoAnswer,
  kind: K,
): Extract<PmoAnswer, { kind: K }> {
  if (!isKind(answer, kind)) throw new Error(`expected ${kind}, got ${answer.kind}`);
  return answer;
}

beforeAll(async () => {
  h = await listenerHarness({
    now: () => now,
    slackUsers: {
      U0ANA: { email: "ana@example.com", name: "Ana Pérez", locale: "es-LA" },
      U0BOB: { email: "bob@example.com", name: "Bob Stone", locale: "en-US" },
      U0NOMAIL: { email: null, name: "Sin Correo", locale: null },
      U0NOASANA: { email: "nadie@example.com", name: "Nadie", locale: "pt-BR" },
    },
    asanaUsers: { "ana@example.com": "9001", "bob@example.com": "9003" },
  });
  await h.repos.projects.insertMany([
    project("1", {
      name: "Portal de Clientes",
      responsable: "Ana Pérez",
      responsableKey: "9001",
      businessVertical: "Banca Digital",
    }),
    project("2", {
      name: "Migración del ERP",
      responsable: "Ana Pérez",
      responsableKey: "9001",
      businessVertical: "Banca Digital",
    }),
    project("3", {
      name: "Portal antiguo",
      responsable: "Ana Pérez",
      responsableKey: "9001",
      archived: true,
    }),
    project("4", { name: "App móvil", responsable: "Mariana López", responsableKey: "9004", stale: true }),
    project("5", { name: "Portal", responsable: "Bob Stone", responsableKey: "9003" }),
    project("6", {
      name: "Nuevo portal de proveedores",
      removedAt: T0.toISOString(),
      removedReason: "deleted",
    }),
    project("7", { name: "Cierre contable", completed: true }),
  ]);
  await openFinding("1", "schedule_risk", "high");
  await openFinding("1", "no_status_update", "medium");
  const resolved = await openFinding("1", "no_activity", "low");
  await h.repos.findings.resolve(
    { projectGid: "1", ruleId: "no_activity", expectedVersion: resolved.version },
    "auto",
  );
  await openFinding("2", "amount_of_tasks", "low");
  await openFinding("4", "no_activity", "medium");
  const acked = await openFinding("5", "schedule_risk", "high");
  await h.repos.findings.acknowledge(
    { projectGid: "5", ruleId: "schedule_risk", expectedVersion: acked.version },
    { userId: "U0BOB", comment: "" },
  );
});

afterAll(async () => {
  await h.close();
});

describe("freshness", () => {
  it("is the last completed sync; failed and running runs do not count", async () => {
    const fresh = await listenerHarness({ now: () => now });
    try {
      const pmo = new PmoService({
        repos: fresh.repos,
        portfolio: fresh.services.portfolio,
        users: fresh.services.users,
        authorization: fresh.services.authorization,
        jobs: fresh.jobs,
        logger: silent,
      });
      expect(await pmo.freshness()).toEqual({ lastSyncAt: null });
      now = new Date("2026-11-22T13:20:00.000Z");
      await fresh.repos.syncLog.createRunning({ syncId: "s1", kind: "full", owner: null });
      now = new Date("2026-11-22T13:30:00.000Z");
      await fresh.repos.syncLog.complete("s1", { projectsSynced: 7 });
      now = new Date("2026-11-22T13:35:00.000Z");
      await fresh.repos.syncLog.createRunning({ syncId: "s2", kind: "partial", owner: null });
      await fresh.repos.syncLog.fail("s2", "boom");
      await fresh.repos.syncLog.createRunning({ syncId: "s3", kind: "partial", owner: null });
      expect(await pmo.freshness()).toEqual({ lastSyncAt: "2026-11-22T13:30:00.000Z" });
      const reply = await pmo.answer({ kind: "help", notUnderstood: null }, "U0ANA");
      expect(reply.freshness).toEqual({ lastSyncAt: "2026-11-22T13:30:00.000Z" });
    } finally {
      now = T0;
      await fresh.close();
    }
  });
});

describe("mis-proyectos", () => {
  it("lists the caller's active projects with their open findings", async () => {
    const answer = expectKind(await service().myProjects("U0ANA"), "mine");
    expect(answer.projects.map((p) => p.project.gid)).toEqual(["1", "2"]);
    expect(answer.projects.map((p) => [p.openFindings, p.worstSeverity])).toEqual([
      [2, "high"],
      [1, "low"],
    ]);
    expect(answer.projects[0]?.project.raw).toEqual({});
  });

  it("tells why a user cannot be mapped", async () => {
    expect(await service().myProjects("U0NOMAIL")).toEqual({
      kind: "mine_unmapped",
      reason: "no_email",
      email: null,
    });
    expect(await service().myProjects("U0NOASANA")).toEqual({
      kind: "mine_unmapped",
      reason: "no_asana_user",
      email: "nadie@example.com",
    });
    const failing = service({
      users: {
        profile: () => Promise.reject(new Error("Slack is down")),
        localeOf: () => Promise.resolve("es"),
      },
    });
    expect(await failing.myProjects("U0ANA")).toEqual({
      kind: "mine_unmapped",
      reason: "lookup_failed",
      email: null,
    });
  });

  it("answers in the caller's Slack language, refreshed by the lookup", async () => {
    expect((await service().answer({ kind: "mine" }, "U0BOB")).locale).toBe("en");
    expect((await service().answer({ kind: "mine" }, "U0ANA")).locale).toBe("es");
    // Portuguese is not one of ours: DEFAULT_LOCALE.
    expect((await service().answer({ kind: "mine" }, "U0NOASANA")).locale).toBe("es");
    expect((await service().answer({ kind: "status" }, "UNEVERSEEN")).locale).toBe("es");
  });
});

describe("a project by PMO ID", () => {
  it("gives the project and its open findings, high first", async () => {
    const answer = expectKind(await service().project("PMO-1"), "project");
    expect(answer.project.name).toBe("Portal de Clientes");
    expect(answer.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ["schedule_risk", "high"],
      ["no_status_update", "medium"],
    ]);
  });

  it("says when no project has that PMO ID", async () => {
    expect(await service().project("PMO-999")).toEqual({ kind: "project_not_found", pmoId: "PMO-999" });
  });
});

describe("buscar", () => {
  it("matches names ignoring case and accents, best first, active projects only", async () => {
    const answer = expectKind(await service().search("PORTAL"), "search");
    expect(answer.matches.map((m) => m.project.name)).toEqual(["Portal", "Portal de Clientes"]);
    const accents = expectKind(await service().search("migracion erp"), "search");
    expect(accents.matches.map((m) => m.project.gid)).toEqual(["2"]);
    const none = expectKind(await service().search("inexistente"), "search");
    expect(none.matches).toEqual([]);
  });

  it("ranks whole name, then its start, then a word's start, then anywhere, then every word", () => {
    expect(searchRank("Portal", "portal")).toBe(0);
    expect(searchRank("Portal de Clientes", "portal")).toBe(1);
    expect(searchRank("Nuevo Portal", "portal")).toBe(2);
    expect(searchRank("Superportal", "portal")).toBe(3);
    expect(searchRank("Clientes del Portal", "portal clientes")).toBe(4);
    expect(searchRank("Otro", "portal")).toBeNull();
    expect(searchRank("Otro", "   ")).toBeNull();
  });

  it("reads the store page by page (more than one scan page)", async () => {
    const many = await listenerHarness({ now: () => now });
    try {
      await many.repos.projects.insertMany(
        Array.from({ length: 230 }, (_, i) =>
          project(String(1000 + i), { name: `Obra ${i % 2 === 0 ? "Norte" : "Sur"} ${i}` }),
        ),
      );
      const pmo = new PmoService({
        repos: many.repos,
        portfolio: many.services.portfolio,
        users: many.services.users,
        authorization: many.services.authorization,
        jobs: many.jobs,
        logger: silent,
      });
      const answer = expectKind(await pmo.search("obra norte"), "search");
      expect(answer.matches).toHaveLength(115);
    } finally {
      await many.close();
    }
  });
});

describe("hallazgos", () => {
  const filters = { severities: [], vertical: null, responsable: null };

  it("lists every finding still asking for attention, high first", async () => {
    const answer = expectKind(await service().findings(filters), "findings");
    expect(answer.entries.map((e) => `${e.finding.projectGid} ${e.finding.ruleId}`)).toEqual([
      "1 schedule_risk",
      "5 schedule_risk",
      "1 no_status_update",
      "4 no_activity",
      "2 amount_of_tasks",
    ]);
    expect(answer.entries.every((e) => e.project !== null)).toBe(true);
  });

  it("filters by severity", async () => {
    const answer = expectKind(
      await service().findings({ ...filters, severities: ["medium", "low"] }),
      "findings",
    );
    expect(answer.entries.map((e) => e.finding.severity)).toEqual(["medium", "medium", "low"]);
  });

  it("filters by vertical, case and accents ignored", async () => {
    const answer = expectKind(
      await service().findings({ ...filters, vertical: "BANCA dígital" }),
      "findings",
    );
    expect(answer.entries.map((e) => e.finding.projectGid)).toEqual(["1", "1", "2"]);
  });

  it("filters by a typed name, word by word", async () => {
    const ana = expectKind(
      await service().findings({ ...filters, responsable: { kind: "name", name: "ana" } }),
      "findings",
    );
    expect(new Set(ana.entries.map((e) => e.finding.projectGid))).toEqual(new Set(["1", "2"]));
    const mariana = expectKind(
      await service().findings({ ...filters, responsable: { kind: "name", name: "mariana.lopez" } }),
      "findings",
    );
    expect(mariana.entries.map((e) => e.finding.projectGid)).toEqual(["4"]);
    expect(responsableMatches("Ana Pérez", "perez")).toBe(true);
    expect(responsableMatches("Mariana López", "ana")).toBe(false);
    expect(responsableMatches(null, "ana")).toBe(false);
  });

  it("maps a mention to the Asana user; an unmapped one falls back to its name", async () => {
    const bob = expectKind(
      await service().findings({
        ...filters,
        responsable: { kind: "slack_user", slackUserId: "U0BOB", label: "bob" },
      }),
      "findings",
    );
    expect(bob.entries.map((e) => e.finding.projectGid)).toEqual(["5"]);
    expect(bob.responsableLabel).toBe("bob");
    const byName = expectKind(
      await service().findings({
        ...filters,
        severities: ["medium"],
        responsable: { kind: "slack_user", slackUserId: "U0NOMAIL", label: "mariana" },
      }),
      "findings",
    );
    expect(byName.entries.map((e) => e.finding.projectGid)).toEqual(["4"]);
    const unknown = expectKind(
      await service({
        users: {
          profile: () => Promise.reject(new Error("user_not_found")),
          localeOf: () => Promise.resolve("es"),
        },
      }).findings({ ...filters, responsable: { kind: "slack_user", slackUserId: "U0GHOST", label: null } }),
      "findings",
    );
    expect(unknown).toMatchObject({ unmappedMention: true, entries: [] });
  });
});

describe("estado", () => {
  it("gives the last runs, the next runs and the active and stale projects", async () => {
    const nextRuns = [{ name: "sync-full", next: new Date("2026-11-23T11:00:00.000Z") }];
    const answer = expectKind(
      await service({ jobs: { ...h.jobs, nextRuns: () => nextRuns } }).status([]),
      "status",
    );
    expect(answer).toEqual({ kind: "status", runs: [], nextRuns, activeProjects: 4, staleProjects: 1 });
  });
});

describe("sync", () => {
  const stats = {
    projectsSynced: 1400,
    changesDetected: 12,
    findingsOpened: 3,
    findingsResolved: 1,
    asanaCalls: 30,
    throttled: 0,
    staleProjects: 2,
    durationMs: 260_000,
    projectsWritten: 12,
    projectsRemoved: 0,
    listingRestarts: 0,
    abandonedRuns: 0,
  };
  const summary = (status: "completed" | "failed" | "skipped"): FullPipelineSummary => ({
    sync: {
      status,
      kind: "full",
      syncId: status === "skipped" ? null : "s1",
      reason: status === "completed" ? null : "why",
      stats,
    },
    rules: null,
    alerts: null,
  });
  const alerts: PushAlertsSummary = {
    status: "completed",
    reason: null,
    openingSummary: false,
    counts: { posted: 2, digests: 1, updated: 0, reconciled: 0, skipped: 5, failed: 0 },
    durationMs: 900,
  };
  const running = (result: () => Promise<ManualRunSummary>) =>
    service({ jobs: { nextRuns: () => [], runPipeline: result } });

  it("lets admins only", async () => {
    expect(await service().mayRunSync(ADMIN)).toBe(true);
    expect(await service().mayRunSync("U0ANA")).toBe(false);
    expect(service().syncAdmins()).toEqual([ADMIN]);
  });

  it("reports the counts of a completed run, alerts included", async () => {
    const done = await running(async () => ({
      ...summary("completed"),
      rules: {
        status: "completed",
        reason: null,
        syncId: "s1",
        counts: {
          opened: 3,
          reopened: 0,
          escalated: 0,
          deescalated: 0,
          refreshed: 0,
          woken: 0,
          resolved: 1,
          unchanged: 0,
          keptOnStaleData: 0,
          keptWithoutAccess: 0,
          conflicts: 0,
        },
        evaluatedProjects: 1400,
        durationMs: 100,
        alerts: [],
      },
      alerts,
    })).runSync("full");
    expect(done).toEqual({ kind: "completed", syncKind: "full", stats, rulesRan: true, alertsPosted: 3 });
    const withoutAlerts = await running(async () => summary("completed")).runSync("partial");
    expect(withoutAlerts).toMatchObject({ kind: "completed", rulesRan: false, alertsPosted: null });
  });

  it("says when another run holds the lease, and when it failed", async () => {
    expect(await running(async () => summary("skipped")).runSync("full")).toEqual({
      kind: "skipped",
      syncKind: "full",
    });
    expect(await running(async () => summary("failed")).runSync("full")).toEqual({
      kind: "failed",
      syncKind: "full",
      cause: "why",
    });
    const error = new Error("no Asana client");
    expect(await running(() => Promise.reject(error)).runSync("partial")).toEqual({
      kind: "failed",
      syncKind: "partial",
      cause: error,
    });
  });
});
