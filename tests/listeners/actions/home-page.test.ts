import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_HOME_STATE, parseHomeState } from "../../../services/slack/blocks/home/home-state.ts";
import { PORTFOLIO_PAGE } from "../../../services/slack/blocks/home/home-view.ts";
import { HOME_PAGE_NEXT, HOME_PAGE_PREVIOUS } from "../../../services/slack/home-action-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, seedFinding } from "../../fixtures/finding-world.ts";
import { buttonIn, homeClick } from "../../fixtures/slack-bodies.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
  for (let i = 0; i < PORTFOLIO_PAGE + 5; i++)
    await seedFinding(world.harness.repos, {
      project: { gid: String(4000 + i), name: `Proyecto ${i}` },
      alerted: false,
    });
});
afterEach(async () => {
  await world.close();
});

describe("the Home's paging buttons", () => {
  it("turn to the next page and back, within 100 blocks", async () => {
    const { home } = world.harness.services;
    const first = await home.view(ADMIN_ID, DEFAULT_HOME_STATE);
    const next = buttonIn(first.blocks, HOME_PAGE_NEXT, "home-paging");
    await world.harness.process(
      homeClick({
        userId: ADMIN_ID,
        actionId: HOME_PAGE_NEXT,
        view: { blocks: first.blocks, private_metadata: first.private_metadata },
        blockId: "home-paging",
        value: next.value,
      }),
    );
    const second = world.slack.published()[0]?.view;
    expect(parseHomeState(second?.private_metadata).page).toBe(2);
    expect(second?.blocks.length).toBeLessThanOrEqual(100);
    expect(second?.blocks.filter((b) => /^home-finding-\d+$/.test(b.block_id ?? ""))).toHaveLength(5);
    const range = second?.blocks.find((b) => b.block_id === "home-list-range");
    expect(JSON.stringify(range)).toContain("21–25 de 25");

    const previous = buttonIn(second?.blocks, HOME_PAGE_PREVIOUS, "home-paging");
    await world.harness.process(
      homeClick({
        userId: ADMIN_ID,
        actionId: HOME_PAGE_PREVIOUS,
        view: { blocks: second?.blocks, private_metadata: second?.private_metadata ?? "" },
        blockId: "home-paging",
        value: previous.value,
      }),
    );
    expect(parseHomeState(world.slack.published()[1]?.view.private_metadata).page).toBe(1);
  });
});
