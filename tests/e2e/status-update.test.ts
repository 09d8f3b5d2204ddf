import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxMessage } from "../../sandbox/slack/server.ts";
import type { Project } from "../../services/model.ts";
import { isActiveProject } from "../../services/rules/rules.ts";
import { UPDATE_ALERT_EVENT } from "../../services/slack/blocks/update-alert.ts";
import { UPDATE_CONFIRM } from "../../services/slack/update-ids.ts";
import { type E2eWorld, PMO_CHANNEL, startE2eWorld } from "../fixtures/e2e-world.ts";

/**
 * A PM sends a status update by DM to the real app (sandbox Slack over socket mode, sandbox Asana,
 * write-back on), confirms it with the button, and it is stored, written back to Asana, resolves
 * the project's no_status_update finding, and alerts the PMO channel of its blocker.
 */

let world: E2eWorld;
/** The PM's projects, best candidates first: those whose no_status_update finding is open. */
let candidates: Project[];

beforeAll(async () => {
  world = await startE2eWorld({ env: { ASANA_WRITE_BACK: "true" } });
  const pipeline = await world.app.runPipeline("full");
  expect(pipeline.sync.status).toBe("completed");
  const { repos } = world.app.container;
  const own = (await repos.projects.listByResponsable(world.pm.asanaGid)).filter(
    (p) => isActiveProject(p) && p.pmoId !== null,
  );
  const open = new Set(
    (await repos.findings.listOpen()).filter((f) => f.ruleId === "no_status_update").map((f) => f.projectGid),
  );
  candidates = [...own].sort((a, b) => Number(open.has(b.gid)) - Number(open.has(a.gid)));
  expect(candidates.length).toBeGreaterThan(1);
}, 90_000);

afterAll(async () => {
  await world?.stop();
});

const botMessagesToPm = (): SandboxMessage[] =>
  world.slack.messages(world.pm.id).filter((m) => m.botId !== null);

const hasConfirm = (message: SandboxMessage) => JSON.stringify(message.blocks).includes(UPDATE_CONFIRM);

describe("a status update by DM, end to end", () => {
  it("is confirmed with the button, stored, written back, resolves no_status_update and alerts the PMO", async () => {
    const { repos } = world.app.container;
    const project = candidates[0];
    if (project === undefined || project.pmoId === null) throw new Error("no project for the PM");
    const findingBefore = await repos.findings.get(project.gid, "no_status_update");
    const asanaUpdatesBefore = world.asana.workspace.project(project.gid)?.statusUpdates.length ?? 0;
    const text = `${project.pmoId} avance 60%, bloqueado por el proveedor, entrega el viernes`;

    const dm = await world.slack.sendDm(world.pm.id, text, { duplicate: true });
    expect(dm.acks).toHaveLength(2);
    const card = await world.slack.waitFor(
      () => botMessagesToPm().find(hasConfirm),
      15_000,
      "the card in the PM's DM",
    );
    expect(card.text).toContain("Entendí:");
    await world.slack.clickButton(world.pm.id, { channel: world.pm.id, ts: card.ts }, UPDATE_CONFIRM);

    const [update] = await waitForUpdate(project.gid, (u) => u.asanaStatusUpdateGid !== null);
    expect(update).toMatchObject({ text, slackUserId: world.pm.id, slackEventId: dm.eventId });
    expect(update?.parsed).toMatchObject({ progress: 60, blockers: ["el proveedor"] });

    const asanaUpdates = world.asana.workspace.project(project.gid)?.statusUpdates ?? [];
    expect(asanaUpdates).toHaveLength(asanaUpdatesBefore + 1);
    expect(asanaUpdates.at(-1)?.gid).toBe(update?.asanaStatusUpdateGid);

    const findingAfter = await repos.findings.get(project.gid, "no_status_update");
    if (findingBefore !== null && findingBefore.status !== "resolved")
      expect(findingAfter).toMatchObject({ status: "resolved", resolution: "auto" });
    expect((await repos.projects.get(project.gid))?.reportedProgress).toBe(60);

    const alert = await world.slack.waitFor(
      () =>
        world.slack
          .messages(PMO_CHANNEL)
          .find(
            (m) =>
              m.metadata?.event_type === UPDATE_ALERT_EVENT &&
              JSON.stringify(m.blocks).includes(project.pmoId ?? ""),
          ),
      10_000,
      "the risk alert in the PMO channel",
    );
    expect(JSON.stringify(alert.blocks)).toContain("el proveedor");
    expect(JSON.stringify(alert.blocks)).not.toMatch(/<!channel>|<!here>/);

    // The duplicate delivery made one card, which now shows the update saved, without buttons.
    const saved = await world.slack.waitFor(
      () => botMessagesToPm().find((m) => m.text.includes("Guardé tu actualización")),
      10_000,
      "the card turned into the saved one",
    );
    expect(botMessagesToPm()).toHaveLength(1);
    expect(saved.ts).toBe(card.ts);
    expect(saved.text).toContain("También quedó en Asana");
    expect(hasConfirm(saved)).toBe(false);
    expect(await repos.updates.listForProject(project.gid)).toHaveLength(1);
  }, 60_000);

  it("the same DM envelope delivered twice makes one card and one update", async () => {
    const project = candidates[1];
    if (project === undefined || project.pmoId === null) throw new Error("no second project for the PM");
    const cardsBefore = botMessagesToPm().length;
    const text = `${project.pmoId} avance 35%, en curso. Próximos pasos: pruebas con usuarios`;
    const dm = await world.slack.sendDm(world.pm.id, text, { duplicate: true });
    const card = await world.slack.waitFor(
      () => botMessagesToPm().slice(cardsBefore).find(hasConfirm),
      15_000,
      "the second card",
    );
    await new Promise((done) => setTimeout(done, 300));
    expect(botMessagesToPm().slice(cardsBefore)).toHaveLength(1);
    await world.slack.clickButton(world.pm.id, { channel: world.pm.id, ts: card.ts }, UPDATE_CONFIRM);
    const updates = await waitForUpdate(project.gid, () => true);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ text, slackEventId: dm.eventId });
    await waitForNoPendingDelivery();
  }, 60_000);
});

async function waitForUpdate(
  projectGid: string,
  ready: (update: { asanaStatusUpdateGid: string | null }) => boolean,
) {
  const { repos } = world.app.container;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const updates = await repos.updates.listForProject(projectGid);
    if (updates.length > 0 && updates.every(ready)) return updates;
    if (Date.now() > deadline) throw new Error(`no status update stored for ${projectGid}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

async function waitForNoPendingDelivery() {
  const { repos } = world.app.container;
  const deadline = Date.now() + 10_000;
  while ((await repos.meta.inbound.listPending()).length > 0) {
    if (Date.now() > deadline) throw new Error("a delivery stayed pending");
    await new Promise((done) => setTimeout(done, 50));
  }
}
