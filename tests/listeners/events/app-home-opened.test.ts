import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../services/slack/action-ids.ts";
import { encodeHomeState, parseHomeState } from "../../../services/slack/blocks/home/home-state.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_WEB_PANEL,
} from "../../../services/slack/home-action-ids.ts";
import { type ListenerWorld, listenerWorld } from "../../fixtures/finding-listener-world.ts";
import { ADMIN_ID, OTHER_ID, PM_ID, seedFinding } from "../../fixtures/finding-world.ts";
import { seedPortfolio } from "../../fixtures/home-world.ts";
import { homeOpened } from "../../fixtures/slack-bodies.ts";
import { buttonsIn, type SentView, textsIn } from "../../fixtures/slack-calls.ts";

let world: ListenerWorld;
beforeEach(async () => {
  world = await listenerWorld();
  await seedPortfolio(world.harness.repos);
});
afterEach(async () => {
  await world.close();
});

const ids = (view: SentView | undefined) => view?.blocks.map((b) => b.block_id ?? "") ?? [];
const textOf = (view: SentView | undefined, id: string) => {
  const block = view?.blocks.find((b) => b.block_id === id);
  return block === undefined ? "" : textsIn([block]).join("\n");
};

async function open(userId: string, view?: { private_metadata: string }) {
  await world.harness.process(homeOpened({ userId, ...(view === undefined ? {} : { view }) }));
  const [published] = world.slack.published();
  expect(published?.userId).toBe(userId);
  return published?.view;
}

describe("the App Home of a project manager", () => {
  it("shows their projects and their open findings with buttons, and the data's freshness", async () => {
    const view = await open(PM_ID);
    expect(view?.type).toBe("home");
    expect(view?.blocks.length).toBeLessThanOrEqual(100);
    expect(textOf(view, "home-freshness")).toBe("Datos al 10 de marzo de 2026, 10:00 (hace 1 min)");
    expect(textOf(view, "home-project-0")).toContain("Portal de clientes");
    expect(textOf(view, "home-project-0")).toContain("2 hallazgos abiertos");
    expect(textOf(view, "home-project-0")).toContain("Entrega: 15 de marzo de 2026");
    expect(ids(view).filter((id) => /^home-project-\d+$/.test(id))).toHaveLength(1);
    expect(textOf(view, "home-mine-0")).toContain("🔴");
    expect(textOf(view, "home-mine-1")).toContain("🟡");
    // The web dashboard's button (WEB_ENABLED is on by default), then each finding's.
    expect(buttonsIn(view?.blocks ?? []).map((b) => b.action_id)).toEqual([
      HOME_WEB_PANEL,
      FINDING_ACK,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
      FINDING_ACK,
      FINDING_RESOLVE,
      FINDING_SNOOZE,
    ]);
    expect(ids(view)).not.toContain("home-portfolio");
    expect(JSON.stringify(view)).not.toContain("Historia clínica");
  });

  it("keeps listing a project Asana refuses to show while it has open findings, marked sin acceso", async () => {
    const { repos } = world.harness;
    const lostAt = "2026-03-09T12:00:00.000Z";
    const lost = await seedFinding(repos, {
      project: {
        gid: "1250",
        name: "Proyecto privado",
        pmoId: "PMO-25",
        removedAt: lostAt,
        removedReason: "no_access",
      },
      ruleId: "no_activity",
      severity: "medium",
      alerted: false,
    });
    await repos.findings.update(
      { projectGid: lost.projectGid, ruleId: lost.ruleId, expectedVersion: lost.version },
      { details: { ...lost.details, noAccessSince: lostAt } },
    );
    await seedFinding(repos, {
      project: { gid: "1260", name: "Proyecto archivado", removedAt: lostAt, removedReason: "archived" },
      ruleId: "no_activity",
      severity: "medium",
      alerted: false,
    });
    const view = await open(PM_ID);
    const text = JSON.stringify(view);
    expect(text).toContain("Proyecto privado");
    expect(text).toContain("🔒 *Sin acceso* en Asana");
    expect(text).toContain("🔒 *Sin acceso* al proyecto en Asana desde el");
    expect(text).not.toContain("Proyecto archivado");
  });

  it("tells someone without an Asana user why nothing of theirs is listed (in their language)", async () => {
    const view = await open(OTHER_ID);
    expect(textOf(view, "home-unmapped")).toContain("We could not find your Asana user");
    expect(textOf(view, "home-freshness")).toMatch(/^Data as of March 10, 2026/);
  });

  it("does nothing for the Messages tab", async () => {
    await world.harness.process(homeOpened({ userId: PM_ID, tab: "messages" }));
    expect(world.slack.calls).toHaveLength(0);
  });
});

describe("the App Home of a PMO admin", () => {
  it("adds the portfolio summary, the filters and every open finding, names escaped", async () => {
    const view = await open(ADMIN_ID);
    expect(view?.blocks.length).toBeLessThanOrEqual(100);
    const summary = textOf(view, "home-summary");
    expect(summary).toContain("🔴 1 · 🟡 2 · 🟢 1");
    expect(summary).toContain("completa");
    expect(summary).toMatch(/desactualizados\*\n1/);
    expect(textOf(view, "home-verticals")).toContain("Banca: 2");
    expect(textOf(view, "home-verticals")).toContain("&lt;!everyone&gt;: 1");
    const filters = view?.blocks.find((b) => b.block_id === "home-filters");
    expect(filters?.elements?.map((e) => e.action_id)).toEqual([
      HOME_FILTER_SEVERITY,
      HOME_FILTER_VERTICAL,
      HOME_FILTER_RESPONSABLE,
    ]);
    const responsables = filters?.elements?.[2]?.options?.map((o) => o.text.text);
    expect(responsables).toEqual(expect.arrayContaining(["Ana Pérez", "Luis Gómez"]));
    expect(ids(view).filter((id) => /^home-finding-\d+$/.test(id))).toHaveLength(4);
    const raw = JSON.stringify(view?.blocks.filter((b) => b.type !== "actions"));
    expect(raw).not.toMatch(/<!(channel|here|everyone)>|<@U123>|<https:\/\/evil/);
    expect(raw).toContain("&lt;!channel&gt; &amp; &lt;@U123&gt;");
  });

  it("keeps the filters the Home was left with", async () => {
    const state = { ...parseHomeState(undefined), severity: "low" as const, page: 3 };
    const view = await open(ADMIN_ID, { private_metadata: encodeHomeState(state) });
    expect(parseHomeState(view?.private_metadata)).toEqual({ ...state, page: 1 });
    expect(ids(view).filter((id) => /^home-finding-\d+$/.test(id))).toHaveLength(1);
    expect(textOf(view, "home-finding-0")).toContain("Historia clínica");
  });
});

describe("an App Home that cannot be built", () => {
  it("is published saying so in the person's language, never left blank", async () => {
    const failing = vi
      .spyOn(world.harness.services.portfolio, "read")
      .mockRejectedValue(new Error("store down"));
    const view = await open(PM_ID);
    expect(failing).toHaveBeenCalled();
    expect(ids(view)).toEqual(["home-title", "home-failed"]);
    expect(textOf(view, "home-failed")).toContain("No pude cargar tu inicio");
  });
});
