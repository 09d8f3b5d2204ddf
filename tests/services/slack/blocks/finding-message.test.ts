import type { ActionsBlock, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../../services/slack/action-ids.ts";
import { findingMessage } from "../../../../services/slack/blocks/finding-message.ts";
import { parseFindingRef } from "../../../../services/slack/finding-ref.ts";
import { HOSTILE_STRINGS } from "../../../fixtures/hostile-strings.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "./block-kit-checks.ts";
import { aChange, aFinding, aProject, context } from "./fixtures.ts";

const sectionText = (block: KnownBlock | undefined): string =>
  block?.type === "section" ? (block.text?.text ?? "") : "";
const fieldTexts = (block: KnownBlock | undefined): string[] =>
  block?.type === "section" ? (block.fields ?? []).map((f) => f.text) : [];

describe("a high finding's own message", () => {
  const project = aProject();
  const finding = aFinding();

  it.each([
    [
      "es",
      "🔴 *Alta*",
      "Vence en 5 días con 40 % de avance",
      "*Responsable*",
      ["Reconocer", "Resolver", "Posponer"],
    ],
    ["en", "🔴 *High*", "Due in 5 days at 40% progress", "*Owner*", ["Acknowledge", "Resolve", "Snooze"]],
  ] as const)("says what, where, who and why (%s)", (locale, severity, why, owner, labels) => {
    const message = findingMessage(context(locale), { finding, project, changes: [aChange()] });
    expect(message.blocks.map((b) => b.type)).toEqual([
      "section",
      "section",
      "section",
      "context",
      "actions",
    ]);
    const title = sectionText(message.blocks[0]);
    expect(title).toContain(severity);
    expect(title).toContain("<https://app.asana.com/0/1201/list|Portal de clientes>");
    expect(title).toContain(why);
    const fields = fieldTexts(message.blocks[1]);
    expect(fields[0]).toContain("PMO-12");
    expect(fields[1]).toContain(owner);
    expect(fields[1]).toContain("<@U0ANA>");
    expect(buttonsOf(message).map((b) => b.text.text)).toEqual(labels);
    expect(message.text).toContain(why);
    expectWithinBlockKitLimits(message);
  });

  it("puts the three actions on buttons whose values point back at the finding", () => {
    const message = findingMessage(context("es"), { finding, project, changes: [] });
    const buttons = buttonsOf(message);
    expect(buttons.map((b) => b.action_id)).toEqual([FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE]);
    for (const button of buttons) {
      expect(parseFindingRef(button.value)).toEqual({
        projectGid: "1201",
        ruleId: "schedule_risk",
        version: 3,
      });
    }
  });

  it("shows the owner's escaped name when the owner has no Slack user, and never a fake mention", () => {
    const owner = aProject({ responsable: "<@U999> Ana & Co" });
    for (const slackUserId of [null, "<!channel>", "C123", "u1"]) {
      const message = findingMessage(context("es", slackUserId), { finding, project: owner, changes: [] });
      const fields = fieldTexts(message.blocks[1]);
      expect(fields[1]).toContain("&lt;@U999&gt; Ana &amp; Co");
      expect(fields[1]).not.toContain("<@");
    }
  });

  it("lists at most three changes behind the rule, before → after, newest first", () => {
    const changes = [
      aChange({
        fieldName: "progressPercent",
        oldValue: 45,
        newValue: 40,
        detectedAt: "2026-03-05T10:00:00.000Z",
      }),
      aChange({ fieldName: "name", oldValue: "A", newValue: "B", detectedAt: "2026-03-05T09:00:00.000Z" }),
      aChange({ fieldName: "finding:schedule_risk", oldValue: null, newValue: "open/high", source: "rules" }),
      aChange({ fieldName: "dueOn", detectedAt: "2026-03-04T15:00:00.000Z" }),
      aChange({
        fieldName: "status",
        oldValue: "on_track",
        newValue: "at_risk",
        detectedAt: "2026-03-03T15:00:00.000Z",
      }),
      aChange({
        fieldName: "totalTasks",
        oldValue: 10,
        newValue: 12,
        detectedAt: "2026-03-02T15:00:00.000Z",
      }),
    ];
    const message = findingMessage(context("es"), { finding, project, changes });
    const lines = sectionText(message.blocks[2]).split("\n");
    expect(lines).toEqual([
      "*Cambios que llevaron a esto*",
      "• Avance: 45 % → 40 % (5 mar)",
      "• Fecha de entrega: 1 de abril de 2026 → 10 de marzo de 2026 (4 mar)",
      "• Estado: En curso → En riesgo (3 mar)",
    ]);
  });

  it("leaves the changes out when none concerns the rule", () => {
    const message = findingMessage(context("es"), {
      finding,
      project,
      changes: [aChange({ fieldName: "name", oldValue: "A", newValue: "B" })],
    });
    expect(message.blocks.map((b) => b.block_id)).not.toContain("finding-changes");
  });

  it.each([
    [
      "no_status_update",
      { daysSinceUpdate: 9 },
      "Sin actualización de estado hace 9 días",
      "No status update for 9 days",
    ],
    [
      "no_status_update",
      { daysSinceUpdate: null },
      "Sin actualizaciones de estado registradas",
      "No status update on record",
    ],
    [
      "no_activity",
      { daysSinceActivity: 1 },
      "Sin actividad en las tareas hace 1 día",
      "No task activity for 1 day",
    ],
    [
      "schedule_risk",
      { daysToDue: 0, progress: 10 },
      "Vence hoy con 10 % de avance",
      "Due today at 10% progress",
    ],
    [
      "overdue",
      { daysOverdue: 3, progress: 70 },
      "Vencido hace 3 días con 70 % de avance",
      "Overdue by 3 days at 70% progress",
    ],
    ["amount_of_tasks", { taskCount: 2 }, "Solo 2 tareas en el proyecto", "Only 2 tasks in the project"],
    [
      "progress_mismatch",
      { reportedProgress: 80, progress: 40, difference: 40 },
      "Avance reportado 80 % frente a 40 % en Asana (40 puntos de diferencia)",
      "Reported progress 80% vs 40% in Asana (40 points apart)",
    ],
    ["missing_pmo_id", {}, "Falta el PMO ID", "PMO ID missing"],
    ["missing_responsable", {}, "Falta el responsable", "No owner (responsable) set"],
    ["missing_vertical", {}, "Falta la vertical de negocio", "Business vertical missing"],
    ["missing_due_date", {}, "Falta la fecha de entrega", "Due date missing"],
    ["brand_new_rule", {}, "Regla brand_new_rule", "Rule brand_new_rule"],
  ] as const)("explains %s with its numbers", (ruleId, details, spanish, english) => {
    const subject = aFinding({ ruleId, details: { ...details } });
    expect(
      sectionText(findingMessage(context("es"), { finding: subject, project, changes: [] }).blocks[0]),
    ).toContain(spanish);
    expect(
      sectionText(findingMessage(context("en"), { finding: subject, project, changes: [] }).blocks[0]),
    ).toContain(english);
  });

  it("renders a project that is no longer stored by its gid", () => {
    const message = findingMessage(context("es"), { finding, project: null, changes: [] });
    expect(sectionText(message.blocks[0])).toContain("Proyecto 1201");
    expectWithinBlockKitLimits(message);
  });
});

describe("the same message after the fact (chat.update)", () => {
  const project = aProject();

  it.each([
    ["es", "✅ Resuelto automáticamente el 6 de marzo de 2026, 05:00"],
    ["en", "✅ Resolved automatically on March 6, 2026, 5:00 AM"],
  ] as const)("a finding resolved by its rule says so and loses its buttons (%s)", (locale, line) => {
    const finding = aFinding({
      status: "resolved",
      resolution: "auto",
      resolvedAt: "2026-03-06T10:00:00.000Z",
    });
    const message = findingMessage(context(locale), { finding, project, changes: [] });
    expect(textSlots(message).some((slot) => slot.text.includes(line))).toBe(true);
    expect(message.blocks.some((b) => b.type === "actions")).toBe(false);
    expect(message.text).toContain(line);
  });

  it("a finding resolved by a person names them", () => {
    const finding = aFinding({
      status: "resolved",
      resolution: "manual",
      resolvedBy: "U1",
      resolvedAt: "2026-03-06T10:00:00.000Z",
    });
    const message = findingMessage(context("es"), { finding, project, changes: [] });
    expect(sectionText(message.blocks.find((b) => b.block_id === "finding-status"))).toBe(
      "✅ Resuelto por <@U1> el 6 de marzo de 2026, 05:00",
    );
  });

  it("an acknowledged finding shows who and their comment, escaped, and keeps Resolve and Snooze", () => {
    const finding = aFinding({
      status: "acknowledged",
      acknowledgedBy: "U1",
      acknowledgedAt: "2026-03-06T10:00:00.000Z",
      ackComment: "proveedor <!here> & cía",
    });
    const message = findingMessage(context("es"), { finding, project, changes: [] });
    expect(sectionText(message.blocks.find((b) => b.block_id === "finding-status"))).toBe(
      "👀 Reconocido por <@U1>: proveedor &lt;!here&gt; &amp; cía",
    );
    expect(buttonsOf(message).map((b) => b.action_id)).toEqual([FINDING_RESOLVE, FINDING_SNOOZE]);
    expectSafeMrkdwn(message);
  });

  it.each([
    {
      locale: "es" as const,
      line: "🔒 *Sin acceso* al proyecto en Asana desde el 10 de marzo de 2026, 05:00: el hallazgo sigue abierto hasta que vuelva el acceso o alguien lo resuelva.",
    },
    {
      locale: "en" as const,
      line: "🔒 *No access* to the project in Asana since",
    },
  ])(
    "an open finding of a project without access says so ($locale) and keeps every button",
    ({ locale, line }) => {
      const finding = aFinding({
        details: { daysToDue: 5, progress: 40, noAccessSince: "2026-03-10T10:00:00.000Z" },
      });
      const message = findingMessage(context(locale), { finding, project, changes: [] });
      expect(sectionText(message.blocks.find((b) => b.block_id === "finding-status"))).toContain(line);
      expect(message.text).toContain(locale === "es" ? "Sin acceso" : "No access");
      expect(buttonsOf(message).map((b) => b.action_id)).toEqual([
        FINDING_ACK,
        FINDING_RESOLVE,
        FINDING_SNOOZE,
      ]);
      expectSafeMrkdwn(message);
    },
  );

  it("an acknowledged finding without access shows both lines; a resolved one no longer says it", () => {
    const details = { daysToDue: 5, progress: 40, noAccessSince: "2026-03-10T10:00:00.000Z" };
    const acked = findingMessage(context("es"), {
      finding: aFinding({ status: "acknowledged", acknowledgedBy: "U1", details }),
      project,
      changes: [],
    });
    expect(sectionText(acked.blocks.find((b) => b.block_id === "finding-status")).split("\n")).toEqual([
      "👀 Reconocido por <@U1>",
      expect.stringContaining("🔒 *Sin acceso*"),
    ]);
    const resolved = findingMessage(context("es"), {
      finding: aFinding({ status: "resolved", resolution: "manual", resolvedBy: "U1", details }),
      project,
      changes: [],
    });
    expect(JSON.stringify(resolved.blocks)).not.toContain("Sin acceso");
  });

  it("a snoozed finding says until when, in the PMO's time zone", () => {
    const finding = aFinding({
      status: "snoozed",
      snoozedUntil: "2026-03-09T13:00:00.000Z",
      snoozedBy: null,
    });
    const message = findingMessage(context("es"), { finding, project, changes: [] });
    expect(sectionText(message.blocks.find((b) => b.block_id === "finding-status"))).toBe(
      "💤 Pospuesto hasta 9 de marzo de 2026, 08:00",
    );
    const actions = message.blocks.find((b): b is ActionsBlock => b.type === "actions");
    expect(actions?.elements.map((e) => ("action_id" in e ? e.action_id : null))).toEqual([
      FINDING_ACK,
      FINDING_RESOLVE,
    ]);
  });
});

describe("hostile input", () => {
  it.each(["es", "en"] as const)(
    "every hostile string as name, owner, PMO ID, URL, comment and change stays inert (%s)",
    (locale) => {
      for (const hostile of HOSTILE_STRINGS) {
        const project = aProject({
          name: hostile,
          responsable: hostile,
          pmoId: hostile,
          permalinkUrl: hostile,
        });
        const finding = aFinding({
          status: "acknowledged",
          acknowledgedBy: hostile,
          ackComment: hostile,
        });
        const changes = [aChange({ fieldName: "status", oldValue: hostile, newValue: hostile })];
        const message = findingMessage(context(locale, hostile), { finding, project, changes });
        expectSafeMrkdwn(message);
        expectWithinBlockKitLimits(message);
      }
    },
  );

  it("a 10,000-character name of escapes is cut without breaking one", () => {
    const project = aProject({ name: "<&>".repeat(3_400) });
    const message = findingMessage(context("es"), { finding: aFinding(), project, changes: [] });
    expectWithinBlockKitLimits(message);
    expectSafeMrkdwn(message);
    expect(sectionText(message.blocks[0])).toContain("…");
  });
});
