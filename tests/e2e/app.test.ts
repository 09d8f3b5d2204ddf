import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE } from "../../services/slack/action-ids.ts";
import { parseFindingRef } from "../../services/slack/finding-ref.ts";
import { ADMIN_ID, type E2eWorld, OUTSIDER_ID, PMO_CHANNEL, startE2eWorld } from "../fixtures/e2e-world.ts";

let world: E2eWorld;
beforeAll(async () => {
  world = await startE2eWorld();
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

const repos = () => world.app.container.repos;

/** The texts respond() posted for one user, newest last. */
function responseTexts(user: string): string[] {
  return world.slack
    .responses()
    .filter((r) => r.user === user)
    .map((r) => JSON.stringify(r.body));
}

async function answerTo(user: string, text: string): Promise<string> {
  const before = responseTexts(user).length;
  await world.slack.sendCommand(user, "/pmo", text);
  await world.slack.waitFor(() => responseTexts(user).length > before, 10_000, `the answer to /pmo ${text}`);
  return responseTexts(user).slice(before).join("\n");
}

/** Every (action_id, value) pair of the buttons anywhere in some blocks. */
function buttonsIn(
  node: unknown,
  found: { actionId: string; value: string }[] = [],
): { actionId: string; value: string }[] {
  if (Array.isArray(node)) for (const item of node) buttonsIn(item, found);
  else if (node !== null && typeof node === "object") {
    const record = Object.fromEntries(Object.entries(node));
    if (typeof record.action_id === "string" && typeof record.value === "string") {
      found.push({ actionId: record.action_id, value: record.value });
    }
    for (const value of Object.values(record)) buttonsIn(value, found);
  }
  return found;
}

/** A message in the PMO channel with a button for a finding of one of `gids`. */
function alertButtonFor(gids: ReadonlySet<string>, actionId: string): { ts: string; value: string } | null {
  for (const message of world.slack.messages(PMO_CHANNEL)) {
    for (const button of buttonsIn(message.blocks)) {
      const ref = button.actionId === actionId ? parseFindingRef(button.value) : null;
      if (ref !== null && gids.has(ref.projectGid)) return { ts: message.ts, value: button.value };
    }
  }
  return null;
}

describe("the app against sandbox Slack and sandbox Asana", () => {
  it("is ready once the socket is connected", async () => {
    const ready = await fetch(`http://127.0.0.1:${world.app.healthPort}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ok: true,
      problems: [],
      socket: "connected",
      store: "reachable",
    });
  });

  it("/pmo sync by someone who is not an admin changes nothing", async () => {
    const answer = await answerTo(OUTSIDER_ID, "sync");
    expect(answer).toContain("<@U0SBXADM01>");
    expect(await repos().syncLog.recent(10)).toHaveLength(0);
  });

  it("/pmo sync by an admin syncs, evaluates and posts alerts to the PMO channel", async () => {
    const answer = await answerTo(ADMIN_ID, "sync full");
    expect(answer).toContain("Sincronizando");
    await world.slack.waitFor(
      () => responseTexts(ADMIN_ID).some((r) => r.includes("terminada")),
      30_000,
      "the sync to finish",
    );
    const stored = [];
    for await (const page of repos().projects.iterateAll()) stored.push(...page);
    expect(stored.length).toBe(world.asana.workspace.projects().filter((p) => !p.archived).length);
    expect((await repos().findings.listOpen()).length).toBeGreaterThan(0);
    const posted = world.slack.messages(PMO_CHANNEL);
    expect(posted.length).toBeGreaterThan(0);
    // Nothing from Asana pings anyone: no raw broadcast or mention survives escaping.
    for (const message of posted)
      expect(JSON.stringify(message.blocks)).not.toMatch(/<!channel>|<!here>|<@U123>/);
  });

  it("/pmo PMO-…, mis-proyectos and hallazgos alta answer with data and its freshness", async () => {
    const mine = await repos().projects.listByResponsable(world.pm.asanaGid);
    const withId = mine.find((p) => p.pmoId !== null);
    if (withId?.pmoId == null) throw new Error("the PM has no project with a PMO ID");
    const card = await answerTo(world.pm.id, withId.pmoId);
    expect(card).toContain(withId.pmoId);
    expect(card).toContain("Datos al");
    const list = await answerTo(world.pm.id, "mis-proyectos");
    expect(list).toContain(withId.pmoId);
    const high = await answerTo(ADMIN_ID, "hallazgos alta");
    expect(high).toContain("Datos al");
    const unknown = await answerTo(world.pm.id, "PMO-999999");
    expect(unknown).toContain("buscar");
  });

  it("a PM acknowledges a finding of its project through the modal; the alert shows it", async () => {
    const mine = new Set((await repos().projects.listByResponsable(world.pm.asanaGid)).map((p) => p.gid));
    const button = alertButtonFor(mine, FINDING_ACK);
    if (button === null) throw new Error("no alert with an acknowledge button for the PM's projects");
    const ref = parseFindingRef(button.value);
    await world.slack.clickButton(
      world.pm.id,
      { channel: PMO_CHANNEL, ts: button.ts },
      FINDING_ACK,
      button.value,
    );
    const modal = await world.slack.waitFor(
      () => world.slack.views(world.pm.id).find((v) => v.type === "modal" && v.open),
      10_000,
      "the acknowledge modal",
    );
    const empty = await world.slack.submitView(world.pm.id, modal.id, { comment: "   " });
    expect(JSON.stringify(empty.ack)).toContain("errors");
    await world.slack.submitView(world.pm.id, modal.id, {
      comment: "Hablé con el proveedor, lo resolvemos el lunes",
    });
    const stored: Finding | null = await waitForFinding(
      ref?.projectGid ?? "",
      ref?.ruleId ?? "",
      (f) => f.status === "acknowledged",
    );
    expect(stored).toMatchObject({ status: "acknowledged", acknowledgedBy: world.pm.id });
    await world.slack.waitFor(
      () =>
        JSON.stringify(
          world.slack.messages(PMO_CHANNEL).find((m) => m.ts === button.ts)?.blocks ?? [],
        ).includes(world.pm.id),
      10_000,
      "the alert updated in place",
    );
  });

  it("denies a non-admin's resolve and changes nothing; an admin resolves; a stale click is told", async () => {
    const all = new Set(
      (await repos().findings.listOpen()).filter((f) => f.status === "open").map((f) => f.projectGid),
    );
    const button = alertButtonFor(all, FINDING_RESOLVE);
    if (button === null) throw new Error("no alert with a resolve button");
    const ref = parseFindingRef(button.value);
    const before = await repos().findings.get(ref?.projectGid ?? "", ref?.ruleId ?? "");
    const ephemeralsBefore = world.slack.ephemerals(OUTSIDER_ID).length;
    await world.slack.clickButton(
      OUTSIDER_ID,
      { channel: PMO_CHANNEL, ts: button.ts },
      FINDING_RESOLVE,
      button.value,
    );
    await world.slack.waitFor(
      () => world.slack.ephemerals(OUTSIDER_ID).length > ephemeralsBefore,
      10_000,
      "the denial",
    );
    expect((await repos().findings.get(ref?.projectGid ?? "", ref?.ruleId ?? ""))?.version).toBe(
      before?.version,
    );

    // Two admins' clicks at once (one person twice here): exactly one transition.
    await Promise.all([
      world.slack.clickButton(
        ADMIN_ID,
        { channel: PMO_CHANNEL, ts: button.ts },
        FINDING_RESOLVE,
        button.value,
      ),
      world.slack.clickButton(
        ADMIN_ID,
        { channel: PMO_CHANNEL, ts: button.ts },
        FINDING_RESOLVE,
        button.value,
      ),
    ]);
    const resolved = await waitForFinding(
      ref?.projectGid ?? "",
      ref?.ruleId ?? "",
      (f) => f.status === "resolved",
    );
    expect(resolved).toMatchObject({ status: "resolved", resolution: "manual", resolvedBy: ADMIN_ID });
    expect(resolved?.version).toBe((before?.version ?? 0) + 1);

    // The message still carried the button before it was re-rendered: a click on it now is stale.
    const staleBefore = world.slack.ephemerals(ADMIN_ID).length;
    await world.slack
      .deliver("interactive", {
        type: "block_actions",
        user: { id: ADMIN_ID },
        team: { id: "T0SBX00001" },
        api_app_id: "A0SBXPULSE",
        trigger_id: "0.0.stale",
        container: { type: "message", channel_id: PMO_CHANNEL, message_ts: button.ts },
        channel: { id: PMO_CHANNEL },
        message: { ts: button.ts, blocks: [] },
        actions: [{ action_id: FINDING_RESOLVE, block_id: "stale", value: button.value, type: "button" }],
      })
      .catch(() => null);
    await world.slack.waitFor(
      () => world.slack.ephemerals(ADMIN_ID).length > staleBefore,
      10_000,
      "the stale notice",
    );
    expect((await repos().findings.get(ref?.projectGid ?? "", ref?.ruleId ?? ""))?.version).toBe(
      resolved?.version,
    );
  });

  it("publishes the App Home for a PM and, with the portfolio summary, for an admin", async () => {
    await world.slack.openHome(world.pm.id);
    const pmHome = await world.slack.waitFor(
      () => world.slack.views(world.pm.id).find((v) => v.type === "home"),
      10_000,
      "the PM's Home",
    );
    const pmBlocks = JSON.stringify(pmHome.view);
    expect(pmBlocks).toContain("Mis proyectos");
    await world.slack.openHome(ADMIN_ID);
    const adminHome = await world.slack.waitFor(
      () => world.slack.views(ADMIN_ID).find((v) => v.type === "home"),
      10_000,
      "the admin's Home",
    );
    expect(JSON.stringify(adminHome.view)).toContain("home_filter_severity");
    expect(JSON.stringify(pmHome.view)).not.toContain("home_filter_severity");
  });

  it("/pmo actualizar PMO-… and the Home's Actualizar estado open the update modal for that project", async () => {
    const mine = await repos().projects.listByResponsable(world.pm.asanaGid);
    const withId = mine.find((p) => p.pmoId !== null);
    if (withId?.pmoId == null) throw new Error("the PM has no project with a PMO ID");
    const modalsBefore = world.slack.views(world.pm.id).filter((v) => v.type === "modal").length;
    await world.slack.sendCommand(world.pm.id, "/pmo", `actualizar ${withId.pmoId}`);
    const modal = await world.slack.waitFor(
      () =>
        world.slack
          .views(world.pm.id)
          .filter((v) => v.type === "modal")
          .at(modalsBefore),
      10_000,
      "the update modal",
    );
    expect(JSON.stringify(modal.view)).toContain("update_modal");
    expect(JSON.stringify(modal.view)).toContain(withId.gid);

    await world.slack.openHome(world.pm.id);
    const home = await world.slack.waitFor(
      () => world.slack.views(world.pm.id).find((v) => v.type === "home"),
      10_000,
      "the Home",
    );
    await world.slack.clickButton(world.pm.id, { view_id: home.id }, "update_open");
    await world.slack.waitFor(
      () => world.slack.views(world.pm.id).filter((v) => v.type === "modal").length > modalsBefore + 1,
      10_000,
      "the update modal from the Home",
    );
  });

  it("/pmo exportar sends an admin the XLSX by DM; the file reads back", async () => {
    expect(await answerTo(ADMIN_ID, "exportar")).not.toContain("❌");
    const upload = await world.slack.waitFor(
      () => world.slack.uploads().find((u) => u.completed && u.bytes !== null),
      20_000,
      "the upload",
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(new Uint8Array(upload.bytes ?? Buffer.alloc(0)).buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Proyectos", "Hallazgos", "Cambios"]);
    expect(workbook.getWorksheet("Proyectos")?.rowCount).toBeGreaterThan(4);
    const denied = await answerTo(OUTSIDER_ID, "export");
    expect(denied).toMatch(/Solo los administradores|Only PMO admins/);
  });
});

async function waitForFinding(
  projectGid: string,
  ruleId: string,
  wanted: (f: Finding) => boolean,
): Promise<Finding | null> {
  for (let i = 0; i < 100; i++) {
    const finding = await repos().findings.get(projectGid, ruleId);
    if (finding !== null && wanted(finding)) return finding;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return repos().findings.get(projectGid, ruleId);
}
