import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UPDATE_OPEN } from "../../../services/slack/reminder-ids.ts";
import { UPDATE_MODAL } from "../../../services/slack/update-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { PM_ID } from "../../fixtures/finding-world.ts";
import { seedPortfolio } from "../../fixtures/home-world.ts";
import { homeClick } from "../../fixtures/slack-bodies.ts";

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

  it("ignores a value that is not a project gid, opening nothing", async () => {
    await world.harness.process(click("PMO-12; drop"));
    expect(world.slack.calls).toEqual([]);
  });
});
