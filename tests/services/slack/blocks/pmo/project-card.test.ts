import { describe, expect, it } from "vitest";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../../../services/slack/action-ids.ts";
import {
  CARD_FINDINGS_MAX,
  projectCardMessage,
  projectNotFoundMessage,
} from "../../../../../services/slack/blocks/pmo/project-card.ts";
import { parseFindingRef } from "../../../../../services/slack/finding-ref.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { aFinding, aProject } from "../fixtures.ts";
import { ctx, FRESH } from "./ctx.ts";

const project = aProject({
  status: "off_track",
  progressPercent: 35,
  dueOn: "2026-12-01",
  businessVertical: "Banca Digital",
  statusText: "Proveedor retrasado",
  lastStatusUpdateAt: "2026-11-19T13:42:00.000Z",
});

describe("the project card", () => {
  it("shows name linked to Asana, PMO ID, responsable, status, progress, due date, vertical, last update and age", () => {
    const message = projectCardMessage(ctx("es"), { project, findings: [] }, FRESH);
    expect(message.blocks.map((b) => b.block_id)).toEqual([
      "pmo-card-title",
      "pmo-card-fields",
      "pmo-card-status-text",
      "pmo-card-findings",
      "pmo-card-no-findings",
      "pmo-freshness",
    ]);
    const slots = textSlots(message).map((s) => s.text);
    expect(slots).toContain("🔴 *<https://app.asana.com/0/1201/list|Portal de clientes>*");
    expect(slots).toEqual(
      expect.arrayContaining([
        "*PMO ID*\nPMO-12",
        "*Responsable*\nAna Pérez",
        "*Estado*\n🔴 Con retraso",
        "*Avance*\n35 %",
        "*Fecha de entrega*\n1 de diciembre de 2026",
        "*Vertical de negocio*\nBanca Digital",
        "*Última actualización de estado*\n19/11/2026 08:42 (hace 3 días)",
        "Proveedor retrasado",
        "✅ Sin hallazgos abiertos.",
      ]),
    );
    expect(message.text).toContain("Portal de clientes · PMO-12");
  });

  it("lists the open findings with the rule explained and their buttons (English)", () => {
    const findings = [
      aFinding({ ruleId: "schedule_risk", severity: "high", details: { daysToDue: 5, progress: 40 } }),
      aFinding({
        ruleId: "no_status_update",
        severity: "medium",
        status: "acknowledged",
        acknowledgedBy: "U0ANA",
        details: { daysSinceUpdate: 9 },
      }),
    ];
    const message = projectCardMessage(ctx("en"), { project: aProject(), findings }, FRESH);
    const slots = textSlots(message).map((s) => s.text);
    expect(slots).toContain("🔴 *High* · Due in 5 days at 40% progress");
    expect(
      slots.some((s) =>
        s.startsWith("🟡 *Medium* · No status update for 9 days\n👀 Acknowledged by <@U0ANA>"),
      ),
    ).toBe(true);
    expect(slots).toContain("*Owner*\nAna Pérez");
    expect(slots).toContain("*Progress*\nno data");
    const buttons = buttonsOf(message);
    expect(buttons.map((b) => b.action_id)).toEqual([
      FINDING_ACK,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
    expect(parseFindingRef(buttons[0]?.value)).toEqual({
      projectGid: "1201",
      ruleId: "schedule_risk",
      version: 3,
    });
    expectWithinBlockKitLimits(message);
  });

  it("notes a project out of scope or read incompletely", () => {
    const message = projectCardMessage(
      ctx("es"),
      {
        project: aProject({ removedAt: "2026-11-01T00:00:00.000Z", removedReason: "archived", stale: true }),
        findings: [],
      },
      FRESH,
    );
    const notes = textSlots(message).find((s) => s.where.includes("context") && s.text.includes("alcance"));
    expect(notes?.text).toContain("desactualizados");
  });

  it.each([
    { locale: "es" as const, note: "🔒 Sin acceso", line: "🔒 *Sin acceso* al proyecto en Asana desde el" },
    { locale: "en" as const, note: "🔒 No access", line: "🔒 *No access* to the project in Asana since" },
  ])(
    "a project Asana refuses to show says so, and so do its open findings ($locale)",
    ({ locale, note, line }) => {
      const lostAt = "2026-11-01T00:00:00.000Z";
      const message = projectCardMessage(
        ctx(locale),
        {
          project: aProject({ removedAt: lostAt, removedReason: "no_access" }),
          findings: [aFinding({ details: { daysToDue: 5, progress: 40, noAccessSince: lostAt } })],
        },
        FRESH,
      );
      const slots = textSlots(message);
      expect(slots.find((s) => s.where.includes("context") && s.text.startsWith(note))).toBeDefined();
      expect(slots.some((s) => s.text.includes(`\n${line}`))).toBe(true);
      expect(buttonsOf(message)).toHaveLength(3);
    },
  );

  it("stays within 50 blocks however many findings", () => {
    const findings = Array.from({ length: 40 }, (_, i) => aFinding({ ruleId: `rule_${i}`, severity: "low" }));
    const message = projectCardMessage(ctx("es"), { project, findings }, FRESH);
    expectWithinBlockKitLimits(message);
    expect(buttonsOf(message).length).toBe(CARD_FINDINGS_MAX * 3);
    expect(textSlots(message).some((s) => s.text.startsWith(`Y ${40 - CARD_FINDINGS_MAX} más`))).toBe(true);
  });

  it.each(HOSTILE_STRINGS)("escapes %j wherever Asana text goes", (hostile) => {
    const message = projectCardMessage(
      ctx("es"),
      {
        project: aProject({
          name: hostile,
          pmoId: hostile,
          responsable: hostile,
          businessVertical: hostile,
          statusText: hostile,
          permalinkUrl: hostile,
        }),
        findings: [
          aFinding({ ruleId: hostile.slice(0, 150) || "x", details: { daysToDue: 3, progress: 10 } }),
        ],
      },
      FRESH,
    );
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });
});

describe("an unknown PMO ID", () => {
  it.each([
    ["es", "No encontré ningún proyecto con el PMO ID PMO-999. Prueba con `/pmo buscar`"],
    ["en", "I found no project with PMO ID PMO-999. Try `/pmo search`"],
  ] as const)("says so and suggests buscar (%s)", (locale, expected) => {
    const message = projectNotFoundMessage(ctx(locale), "PMO-999", FRESH);
    expect(textSlots(message)[1]?.text).toContain(expected);
    expectSafeMrkdwn(message);
  });
});
