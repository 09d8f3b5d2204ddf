import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../services/slack/action-ids.ts";
import { parseHomeState } from "../../../services/slack/blocks/home/home-state.ts";
import {
  alertOf,
  digestOf,
  type ListenerWorld,
  listenerWorld,
} from "../../fixtures/finding-listener-world.ts";
import {
  ADMIN_ID,
  ALERT_TS,
  CHANNEL,
  NOW,
  OTHER_ID,
  PM_ID,
  seedFinding,
} from "../../fixtures/finding-world.ts";
import { ADMIN } from "../../fixtures/listener-harness.ts";
import { homeClick, messageClick } from "../../fixtures/slack-bodies.ts";
import { buttonsIn, textsIn } from "../../fixtures/slack-calls.ts";

const SECOND_ADMIN = "UADMIN0002";
let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
});
afterEach(async () => {
  await world.close();
});

async function alertClick(userId: string) {
  const { repos } = world.harness;
  const finding = await seedFinding(repos);
  const alert = await alertOf(repos, finding);
  return {
    finding,
    body: messageClick({
      userId,
      actionId: FINDING_RESOLVE,
      channel: CHANNEL,
      ts: ALERT_TS,
      blocks: alert.blocks,
    }),
  };
}

describe("Resolver on an alert", () => {
  it("resolves by hand for an admin and shows who and when in the message, without buttons", async () => {
    expect(ADMIN).toBe(ADMIN_ID);
    const { finding, body } = await alertClick(ADMIN_ID);
    await world.harness.process(body);
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toMatchObject({
      status: "resolved",
      resolution: "manual",
      resolvedBy: ADMIN_ID,
      resolvedAt: NOW.toISOString(),
    });
    const [update] = world.slack.updates();
    expect(update).toMatchObject({ channel: CHANNEL, ts: ALERT_TS });
    expect(textsIn(update?.blocks ?? []).join("\n")).toContain(
      `✅ Resuelto por <@${ADMIN_ID}> el 10 de marzo de 2026, 10:00`,
    );
    expect(buttonsIn(update?.blocks ?? [])).toHaveLength(0);
    expect(world.slack.published().map((p) => p.userId)).toEqual([ADMIN_ID]);
    expect(world.slack.of("chat.postEphemeral")).toHaveLength(0);
  });

  it.each([
    ["the responsable", PM_ID],
    ["anyone else", OTHER_ID],
  ])("is refused to %s: an ephemeral naming the PMO admins, nothing changes", async (_who, userId) => {
    const { finding, body } = await alertClick(userId);
    await world.harness.process(body);
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
    expect(world.slack.of("chat.update")).toHaveLength(0);
    expect(world.slack.of("views.publish")).toHaveLength(0);
    const [told] = world.slack.ephemerals();
    expect(told).toMatchObject({ channel: CHANNEL, user: userId });
    expect(told?.text).toMatch(/administrador del PMO|PMO admin/);
  });

  it("two admins at once: one resolution, the second told it was already resolved", async () => {
    await world.close();
    world = await listenerWorld({ env: { PMO_ADMIN_USER_IDS: `${ADMIN_ID},${SECOND_ADMIN}` } });
    const { finding, body } = await alertClick(ADMIN_ID);
    const other = { ...body, user: { id: SECOND_ADMIN, username: "x", name: "x" }, trigger_id: "t2" };
    await Promise.all([world.harness.process(body), world.harness.process(other)]);
    const after = await world.harness.repos.findings.get(finding.projectGid, finding.ruleId);
    expect(after?.version).toBe(finding.version + 1);
    const told = world.slack.ephemerals();
    expect(told).toHaveLength(1);
    expect(told[0]?.user).toBe(after?.resolvedBy === ADMIN_ID ? SECOND_ADMIN : ADMIN_ID);
    expect(told[0]?.text).toContain("Resuelto por");
  });

  it("on a button already resolved: the message re-rendered, the user told, nothing written", async () => {
    const { finding, body } = await alertClick(ADMIN_ID);
    const resolved = await world.harness.repos.findings.resolve(
      { projectGid: finding.projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
      "auto",
    );
    await world.harness.process(body);
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(resolved);
    expect(textsIn(world.slack.updates()[0]?.blocks ?? []).join("\n")).toContain("Resuelto automáticamente");
    expect(world.slack.ephemerals()[0]?.text).toContain("Resuelto automáticamente");
  });
});

describe("Resolver in a digest", () => {
  it("updates that finding's line from the clicked message and keeps every other block", async () => {
    const { repos } = world.harness;
    const first = await seedFinding(repos, { ruleId: "no_activity", severity: "medium", alerted: false });
    const second = await seedFinding(repos, { ruleId: "amount_of_tasks", severity: "low", alerted: false });
    const digest = await digestOf(repos, [first, second]);
    const ts = "1773150000.000700";
    await world.harness.process(
      messageClick({
        userId: ADMIN_ID,
        actionId: FINDING_RESOLVE,
        channel: CHANNEL,
        ts,
        blocks: digest.blocks,
        text: digest.text,
        blockId: "finding-1-actions",
      }),
    );
    expect((await repos.findings.get(second.projectGid, second.ruleId))?.status).toBe("resolved");
    expect((await repos.findings.get(first.projectGid, first.ruleId))?.status).toBe("open");
    expect(world.slack.of("conversations.history")).toHaveLength(0);
    const [update] = world.slack.updates();
    expect(update).toMatchObject({ channel: CHANNEL, ts, text: digest.text });
    const ids = update?.blocks.map((b) => b.block_id);
    expect(ids).toEqual(
      digest.blocks
        .map((b) => b.block_id)
        .flatMap((id) => (id === "finding-1-actions" ? ["finding-1-status"] : [id])),
    );
    expect(buttonsIn(update?.blocks ?? []).map((b) => b.action_id)).toEqual([
      FINDING_ACK,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
  });
});

describe("Resolver in the App Home", () => {
  it("republishes the Home with the same filters and says what was done", async () => {
    const { repos } = world.harness;
    const finding = await seedFinding(repos);
    const state = { ...parseHomeState(undefined), severity: "high" as const };
    const home = await world.harness.services.home.view(ADMIN_ID, state);
    await world.harness.process(
      homeClick({
        userId: ADMIN_ID,
        actionId: FINDING_RESOLVE,
        view: { blocks: home.blocks, private_metadata: home.private_metadata },
        blockId: "home-finding-0-actions",
      }),
    );
    expect((await repos.findings.get(finding.projectGid, finding.ruleId))?.status).toBe("resolved");
    const [published] = world.slack.published();
    expect(published?.userId).toBe(ADMIN_ID);
    expect(parseHomeState(published?.view.private_metadata)).toEqual(state);
    expect(published?.view.blocks.find((b) => b.block_id === "home-notice")?.text?.text).toBe(
      "✅ Resolviste el hallazgo de Portal de clientes.",
    );
    expect(published?.view.blocks.some((b) => b.block_id === "home-finding-0")).toBe(false);
    expect(world.slack.of("chat.update")).toHaveLength(0);
    expect(world.slack.of("chat.postEphemeral")).toHaveLength(0);
  });
});
