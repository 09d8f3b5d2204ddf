import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_HOME_STATE, parseHomeState } from "../../../services/slack/blocks/home/home-state.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
} from "../../../services/slack/home-action-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, PM_ASANA_GID } from "../../fixtures/finding-world.ts";
import { seedPortfolio } from "../../fixtures/home-world.ts";
import { homeClick } from "../../fixtures/slack-bodies.ts";
import { textsIn } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
  await seedPortfolio(world.harness.repos);
});
afterEach(async () => {
  await world.close();
});

async function choose(actionId: string, value: string, state = DEFAULT_HOME_STATE) {
  const home = await world.harness.services.home.view(ADMIN_ID, { ...state, page: 1 });
  await world.harness.process(
    homeClick({
      userId: ADMIN_ID,
      actionId,
      view: { blocks: home.blocks, private_metadata: home.private_metadata },
      selectedValue: value,
    }),
  );
  const [published] = world.slack.published();
  expect(published?.userId).toBe(ADMIN_ID);
  const listed = (published?.view.blocks ?? [])
    .filter((b) => /^home-finding-\d+$/.test(b.block_id ?? ""))
    .map((b) => textsIn([b]).join());
  return { state: parseHomeState(published?.view.private_metadata), listed };
}

describe("the admin's filters on the Home", () => {
  it("by severity", async () => {
    const { state, listed } = await choose(HOME_FILTER_SEVERITY, "medium");
    expect(state.severity).toBe("medium");
    expect(listed).toHaveLength(2);
    expect(listed.every((text) => text.startsWith("🟡"))).toBe(true);
  });

  it("by vertical, keeping the severity already chosen", async () => {
    const { state, listed } = await choose(HOME_FILTER_VERTICAL, "is:Banca", {
      ...DEFAULT_HOME_STATE,
      severity: "high",
    });
    expect(state).toMatchObject({ severity: "high", vertical: { kind: "is", value: "Banca" } });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toContain("Portal de clientes");
  });

  it("by responsable", async () => {
    const { state, listed } = await choose(HOME_FILTER_RESPONSABLE, `is:${PM_ASANA_GID}`);
    expect(state.responsable).toEqual({ kind: "is", value: PM_ASANA_GID });
    expect(listed).toHaveLength(2);
    expect(listed.every((text) => text.includes("Portal de clientes"))).toBe(true);
  });

  it("ignores a value it did not offer", async () => {
    const { state, listed } = await choose(HOME_FILTER_SEVERITY, "urgent");
    expect(state).toEqual(DEFAULT_HOME_STATE);
    expect(listed).toHaveLength(4);
  });
});
