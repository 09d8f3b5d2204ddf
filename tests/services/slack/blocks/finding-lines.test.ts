import { describe, expect, it } from "vitest";
import type { Finding, FindingStatus } from "../../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../../services/slack/action-ids.ts";
import { digestParts } from "../../../../services/slack/blocks/digest.ts";
import {
  findingKey,
  findingsIn,
  refreshFindingLines,
  statusShownBy,
} from "../../../../services/slack/blocks/finding-lines.ts";
import { BLOCK_KIT } from "../../../../services/slack/blocks/limits.ts";
import { parseReceivedBlocks, type ReceivedMessage } from "../../../../services/slack/message-blocks.ts";
import { aFinding, aProject, context } from "./fixtures.ts";

/** A digest as Slack would send it back: the same blocks, through JSON. */
function postedDigest(findings: Finding[]): ReceivedMessage {
  const [part] = digestParts(context("es"), {
    entries: findings.map((finding) => ({ finding, project: aProject({ gid: finding.projectGid }) })),
    postedAt: "2026-03-05T14:30:00.000Z",
  });
  const blocks = parseReceivedBlocks(JSON.parse(JSON.stringify(part?.message.blocks ?? null)));
  if (part === undefined || blocks === null) throw new Error("no digest");
  return { text: part.message.text, blocks };
}

const mediumFindings = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    aFinding({
      projectGid: String(2000 + i),
      ruleId: "no_activity",
      severity: "medium",
      details: { daysSinceActivity: 9 },
    }),
  );

describe("the status a message showed", () => {
  it.each<[string[], FindingStatus | null]>([
    [[FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE], "open"],
    [[FINDING_SNOOZE, FINDING_ACK, FINDING_RESOLVE], "open"],
    [[FINDING_RESOLVE, FINDING_SNOOZE], "acknowledged"],
    [[FINDING_ACK, FINDING_RESOLVE], "snoozed"],
    [[FINDING_ACK], null],
    [[], null],
  ])("buttons %j → %s", (actionIds, status) => {
    expect(statusShownBy(actionIds)).toBe(status);
  });
});

describe("a list of findings updated line by line", () => {
  it("finds every finding with buttons, once", () => {
    const findings = mediumFindings(3);
    expect(findingsIn(postedDigest(findings).blocks).map(findingKey)).toEqual(findings.map(findingKey));
  });

  it("re-renders the status and buttons of the stored findings and leaves the rest alone", () => {
    const findings = mediumFindings(3);
    const message = postedDigest(findings);
    const [first, second] = findings;
    if (first === undefined || second === undefined) throw new Error("no findings");
    const acknowledged = {
      ...first,
      status: "acknowledged" as const,
      acknowledgedBy: "U0PM",
      ackComment: "ok",
    };
    const resolved = {
      ...second,
      status: "resolved" as const,
      resolvedBy: "U0ADMIN",
      resolution: "manual" as const,
    };
    const stored = new Map([acknowledged, resolved].map((f) => [findingKey(f), f]));
    const refreshed = refreshFindingLines(context("es"), message, stored, first);
    const ids = refreshed.blocks.map((b) => b.block_id);
    expect(ids).toContain("finding-0-status");
    expect(ids).toContain("finding-1-status");
    expect(ids).not.toContain("finding-1-actions");
    expect(ids.filter((id) => id === "finding-2-status")).toHaveLength(0);
    expect(refreshed.blocks.length).toBe(message.blocks.length + 1);
    expect(JSON.stringify(refreshed.blocks)).toContain("Reconocido por <@U0PM>: ok");
    expect(refreshed.text).toBe(message.text);
    const untouched = message.blocks.filter((b) => !/^finding-[01]-/.test(b.block_id ?? ""));
    for (const block of untouched) expect(refreshed.blocks).toContainEqual(block);
  });

  it("never exceeds 50 blocks: new status lines give way, the clicked one last", () => {
    const findings = mediumFindings(30);
    const message = postedDigest(findings);
    expect(message.blocks.length).toBeGreaterThan(BLOCK_KIT.blocksPerMessage - 3);
    const stored = new Map(
      findings.map((f) => [findingKey(f), { ...f, status: "acknowledged" as const, acknowledgedBy: "U0PM" }]),
    );
    const focus = findings[5];
    if (focus === undefined) throw new Error("no focus");
    const refreshed = refreshFindingLines(context("es"), message, stored, focus);
    expect(refreshed.blocks.length).toBeLessThanOrEqual(BLOCK_KIT.blocksPerMessage);
    expect(refreshed.blocks.map((b) => b.block_id)).toContain("finding-5-status");
    const actionIds = JSON.stringify(refreshed.blocks.filter((b) => b.type === "actions")).match(
      /finding_(ack|resolve|snooze)/g,
    );
    expect(actionIds).not.toContain(FINDING_ACK);
    expect(actionIds).toContain(FINDING_RESOLVE);
  });
});
