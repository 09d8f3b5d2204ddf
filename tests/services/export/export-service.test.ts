import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Authorization } from "../../../services/authorization/authorization.ts";
import { buildExport, ExportService } from "../../../services/export/export-service.ts";
import { EXPORT_HEADER_ROW } from "../../../services/export/workbook.ts";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

let store: Store;
let repos: Repositories;
const now = new Date("2026-11-22T15:00:00.000Z");

beforeAll(async () => {
  ({ store, repos } = await memoryStore({ clock: () => now }));
  const base = {
    responsable: "María José Gómez",
    responsableKey: "a-mj",
    status: "at_risk" as const,
    totalTasks: 10,
    pendingTasks: 4,
  };
  await repos.projects.upsert(
    {
      gid: "1",
      name: "Migración Core",
      pmoId: "PMO-1",
      businessVertical: "Banca",
      progressPercent: 60,
      dueOn: "2026-12-15",
      lastStatusUpdateAt: "2026-11-20T12:00:00.000Z",
      ...base,
    },
    0,
  );
  await repos.projects.upsert(
    {
      gid: "2",
      name: "<!channel> Portal",
      pmoId: "PMO-2",
      businessVertical: "Seguros",
      progressPercent: 10,
      ...base,
      responsableKey: "a-other",
      responsable: "Otro",
    },
    0,
  );
  await repos.projects.upsert(
    { gid: "3", name: "Salud App", pmoId: null, businessVertical: "Banca", progressPercent: null, ...base },
    0,
  );
  await repos.findings.open({
    projectGid: "1",
    ruleId: "schedule_risk",
    severity: "high",
    details: { daysToDue: 5, progress: 40 },
  });
  await repos.findings.open({ projectGid: "3", ruleId: "missing_pmo_id", severity: "low", details: {} });
  await repos.findings.open({
    projectGid: "2",
    ruleId: "overdue",
    severity: "high",
    details: { daysOverdue: 2, progress: 10 },
  });
  await repos.changelog.append([
    {
      projectGid: "1",
      fieldName: "dueOn",
      oldValue: "2026-12-01",
      newValue: "2026-12-15",
      syncId: "s",
      detectedAt: "2026-11-21T10:00:00.000Z",
      source: "asana",
    },
    {
      projectGid: "1",
      fieldName: "name",
      oldValue: "a",
      newValue: "b",
      syncId: "s",
      detectedAt: "2026-09-01T10:00:00.000Z",
      source: "asana",
    },
  ]);
});
afterAll(async () => store.close());

async function read(file: Buffer) {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its input as an ArrayBuffer-backed Buffer.
  await workbook.xlsx.load(new Uint8Array(file).buffer);
  return workbook;
}

describe("export", () => {
  it("keeps only the projects of a selection made elsewhere, and names how it was made", async () => {
    const result = await buildExport(repos, {
      filters: { severities: ["high"], vertical: null, responsable: null },
      locale: "es",
      now,
      selection: { projectGids: new Set(["2", "3"]), filterLines: ["Estado: En riesgo", "Buscar: portal"] },
    });
    expect(result.counts).toEqual({ projects: 2, findings: 1, changes: 0 });
    const workbook = await read(result.file);
    const projects = workbook.getWorksheet("Proyectos");
    expect(String(projects?.getCell("A2").value)).toBe(
      "Filtros: Severidad: Alta · Estado: En riesgo · Buscar: portal",
    );
    expect(projects?.getRow(EXPORT_HEADER_ROW + 1).getCell(1).value).toBe("PMO-2");
  });

  it("writes Proyectos, Hallazgos and Cambios with the filters at the top and typed cells", async () => {
    const result = await buildExport(repos, {
      filters: { severities: [], vertical: "banca", responsable: { name: "maria jose" } },
      locale: "es",
      now,
    });
    expect(result.counts).toEqual({ projects: 2, findings: 2, changes: 1 });
    expect(result.filename).toBe("pmo-pulse-2026-11-22.xlsx");
    const workbook = await read(result.file);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Proyectos", "Hallazgos", "Cambios"]);

    const projects = workbook.getWorksheet("Proyectos");
    expect(String(projects?.getCell("A2").value)).toBe("Filtros: Vertical: banca · Responsable: maria jose");
    const header = projects?.getRow(EXPORT_HEADER_ROW).values;
    expect(Array.isArray(header) ? header.slice(1, 4) : []).toEqual(["PMO ID", "Nombre", "Responsable"]);
    const first = projects?.getRow(EXPORT_HEADER_ROW + 1);
    expect(first?.getCell(1).value).toBe("PMO-1");
    expect(first?.getCell(6).value).toBe(60);
    expect(first?.getCell(9).value).toEqual(new Date("2026-12-15T00:00:00.000Z"));
    expect(first?.getCell(10).value).toBeInstanceOf(Date);
    expect(projects?.rowCount).toBe(EXPORT_HEADER_ROW + 2);

    const findings = workbook.getWorksheet("Hallazgos");
    expect(findings?.rowCount).toBe(EXPORT_HEADER_ROW + 2);
    const explained = [2, 3].map((offset) =>
      String(findings?.getRow(EXPORT_HEADER_ROW + offset - 1).getCell(7).value),
    );
    expect(explained).toContain("Vence en 5 días con 40 % de avance");

    const changes = workbook.getWorksheet("Cambios");
    expect(changes?.rowCount).toBe(EXPORT_HEADER_ROW + 1);
    expect(changes?.getRow(EXPORT_HEADER_ROW + 1).getCell(3).value).toBe("dueOn");
  });

  it("filters by severity, and writes English for an English reader, names kept as they are", async () => {
    const result = await buildExport(repos, {
      filters: { severities: ["high"], vertical: null, responsable: null },
      locale: "en",
      now,
    });
    expect(result.counts.findings).toBe(2);
    const workbook = await read(result.file);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Projects", "Findings", "Changes"]);
    expect(String(workbook.getWorksheet("Projects")?.getCell("A2").value)).toBe("Filters: Severity: High");
    const names = [1, 2, 3].map((i) =>
      String(
        workbook
          .getWorksheet("Projects")
          ?.getRow(EXPORT_HEADER_ROW + i)
          .getCell(2).value,
      ),
    );
    expect(names).toContain("<!channel> Portal");
  });
});

describe("export of a project Asana refuses to show", () => {
  it.each([
    { locale: "es" as const, column: "Acceso", label: "Sin acceso" },
    { locale: "en" as const, column: "Access", label: "No access" },
  ])(
    "keeps it and its open findings, marked ($locale); a project that left does not come",
    async ({ locale, column, label }) => {
      const own = await memoryStore({ clock: () => now });
      try {
        const lostAt = "2026-11-20T00:00:00.000Z";
        await own.repos.projects.upsert(
          { gid: "7", name: "Sin permiso", pmoId: "PMO-7", removedAt: lostAt, removedReason: "no_access" },
          0,
        );
        await own.repos.projects.upsert(
          { gid: "8", name: "Archivado", pmoId: "PMO-8", removedAt: lostAt, removedReason: "archived" },
          0,
        );
        await own.repos.findings.open({
          projectGid: "7",
          ruleId: "no_activity",
          severity: "medium",
          details: { daysSinceActivity: 9, noAccessSince: lostAt },
        });
        const result = await buildExport(own.repos, {
          filters: { severities: [], vertical: null, responsable: null },
          locale,
          now,
        });
        expect(result.counts).toMatchObject({ projects: 1, findings: 1 });
        const workbook = await read(result.file);
        for (const sheet of [workbook.worksheets[0], workbook.worksheets[1]]) {
          const header = sheet?.getRow(EXPORT_HEADER_ROW).values;
          const at = Array.isArray(header) ? header.indexOf(column) : -1;
          expect(at).toBeGreaterThan(0);
          expect(sheet?.getRow(EXPORT_HEADER_ROW + 1).getCell(at).value).toBe(label);
        }
      } finally {
        await own.store.close();
      }
    },
  );
});

describe("ExportService", () => {
  const profiles: Record<string, { asanaUserGid: string | null; name: string | null }> = {
    UADMIN: { asanaUserGid: null, name: "Admin" },
    UMJ: { asanaUserGid: "a-mj", name: "María José" },
    UNOASANA: { asanaUserGid: null, name: "Sin Asana" },
  };
  const service = () =>
    new ExportService({
      repos,
      users: {
        localeOf: async () => "es",
        profile: async (slackUserId) => ({
          slackUserId,
          email: null,
          locale: "es",
          refreshedAt: now.toISOString(),
          ...(profiles[slackUserId] ?? { asanaUserGid: null, name: null }),
        }),
      },
      authorization: new Authorization({
        adminUserIds: ["UADMIN"],
        asanaUserOf: async (id) => profiles[id]?.asanaUserGid ?? null,
      }),
      clock: () => now,
    });
  const none = { severities: [], vertical: null, responsable: null };

  it("is refused to anyone but the PMO admins, without building anything", async () => {
    expect(await service().exportFor("UMJ", none)).toEqual({ kind: "denied", locale: "es" });
  });

  it("resolves a mentioned person to their Asana user", async () => {
    const answer = await service().exportFor("UADMIN", {
      ...none,
      responsable: { kind: "slack_user", slackUserId: "UMJ", label: null },
    });
    expect(answer.kind === "built" && answer.export.counts.projects).toBe(2);
  });

  it("a mentioned person with no Asana user owns nothing: the export is empty, not unfiltered", async () => {
    const filters = await service().resolveFilters({
      ...none,
      responsable: { kind: "slack_user", slackUserId: "UNOASANA", label: null },
    });
    expect(filters.responsable).toEqual({ asanaUserGid: null, label: "Sin Asana" });
    const answer = await service().exportFor("UADMIN", {
      ...none,
      responsable: { kind: "slack_user", slackUserId: "UNOASANA", label: null },
    });
    expect(answer.kind === "built" && answer.export.counts).toEqual({ projects: 0, findings: 0, changes: 0 });
  });
});
