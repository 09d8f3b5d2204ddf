import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FINDING_SNOOZE } from "../../../services/slack/action-ids.ts";
import { parseFindingModalMetadata } from "../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import { FINDING_SNOOZE_MODAL, SNOOZE_DAYS_BLOCK } from "../../../services/slack/finding-modal-ids.ts";
import { alertOf, type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, ALERT_TS, CHANNEL, OTHER_ID, PM_ID, seedFinding } from "../../fixtures/finding-world.ts";
import { messageClick } from "../../fixtures/slack-bodies.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
});
afterEach(async () => {
  await world.close();
});

async function clickSnooze(userId: string) {
  const { repos } = world.harness;
  const finding = await seedFinding(repos);
  const alert = await alertOf(repos, finding);
  await world.harness.process(
    messageClick({ userId, actionId: FINDING_SNOOZE, channel: CHANNEL, ts: ALERT_TS, blocks: alert.blocks }),
  );
  return finding;
}

describe("Posponer", () => {
  it("opens the choice of days for an admin", async () => {
    const finding = await clickSnooze(ADMIN_ID);
    const [modal] = world.slack.opened();
    expect(modal?.callback_id).toBe(FINDING_SNOOZE_MODAL);
    const choice = modal?.blocks.find((b) => b.block_id === SNOOZE_DAYS_BLOCK)?.element;
    expect(choice?.options?.map((o) => o.value)).toEqual(["1", "3", "7", "14"]);
    expect(parseFindingModalMetadata(modal?.private_metadata)?.target).toEqual({
      projectGid: finding.projectGid,
      ruleId: finding.ruleId,
    });
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
  });

  // Each in their language (OTHER_ID reads English).
  it.each([
    ["the responsable", PM_ID, "Solo un administrador del PMO puede posponer hallazgos."],
    ["anyone else", OTHER_ID, "Only a PMO admin can snooze findings."],
  ])("is refused to %s: no modal, an ephemeral, nothing changes", async (_who, userId, said) => {
    const finding = await clickSnooze(userId);
    expect(world.slack.of("views.open")).toHaveLength(0);
    expect(world.slack.ephemerals()[0]).toMatchObject({ channel: CHANNEL, user: userId });
    expect(world.slack.ephemerals()[0]?.text).toContain(said);
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
  });
});
