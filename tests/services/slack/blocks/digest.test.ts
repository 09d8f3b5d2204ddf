import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { Severity } from "../../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../../services/slack/action-ids.ts";
import { digestMessages, digestParts } from "../../../../services/slack/blocks/digest.ts";
import type { FindingWithProject } from "../../../../services/slack/blocks/finding-parts.ts";
import { BLOCK_KIT } from "../../../../services/slack/blocks/limits.ts";
import { parseFindingRef } from "../../../../services/slack/finding-ref.ts";
import { HOSTILE_STRINGS } from "../../../fixtures/hostile-strings.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "./block-kit-checks.ts";
import { aFinding, aProject, context } from "./fixtures.ts";

const postedAt = "2026-03-06T13:00:00.000Z";
const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

function entries(count: number, name: (i: number) => string = (i) => `Proyecto ${i}`): FindingWithProject[] {
  return Array.from({ length: count }, (_, i) => {
    const gid = String(5000 + i);
    return {
      finding: aFinding({
        projectGid: gid,
        ruleId: i % 2 === 0 ? "no_status_update" : "amount_of_tasks",
        severity: SEVERITIES[i % 3] ?? "low",
        details: { daysSinceUpdate: 8 + i, taskCount: 2 },
        version: i + 1,
      }),
      project: aProject({
        gid,
        name: name(i),
        pmoId: `PMO-${i}`,
        permalinkUrl: `https://app.asana.com/0/${gid}/list`,
      }),
    };
  });
}

const headers = (blocks: readonly KnownBlock[]) =>
  blocks.filter((b) => b.type === "header").map((b) => (b.type === "header" ? b.text.text : ""));

describe("the digest", () => {
  it.each([
    [
      "es",
      "Hallazgos para revisar · 6 de marzo de 2026, 08:00",
      "🟡 Severidad media · 2 hallazgos",
      "🟢 Severidad baja · 1 hallazgo",
    ],
    [
      "en",
      "Findings to review · March 6, 2026, 8:00 AM",
      "🟡 Medium severity · 2 findings",
      "🟢 Low severity · 1 finding",
    ],
  ] as const)("is one message grouped by severity under a header each (%s)", (locale, title, medium, low) => {
    const input = [
      { finding: aFinding({ projectGid: "1", severity: "medium" }), project: aProject({ gid: "1" }) },
      { finding: aFinding({ projectGid: "2", severity: "low" }), project: aProject({ gid: "2" }) },
      { finding: aFinding({ projectGid: "3", severity: "medium" }), project: aProject({ gid: "3" }) },
    ];
    const messages = digestMessages(context(locale), { entries: input, postedAt });
    expect(messages).toHaveLength(1);
    const [message] = messages;
    if (message === undefined) throw new Error("no digest");
    expect(headers(message.blocks)).toEqual([title, medium, low]);
    expect(buttonsOf(message)).toHaveLength(9);
    expectWithinBlockKitLimits(message);
  });

  it("gives every finding the same three actions, each value pointing at it", () => {
    const input = entries(6);
    const [message] = digestMessages(context("es"), { entries: input, postedAt });
    if (message === undefined) throw new Error("no digest");
    const actions = message.blocks.filter((b) => b.type === "actions");
    expect(actions).toHaveLength(6);
    const buttons = buttonsOf(message);
    expect(new Set(buttons.map((b) => b.action_id))).toEqual(
      new Set([FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE]),
    );
    const refs = new Set(buttons.map((b) => JSON.stringify(parseFindingRef(b.value))));
    expect(refs).toEqual(
      new Set(
        input.map(({ finding }) =>
          JSON.stringify({
            projectGid: finding.projectGid,
            ruleId: finding.ruleId,
            version: finding.version,
          }),
        ),
      ),
    );
  });

  it("is empty for no findings", () => {
    expect(digestMessages(context("es"), { entries: [], postedAt })).toEqual([]);
  });

  it.each(["es", "en"] as const)(
    "splits 200 findings with long hostile names only as Block Kit forces, within every limit (%s)",
    (locale) => {
      const input = entries(
        200,
        (i) => `${HOSTILE_STRINGS[i % HOSTILE_STRINGS.length] ?? ""} ${"<!channel>&".repeat(400)}`,
      );
      const parts = digestParts(context(locale, "<!here>"), { entries: input, postedAt });
      // 400 entry blocks; a part spends 2 to 6 of its 50 blocks on headers and the intro.
      expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(400 / (BLOCK_KIT.blocksPerMessage - 2)));
      expect(parts.length).toBeLessThanOrEqual(Math.ceil(400 / (BLOCK_KIT.blocksPerMessage - 6)));
      for (const [i, part] of parts.entries()) {
        expectWithinBlockKitLimits(part.message);
        expectSafeMrkdwn(part.message);
        expect(headers(part.message.blocks)[0]).toContain(
          `(${i + 1} ${locale === "es" ? "de" : "of"} ${parts.length})`,
        );
        // Each part starts its severity group with a header, so it reads on its own.
        expect(part.message.blocks[1]?.type === "header" || part.message.blocks[2]?.type === "header").toBe(
          true,
        );
      }
      const carried = parts.flatMap((part) =>
        [...new Set(buttonsOf(part.message).map((b) => b.value))].map((value) => parseFindingRef(value)),
      );
      expect(carried).toHaveLength(200);
      expect(new Set(carried.map((ref) => ref?.projectGid)).size).toBe(200);
      expect(parts.flatMap((p) => p.entries)).toHaveLength(200);
      // Grouped by severity across parts: every high before every medium before every low.
      const order = parts.flatMap((p) => p.entries.map((e) => e.finding.severity));
      expect(order).toEqual([...order].sort((a, b) => SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b)));
    },
  );

  it.each([
    { locale: "es" as const, label: "🔒 *Sin acceso* al proyecto en Asana desde el" },
    { locale: "en" as const, label: "🔒 *No access* to the project in Asana since" },
  ])("marks the line of a finding whose project is without access ($locale)", ({ locale, label }) => {
    const [first, second] = entries(2);
    if (first === undefined || second === undefined) throw new Error("no entries");
    const lost = {
      ...first,
      finding: { ...first.finding, details: { ...first.finding.details, noAccessSince: postedAt } },
    };
    const [message] = digestMessages(context(locale), { entries: [lost, second], postedAt });
    if (message === undefined) throw new Error("no digest");
    const marked = textSlots(message).filter((slot) => slot.text.startsWith(label));
    expect(marked).toHaveLength(1);
    expect(marked[0]?.where).toContain("context");
    expect(buttonsOf(message)).toHaveLength(6);
  });

  it("shows resolved entries without buttons when re-rendered for chat.update", () => {
    const input = entries(3);
    const [first, ...rest] = input;
    if (first === undefined) throw new Error("no entries");
    const resolved = {
      ...first,
      finding: {
        ...first.finding,
        status: "resolved" as const,
        resolution: "auto" as const,
        resolvedAt: postedAt,
      },
    };
    const [message] = digestMessages(context("es"), {
      entries: [resolved, ...rest],
      postedAt,
      numbering: { part: 2, parts: 3 },
    });
    if (message === undefined) throw new Error("no digest");
    expect(headers(message.blocks)[0]).toContain("(2 de 3)");
    expect(buttonsOf(message)).toHaveLength(6);
    expect(
      textSlots(message).some(
        (slot) => slot.where.includes("context") && slot.text.startsWith("✅ Resuelto automáticamente el"),
      ),
    ).toBe(true);
  });

  it("keeps the text fallback escaped and under 40,000 characters", () => {
    const input = entries(40, () => "<!channel> & ".repeat(900));
    for (const message of digestMessages(context("es"), { entries: input, postedAt })) {
      expect(message.text.length).toBeLessThanOrEqual(BLOCK_KIT.messageText);
      expect(message.text).not.toMatch(/[<>]/);
      expect(message.text).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });
});
