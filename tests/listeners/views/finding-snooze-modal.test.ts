import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Finding } from "../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE } from "../../../services/slack/action-ids.ts";
import { encodeFindingModalMetadata } from "../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import {
  FINDING_SNOOZE_MODAL,
  SNOOZE_DAYS_ACTION,
  SNOOZE_DAYS_BLOCK,
} from "../../../services/slack/finding-modal-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import {
  ADMIN_ID,
  ALERT_TS,
  CHANNEL,
  fromAlert,
  NOW,
  PM_ID,
  seedFinding,
} from "../../fixtures/finding-world.ts";
import { viewSubmission } from "../../fixtures/slack-bodies.ts";
import { buttonsIn, textsIn } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
});
afterEach(async () => {
  await world.close();
});

const submit = (userId: string, finding: Finding, days: string | null) =>
  world.harness.process(
    viewSubmission({
      userId,
      callbackId: FINDING_SNOOZE_MODAL,
      metadata: encodeFindingModalMetadata({
        target: { projectGid: finding.projectGid, ruleId: finding.ruleId },
        shownStatus: "open",
        origin: fromAlert(),
      }),
      values: {
        [SNOOZE_DAYS_BLOCK]: {
          [SNOOZE_DAYS_ACTION]: {
            type: "radio_buttons",
            selected_option: days === null ? null : { value: days, text: { type: "plain_text", text: days } },
          },
        },
      },
    }),
  );

describe("the snooze modal submitted", () => {
  it.each([1, 3, 7, 14])("snoozes for %i days and shows until when", async (days) => {
    const finding = await seedFinding(world.harness.repos);
    expect(await submit(ADMIN_ID, finding, String(days))).toBeUndefined();
    const after = await world.harness.repos.findings.get(finding.projectGid, finding.ruleId);
    expect(after?.status).toBe("snoozed");
    expect(after?.snoozedBy).toBe(ADMIN_ID);
    expect(after?.snoozedUntil).toBe(new Date(NOW.getTime() + days * 86_400_000).toISOString());
    const [update] = world.slack.updates();
    expect(update).toMatchObject({ channel: CHANNEL, ts: ALERT_TS });
    expect(textsIn(update?.blocks ?? []).join("\n")).toContain(`Pospuesto por <@${ADMIN_ID}> hasta`);
    expect(buttonsIn(update?.blocks ?? []).map((b) => b.action_id)).toEqual([FINDING_ACK, FINDING_RESOLVE]);
    expect(world.slack.published().map((p) => p.userId)).toEqual([ADMIN_ID]);
  });

  it.each([null, "2", "30"])("refuses %j under the choice, and nothing changes", async (days) => {
    const finding = await seedFinding(world.harness.repos);
    expect(await submit(ADMIN_ID, finding, days)).toEqual({
      response_action: "errors",
      errors: { [SNOOZE_DAYS_BLOCK]: "Elige por cuánto tiempo posponerlo." },
    });
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
  });

  it("checks the role again on submission", async () => {
    const finding = await seedFinding(world.harness.repos);
    await submit(PM_ID, finding, "7");
    expect(await world.harness.repos.findings.get(finding.projectGid, finding.ruleId)).toEqual(finding);
    expect(world.slack.ephemerals()[0]?.text).toContain("Solo un administrador del PMO puede posponer");
  });
});
