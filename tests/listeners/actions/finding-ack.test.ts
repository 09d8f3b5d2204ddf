import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FINDING_ACK } from "../../../services/slack/action-ids.ts";
import { parseHomeState } from "../../../services/slack/blocks/home/home-state.ts";
import { parseFindingModalMetadata } from "../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import { ACK_COMMENT_BLOCK, FINDING_ACK_MODAL } from "../../../services/slack/finding-modal-ids.ts";
import { alertOf, type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, ALERT_TS, CHANNEL, OTHER_ID, PM_ID, seedFinding } from "../../fixtures/finding-world.ts";
import { homeClick, messageClick } from "../../fixtures/slack-bodies.ts";
import { buttonsIn, textsIn } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
});
afterEach(async () => {
  await world.close();
});

async function clickOnAlert(userId: string) {
  const { repos } = world.harness;
  const finding = await seedFinding(repos);
  const alert = await alertOf(repos, finding);
  const body = messageClick({
    userId,
    actionId: FINDING_ACK,
    channel: CHANNEL,
    ts: ALERT_TS,
    blocks: alert.blocks,
  });
  return { finding, body, ack: await world.harness.process(body) };
}

describe("Reconocer on an alert", () => {
  it.each([
    ["the project's responsable", PM_ID],
    ["an admin", ADMIN_ID],
  ])("opens the comment modal for %s, and changes nothing yet", async (_who, userId) => {
    const { finding, body } = await clickOnAlert(userId);
    const [modal] = world.slack.opened();
    expect(world.slack.of("views.open")[0]?.body.trigger_id).toBe(body.trigger_id);
    expect(modal?.callback_id).toBe(FINDING_ACK_MODAL);
    expect(modal?.blocks.map((b) => b.block_id)).toContain(ACK_COMMENT_BLOCK);
    expect(parseFindingModalMetadata(modal?.private_metadata)).toMatchObject({
      target: { projectGid: finding.projectGid, ruleId: finding.ruleId },
      shownStatus: "open",
      origin: { kind: "message", channel: CHANNEL, ts: ALERT_TS, layout: "single" },
    });
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
    expect(world.slack.of("chat.update")).toHaveLength(0);
    expect(world.slack.of("chat.postEphemeral")).toHaveLength(0);
  });

  it("tells anyone else, only to them, who may; no modal, nothing changes", async () => {
    const { finding } = await clickOnAlert(OTHER_ID);
    expect(world.slack.of("views.open")).toHaveLength(0);
    expect(world.slack.of("chat.update")).toHaveLength(0);
    const [told] = world.slack.ephemerals();
    expect(told).toMatchObject({ channel: CHANNEL, user: OTHER_ID });
    expect(told?.text).toContain(`<@${PM_ID}>`);
    // In their language: asking who they are (may they use the app at all) learnt their locale.
    expect(told?.text).toContain("or a PMO admin");
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
  });

  it("on a stale button: the message shows the stored state, the user is told, no modal", async () => {
    const { repos } = world.harness;
    const finding = await seedFinding(repos);
    const alert = await alertOf(repos, finding);
    await repos.findings.acknowledge(
      { projectGid: finding.projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
      { userId: ADMIN_ID, comment: "Ya está en manos del proveedor" },
    );
    await world.harness.process(
      messageClick({
        userId: PM_ID,
        actionId: FINDING_ACK,
        channel: CHANNEL,
        ts: ALERT_TS,
        blocks: alert.blocks,
      }),
    );
    expect(world.slack.of("views.open")).toHaveLength(0);
    const [update] = world.slack.updates();
    expect(update).toMatchObject({ channel: CHANNEL, ts: ALERT_TS });
    expect(textsIn(update?.blocks ?? []).join("\n")).toContain(`Reconocido por <@${ADMIN_ID}>`);
    expect(buttonsIn(update?.blocks ?? []).map((b) => b.action_id)).not.toContain(FINDING_ACK);
    expect(world.slack.ephemerals()[0]?.text).toContain("cambió desde que se mostró el mensaje");
  });
});

describe("Reconocer in the App Home", () => {
  it("opens the modal carrying the Home's filters, to come back to them", async () => {
    const { repos } = world.harness;
    const finding = await seedFinding(repos);
    const state = parseHomeState(JSON.stringify({ s: "high", v: "all", r: "all", p: 1 }));
    const home = await world.harness.services.home.view(ADMIN_ID, state);
    await world.harness.process(
      homeClick({
        userId: ADMIN_ID,
        actionId: FINDING_ACK,
        view: { blocks: home.blocks, private_metadata: home.private_metadata },
        blockId: "home-finding-0-actions",
      }),
    );
    const [modal] = world.slack.opened();
    expect(parseFindingModalMetadata(modal?.private_metadata)).toEqual({
      target: { projectGid: finding.projectGid, ruleId: finding.ruleId },
      shownStatus: "open",
      origin: { kind: "home", home: state },
    });
  });

  it("explains a denial on the Home itself (there is no channel to whisper in)", async () => {
    const { repos } = world.harness;
    const finding = await seedFinding(repos);
    const home = await alertOf(repos, finding);
    await world.harness.process(
      homeClick({ userId: OTHER_ID, actionId: FINDING_ACK, view: { blocks: home.blocks } }),
    );
    expect(world.slack.of("views.open")).toHaveLength(0);
    expect(world.slack.of("chat.postEphemeral")).toHaveLength(0);
    const [published] = world.slack.published();
    expect(published?.userId).toBe(OTHER_ID);
    expect(published?.view.blocks.find((b) => b.block_id === "home-notice")?.text?.text).toContain(
      `<@${PM_ID}>`,
    );
  });
});
