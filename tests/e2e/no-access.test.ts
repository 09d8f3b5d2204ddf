import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../services/model.ts";
import { FINDING_RESOLVE } from "../../services/slack/action-ids.ts";
import { parseFindingRef } from "../../services/slack/finding-ref.ts";
import { ADMIN_ID, type E2eWorld, PMO_CHANNEL, startE2eWorld } from "../fixtures/e2e-world.ts";

/**
 * A project Asana stops showing to the app's token (403): the real sync marks it no_access, the
 * rules keep its findings open, the alerts job edits its message to say "Sin acceso" (not
 * "resolved"); when access returns the next sync and rules decide as usual.
 */

let world: E2eWorld;
beforeAll(async () => {
  world = await startE2eWorld({ projects: 40 });
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

const messageText = (ts: string): string => {
  const message = world.slack.messages(PMO_CHANNEL).find((m) => m.ts === ts);
  if (message === undefined) throw new Error(`no message ${ts} in the PMO channel`);
  return JSON.stringify(message.blocks);
};

describe("a project that answers 403", () => {
  it("keeps its findings open and says so in the channel until access returns", async () => {
    const { repos } = world.app.container;
    const first = await world.app.runPipeline("full");
    expect(first.sync.status).toBe("completed");
    expect(first.alerts?.status).toBe("completed");

    // A finding in the first run's digest: its project's lines are what must change.
    const alerted = (await repos.findings.listOpen()).find((f) => (f.digest ?? null) !== null);
    const ts = alerted?.digest?.ts;
    if (alerted === undefined || ts === undefined) throw new Error("the sandbox posted no digest");
    const gid = alerted.projectGid;
    const before = await repos.findings.listForProject(gid);
    const active = before.filter((f) => f.status !== "resolved");
    const inDigest = active.filter((f) => f.digest?.ts === ts).length;
    const count = (text: string, word: string) => text.split(word).length - 1;
    expect(messageText(ts)).not.toContain("Sin acceso");
    const resolvedBefore = count(messageText(ts), "Resuelto");

    world.asana.workspace.denyAccess(gid);
    const lost = await world.app.runPipeline("full");
    expect(lost.sync.status).toBe("completed");
    expect(await repos.projects.get(gid)).toMatchObject({ removedReason: "no_access" });
    expect(lost.rules?.counts).toMatchObject({ keptWithoutAccess: active.length });
    const kept = await repos.findings.listForProject(gid);
    const byRule = (list: readonly Finding[]) =>
      Object.fromEntries(list.map((f) => [f.ruleId, { status: f.status, severity: f.severity }]));
    expect(byRule(kept.filter((f) => f.status !== "resolved"))).toEqual(byRule(active));
    for (const f of kept.filter((f) => f.status !== "resolved"))
      expect(f.details.noAccessSince).toEqual(expect.any(String));
    const shown = messageText(ts);
    expect(count(shown, "Sin acceso")).toBe(inDigest);
    expect(count(shown, "Resuelto")).toBe(resolvedBefore);
    expect(count(shown, "finding_resolve")).toBeGreaterThanOrEqual(inDigest);

    // Nothing new to say on the next run: the message is not edited again.
    const updates = world.slack.calls("chat.update").length;
    const again = await world.app.runPipeline("partial");
    expect(again.rules?.counts).toMatchObject({ keptWithoutAccess: active.length, resolved: 0 });
    expect(world.slack.calls("chat.update").length).toBe(updates);

    // An admin may still resolve one by hand, from the message; the next runs leave it resolved.
    const button = world.slack
      .messages(PMO_CHANNEL)
      .find((m) => m.ts === ts)
      ?.blocks.flatMap((block) => (Array.isArray(block.elements) ? block.elements : []))
      .find((element) => {
        if (typeof element !== "object" || element === null || Array.isArray(element)) return false;
        const ref = parseFindingRef(typeof element.value === "string" ? element.value : undefined);
        return (
          element.action_id === FINDING_RESOLVE &&
          ref?.projectGid === alerted.projectGid &&
          ref.ruleId === alerted.ruleId
        );
      });
    const value =
      typeof button === "object" && button !== null && !Array.isArray(button) ? button.value : undefined;
    if (typeof value !== "string") throw new Error("no Resolver button for the finding");
    await world.slack.clickButton(ADMIN_ID, { channel: PMO_CHANNEL, ts }, FINDING_RESOLVE, value);
    await world.slack.waitFor(
      () => count(messageText(ts), "Sin acceso") === inDigest - 1,
      10_000,
      "the line resolved by hand",
    );
    expect(await repos.findings.get(gid, alerted.ruleId)).toMatchObject({
      status: "resolved",
      resolution: "manual",
      resolvedBy: ADMIN_ID,
    });
    await world.app.runPipeline("partial");
    expect(await repos.findings.get(gid, alerted.ruleId)).toMatchObject({ status: "resolved" });

    world.asana.workspace.denyAccess(gid, false);
    const back = await world.app.runPipeline("full");
    expect(back.sync.status).toBe("completed");
    expect(await repos.projects.get(gid)).toMatchObject({ removedReason: null, removedAt: null });
    expect(back.rules?.counts.keptWithoutAccess).toBe(0);
    const after = await repos.findings.listForProject(gid);
    for (const f of after) expect(f.details.noAccessSince).toBeUndefined();
    // Its rule still fires: the finding resolved by hand opens again, as any would.
    expect(after.find((f) => f.ruleId === alerted.ruleId)).toMatchObject({ status: "open", occurrences: 2 });
    expect(messageText(ts)).not.toContain("Sin acceso");
  }, 60_000);
});
