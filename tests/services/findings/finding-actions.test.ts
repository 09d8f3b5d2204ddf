import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type FindingActionKind,
  FindingActions,
  isStale,
} from "../../../services/findings/finding-actions.ts";
import type { FindingRequest } from "../../../services/findings/finding-origin.ts";
import type { Finding, FindingStatus } from "../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../services/slack/action-ids.ts";
import { digestParts } from "../../../services/slack/blocks/digest.ts";
import { DEFAULT_HOME_STATE, type HomeState } from "../../../services/slack/blocks/home/home-state.ts";
import { parseFindingModalMetadata } from "../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import { FINDING_ACK_MODAL, FINDING_SNOOZE_MODAL } from "../../../services/slack/finding-modal-ids.ts";
import { parseReceivedBlocks } from "../../../services/slack/message-blocks.ts";
import type { FindingRef } from "../../../services/store/findings-repository.ts";
import { FindingsRepository } from "../../../services/store/findings-repository.ts";
import {
  ADMIN_ID,
  CHANNEL,
  type FindingWorld,
  findingWorld,
  fromAlert,
  NOW,
  OTHER_ID,
  PM_ID,
  requestFor,
  seedFinding,
} from "../../fixtures/finding-world.ts";

let world: FindingWorld;
let actions: FindingActions;

const makeActions = (repos = world.repos) =>
  new FindingActions({
    repos,
    users: world.users,
    authorization: world.authorization,
    clock: () => NOW,
    channel: { locale: "es", timeZone: "America/Bogota" },
    logger: { error: (...args: unknown[]) => errors.push(args) },
  });
const errors: unknown[] = [];

beforeEach(async () => {
  world = await findingWorld();
  actions = makeActions();
  // The PM's profile is known (as after their first interaction): the responsable is mappable.
  await world.users.profile(PM_ID);
});
afterEach(async () => {
  await world.close();
});

const stored = async (f: Pick<Finding, "projectGid" | "ruleId">): Promise<Finding> => {
  const finding = await world.repos.findings.get(f.projectGid, f.ruleId);
  if (finding === null) throw new Error("finding vanished");
  return finding;
};

const blockTexts = (blocks: readonly unknown[]): string =>
  JSON.stringify(blocks.map((b) => (typeof b === "object" && b !== null && "text" in b ? b.text : null)));

describe("who may do what", () => {
  const cases: { who: string; userId: string; action: FindingActionKind; allowed: boolean }[] = [
    { who: "an admin", userId: ADMIN_ID, action: "acknowledge", allowed: true },
    { who: "an admin", userId: ADMIN_ID, action: "resolve", allowed: true },
    { who: "an admin", userId: ADMIN_ID, action: "snooze", allowed: true },
    { who: "the responsable", userId: PM_ID, action: "acknowledge", allowed: true },
    { who: "the responsable", userId: PM_ID, action: "resolve", allowed: false },
    { who: "the responsable", userId: PM_ID, action: "snooze", allowed: false },
    { who: "anyone else", userId: OTHER_ID, action: "acknowledge", allowed: false },
    { who: "anyone else", userId: OTHER_ID, action: "resolve", allowed: false },
    { who: "anyone else", userId: OTHER_ID, action: "snooze", allowed: false },
  ];

  const run = (action: FindingActionKind, request: FindingRequest) =>
    action === "acknowledge"
      ? actions.acknowledge(request, "Hablé con el proveedor")
      : action === "resolve"
        ? actions.resolve(request)
        : actions.snooze(request, 3);

  it.each(cases)("$who: $action → allowed $allowed", async ({ userId, action, allowed }) => {
    const finding = await seedFinding(world.repos);
    const outcome = await run(action, requestFor(userId, finding));
    const after = await stored(finding);
    if (allowed) {
      expect(outcome.result).toBe("done");
      expect(after.status).toBe(
        { acknowledge: "acknowledged", resolve: "resolved", snooze: "snoozed" }[action],
      );
      expect(after.version).toBe(finding.version + 1);
    } else {
      expect(outcome.result).toBe("denied");
      expect(after).toEqual(finding);
      expect(outcome.messageUpdate).toBeNull();
      expect(outcome.modal).toBeNull();
      expect(outcome.home).toBeNull();
      expect(outcome.ephemeral?.channel).toBe(CHANNEL);
    }
  });

  it.each(cases.filter((c) => c.action !== "resolve"))(
    "$who clicking $action: the modal only when allowed",
    async ({ userId, action, allowed }) => {
      const finding = await seedFinding(world.repos);
      const request = requestFor(userId, finding);
      const outcome =
        action === "acknowledge"
          ? await actions.startAcknowledge(request)
          : await actions.startSnooze(request);
      expect(outcome.result).toBe(allowed ? "modal" : "denied");
      expect(outcome.modal === null).toBe(!allowed);
      expect(await stored(finding)).toEqual(finding);
    },
  );

  it("names the responsable with a mention when someone else may not acknowledge", async () => {
    const finding = await seedFinding(world.repos);
    const outcome = await actions.startAcknowledge(requestFor(OTHER_ID, finding));
    // OTHER reads English (their Slack locale), once their profile is known.
    expect(outcome.ephemeral?.text).toContain(`<@${PM_ID}>`);
    expect(outcome.ephemeral?.text).toMatch(/admin/i);
  });

  it("says only a PMO admin may when the responsable has no Slack user", async () => {
    const finding = await seedFinding(world.repos, {
      project: { responsableKey: "7777", responsable: "Nadie" },
    });
    const outcome = await actions.startAcknowledge(requestFor(PM_ID, finding));
    expect(outcome.result).toBe("denied");
    expect(outcome.ephemeral?.text).toBe("Solo un administrador del PMO puede reconocer este hallazgo.");
  });

  it("does not let the responsable of another project acknowledge", async () => {
    const finding = await seedFinding(world.repos, { project: { gid: "1300", responsableKey: "8888" } });
    expect((await actions.acknowledge(requestFor(PM_ID, finding), "x")).result).toBe("denied");
  });

  it("says resolving and snoozing are for PMO admins, in the user's language", async () => {
    const finding = await seedFinding(world.repos);
    await world.users.profile(OTHER_ID);
    expect((await actions.resolve(requestFor(PM_ID, finding))).ephemeral?.text).toBe(
      "Solo un administrador del PMO puede resolver hallazgos.",
    );
    expect((await actions.startSnooze(requestFor(OTHER_ID, finding))).ephemeral?.text).toBe(
      "Only a PMO admin can snooze findings.",
    );
  });
});

describe("the transitions", () => {
  it("acknowledges with the comment, by whom and when, and re-renders the alert", async () => {
    const finding = await seedFinding(world.repos);
    const outcome = await actions.acknowledge(
      requestFor(PM_ID, finding),
      "Nueva fecha el viernes <!channel>",
    );
    const after = await stored(finding);
    expect(after).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: PM_ID,
      acknowledgedAt: NOW.toISOString(),
      ackComment: "Nueva fecha el viernes <!channel>",
    });
    expect(outcome.messageUpdate).toMatchObject({ channel: CHANNEL, ts: finding.alert?.ts });
    const text = blockTexts(outcome.messageUpdate?.blocks ?? []);
    expect(text).toContain(`Reconocido por <@${PM_ID}>`);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
    const actionsBlocks = (outcome.messageUpdate?.blocks ?? []).filter((b) => b.type === "actions");
    expect(JSON.stringify(actionsBlocks).match(/finding_(ack|resolve|snooze)/g)).toEqual([
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
    expect(outcome.ephemeral).toBeNull();
    expect(outcome.home).toEqual({ state: DEFAULT_HOME_STATE, notice: null });
  });

  it("resolves by hand", async () => {
    const finding = await seedFinding(world.repos);
    const outcome = await actions.resolve(requestFor(ADMIN_ID, finding));
    expect(await stored(finding)).toMatchObject({
      status: "resolved",
      resolution: "manual",
      resolvedBy: ADMIN_ID,
      resolvedAt: NOW.toISOString(),
    });
    const blocks = outcome.messageUpdate?.blocks ?? [];
    expect(blocks.some((b) => b.type === "actions")).toBe(false);
    expect(blockTexts(blocks)).toContain(`Resuelto por <@${ADMIN_ID}>`);
  });

  it.each([1, 3, 7, 14] as const)("snoozes for %i days from now", async (days) => {
    const finding = await seedFinding(world.repos);
    await actions.snooze(requestFor(ADMIN_ID, finding), days);
    const after = await stored(finding);
    expect(after.status).toBe("snoozed");
    expect(after.snoozedBy).toBe(ADMIN_ID);
    expect(Date.parse(after.snoozedUntil ?? "") - NOW.getTime()).toBe(days * 24 * 60 * 60 * 1000);
  });

  it("opens the acknowledge modal carrying the finding, the shown status and the message", async () => {
    const finding = await seedFinding(world.repos);
    const outcome = await actions.startAcknowledge(requestFor(ADMIN_ID, finding, { shownStatus: null }));
    expect(outcome.modal?.callback_id).toBe(FINDING_ACK_MODAL);
    expect(parseFindingModalMetadata(outcome.modal?.private_metadata)).toEqual({
      target: { projectGid: "1201", ruleId: "schedule_risk" },
      shownStatus: "open",
      origin: { ...fromAlert(), current: null },
    });
    expect((await actions.startSnooze(requestFor(ADMIN_ID, finding))).modal?.callback_id).toBe(
      FINDING_SNOOZE_MODAL,
    );
  });

  it("acts on a button older than the stored finding when only bookkeeping changed", async () => {
    const finding = await seedFinding(world.repos, { alerted: true });
    expect(finding.version).toBe(2);
    expect((await actions.resolve(requestFor(ADMIN_ID, finding))).result).toBe("done");
  });

  it("logs an unexpected failure and asks the user to try again", async () => {
    class Unreachable extends FindingsRepository {
      override async get(): Promise<Finding | null> {
        throw new Error("connect ECONNREFUSED 127.0.0.1:4567");
      }
    }
    const findings = new Unreachable({
      doc: world.store.doc,
      tableName: world.store.tables.findings,
      retentionDays: 1,
    });
    errors.length = 0;
    const outcome = await makeActions({ ...world.repos, findings }).resolve(
      requestFor(ADMIN_ID, { projectGid: "1201", ruleId: "no_activity" }),
    );
    expect(outcome.result).toBe("failed");
    expect(outcome.ephemeral?.text).toContain("Inténtalo de nuevo");
    expect(JSON.stringify(errors)).toContain("1201#no_activity");
  });

  it("tells the user when the finding no longer exists", async () => {
    const outcome = await actions.resolve(requestFor(ADMIN_ID, { projectGid: "404", ruleId: "no_activity" }));
    expect(outcome.result).toBe("not_found");
    expect(outcome.ephemeral?.text).toBe("Este hallazgo ya no existe.");
  });

  it("retries after a write lost to the alerts job's bookkeeping", async () => {
    let meddled = false;
    class Meddling extends FindingsRepository {
      override async resolve(ref: FindingRef, by: string): Promise<Finding> {
        if (!meddled) {
          meddled = true;
          await this.recordAlert(ref, { channel: CHANNEL, ts: "1773150000.000200", severity: "high" });
        }
        return super.resolve(ref, by);
      }
    }
    const findings = new Meddling({
      doc: world.store.doc,
      tableName: world.store.tables.findings,
      retentionDays: 365,
      clock: () => NOW,
    });
    const finding = await seedFinding(world.repos);
    const outcome = await makeActions({ ...world.repos, findings }).resolve(requestFor(ADMIN_ID, finding));
    expect(meddled).toBe(true);
    expect(outcome.result).toBe("done");
    expect((await stored(finding)).version).toBe(finding.version + 2);
  });
});

describe("stale buttons", () => {
  it.each<[FindingStatus, FindingActionKind, FindingStatus | null, boolean]>([
    ["open", "acknowledge", "open", false],
    ["open", "acknowledge", null, false],
    ["snoozed", "acknowledge", "snoozed", false],
    ["acknowledged", "acknowledge", "open", true],
    ["acknowledged", "acknowledge", null, true],
    ["acknowledged", "resolve", "acknowledged", false],
    ["acknowledged", "resolve", "open", true],
    ["snoozed", "snooze", null, true],
    ["open", "snooze", "snoozed", true],
    ["resolved", "resolve", null, true],
    ["resolved", "acknowledge", "open", true],
  ])("stored %s, %s clicked on a message showing %s → stale %s", (status, action, shown, expected) => {
    expect(isStale({ status }, action, shown)).toBe(expected);
  });

  it("re-renders the message from the stored state, says what happened, and changes nothing", async () => {
    const finding = await seedFinding(world.repos);
    const acked = await world.repos.findings.acknowledge(
      { projectGid: finding.projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
      { userId: PM_ID, comment: "ya" },
    );
    const outcome = await actions.resolve(requestFor(ADMIN_ID, finding, { shownStatus: "open" }));
    expect(outcome.result).toBe("stale");
    expect(await stored(finding)).toEqual(acked);
    expect(outcome.ephemeral?.text).toContain(`Reconocido por <@${PM_ID}>`);
    expect(blockTexts(outcome.messageUpdate?.blocks ?? [])).toContain(`Reconocido por <@${PM_ID}>`);
  });

  it("does not open the modal for a finding acknowledged meanwhile", async () => {
    const finding = await seedFinding(world.repos);
    await world.repos.findings.acknowledge(
      { projectGid: finding.projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
      { userId: ADMIN_ID, comment: "ya" },
    );
    const outcome = await actions.startAcknowledge(requestFor(PM_ID, finding));
    expect(outcome.result).toBe("stale");
    expect(outcome.modal).toBeNull();
  });

  it("treats a resolved finding as stale for every button", async () => {
    const finding = await seedFinding(world.repos);
    await actions.resolve(requestFor(ADMIN_ID, finding));
    for (const outcome of [
      await actions.startAcknowledge(requestFor(ADMIN_ID, finding)),
      await actions.resolve(requestFor(ADMIN_ID, finding)),
      await actions.startSnooze(requestFor(ADMIN_ID, finding)),
      await actions.snooze(requestFor(ADMIN_ID, finding), 7),
    ]) {
      expect(outcome.result).toBe("stale");
      expect(outcome.ephemeral?.text).toContain("Resuelto por");
    }
  });

  it("checks again on submission: the modal opened on an open finding that was resolved since", async () => {
    const finding = await seedFinding(world.repos);
    await actions.resolve(requestFor(ADMIN_ID, finding));
    const outcome = await actions.acknowledge(requestFor(PM_ID, finding, { shownStatus: "open" }), "tarde");
    expect(outcome.result).toBe("stale");
    expect((await stored(finding)).ackComment).toBeNull();
  });
});

describe("two clicks at once", () => {
  it("acknowledge twice: exactly one transition, the second user told who did it", async () => {
    const finding = await seedFinding(world.repos);
    const outcomes = await Promise.all([
      actions.acknowledge(requestFor(ADMIN_ID, finding), "primero"),
      actions.acknowledge(requestFor(PM_ID, finding), "segundo"),
    ]);
    expect(outcomes.map((o) => o.result).sort()).toEqual(["done", "stale"]);
    const after = await stored(finding);
    expect(after.version).toBe(finding.version + 1);
    const winner = outcomes.find((o) => o.result === "done");
    const loser = outcomes.find((o) => o.result === "stale");
    expect(after.acknowledgedBy).toBe(winner === outcomes[0] ? ADMIN_ID : PM_ID);
    expect(loser?.ephemeral?.text).toContain(`Reconocido por <@${after.acknowledgedBy}>`);
  });

  it("resolve and snooze at once: one of them wins", async () => {
    const finding = await seedFinding(world.repos);
    const outcomes = await Promise.all([
      actions.resolve(requestFor(ADMIN_ID, finding)),
      actions.snooze(requestFor(ADMIN_ID, finding), 7),
    ]);
    const results = outcomes.map((o) => o.result);
    expect(results.filter((r) => r === "done")).toHaveLength(1);
    expect((await stored(finding)).version).toBe(finding.version + 1);
  });
});

describe("where the answer goes", () => {
  const home: HomeState = { ...DEFAULT_HOME_STATE, severity: "high", page: 2 };

  it("from the Home: the Home again with the notice on top, no message, no ephemeral", async () => {
    const finding = await seedFinding(world.repos);
    const done = await actions.resolve(requestFor(ADMIN_ID, finding, { origin: { kind: "home", home } }));
    expect(done.home?.state).toEqual(home);
    expect(done.home?.notice).toContain("Resolviste el hallazgo de Portal de clientes");
    expect(done.messageUpdate).toBeNull();
    expect(done.ephemeral).toBeNull();
    const denied = await actions.resolve(requestFor(PM_ID, finding, { origin: { kind: "home", home } }));
    expect(denied.home).toEqual({
      state: home,
      notice: "Solo un administrador del PMO puede resolver hallazgos.",
    });
  });

  it("from an ephemeral message: no update (Slack refuses it), the user is told instead", async () => {
    const finding = await seedFinding(world.repos);
    const outcome = await actions.resolve(
      requestFor(ADMIN_ID, finding, { origin: fromAlert({ ephemeral: true, layout: "lines" }) }),
    );
    expect(outcome.messageUpdate).toBeNull();
    expect(outcome.ephemeral?.text).toContain("Resolviste");
  });

  it("from a digest: that finding's line is updated and the others are brought up to date", async () => {
    const first = await seedFinding(world.repos, {
      ruleId: "no_activity",
      severity: "medium",
      alerted: false,
    });
    const second = await seedFinding(world.repos, {
      project: { gid: "1300", name: "Otro proyecto", responsableKey: "8888" },
      ruleId: "no_status_update",
      severity: "medium",
      alerted: false,
    });
    const [part] = digestParts(
      { locale: "es", timeZone: "America/Bogota", slackUserIdFor: () => null },
      {
        entries: [
          { finding: first, project: await world.repos.projects.get("1201") },
          { finding: second, project: await world.repos.projects.get("1300") },
        ],
        postedAt: NOW,
      },
    );
    const blocks = parseReceivedBlocks(JSON.parse(JSON.stringify(part?.message.blocks)));
    if (part === undefined || blocks === null) throw new Error("no digest");
    // Someone snoozed the second one after the digest was posted.
    await world.repos.findings.snooze(
      { projectGid: second.projectGid, ruleId: second.ruleId, expectedVersion: second.version },
      new Date("2026-03-17T15:00:00.000Z"),
      ADMIN_ID,
    );
    const outcome = await actions.acknowledge(
      requestFor(PM_ID, first, {
        origin: fromAlert({
          layout: "lines",
          ts: "1773150000.000300",
          current: { text: part.message.text, blocks },
        }),
      }),
      "Lo reviso",
    );
    expect(outcome.result).toBe("done");
    const updated = outcome.messageUpdate?.blocks ?? [];
    expect(updated.length).toBe(part.message.blocks.length + 2);
    const byId = new Map(updated.map((b) => [b.block_id, b]));
    expect(JSON.stringify(byId.get("finding-0-status"))).toContain(`Reconocido por <@${PM_ID}>: Lo reviso`);
    expect(JSON.stringify(byId.get("finding-1-status"))).toContain("Pospuesto por");
    const actionIds = (b: unknown) => JSON.stringify(b ?? null).match(/finding_(ack|resolve|snooze)/g) ?? [];
    expect(actionIds(byId.get("finding-0-actions"))).toEqual([FINDING_RESOLVE, FINDING_SNOOZE]);
    expect(actionIds(byId.get("finding-1-actions"))).toEqual([FINDING_ACK, FINDING_RESOLVE]);
    expect(updated[0]).toEqual(part.message.blocks[0]);
  });
});
