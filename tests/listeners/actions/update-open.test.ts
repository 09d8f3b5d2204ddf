import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createAsanaClient } from "../../../services/asana/client.ts";
import { UPDATE_OPEN } from "../../../services/slack/reminder-ids.ts";
import { UPDATE_MODAL } from "../../../services/slack/update-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { NOW, PM_ASANA_GID, PM_ID, SLACK_USERS } from "../../fixtures/finding-world.ts";
import { seedPortfolio } from "../../fixtures/home-world.ts";
import { listenerHarness } from "../../fixtures/listener-harness.ts";
import { homeClick } from "../../fixtures/slack-bodies.ts";
import { recordSlackCalls } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
let projectGid: string;
beforeEach(async () => {
  world = await listenerWorld();
  projectGid = (await seedPortfolio(world.harness.repos)).pmHigh.projectGid;
});
afterEach(async () => {
  vi.restoreAllMocks();
  await world.close();
});

const click = (value: string) =>
  homeClick({ userId: PM_ID, actionId: UPDATE_OPEN, view: { blocks: [] }, blockId: "home-project-0", value });

describe("Actualizar estado (a reminder's or the Home's button)", () => {
  it("opens the update modal for that project with the click's trigger", async () => {
    const body = click(projectGid);
    await world.harness.process(body);
    const [modal] = world.slack.opened();
    expect(modal?.callback_id).toBe(UPDATE_MODAL);
    expect(world.slack.of("views.open")[0]?.body.trigger_id).toBe(body.trigger_id);
  });

  it("tells the person in the app's DM when the modal cannot be opened, instead of doing nothing", async () => {
    vi.spyOn(world.harness.services.updates.conversations, "openModal").mockRejectedValueOnce(
      new Error("store down"),
    );
    await world.harness.process(click(projectGid));
    expect(world.slack.opened()).toEqual([]);
    const [told] = world.slack.of("chat.postMessage");
    expect(told?.body.channel).toBe(PM_ID);
    expect(told?.body.text).toContain("Algo falló al procesar el botón");
  });

  it("opens the modal while a sync's Asana backlog is paused by a 429: the person's lookup goes first", async () => {
    await world.close();
    const asanaOrigin = "https://asana.test";
    // The bulk lane's Retry-After pause never ends in this test: nothing behind it may be needed.
    const asana = createAsanaClient({
      baseUrl: `${asanaOrigin}/api/1.0`,
      token: "asana-test-token",
      maxConcurrentReads: 4,
      sleep: () => new Promise<void>(() => undefined),
    });
    const bulkSent: string[] = [];
    nock(asanaOrigin)
      .get(/\/api\/1\.0\/projects\/\d+\/task_counts/)
      .query(true)
      .times(200)
      .reply((uri) => {
        bulkSent.push(uri);
        return [429, {}, { "Retry-After": "30" }];
      })
      .get(`/api/1.0/users/${encodeURIComponent("ana@pmo.test")}`)
      .query(true)
      .reply(200, { data: { gid: PM_ASANA_GID, name: "Ana Pérez", email: "ana@pmo.test" } });
    const harness = await listenerHarness({ slackUsers: SLACK_USERS, now: () => NOW, asana });
    const slack = recordSlackCalls();
    try {
      projectGid = (await seedPortfolio(harness.repos)).pmHigh.projectGid;
      const backlog = Array.from({ length: 100 }, (_, i) => asana.getTaskCounts(String(i)).catch(() => null));
      while (asana.stats.throttled === 0) await new Promise((done) => setTimeout(done, 5));
      const body = click(projectGid);
      await harness.process(body);
      expect(harness.timeline).toContain("ack");
      const [modal] = slack.opened();
      expect(modal?.callback_id).toBe(UPDATE_MODAL);
      expect(slack.of("views.open")[0]?.body.trigger_id).toBe(body.trigger_id);
      // The sync's calls are still waiting out the pause: only those sent before it were answered.
      expect(bulkSent.length).toBeLessThanOrEqual(4);
      expect(backlog).toHaveLength(100);
    } finally {
      slack.stop();
      await harness.close();
      world = await listenerWorld();
    }
  });

  it("ignores a value that is not a project gid, opening nothing", async () => {
    await world.harness.process(click("PMO-12; drop"));
    expect(world.slack.calls).toEqual([]);
  });
});
