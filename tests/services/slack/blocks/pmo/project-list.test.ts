import { describe, expect, it } from "vitest";
import { parseMoreValue } from "../../../../../services/commands/pmo-more-value.ts";
import type { ProjectSummary } from "../../../../../services/commands/pmo-service.ts";
import type { ProjectInput } from "../../../../../services/model.ts";
import { PROJECTS_PER_PAGE } from "../../../../../services/slack/blocks/pmo/common.ts";
import {
  myProjectsMessage,
  searchResultsMessage,
  unmappedUserMessage,
} from "../../../../../services/slack/blocks/pmo/project-list.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { aProject } from "../fixtures.ts";
import { ctx, FRESH } from "./ctx.ts";

const summary = (overrides: Partial<ProjectInput> = {}, openFindings: number | null = 0): ProjectSummary => ({
  project: aProject(overrides),
  openFindings,
  worstSeverity: openFindings ? "high" : null,
});

const many = (count: number): ProjectSummary[] =>
  Array.from({ length: count }, (_, i) =>
    summary({ gid: String(100 + i), name: `Proyecto ${i}`, pmoId: `PMO-${i}` }, i % 3),
  );

describe("mis-proyectos", () => {
  it("shows each project with status, progress, due date, PMO ID and open findings", () => {
    const message = myProjectsMessage(
      ctx("es"),
      [
        summary({ status: "at_risk", progressPercent: 40, dueOn: "2026-12-05" }, 2),
        summary({ gid: "2", name: "Otro", pmoId: null }, 0),
      ],
      0,
      FRESH,
    );
    expect(message.blocks.map((b) => b.block_id)).toEqual([
      "pmo-title",
      "pmo-project-0",
      "pmo-project-1",
      "pmo-freshness",
    ]);
    expect(textSlots(message)[2]?.text).toBe(
      "🟡 *<https://app.asana.com/0/1201/list|Portal de clientes>* · PMO-12\nEn riesgo · Avance 40 % · Entrega 5 de diciembre de 2026 · 🔴 2 hallazgos abiertos",
    );
    expect(textSlots(message)[3]?.text).toContain("sin PMO ID");
    expect(textSlots(message)[3]?.text).toContain("Sin hallazgos abiertos");
    expect(message.text).toContain("Tus proyectos: 2");
    expect(message.blocks.at(-1)).toMatchObject({
      elements: [{ text: "Datos al 22/11/2026 08:30 (hace 12 min)" }],
    });
  });

  it("speaks English", () => {
    const message = myProjectsMessage(
      ctx("en"),
      [summary({ progressPercent: null, dueOn: null }, 1)],
      0,
      FRESH,
    );
    expect(textSlots(message)[2]?.text).toContain(
      "No status · Progress unknown · No due date · 🔴 1 open finding",
    );
  });

  it("says when there is nothing to list", () => {
    const message = myProjectsMessage(ctx("es"), [], 0, FRESH);
    expect(message.blocks.map((b) => b.block_id)).toEqual(["pmo-title", "pmo-empty", "pmo-freshness"]);
  });

  it("pages a long list with a 'Ver más' button that carries the next offset", () => {
    const projects = many(45);
    const first = myProjectsMessage(ctx("es"), projects, 0, FRESH);
    expectWithinBlockKitLimits(first);
    expect(first.blocks.filter((b) => b.block_id?.startsWith("pmo-project-"))).toHaveLength(
      PROJECTS_PER_PAGE,
    );
    const [button] = buttonsOf(first);
    expect(button?.text.text).toBe("Ver más");
    expect(parseMoreValue(button?.value)).toEqual({ command: { kind: "mine" }, offset: 20 });
    expect(first.blocks.at(-1)?.block_id).toBe("pmo-freshness");

    const last = myProjectsMessage(ctx("es"), projects, 40, FRESH);
    expect(last.blocks.filter((b) => b.block_id?.startsWith("pmo-project-"))).toHaveLength(5);
    expect(buttonsOf(last)).toEqual([]);
    expect(textSlots(last).some((s) => s.text === "Mostrando 41–45 de 45")).toBe(true);
  });

  it.each(HOSTILE_STRINGS)("escapes a project named %j", (hostile) => {
    const message = myProjectsMessage(
      ctx("es"),
      [summary({ name: hostile, pmoId: hostile, responsable: hostile, permalinkUrl: hostile }, 1)],
      0,
      FRESH,
    );
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });
});

describe("a user PMO Pulse cannot map", () => {
  it.each([
    ["es", "no_email", null, "users:read.email"],
    ["en", "no_email", null, "users:read.email"],
    ["es", "no_asana_user", "ana@example.com", "ana@example.com"],
    ["en", "no_asana_user", "ana@example.com", "same email in Asana"],
    ["es", "lookup_failed", null, "Inténtalo de nuevo"],
  ] as const)("%s %s: why, and what to do", (locale, reason, email, expected) => {
    const message = unmappedUserMessage(ctx(locale), { reason, email }, FRESH);
    expect(textSlots(message)[1]?.text).toContain(expected);
    expectWithinBlockKitLimits(message);
    expectSafeMrkdwn(message);
  });

  it("escapes the email it shows", () => {
    const message = unmappedUserMessage(
      ctx("es"),
      { reason: "no_asana_user", email: "<!channel>@x.com" },
      FRESH,
    );
    expectSafeMrkdwn(message);
  });
});

describe("buscar", () => {
  it("titles the results with the query and shows the responsable", () => {
    const message = searchResultsMessage(
      ctx("en"),
      { query: "portal", matches: [summary({}, null)] },
      0,
      FRESH,
    );
    expect(textSlots(message)[1]?.text).toBe("*Results for “portal”* · 1");
    expect(textSlots(message)[2]?.text).toContain("Ana Pérez");
    expect(textSlots(message)[2]?.text).not.toContain("finding");
  });

  it("says when nothing matches", () => {
    const message = searchResultsMessage(ctx("es"), { query: "zzz", matches: [] }, 0, FRESH);
    expect(textSlots(message).map((s) => s.text)).toContain(
      "Ningún proyecto activo tiene «zzz» en el nombre.",
    );
  });

  it("pages with the query in the button", () => {
    const message = searchResultsMessage(ctx("es"), { query: "proyecto", matches: many(30) }, 0, FRESH);
    expect(parseMoreValue(buttonsOf(message)[0]?.value)).toEqual({
      command: { kind: "search", query: "proyecto" },
      offset: 20,
    });
  });

  it.each(HOSTILE_STRINGS)("escapes the query %j", (hostile) => {
    const message = searchResultsMessage(
      ctx("en"),
      { query: hostile, matches: [summary({ name: hostile, responsable: hostile }, null)] },
      0,
      FRESH,
    );
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
    // The notification text never carries what the user typed.
    expect(message.text).toBe("Search results: 1\nData as of 11/22/2026 8:30 AM (12 min ago)");
  });
});
