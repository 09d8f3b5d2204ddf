import { afterEach, describe, expect, it } from "vitest";
import { HOME_WEB_PANEL } from "../../../services/slack/home-action-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, OTHER_ID } from "../../fixtures/finding-world.ts";
import { homeClick } from "../../fixtures/slack-bodies.ts";

/** The Home's web dashboard button: a modal with the one-time sign-in link `/pmo panel` answers. */

let world: ListenerWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const WEB = { WEB_BASE_URL: "https://pmo.example.com", WEB_SESSION_SECRET: "s".repeat(40) };

async function clickWebButton(w: ListenerWorld, userId: string) {
  const view = await w.harness.services.home.view(userId);
  const body = homeClick({
    userId,
    actionId: HOME_WEB_PANEL,
    view: { blocks: view.blocks, private_metadata: view.private_metadata ?? "" },
    blockId: "home-web",
    value: "",
  });
  await w.harness.process(body);
  return { view, body };
}

const linkIn = (blocks: readonly unknown[]): string | undefined =>
  JSON.stringify(blocks).match(/"url":"([^"]+)"/)?.[1];

describe("the Home's web dashboard button", () => {
  it.each([
    [ADMIN_ID, "Panel web", "sirve una vez"],
    [OTHER_ID, "Web dashboard", "works once"],
  ])("opens a modal with a link that signs %s in, once", async (userId, title, text) => {
    world = await listenerWorld({ env: WEB });
    const { view, body } = await clickWebButton(world, userId);
    expect(view.blocks.map((b) => b.block_id)).toContain("home-web");
    expect(world.slack.of("views.open")[0]?.body.trigger_id).toBe(body.trigger_id);
    const [modal] = world.slack.opened();
    expect(modal?.type).toBe("modal");
    expect(JSON.stringify(modal?.title)).toContain(title);
    expect(JSON.stringify(modal?.blocks)).toContain(text);
    const url = linkIn(modal?.blocks ?? []) ?? "";
    expect(url).toMatch(/^https:\/\/pmo\.example\.com\/auth\/link\?t=/);
    const token = new URL(url).searchParams.get("t") ?? "";
    const links = world.harness.services.web?.links;
    expect(await links?.redeem(token)).toEqual({ kind: "valid", slackUserId: userId });
    expect(await links?.redeem(token)).toEqual({ kind: "refused", reason: "used" });
  });

  it("is not on the Home when the web is off, and a stale click says it is off", async () => {
    world = await listenerWorld({ env: { WEB_ENABLED: "false" } });
    const view = await world.harness.services.home.view(ADMIN_ID);
    expect(view.blocks.map((b) => b.block_id)).not.toContain("home-web");
    await world.harness.process(
      homeClick({
        userId: ADMIN_ID,
        actionId: HOME_WEB_PANEL,
        view: { blocks: view.blocks, private_metadata: view.private_metadata ?? "" },
        blockId: "home-web",
        value: "",
      }),
    );
    const [modal] = world.slack.opened();
    expect(JSON.stringify(modal?.blocks)).toContain("WEB_ENABLED=false");
    expect(linkIn(modal?.blocks ?? [])).toBeUndefined();
  });
});
