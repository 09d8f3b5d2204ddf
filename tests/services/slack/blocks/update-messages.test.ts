import type { Button, KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { Locale } from "../../../../services/i18n/index.ts";
import type { ParsedUpdate } from "../../../../services/model.ts";
import {
  cardMessage,
  conversationMessage,
  savedMessage,
} from "../../../../services/slack/blocks/update-messages.ts";
import {
  parseUpdateRef,
  UPDATE_CANCEL,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
} from "../../../../services/slack/update-ids.ts";
import type { Draft, Part, ProjectChoice, Reply } from "../../../../services/updates/conversation.ts";
import { expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "./block-kit-checks.ts";

const portal: ProjectChoice = { gid: "101", name: "Portal de clientes", pmoId: "PMO-101", url: null };
const erp: ProjectChoice = { gid: "102", name: "Migración <ERP>", pmoId: "PMO-102", url: null };
const ref = { conversationId: "c1", version: 3 };

const parsed = (overrides: Partial<ParsedUpdate> = {}): ParsedUpdate => ({
  progress: 70,
  health: "on_track",
  risks: [],
  blockers: [],
  nextSteps: [],
  eta: "2026-07-16",
  ...overrides,
});
const draft = (overrides: Partial<Draft> = {}): Draft => ({
  sourceId: "Ev1",
  text: "x",
  receivedAt: "2026-07-08T15:00:00.000Z",
  parsed: parsed(),
  unread: [],
  etaUncertain: false,
  interpreted: null,
  ...overrides,
});
const card = (
  overrides: Partial<Extract<Reply, { kind: "confirm" }>> = {},
): Extract<Reply, { kind: "confirm" }> => ({
  kind: "confirm",
  project: portal,
  draft: draft(),
  others: [],
  refused: [],
  unplaced: 0,
  ref,
  ...overrides,
});

const allText = (message: { text: string; blocks: KnownBlock[] }) =>
  textSlots(message)
    .map((slot) => slot.text)
    .join("\n");

function buttonsIn(blocks: readonly KnownBlock[]): Button[] {
  return blocks.flatMap((block) => {
    if (block.type === "actions") return block.elements.filter((e): e is Button => e.type === "button");
    if (block.type === "section" && block.accessory?.type === "button") return [block.accessory];
    return [];
  });
}

describe("the confirm card", () => {
  it.each([
    ["es", "entrega 16 de julio de 2026 (¿es la fecha correcta?)"],
    ["en", "delivery July 16, 2026 (is that the right date?)"],
  ] as const)("in %s shows the ETA it understood and asks about an unsure one", (locale: Locale, shown) => {
    const unsure = cardMessage(locale, card({ draft: draft({ etaUncertain: true }) }));
    expect(allText(unsure)).toContain(shown);
    const sure = cardMessage(locale, card());
    expect(allText(sure)).toContain(shown.replace(/ \(.*\)$/, ""));
    expect(allText(sure)).not.toContain(shown.replace(/^.*\(/, "("));
  });

  it("of one project keeps its layout: one summary, Confirmar / Editar / Cancelar", () => {
    const message = cardMessage("es", card());
    expect(message.blocks.map((b) => b.block_id)).toEqual([
      "update-card",
      "update-card-question",
      "update-card-actions",
    ]);
    expect(buttonsIn(message.blocks).map((b) => b.action_id)).toEqual([
      UPDATE_CONFIRM,
      UPDATE_EDIT,
      UPDATE_CANCEL,
    ]);
  });

  it("of several projects shows each with its facts and its own Editar, then Confirmar and Cancelar", () => {
    const others: Part[] = [
      {
        project: erp,
        draft: draft({
          parsed: parsed({ progress: 40, health: "off_track", blockers: ["el <proveedor>"] }),
          unread: ["algo raro"],
        }),
      },
    ];
    const message = cardMessage(
      "es",
      card({
        others,
        refused: [{ ...portal, gid: "201", name: "App móvil", pmoId: "PMO-201" }],
        unplaced: 1,
      }),
    );
    const text = allText(message);
    expect(text).toContain("*1.* Portal de clientes (PMO-101) · avance 70 % · 🟢 en curso");
    expect(text).toContain("*2.* Migración &lt;ERP&gt; (PMO-102) · avance 40 % · 🔴");
    expect(text).toContain("bloqueos: el &lt;proveedor&gt;");
    expect(text).toContain("No entendí: «algo raro»");
    expect(text).toContain("No guardaré lo que dices de App móvil (PMO-201)");
    expect(text).toContain("No guardaré 1 parte de tu mensaje: no supe de qué proyecto era.");
    expect(text).toContain("¿Guardo estas 2 actualizaciones, cada una en su proyecto?");
    const buttons = buttonsIn(message.blocks);
    expect(buttons.map((b) => [b.action_id, parseUpdateRef(b.value)?.projectGid ?? null])).toEqual([
      [UPDATE_EDIT, "101"],
      [UPDATE_EDIT, "102"],
      [UPDATE_CONFIRM, null],
      [UPDATE_CANCEL, null],
    ]);
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });

  it("in English says the same", () => {
    const message = cardMessage("en", card({ others: [{ project: erp, draft: draft() }], unplaced: 2 }));
    const text = allText(message);
    expect(text).toContain("I understood, project by project:");
    expect(text).toContain("Shall I save these 2 updates, each to its project?");
    expect(text).toContain(
      "I won't save 2 parts of your message: I couldn't tell which project they were about.",
    );
  });

  it("of ten projects with long facts stays within Block Kit's limits", () => {
    const long = parsed({ risks: Array.from({ length: 20 }, (_, i) => `riesgo ${i} ${"x".repeat(290)}`) });
    const others: Part[] = Array.from({ length: 9 }, (_, i) => ({
      project: { ...erp, gid: `g${i}`, name: "N".repeat(300) },
      draft: draft({ parsed: long, unread: ["u".repeat(400)] }),
    }));
    const message = cardMessage("es", card({ others, draft: draft({ parsed: long }) }));
    expectWithinBlockKitLimits(message);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe("the other answers about several projects", () => {
  it("the chooser shows the part it asks about", () => {
    const message = conversationMessage(
      { locale: "es" },
      {
        kind: "choose_project",
        choices: [erp],
        more: 0,
        named: false,
        part: draft({ parsed: parsed({ progress: 40, eta: null }) }),
        ref,
      },
    );
    expect(allText(message)).toContain("¿De cuál es esta parte? avance 40 % · 🟢 en curso");
  });

  it("an unsplit message names the projects and saves nothing", () => {
    const message = conversationMessage(
      { locale: "en" },
      { kind: "several_unsplit", projects: [portal, erp] },
    );
    expect(allText(message)).toContain(
      "Your message is about several projects (Portal de clientes (PMO-101), Migración &lt;ERP&gt; (PMO-102))",
    );
  });

  it("the saved card lists each project with what was stored and where it went", () => {
    const message = savedMessage("es", [
      { project: portal, parsed: parsed(), outcome: { writeBack: "written", alerted: false } },
      { project: erp, parsed: parsed({ health: "off_track" }), outcome: { writeBack: "off", alerted: true } },
    ]);
    const text = allText(message);
    expect(text).toContain("Guardé tus actualizaciones, cada una en su proyecto:");
    expect(text).toMatch(/\*Portal de clientes \(PMO-101\)\*\n\*Avance\*: 70 %/);
    expect(text).toContain("También quedó en Asana");
    expect(text).toContain("Avisé al canal de la PMO");
    expect(buttonsIn(message.blocks)).toEqual([]);
    expectSafeMrkdwn(message);
  });
});
