import { afterEach, describe, expect, it } from "vitest";
import {
  UPDATE_CANCEL,
  UPDATE_CHOOSE_PROJECT,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
  UPDATE_FIELDS,
  type UpdateActionId,
} from "../../../services/slack/update-ids.ts";
import {
  type InterpretInput,
  interpretStatusUpdate,
  type MessageReading,
  type StatusUpdateInterpreter,
} from "../../../services/updates/interpreter.ts";
import {
  buttonValue,
  dmFrom,
  messageButtons,
  P1,
  P2,
  PM,
  PM_DM,
  type UpdateWorld,
  updateWorld,
} from "../../fixtures/update-world.ts";

/**
 * The conversation service on dynalite with messages about several projects. Most tests read with
 * a stand-in at the interpreter's boundary that reads each clause or line on its own (the rule
 * reading of each), so they hold whatever the rule-based interpreter's own splitting does; the
 * last ones run the real interpreter.
 */

const TWO_PROJECTS = "PMO-101 al 80% en verde; PMO-102 atrasado 2 semanas por el proveedor, avance 40%";

/** Reads each ";"-separated or line-separated segment as the rule-based interpreter reads it. */
function segmentInterpreter(options: { etaUncertain?: boolean } = {}): StatusUpdateInterpreter {
  return {
    interpret: async (input: InterpretInput): Promise<MessageReading> => {
      const segments = input.text.split(/[;\n]/).filter((segment) => segment.trim() !== "");
      const readings = segments.map((segment) => {
        const reading = interpretStatusUpdate({ ...input, text: segment });
        return { ...reading, etaUncertain: options.etaUncertain === true && reading.eta !== null };
      });
      return { language: readings[0]?.language ?? input.locale, readings };
    },
  };
}

let world: UpdateWorld;
afterEach(async () => {
  await world?.close();
});

const say = (words: string, eventId = `Ev-${Math.random()}`) =>
  world.services.inbox.receive(eventId, dmFrom(world, PM, words, eventId));

/** The message a click answers: the last one posted or changed in place. */
const lastShown = () => {
  const posted = world.dm.last();
  const updated = world.dm.updates.at(-1);
  if (updated === undefined) return posted;
  return posted === undefined || updated.ts >= posted.ts ? updated : posted;
};

const click = (action: UpdateActionId, nth = 0, message = lastShown()) => {
  const payload = {
    userId: PM,
    channel: PM_DM,
    messageTs: message?.ts ?? "",
    value: buttonValue(message?.message, action, nth),
  };
  const { conversations } = world.services;
  if (action === UPDATE_CONFIRM) return conversations.confirm(payload);
  if (action === UPDATE_CANCEL) return conversations.cancel(payload);
  if (action === UPDATE_CHOOSE_PROJECT) return conversations.choose(payload);
  return conversations.edit(payload);
};

describe("a DM about several projects", () => {
  it("shows one card with a part per project, and Confirmar saves each to its own project", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say(TWO_PROJECTS, "EvTwo");
    const card = world.dm.last();
    expect(card?.text).toContain("Entendí, proyecto por proyecto:");
    expect(card?.text).toContain("*1.* Portal de clientes (PMO-101) · avance 80 % · 🟢 en curso");
    expect(card?.text).toMatch(
      /\*2\.\* Migración ERP \(PMO-102\) · avance 40 % · 🔴 [^·]+ · bloqueos: .*proveedor/,
    );
    expect(card?.text).toContain("¿Guardo estas 2 actualizaciones, cada una en su proyecto?");
    expect(messageButtons(card?.message).map((b) => b.action_id)).toEqual([
      UPDATE_EDIT,
      UPDATE_EDIT,
      UPDATE_CONFIRM,
      UPDATE_CANCEL,
    ]);

    await click(UPDATE_CONFIRM, 0, card);
    const [portal] = await world.repos.updates.listForProject(P1);
    const [erp] = await world.repos.updates.listForProject(P2);
    expect(portal).toMatchObject({
      text: TWO_PROJECTS,
      slackEventId: "EvTwo",
      parsed: { progress: 80, health: "on_track", risks: [], blockers: [] },
      interpreted: { projectGid: P1, progress: 80, health: "on_track" },
    });
    expect(erp).toMatchObject({ text: TWO_PROJECTS, parsed: { progress: 40, health: "off_track" } });
    expect(erp?.parsed.blockers.join(" ")).toContain("proveedor");
    expect(erp?.interpreted).toEqual({ ...erp?.parsed, projectGid: P2 });
    expect(portal?.submittedAt).toBe(erp?.submittedAt);

    // Each project got its own write to the store and its own alert: only PMO-102 reported trouble.
    expect((await world.repos.projects.get(P1))?.reportedProgress).toBe(80);
    expect((await world.repos.projects.get(P2))?.reportedProgress).toBe(40);
    expect(world.channel.posts).toHaveLength(1);
    expect(JSON.stringify(world.channel.posts[0]?.blocks)).toContain("Migración ERP");

    const saved = world.dm.updates.at(-1);
    expect(saved?.ts).toBe(card?.ts);
    expect(saved?.text).toContain("Guardé tus actualizaciones, cada una en su proyecto");
    expect(saved?.text).toContain("Portal de clientes (PMO-101)");
    expect(saved?.text).toContain("Migración ERP (PMO-102)");
    expect(messageButtons(saved?.message)).toEqual([]);
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("a second Confirmar, or the inbox retrying, saves nothing more", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say(TWO_PROJECTS);
    const card = world.dm.last();
    await click(UPDATE_CONFIRM, 0, card);
    await click(UPDATE_CONFIRM, 0, card);
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(await world.repos.updates.listForProject(P2)).toHaveLength(1);
    expect(world.channel.posts).toHaveLength(1);
  });

  it("Cancelar drops every part", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say(TWO_PROJECTS);
    await click(UPDATE_CANCEL);
    expect(world.dm.updates.at(-1)?.text).toContain("Cancelado");
    expect(await world.repos.updates.listForProject(P1)).toEqual([]);
    expect(await world.repos.updates.listForProject(P2)).toEqual([]);
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("asks about the part that names no project, offering only the project no other part took", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say("PMO-101 al 80% en verde\navance 40%, riesgo: el proveedor de pagos");
    const question = world.dm.last();
    expect(question?.text).toContain("Tu mensaje habla de varios proyectos. ¿De cuál es esta parte?");
    expect(question?.text).toContain("avance 40 %");
    const offered = messageButtons(question?.message).map((b) => JSON.parse(b.value ?? "{}").p);
    expect(offered).toEqual([P2]);
    await click(UPDATE_CHOOSE_PROJECT, 0, question);
    const card = world.dm.updates.at(-1);
    expect(card?.ts).toBe(question?.ts);
    expect(card?.text).toContain("*2.* Migración ERP (PMO-102) · avance 40 %");
    await click(UPDATE_CONFIRM, 0, card);
    expect((await world.repos.updates.listForProject(P1))[0]?.parsed).toMatchObject({
      progress: 80,
      risks: [],
    });
    expect((await world.repos.updates.listForProject(P2))[0]).toMatchObject({
      parsed: { progress: 40, risks: ["el proveedor de pagos"] },
      // The interpreter named no project for this part: the writer's choice is not its reading.
      interpreted: { projectGid: null, progress: 40 },
    });
  });

  it("Editar on one part saves that part as edited; the card keeps the other to confirm", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say(TWO_PROJECTS, "EvEditPart");
    const card = world.dm.last();
    const view = await click(UPDATE_EDIT, 1, card);
    if (view === null || view === undefined) throw new Error("no modal");
    const initial = (field: string) => JSON.stringify(view.blocks.find((b) => b.block_id === field));
    expect(initial(UPDATE_FIELDS.progress)).toContain('"initial_value":"40"');
    expect(initial(UPDATE_FIELDS.project)).toContain(`"value":"${P2}"`);

    const values = {
      [UPDATE_FIELDS.project]: {
        [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P2 } },
      },
      [UPDATE_FIELDS.progress]: { [UPDATE_FIELDS.progress]: { type: "number_input", value: "45" } },
      [UPDATE_FIELDS.health]: {
        [UPDATE_FIELDS.health]: { type: "static_select", selected_option: { value: "off_track" } },
      },
      [UPDATE_FIELDS.summary]: {
        [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: TWO_PROJECTS },
      },
      [UPDATE_FIELDS.blockers]: {
        [UPDATE_FIELDS.blockers]: { type: "plain_text_input", value: "el proveedor" },
      },
    };
    const accepted = await world.services.conversations.checkModal({
      userId: PM,
      viewId: "VPart",
      values,
      privateMetadata: view.private_metadata,
    });
    if (accepted.kind !== "accepted") throw new Error("not accepted");
    expect(await world.services.conversations.submitModal(accepted)).toBe("recorded");

    const [erp] = await world.repos.updates.listForProject(P2);
    expect(erp).toMatchObject({
      text: TWO_PROJECTS,
      slackEventId: "EvEditPart",
      parsed: { progress: 45, health: "off_track", blockers: ["el proveedor"] },
      interpreted: { projectGid: P2, progress: 40 },
    });
    expect(await world.repos.updates.listForProject(P1)).toEqual([]);
    // The card now holds only PMO-101; the saved part is told in a message of its own.
    const remaining = world.dm.updates.find((u) => u.ts === card?.ts);
    expect(remaining?.text).toContain("Portal de clientes (PMO-101) · avance 80 %");
    expect(remaining?.text).not.toContain("PMO-102");
    expect(world.dm.last()?.text).toContain("Guardé tu actualización de Migración ERP (PMO-102)");
    expect((await world.repos.conversations.get(PM))?.state).toBe("confirming");

    // The old card's buttons are stale; the new one's Confirmar saves PMO-101 alone.
    await click(UPDATE_CONFIRM, 0, card);
    expect(world.dm.last()?.text).toContain("ya no están vigentes");
    await click(UPDATE_CONFIRM, 0, remaining);
    expect(await world.repos.updates.listForProject(P1)).toMatchObject([{ parsed: { progress: 80 } }]);
    expect(await world.repos.updates.listForProject(P2)).toHaveLength(1);
  });

  it("a second modal for a part already saved saves on its own and leaves the other part be", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter() });
    await say(TWO_PROJECTS);
    const card = world.dm.last();
    const first = await click(UPDATE_EDIT, 1, card);
    const second = await click(UPDATE_EDIT, 1, card);
    if (!first || !second) throw new Error("no modal");
    const values = (progress: string) => ({
      [UPDATE_FIELDS.project]: {
        [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P2 } },
      },
      [UPDATE_FIELDS.progress]: { [UPDATE_FIELDS.progress]: { type: "number_input", value: progress } },
      [UPDATE_FIELDS.summary]: { [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: "ERP al día" } },
    });
    const submit = async (viewId: string, progress: string, metadata: string | undefined) => {
      const answer = await world.services.conversations.checkModal({
        userId: PM,
        viewId,
        values: values(progress),
        privateMetadata: metadata,
      });
      if (answer.kind !== "accepted") throw new Error("not accepted");
      await world.services.conversations.submitModal(answer);
    };
    await submit("V1", "41", second.private_metadata);
    world.advance(60_000);
    await submit("V2", "42", first.private_metadata);
    const erp = await world.repos.updates.listForProject(P2);
    expect(erp.map((u) => [u.parsed.progress, u.interpreted?.progress ?? null])).toEqual([
      [42, null],
      [41, 40],
    ]);
    expect(await world.repos.conversations.get(PM)).toMatchObject({
      state: "confirming",
      data: { project: { gid: P1 }, others: [] },
    });
  });

  it("flags an ETA with more than one common reading on the card", async () => {
    world = await updateWorld({ interpreter: segmentInterpreter({ etaUncertain: true }) });
    await say("PMO-101 avance 70%, entrega el 20/03");
    expect(world.dm.last()?.text).toMatch(/entrega 20 de marzo de 2026 \(¿es la fecha correcta\?\)/);
  });
});

describe("the rule-based interpreter, end to end", () => {
  it("gives each project of the message that used to mix them only its own facts", async () => {
    world = await updateWorld();
    await say(TWO_PROJECTS);
    const card = world.dm.last();
    expect(messageButtons(card?.message).some((b) => b.action_id === UPDATE_CHOOSE_PROJECT)).toBe(false);
    await click(UPDATE_CONFIRM, 0, card);
    expect(await world.repos.updates.listForProject(P1)).toMatchObject([
      { parsed: { progress: 80, health: "on_track", blockers: [] }, interpreted: { projectGid: P1 } },
    ]);
    const [erp] = await world.repos.updates.listForProject(P2);
    expect(erp?.parsed).toMatchObject({ progress: 40, health: "off_track" });
    expect(erp?.parsed.blockers.join(" ")).toContain("proveedor");
  });

  it("shows the delivery date it understood from «el jueves que viene», and asks about it", async () => {
    world = await updateWorld();
    // 2026-03-04 is a Wednesday: «el jueves que viene» is the 5th or the 12th.
    await say("PMO-101 avance 70%, entrega el jueves que viene");
    expect(world.dm.last()?.text).toMatch(/entrega \d+ de marzo de 2026 \(¿es la fecha correcta\?\)/);
  });
});

describe("what earlier versions stored", () => {
  it("a conversation stored without the new fields is confirmed and saved", async () => {
    world = await updateWorld();
    await world.repos.conversations.put(
      {
        slackUserId: PM,
        state: "confirming",
        data: {
          id: "old1",
          draft: {
            sourceId: "EvOld",
            text: "PMO-101 avance 55%",
            receivedAt: world.now().toISOString(),
            parsed: { progress: 55, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
            unread: [],
          },
          project: { gid: P1, name: "Portal de clientes", pmoId: "PMO-101", url: null },
        },
      },
      0,
    );
    await world.services.conversations.confirm({
      userId: PM,
      channel: PM_DM,
      messageTs: "1772636000.000001",
      value: JSON.stringify({ c: "old1", v: 1 }),
    });
    expect(await world.repos.updates.listForProject(P1)).toMatchObject([
      { parsed: { progress: 55 }, interpreted: null, slackEventId: "EvOld" },
    ]);
  });

  it("a confirmation recorded in the inbox without other parts is saved", async () => {
    world = await updateWorld();
    const payload = {
      kind: "submit",
      userId: PM,
      channel: PM_DM,
      ts: null,
      submittedAt: world.now().toISOString(),
      project: { gid: P2, name: "Migración ERP", pmoId: "PMO-102", url: null },
      draft: {
        sourceId: "EvOldSubmit",
        text: "PMO-102 avance 30%",
        receivedAt: world.now().toISOString(),
        parsed: { progress: 30, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
        unread: [],
      },
    };
    expect(await world.services.inbox.receive("confirm:old:1", payload)).toBe("done");
    expect(await world.repos.updates.listForProject(P2)).toMatchObject([{ parsed: { progress: 30 } }]);
  });
});
