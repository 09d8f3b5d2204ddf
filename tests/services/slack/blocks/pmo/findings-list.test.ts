import { describe, expect, it } from "vitest";
import { parseMoreValue } from "../../../../../services/commands/pmo-more-value.ts";
import type { FindingEntry } from "../../../../../services/commands/pmo-service.ts";
import type { Severity } from "../../../../../services/model.ts";
import { FINDING_ACK } from "../../../../../services/slack/action-ids.ts";
import { FINDINGS_PER_PAGE } from "../../../../../services/slack/blocks/pmo/common.ts";
import {
  type FindingsListInput,
  findingsListMessage,
} from "../../../../../services/slack/blocks/pmo/findings-list.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { aFinding, aProject } from "../fixtures.ts";
import { ctx, FRESH } from "./ctx.ts";

const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];
const noFilters = { severities: [], vertical: null, responsable: null };

function entries(count: number, name: (i: number) => string = (i) => `Proyecto ${i}`): FindingEntry[] {
  // Sorted as the service sorts them: by severity.
  return Array.from({ length: count }, (_, i) => {
    const severity = SEVERITIES[Math.floor((i * 3) / count)] ?? "low";
    const gid = String(5000 + i);
    return {
      finding: aFinding({
        projectGid: gid,
        ruleId: "no_status_update",
        severity,
        details: { daysSinceUpdate: 8 + i },
      }),
      project: aProject({ gid, name: name(i), pmoId: `PMO-${i}` }),
    };
  });
}

const input = (list: FindingEntry[], extra: Partial<FindingsListInput> = {}): FindingsListInput => ({
  filters: noFilters,
  responsableLabel: null,
  unmappedMention: false,
  entries: list,
  ...extra,
});

describe("hallazgos", () => {
  it("groups by severity, explains the rule with its numbers and offers the buttons", () => {
    const message = findingsListMessage(ctx("es"), input(entries(3)), 0, FRESH);
    expect(message.blocks.map((b) => b.block_id)).toEqual([
      "pmo-title",
      "pmo-heading-high",
      "pmo-finding-0",
      "pmo-finding-0-actions",
      "pmo-heading-medium",
      "pmo-finding-1",
      "pmo-finding-1-actions",
      "pmo-heading-low",
      "pmo-finding-2",
      "pmo-finding-2-actions",
      "pmo-freshness",
    ]);
    const slots = textSlots(message).map((s) => s.text);
    expect(slots).toContain("🔴 *Alta* · 1");
    expect(slots).toContain(
      "<https://app.asana.com/0/1201/list|Proyecto 0> · PMO-0 · Ana Pérez\nSin actualización de estado hace 8 días",
    );
    expect(buttonsOf(message)[0]?.action_id).toBe(FINDING_ACK);
    expect(message.text).toContain("Hallazgos abiertos: 3");
  });

  it.each([
    { locale: "es" as const, line: "🔒 *Sin acceso* al proyecto en Asana desde el" },
    { locale: "en" as const, line: "🔒 *No access* to the project in Asana since" },
  ])("marks a finding whose project is without access ($locale)", ({ locale, line }) => {
    const [first, second] = entries(2);
    if (first === undefined || second === undefined) throw new Error("no entries");
    const lost = {
      ...first,
      finding: {
        ...first.finding,
        details: { daysSinceUpdate: 8, noAccessSince: "2026-11-20T12:00:00.000Z" },
      },
    };
    const message = findingsListMessage(ctx(locale), input([lost, second]), 0, FRESH);
    const marked = textSlots(message).filter((s) => s.text.includes(line));
    expect(marked).toHaveLength(1);
    expect(buttonsOf(message)).toHaveLength(6);
  });

  it("shows the filters it applied and says when nothing matches", () => {
    const message = findingsListMessage(
      ctx("en"),
      input([], {
        filters: { severities: ["high"], vertical: "Banca", responsable: { kind: "name", name: "ana" } },
      }),
      0,
      FRESH,
    );
    const slots = textSlots(message).map((s) => s.text);
    expect(slots).toContain("Filters: 🔴 High · vertical Banca · owner ana");
    expect(slots).toContain("There are no open findings with those filters.");
  });

  it("says when a mentioned person cannot be mapped", () => {
    const message = findingsListMessage(
      ctx("es"),
      input([], {
        filters: { ...noFilters, responsable: { kind: "slack_user", slackUserId: "U1", label: null } },
        unmappedMention: true,
      }),
      0,
      FRESH,
    );
    expect(textSlots(message).some((s) => s.text.startsWith("No pude relacionar a esa persona"))).toBe(true);
  });

  it("pages: at most 50 blocks, a 'Show more' button with the filters and the offset", () => {
    const filters = { severities: [], vertical: "Banca", responsable: null };
    const all = entries(100);
    const first = findingsListMessage(ctx("en"), input(all, { filters }), 0, FRESH);
    expectWithinBlockKitLimits(first);
    expect(first.blocks.filter((b) => /^pmo-finding-\d+$/.test(b.block_id ?? ""))).toHaveLength(
      FINDINGS_PER_PAGE,
    );
    const more = buttonsOf(first).find((b) => b.action_id === "pmo_more");
    expect(more?.text.text).toBe("Show more");
    expect(parseMoreValue(more?.value)).toEqual({
      command: { kind: "findings", filters },
      offset: FINDINGS_PER_PAGE,
    });
    // A later page repeats the heading of the severity it starts in, with that severity's total.
    const second = findingsListMessage(ctx("en"), input(all, { filters }), 30, FRESH);
    expect(textSlots(second).map((s) => s.text)).toContain("🔴 *High* · 34");
    expect(textSlots(second).map((s) => s.text)).toContain("Showing 31–45 of 100");
    expectWithinBlockKitLimits(second);
  });

  it("stays within 50 blocks when every finding also shows who acknowledged it", () => {
    const list = entries(60).map((e) => ({
      ...e,
      finding: {
        ...e.finding,
        status: "acknowledged" as const,
        acknowledgedBy: "U0ANA",
        ackComment: "x".repeat(3_000),
      },
    }));
    for (const offset of [0, 15, 30, 45]) {
      const message = findingsListMessage(ctx("es"), input(list), offset, FRESH);
      expectWithinBlockKitLimits(message);
      expectSafeMrkdwn(message);
    }
  });

  it.each(HOSTILE_STRINGS)("escapes %j in projects and filters", (hostile) => {
    const message = findingsListMessage(
      ctx("es"),
      input(
        entries(2, () => hostile).map((e) => ({
          ...e,
          project:
            e.project === null
              ? null
              : { ...e.project, responsable: hostile, pmoId: hostile, permalinkUrl: hostile },
        })),
        {
          filters: {
            severities: [],
            vertical: hostile || "x",
            responsable: { kind: "name", name: hostile || "x" },
          },
          responsableLabel: hostile || null,
        },
      ),
      0,
      FRESH,
    );
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });
});
