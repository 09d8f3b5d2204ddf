import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Finding } from "../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../services/slack/action-ids.ts";
import { encodeFindingModalMetadata } from "../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import {
  ACK_COMMENT_ACTION,
  ACK_COMMENT_BLOCK,
  FINDING_ACK_MODAL,
} from "../../../services/slack/finding-modal-ids.ts";
import { digestOf, type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import {
  ADMIN_ID,
  ALERT_TS,
  CHANNEL,
  fromAlert,
  OTHER_ID,
  PM_ID,
  seedFinding,
} from "../../fixtures/finding-world.ts";
import { echoed, viewSubmission } from "../../fixtures/slack-bodies.ts";
import { buttonsIn, textsIn } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
});
afterEach(async () => {
  await world.close();
});

const metadataFor = (finding: Finding, origin = fromAlert()) =>
  encodeFindingModalMetadata({
    target: { projectGid: finding.projectGid, ruleId: finding.ruleId },
    shownStatus: "open",
    origin,
  });

const submit = (userId: string, finding: Finding, comment: string | null, metadata = metadataFor(finding)) =>
  world.harness.process(
    viewSubmission({
      userId,
      callbackId: FINDING_ACK_MODAL,
      metadata,
      values: { [ACK_COMMENT_BLOCK]: { [ACK_COMMENT_ACTION]: { type: "plain_text_input", value: comment } } },
    }),
  );

const stored = (finding: Finding) => world.harness.repos.findings.get(finding.projectGid, finding.ruleId);

describe("the acknowledge modal submitted", () => {
  it.each([
    ["empty", "", "Escribe un comentario: qué se está haciendo al respecto."],
    ["only whitespace", "  \n  ", "Escribe un comentario: qué se está haciendo al respecto."],
    ["missing", null, "Escribe un comentario: qué se está haciendo al respecto."],
    ["501 characters", "x".repeat(501), "El comentario admite hasta 500 caracteres y tiene 501."],
  ])("%s: the error under the field, and nothing changes", async (_what, comment, error) => {
    const finding = await seedFinding(world.harness.repos);
    const acked = await submit(PM_ID, finding, comment);
    expect(acked).toEqual({ response_action: "errors", errors: { [ACK_COMMENT_BLOCK]: error } });
    expect(await stored(finding)).toEqual(finding);
    expect(world.slack.calls).toHaveLength(0);
  });

  it("answers in the user's language", async () => {
    const finding = await seedFinding(world.harness.repos);
    await world.harness.services.users.profile(OTHER_ID);
    expect(await submit(OTHER_ID, finding, "")).toEqual({
      response_action: "errors",
      errors: { [ACK_COMMENT_BLOCK]: "Write a comment: what is being done about it." },
    });
  });

  it("acknowledges, updates the alert in place, and republishes the user's Home", async () => {
    const finding = await seedFinding(world.harness.repos);
    const comment = "Nueva fecha acordada <!channel> & co";
    expect(await submit(PM_ID, finding, ` ${comment} `)).toBeUndefined();
    expect(await stored(finding)).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: PM_ID,
      ackComment: comment,
    });
    const [update] = world.slack.updates();
    expect(update).toMatchObject({ channel: CHANNEL, ts: ALERT_TS });
    const text = textsIn(update?.blocks ?? []).join("\n");
    expect(text).toContain(`Reconocido por <@${PM_ID}>:`);
    expect(text).toContain("&lt;!channel&gt; &amp; co");
    expect(text).not.toContain("<!channel>");
    expect(buttonsIn(update?.blocks ?? []).map((b) => b.action_id)).toEqual([
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
    expect(world.slack.published().map((p) => p.userId)).toEqual([PM_ID]);
    expect(world.slack.of("chat.postEphemeral")).toHaveLength(0);
  });

  it("in a digest: reads the message back and updates that finding's line", async () => {
    const { repos } = world.harness;
    const first = await seedFinding(repos, { ruleId: "no_activity", severity: "medium", alerted: false });
    const second = await seedFinding(repos, { ruleId: "amount_of_tasks", severity: "low", alerted: false });
    const digest = await digestOf(repos, [first, second]);
    const ts = "1773150000.000500";
    world.slack.channelMessages.set(`${CHANNEL}/${ts}`, {
      ts,
      text: digest.text,
      blocks: echoed(digest.blocks),
    });
    await submit(ADMIN_ID, first, "Revisado", metadataFor(first, fromAlert({ ts, layout: "lines" })));
    expect(world.slack.of("conversations.history")[0]?.body).toMatchObject({ channel: CHANNEL, latest: ts });
    const [update] = world.slack.updates();
    expect(update?.ts).toBe(ts);
    const ids = update?.blocks.map((b) => b.block_id) ?? [];
    expect(ids).toContain("finding-0-status");
    expect(ids).not.toContain("finding-1-status");
    expect(update?.blocks.length).toBe(digest.blocks.length + 1);
    const line = update?.blocks.find((b) => b.block_id === "finding-0-status");
    expect(textsIn(line === undefined ? [] : [line]).join()).toContain(
      `Reconocido por <@${ADMIN_ID}>: Revisado`,
    );
    expect(buttonsIn(update?.blocks ?? []).map((b) => b.action_id)).toEqual([
      FINDING_RESOLVE,
      FINDING_SNOOZE,
      FINDING_ACK,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
  });

  it("when the finding was resolved while the modal was open: nothing changes, the user is told", async () => {
    const finding = await seedFinding(world.harness.repos);
    const resolved = await world.harness.repos.findings.resolve(
      { projectGid: finding.projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
      ADMIN_ID,
    );
    await submit(PM_ID, finding, "tarde");
    expect(await stored(finding)).toEqual(resolved);
    expect(world.slack.ephemerals()[0]).toMatchObject({ channel: CHANNEL, user: PM_ID });
    expect(world.slack.ephemerals()[0]?.text).toContain("Resuelto por");
    expect(buttonsIn(world.slack.updates()[0]?.blocks ?? [])).toHaveLength(0);
  });

  it("two submissions at once: one acknowledgement, the second user told who did it", async () => {
    const finding = await seedFinding(world.harness.repos);
    await Promise.all([submit(PM_ID, finding, "yo primero"), submit(ADMIN_ID, finding, "no, yo")]);
    const after = await stored(finding);
    expect(after?.version).toBe(finding.version + 1);
    const loser = after?.acknowledgedBy === PM_ID ? ADMIN_ID : PM_ID;
    const told = world.slack.ephemerals();
    expect(told).toHaveLength(1);
    expect(told[0]?.user).toBe(loser);
    expect(told[0]?.text).toContain(`Reconocido por <@${after?.acknowledgedBy}>`);
  });

  it("never logs the comment or the trigger", async () => {
    const finding = await seedFinding(world.harness.repos);
    const logged: unknown[] = [];
    for (const level of ["info", "warn", "error", "debug"] as const)
      vi.spyOn(world.harness.deps.logger, level).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      });
    await submit(PM_ID, finding, "comentario privado");
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.stringify(logged)).not.toContain("comentario privado");
    expect(JSON.stringify(logged)).not.toContain("secret");
  });

  it("closes silently a submission that is not ours", async () => {
    const acked = await world.harness.process(
      viewSubmission({ userId: PM_ID, callbackId: FINDING_ACK_MODAL, metadata: "{}", values: {} }),
    );
    expect(acked).toBeUndefined();
    expect(world.slack.calls).toHaveLength(0);
  });
});
