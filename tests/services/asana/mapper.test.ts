import { describe, expect, it } from "vitest";
import {
  customFieldValue,
  fieldNameKey,
  mapAsanaProject,
  mapStatusType,
  progressPercent,
  taskTotals,
} from "../../../services/asana/mapper.ts";
import type { ProjectStatus } from "../../../services/model.ts";

/** A project as GET /teams/{gid}/projects answers it with PROJECT_OPT_FIELDS. */
function asanaProject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gid: "1203000000000001",
    resource_type: "project",
    name: "Migración del core bancario",
    archived: false,
    completed: false,
    completed_at: null,
    created_at: "2025-01-10T12:00:00.000Z",
    modified_at: "2025-06-01T12:00:00.000Z",
    due_on: "2025-09-30",
    start_on: "2025-02-01",
    permalink_url: "https://app.asana.com/1/1/project/1203000000000001",
    owner: { gid: "1201", resource_type: "user", name: "María Pérez", email: "maria.perez@empresa.example" },
    team: { gid: "1202", resource_type: "team", name: "PMO Tecnología" },
    current_status_update: {
      gid: "1206",
      resource_type: "status_update",
      status_type: "at_risk",
      title: "Estado semanal",
      text: "Riesgo por proveedor",
      created_at: "2025-06-02T09:30:00.000Z",
      author: { gid: "1201", resource_type: "user", name: "María Pérez" },
    },
    custom_fields: [
      { gid: "1", resource_type: "custom_field", name: "PMO ID", display_value: "PMO-123" },
      { gid: "2", resource_type: "custom_field", name: "Business Vertical", display_value: "Banca" },
    ],
    ...overrides,
  };
}

const counts = { num_tasks: 40, num_completed_tasks: 10, num_incomplete_tasks: 30 };

describe("mapAsanaProject", () => {
  it("maps every Asana-owned field of a complete payload", () => {
    const payload = asanaProject();
    const result = mapAsanaProject(payload, {
      taskCounts: counts,
      lastActivityAt: "2025-06-03T10:00:00.000Z",
    });
    if (!result.ok) throw new Error(result.reason);
    expect(result.project).toMatchObject({
      gid: "1203000000000001",
      name: "Migración del core bancario",
      pmoId: "PMO-123",
      businessVertical: "Banca",
      responsable: "María Pérez",
      responsableKey: "1201",
      ownerEmail: "maria.perez@empresa.example",
      dueOn: "2025-09-30",
      startOn: "2025-02-01",
      status: "at_risk",
      statusText: "Riesgo por proveedor",
      lastStatusUpdateAt: "2025-06-02T09:30:00.000Z",
      totalTasks: 40,
      completedTasks: 10,
      pendingTasks: 30,
      progressPercent: 25,
      lastActivityAt: "2025-06-03T10:00:00.000Z",
      team: "PMO Tecnología",
      permalinkUrl: "https://app.asana.com/1/1/project/1203000000000001",
      archived: false,
      completed: false,
      stale: false,
      staleReason: null,
    });
    expect(result.project.raw).toEqual(payload);
  });

  it.each([
    ["no custom fields at all", { custom_fields: undefined }, { pmoId: null, businessVertical: null }],
    ["empty custom field list", { custom_fields: [] }, { pmoId: null, businessVertical: null }],
    [
      "fields present without a value",
      {
        custom_fields: [
          { gid: "1", name: "PMO ID", display_value: null },
          { gid: "2", name: "Business Vertical", display_value: "   " },
        ],
      },
      { pmoId: null, businessVertical: null },
    ],
    ["no owner", { owner: null }, { responsable: null, responsableKey: null, ownerEmail: null }],
    ["owner without email", { owner: { gid: "9", name: "Luis" } }, { responsable: "Luis", ownerEmail: null }],
    ["no due or start date", { due_on: null, start_on: null }, { dueOn: null, startOn: null }],
    ["due date not asked for", { due_on: undefined }, { dueOn: null }],
    [
      "no status update",
      { current_status_update: null },
      { status: "none", statusText: null, lastStatusUpdateAt: null },
    ],
    [
      "status update without text falls back to its title",
      { current_status_update: { gid: "5", status_type: "on_track", title: "Semana 3", text: "" } },
      { status: "on_track", statusText: "Semana 3" },
    ],
    ["no team", { team: null }, { team: null }],
    ["archived and completed", { archived: true, completed: true }, { archived: true, completed: true }],
  ])("%s", (_case, overrides, expected) => {
    const result = mapAsanaProject(asanaProject(overrides));
    if (!result.ok) throw new Error(result.reason);
    expect(result.project).toMatchObject(expected);
  });

  it.each([
    ["pmo id", "Business Vertical"],
    ["PMO Id", "business vertical"],
    ["  PMO   ID ", "Búsiness Vertical"],
    ["PMÓ ÍD", "BUSINESS VERTICAL"],
  ])(
    "finds custom fields named %j and %j regardless of case, accents and spaces",
    (pmoName, verticalName) => {
      const result = mapAsanaProject(
        asanaProject({
          custom_fields: [
            { gid: "1", name: pmoName, display_value: "pmo 77" },
            { gid: "2", name: verticalName, display_value: "Seguros" },
          ],
        }),
      );
      if (!result.ok) throw new Error(result.reason);
      expect(result.project.pmoId).toBe("PMO-77");
      expect(result.project.businessVertical).toBe("Seguros");
    },
  );

  it("reads custom fields under configured names", () => {
    const result = mapAsanaProject(
      asanaProject({
        custom_fields: [
          { gid: "1", name: "Código PMO", display_value: "12" },
          { gid: "2", name: "Vertical de negocio", display_value: "Salud" },
          { gid: "3", name: "PMO ID", display_value: "PMO-999" },
        ],
      }),
      {},
      { pmoIdField: "codigo pmo", verticalField: "VERTICAL DE NEGOCIO" },
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.project.pmoId).toBe("PMO-12");
    expect(result.project.businessVertical).toBe("Salud");
  });

  it.each([
    "<!channel> urgente",
    "<@U123> & <b>",
    "  espacios  al borde  ",
    "Proyecto *negrita* _cursiva_ ~tachado~ `código`",
    "emoji 🚀 y acentos ñÁÉÍ",
  ])("keeps the hostile or unusual name %j byte for byte", (name) => {
    const result = mapAsanaProject(asanaProject({ name }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.project.name).toBe(name);
    expect(Buffer.from(result.project.name).equals(Buffer.from(name))).toBe(true);
  });

  it("keeps a hostile owner name and status text byte for byte", () => {
    const result = mapAsanaProject(
      asanaProject({
        owner: { gid: "1", name: "<!here> Ana" },
        current_status_update: { gid: "2", status_type: "on_track", text: "<@U999> ok & listo" },
      }),
    );
    if (!result.ok) throw new Error(result.reason);
    expect(result.project.responsable).toBe("<!here> Ana");
    expect(result.project.statusText).toBe("<@U999> ok & listo");
  });

  it.each([
    ["a payload that is not an object", "nope", null],
    ["a project without gid", { name: "x" }, null],
    ["a project without name", { gid: "42" }, "42"],
    ["a name that is not text", { gid: "42", name: 7 }, "42"],
    ["a malformed due date", { gid: "42", name: "x", due_on: "30/09/2025" }, "42"],
    ["custom fields that are not a list", { gid: "42", name: "x", custom_fields: "PMO-1" }, "42"],
    [
      "a status update date that is not a date-time",
      {
        gid: "42",
        name: "x",
        current_status_update: { gid: "1", created_at: "ayer" },
      },
      "42",
    ],
  ])("reports %s as unreadable instead of throwing", (_case, payload, gid) => {
    const result = mapAsanaProject(payload);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.gid).toBe(gid);
    expect(result.reason).toMatch(/^unreadable Asana project: /);
  });
});

describe("mapStatusType", () => {
  const cases: [string | null | undefined, ProjectStatus][] = [
    ["on_track", "on_track"],
    ["at_risk", "at_risk"],
    ["off_track", "off_track"],
    ["on_hold", "on_hold"],
    ["complete", "complete"],
    ["achieved", "complete"],
    ["partial", "at_risk"],
    ["missed", "off_track"],
    ["dropped", "on_hold"],
    ["something_new", "none"],
    ["toString", "none"],
    [null, "none"],
    [undefined, "none"],
  ];
  it.each(cases)("%j -> %j", (statusType, status) => {
    expect(mapStatusType(statusType)).toBe(status);
  });
});

describe("progress and task totals", () => {
  it.each([
    [10, 40, 25],
    [1, 3, 33],
    [2, 3, 67],
    [0, 10, 0],
    [10, 10, 100],
    [0, 0, null],
    [null, 10, null],
    [5, null, null],
  ])("completed %j of %j -> %j %%", (completed, total, expected) => {
    expect(progressPercent(completed, total)).toBe(expected);
  });

  it.each([
    [
      { num_tasks: 10, num_completed_tasks: 4, num_incomplete_tasks: 6 },
      { total: 10, completed: 4, pending: 6 },
    ],
    [
      { num_tasks: 10, num_incomplete_tasks: 6 },
      { total: 10, completed: 4, pending: 6 },
    ],
    [
      { num_tasks: 10, num_completed_tasks: 4 },
      { total: 10, completed: 4, pending: 6 },
    ],
    [{}, { total: null, completed: null, pending: null }],
    [null, { total: null, completed: null, pending: null }],
  ])("fills the missing count of %j", (counts, expected) => {
    expect(taskTotals(counts)).toEqual(expected);
  });

  it("leaves progress null when task counts are unknown or the project has no task", () => {
    const unknown = mapAsanaProject(asanaProject());
    const empty = mapAsanaProject(asanaProject(), { taskCounts: { num_tasks: 0, num_completed_tasks: 0 } });
    if (!unknown.ok || !empty.ok) throw new Error("unexpected failure");
    expect(unknown.project).toMatchObject({ progressPercent: null, totalTasks: null, pendingTasks: null });
    expect(empty.project).toMatchObject({
      progressPercent: null,
      totalTasks: 0,
      completedTasks: 0,
      pendingTasks: 0,
    });
  });
});

describe("custom field lookup", () => {
  it("strips accents and case with NFD", () => {
    expect(fieldNameKey("Búsiness  VERTICAL ")).toBe("business vertical");
    expect(fieldNameKey("Ñandú")).toBe("nandu");
  });

  it("skips a same-named field without value for one that has it", () => {
    const fields = [
      { gid: "1", name: "PMO ID", display_value: null },
      { gid: "2", name: "pmo id", display_value: "PMO-5" },
    ];
    expect(customFieldValue(fields, "PMO ID")).toBe("PMO-5");
  });
});
