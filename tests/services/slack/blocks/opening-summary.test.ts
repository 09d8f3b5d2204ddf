import { describe, expect, it } from "vitest";
import type { Severity } from "../../../../services/model.ts";
import type { FindingWithProject } from "../../../../services/slack/blocks/finding-parts.ts";
import { openingSummaryMessage, worstProjects } from "../../../../services/slack/blocks/opening-summary.ts";
import { HOSTILE_STRINGS } from "../../../fixtures/hostile-strings.ts";
import { expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "./block-kit-checks.ts";
import { aFinding, aProject, context } from "./fixtures.ts";

function portfolio(): FindingWithProject[] {
  // Project i has i high findings (one per rule) and one medium.
  const out: FindingWithProject[] = [];
  for (let i = 1; i <= 7; i++) {
    const project = aProject({ gid: String(i), name: `Proyecto ${i}`, pmoId: `PMO-${i}` });
    const add = (ruleId: string, severity: Severity) =>
      out.push({ finding: aFinding({ projectGid: String(i), ruleId, severity }), project });
    for (let h = 0; h < i; h++) add(`rule_${h}`, "high");
    add("no_activity", "medium");
  }
  out.push({ finding: aFinding({ projectGid: "99", severity: "low" }), project: null });
  return out;
}

describe("the opening summary", () => {
  it("counts by severity and names the five projects with the most high findings", () => {
    const entries = portfolio();
    const message = openingSummaryMessage(context("es"), entries);
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section"]);
    const texts = textSlots(message).map((s) => s.text);
    expect(texts).toContain("*🔴 Alta*\n28");
    expect(texts).toContain("*🟡 Media*\n7");
    expect(texts).toContain("*🟢 Baja*\n1");
    const worst = texts.find((text) => text.startsWith("*Proyectos con más hallazgos altos*")) ?? "";
    expect(worst.split("\n").slice(1)).toEqual([
      "1. <https://app.asana.com/0/1201/list|Proyecto 7> · PMO-7 · 7 hallazgos altos",
      "2. <https://app.asana.com/0/1201/list|Proyecto 6> · PMO-6 · 6 hallazgos altos",
      "3. <https://app.asana.com/0/1201/list|Proyecto 5> · PMO-5 · 5 hallazgos altos",
      "4. <https://app.asana.com/0/1201/list|Proyecto 4> · PMO-4 · 4 hallazgos altos",
      "5. <https://app.asana.com/0/1201/list|Proyecto 3> · PMO-3 · 3 hallazgos altos",
    ]);
    expect(message.text).toBe("Primer análisis: 36 hallazgos (28 altos, 7 medios, 1 bajo)");
    expectWithinBlockKitLimits(message);
  });

  it("in English", () => {
    const message = openingSummaryMessage(context("en"), portfolio());
    expect(message.text).toBe("First review: 36 findings (28 high, 7 medium, 1 low)");
    expect(textSlots(message).some((s) => s.text.startsWith("*Projects with the most high findings*"))).toBe(
      true,
    );
  });

  it("says so when no project has a high finding", () => {
    const entries = portfolio().filter((e) => e.finding.severity !== "high");
    expect(worstProjects(entries)).toEqual([]);
    const message = openingSummaryMessage(context("es"), entries);
    expect(textSlots(message).some((s) => s.text.includes("Ningún proyecto tiene hallazgos altos."))).toBe(
      true,
    );
  });

  it("keeps hostile project names inert", () => {
    const entries = HOSTILE_STRINGS.map((name, i) => ({
      finding: aFinding({ projectGid: String(i), severity: "high" }),
      project: aProject({ gid: String(i), name: name.repeat(50), pmoId: name, permalinkUrl: name }),
    }));
    for (const locale of ["es", "en"] as const) {
      const message = openingSummaryMessage(context(locale), entries);
      expectSafeMrkdwn(message);
      expectWithinBlockKitLimits(message);
    }
  });
});
