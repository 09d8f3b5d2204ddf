import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  UPDATE_CHOOSE_PROJECT,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
  UPDATE_FIELDS,
  UPDATE_MODAL,
} from "../../../services/slack/update-ids.ts";
import type { UpdateServices } from "../../../services/updates/update-services.ts";
import { type Harness, listenerHarness, SLACK_TEST_ORIGIN } from "../../fixtures/listener-harness.ts";
import { viewSubmission } from "../../fixtures/slack-bodies.ts";
import {
  ASANA_USERS,
  OWNER2,
  P1,
  P2,
  PM,
  PM_DM,
  SLACK_USERS,
  START,
  seedProjects,
} from "../../fixtures/update-world.ts";

/**
 * The DM listener and the conversation's buttons and modal, through a real Bolt App (the listener
 * harness): Slack's Web API answered by nock, the store on dynalite.
 */

const formSchema = z.record(z.string(), z.string());
const elementSchema = z.looseObject({
  type: z.string(),
  action_id: z.string().optional(),
  value: z.string().optional(),
});
const blockSchema = z.looseObject({
  type: z.string(),
  block_id: z.string().optional(),
  text: z.looseObject({ text: z.string() }).optional(),
  elements: z
    .array(
      z.looseObject({
        type: z.string(),
        text: z.unknown().optional(),
        action_id: z.string().optional(),
        value: z.string().optional(),
      }),
    )
    .optional(),
  accessory: elementSchema.optional(),
});
type SentBlock = z.output<typeof blockSchema>;
type Sent = {
  method: string;
  channel: string;
  ts: string;
  text: string;
  blocks: SentBlock[];
  body: Record<string, string>;
};

/** chat.postMessage, chat.update and views.open at the HTTP boundary, recorded and answered ok. */
function recordSlack() {
  const sent: Sent[] = [];
  let sequence = 0;
  nock(SLACK_TEST_ORIGIN)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply((uri, raw) => {
      const method = uri.replace("/api/", "");
      const body =
        typeof raw === "string" ? Object.fromEntries(new URLSearchParams(raw)) : formSchema.parse(raw);
      const ts =
        method === "chat.postMessage" ? `1772636400.${String(++sequence).padStart(6, "0")}` : (body.ts ?? "");
      sent.push({
        method,
        channel: body.channel ?? "",
        ts,
        text: body.text ?? "",
        blocks: z.array(blockSchema).parse(JSON.parse(body.blocks ?? "[]")),
        body,
      });
      if (method === "chat.postMessage") return [200, { ok: true, channel: body.channel, ts }];
      if (method === "chat.update") return [200, { ok: true, channel: body.channel, ts }];
      if (method === "views.open") return [200, { ok: true, view: { id: "V0UPDATE1" } }];
      return [200, { ok: false, error: "unknown_method" }];
    });
  const of = (method: string) => sent.filter((s) => s.method === method);
  return {
    sent,
    posts: () => of("chat.postMessage"),
    updates: () => of("chat.update"),
    opened: () => of("views.open"),
    lastPost: () => of("chat.postMessage").at(-1),
    stop: () => nock.cleanAll(),
  };
}

let eventSequence = 0;
function dmBody(
  text: string,
  options: { eventId?: string; user?: string; event?: Record<string, unknown> } = {},
) {
  const ts = `1772636000.${String(++eventSequence).padStart(6, "0")}`;
  return {
    token: "verification-token",
    team_id: "T0PMO",
    api_app_id: "A0PMOPULSE",
    type: "event_callback",
    event_id: options.eventId ?? `EvDm${eventSequence}`,
    event_time: 1772636000,
    event: {
      type: "message",
      channel: PM_DM,
      channel_type: "im",
      user: options.user ?? PM,
      text,
      ts,
      event_ts: ts,
      ...options.event,
    },
  };
}

function buttonOf(message: Sent | undefined, actionId: string, nth = 0) {
  const buttons = (message?.blocks ?? []).flatMap((block) => [
    ...(block.type === "actions"
      ? (block.elements ?? []).map((e) => ({ blockId: block.block_id ?? "", e }))
      : []),
    ...(block.accessory === undefined ? [] : [{ blockId: block.block_id ?? "", e: block.accessory }]),
  ]);
  const found = buttons.filter((b) => b.e.action_id === actionId)[nth];
  if (found === undefined) throw new Error(`no ${actionId} button`);
  return { blockId: found.blockId, value: found.e.value ?? "" };
}

function clickBody(message: Sent | undefined, actionId: string, nth = 0, userId = PM) {
  const button = buttonOf(message, actionId, nth);
  return {
    type: "block_actions",
    user: { id: userId, username: "pm", name: "pm", team_id: "T0PMO" },
    team: { id: "T0PMO", domain: "pmo" },
    api_app_id: "A0PMOPULSE",
    token: "verification-token",
    trigger_id: `trigger-${++eventSequence}.secret`,
    container: { type: "message", channel_id: PM_DM, message_ts: message?.ts ?? "", is_ephemeral: false },
    channel: { id: PM_DM, name: "directmessage" },
    message: {
      type: "message",
      ts: message?.ts ?? "",
      text: message?.text ?? "",
      blocks: message?.blocks ?? [],
    },
    actions: [
      { type: "button", action_id: actionId, block_id: button.blockId, value: button.value, action_ts: "1" },
    ],
  };
}

let h: Harness;
let now = START;
let slack: ReturnType<typeof recordSlack>;
let services: UpdateServices;

beforeEach(async () => {
  now = START;
  h = await listenerHarness({ slackUsers: SLACK_USERS, asanaUsers: ASANA_USERS, now: () => now });
  await seedProjects(h.repos);
  services = h.services.updates;
  slack = recordSlack();
});
afterEach(async () => {
  await services.inbox.idle();
  slack.stop();
  vi.restoreAllMocks();
  await h.close();
});

describe("a DM", () => {
  it("gets the card with Confirmar, Editar and Cancelar, links not unfurled", async () => {
    await h.process(dmBody("PMO-101 avance 70%, en riesgo por el proveedor"));
    const card = slack.lastPost();
    expect(card?.channel).toBe(PM_DM);
    expect(card?.text).toContain("Entendí:");
    expect(card?.body.unfurl_links).toBe("false");
    expect(buttonOf(card, UPDATE_CONFIRM).blockId).toBe("update-card-actions");
  });

  it("delivered twice (the same envelope) is answered and saved once", async () => {
    const body = dmBody("PMO-101 avance 70%, en riesgo por el proveedor");
    await Promise.all([h.process(body), h.process(body)]);
    await h.process(body);
    expect(slack.posts()).toHaveLength(1);
    await h.process(clickBody(slack.lastPost(), UPDATE_CONFIRM));
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
  });

  it("goes through the buttons: the project chosen, then confirmed, the card updated in place", async () => {
    await h.process(dmBody("avance 30%, próximos pasos: pruebas de carga"));
    const question = slack.lastPost();
    expect(question?.text).toContain("¿De qué proyecto");
    await h.process(clickBody(question, UPDATE_CHOOSE_PROJECT, 1));
    const card = slack.updates().at(-1);
    expect(card).toMatchObject({ channel: PM_DM, ts: question?.ts });
    expect(card?.text).toContain("Migración ERP");
    await h.process(clickBody({ ...(card as Sent), ts: question?.ts ?? "" }, UPDATE_CONFIRM));
    expect(await h.repos.updates.listForProject(P2)).toMatchObject([
      { text: "avance 30%, próximos pasos: pruebas de carga" },
    ]);
    expect(slack.updates().at(-1)?.text).toMatch(
      /^✅ Guardé tu actualización de <[^|]+\|Migración ERP> \(PMO-102\)/,
    );
  });

  it("«ayuda» is answered with how to look things up and how to write an update", async () => {
    await h.process(dmBody("ayuda"));
    expect(slack.lastPost()?.text).toBe(
      "Cómo enviarme una actualización de estado y cómo consultarme tus proyectos",
    );
    const blocks = JSON.stringify(slack.lastPost()?.blocks);
    expect(blocks).toContain("¿Cómo va PMO-123?");
    expect(blocks).toContain("PMO-123 avance 70%");
  });

  it("of 40,000 characters gets a polite answer and nothing breaks", async () => {
    await h.process(dmBody(`PMO-101 ${"x".repeat(39_992)}`));
    expect(slack.lastPost()?.text).toContain("40.000 caracteres");
    expect(await h.repos.conversations.get(PM)).toBeNull();
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
  });

  it("with `<!channel>` is echoed only escaped", async () => {
    await h.process(dmBody("PMO-101 avance 10%, riesgo: &lt;!channel&gt; &amp; <!here> <@U0X>"));
    const sent = JSON.stringify(slack.posts());
    expect(sent).not.toMatch(/<!channel>|<!here>|<@U0X>/);
  });

  it.each([
    ["a bot's message", { bot_id: "B0OTHER" }],
    ["an edit", { subtype: "message_changed" }],
    ["a deletion", { subtype: "message_deleted" }],
    ["a message in a channel", { channel_type: "channel", channel: "C0GENERAL" }],
  ])("ignores %s", async (_what, event) => {
    await h.process(dmBody("PMO-101 avance 70%", { event }));
    expect(slack.sent).toEqual([]);
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
    expect(await h.repos.conversations.get(PM)).toBeNull();
  });
});

describe("a lookup by DM", () => {
  it("«mis proyectos»: chat.postMessage with the list, no conversation stored", async () => {
    await h.process(dmBody("mis proyectos"));
    expect(slack.posts()).toHaveLength(1);
    const answer = slack.lastPost();
    expect(answer?.channel).toBe(PM_DM);
    expect(answer?.text).toMatch(/^Tus proyectos: 2\n/);
    expect(answer?.body.unfurl_links).toBe("false");
    const blocks = answer?.blocks ?? [];
    expect(blocks.map((b) => b.block_id)).toEqual([
      "pmo-title",
      "pmo-project-0",
      "pmo-project-1",
      "pmo-freshness",
    ]);
    expect(blocks[1]?.text?.text).toContain("Portal de clientes");
    expect(blocks[2]?.text?.text).toContain("Migración ERP");
    expect(JSON.stringify(blocks)).not.toContain("App móvil");
    expect(await h.repos.conversations.get(PM)).toBeNull();
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
  });

  it("a PMO ID: the project's card, no update started", async () => {
    await h.process(dmBody("¿cómo va PMO-201?"));
    const answer = slack.lastPost();
    expect(answer?.text).toContain("App móvil");
    expect(answer?.blocks[0]?.block_id).toBe("pmo-card-title");
    expect(answer?.text).not.toContain("Entendí");
    expect(await h.repos.conversations.get(PM)).toBeNull();
  });

  it("delivered twice (the same envelope) is answered once", async () => {
    const body = dmBody("mis proyectos");
    await Promise.all([h.process(body), h.process(body)]);
    await h.process(body);
    expect(slack.posts()).toHaveLength(1);
  });

  it("by a guest is refused as every other surface refuses them, and nothing is looked up", async () => {
    const guests = await listenerHarness({
      slackUsers: {
        ...SLACK_USERS,
        [PM]: {
          email: "pm@empresa.example",
          name: "Paula Méndez",
          locale: "es-LA",
          membership: { teamId: null, restricted: true, ultraRestricted: false },
        },
      },
      asanaUsers: ASANA_USERS,
      now: () => now,
    });
    try {
      await seedProjects(guests.repos);
      await guests.process(dmBody("mis proyectos"));
      expect(slack.posts().map((p) => p.text)).toEqual([
        "PMO Pulse no está disponible para invitados del espacio de trabajo. Si lo necesitas, habla con la PMO.",
      ]);
      expect(await guests.repos.meta.inbound.listPending()).toEqual([]);
      expect(await guests.repos.conversations.get(PM)).toBeNull();
    } finally {
      await guests.services.updates.inbox.idle();
      await guests.close();
    }
  });
});

describe("a failure after the ack", () => {
  it("saving fails once: retried in-process, and the writer sees it saved", async () => {
    await h.process(dmBody("PMO-101 avance 70%, en riesgo por el proveedor"));
    const card = slack.lastPost();
    vi.spyOn(h.repos.updates, "add").mockRejectedValueOnce(
      new Error("ProvisionedThroughputExceededException"),
    );
    await h.process(clickBody(card, UPDATE_CONFIRM));
    expect(await h.repos.updates.listForProject(P1)).toEqual([]);
    expect((await h.repos.meta.inbound.listPending()).map((w) => w.id)).toEqual([
      `confirm:${JSON.parse(buttonOf(card, UPDATE_CONFIRM).value).c}:1`,
    ]);
    await services.inbox.idle();
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(slack.updates().at(-1)).toMatchObject({ ts: card?.ts });
    expect(slack.updates().at(-1)?.text).toContain("Guardé tu actualización");
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
  });

  it("saving fails twice: the writer is told, and the scheduler's retry saves it and says so", async () => {
    await h.process(dmBody("PMO-101 avance 70%"));
    const card = slack.lastPost();
    vi.spyOn(h.repos.updates, "add")
      .mockRejectedValueOnce(new Error("store down"))
      .mockRejectedValueOnce(new Error("store down"));
    await h.process(clickBody(card, UPDATE_CONFIRM));
    await services.inbox.idle();
    expect(slack.lastPost()?.text).toContain("No pude guardar tu actualización; lo intentaré de nuevo");
    expect(await h.repos.updates.listForProject(P1)).toEqual([]);

    expect(await services.inbox.retryPending()).toMatchObject({ pending: 1, done: 1 });
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(slack.lastPost()?.text).toMatch(/^✅ Guardé tu actualización de <[^|]+\|Portal de clientes>/);
    expect(await services.inbox.retryPending()).toMatchObject({ pending: 0 });
  });

  it("reading the DM fails twice: the writer is told, and the retry answers it", async () => {
    vi.spyOn(h.repos.projects, "listByResponsable")
      .mockRejectedValueOnce(new Error("store down"))
      .mockRejectedValueOnce(new Error("store down"));
    await h.process(dmBody("PMO-101 avance 70%"));
    await services.inbox.idle();
    expect(slack.posts().map((p) => p.text)).toEqual([
      expect.stringContaining("No pude procesar tu mensaje"),
    ]);
    await services.inbox.retryPending();
    expect(slack.lastPost()?.text).toContain("Entendí:");
  });

  it("a DM that cannot even be recorded is answered with an explicit failure", async () => {
    vi.spyOn(h.repos.meta.inbound, "record").mockRejectedValueOnce(new Error("store down"));
    await h.process(dmBody("PMO-101 avance 70%"));
    expect(slack.lastPost()?.text).toContain("No pude recibir tu mensaje");
  });
});

describe("Editar and the update modal", () => {
  it("opens the modal prefilled; a submission with errors is answered per field, a valid one saved", async () => {
    await h.process(dmBody("PMO-101 avance 70%, riesgo: el proveedor"));
    const card = slack.lastPost();
    const click = clickBody(card, UPDATE_EDIT);
    await h.process(click);
    const [open] = slack.opened();
    expect(open?.body.trigger_id).toBe(click.trigger_id);
    const view = z
      .looseObject({ callback_id: z.string(), private_metadata: z.string() })
      .parse(JSON.parse(open?.body.view ?? "{}"));
    expect(view.callback_id).toBe(UPDATE_MODAL);

    const values = (progress: string) => ({
      [UPDATE_FIELDS.project]: {
        [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P1 } },
      },
      [UPDATE_FIELDS.progress]: { [UPDATE_FIELDS.progress]: { type: "number_input", value: progress } },
      [UPDATE_FIELDS.summary]: {
        [UPDATE_FIELDS.summary]: {
          type: "plain_text_input",
          value: "PMO-101 avance 70%, riesgo: el proveedor",
        },
      },
    });
    const rejected = await h.process(
      viewSubmission({
        userId: PM,
        callbackId: UPDATE_MODAL,
        metadata: view.private_metadata,
        values: values("abc"),
      }),
    );
    expect(rejected).toEqual({
      response_action: "errors",
      errors: { [UPDATE_FIELDS.progress]: "Escribe un número entero de 0 a 100." },
    });
    expect(await h.repos.updates.listForProject(P1)).toEqual([]);

    const accepted = await h.process(
      viewSubmission({
        userId: PM,
        callbackId: UPDATE_MODAL,
        metadata: view.private_metadata,
        values: values("80"),
      }),
    );
    expect(accepted).toBeUndefined();
    expect(await h.repos.updates.listForProject(P1)).toMatchObject([
      { text: "PMO-101 avance 70%, riesgo: el proveedor", parsed: { progress: 80 } },
    ]);
    expect(slack.updates().at(-1)).toMatchObject({ ts: card?.ts });
  });

  it("a submission is acked before anything asks Slack, even when the profile is days old", async () => {
    await h.process(dmBody("PMO-101 avance 70%"));
    await h.process(clickBody(slack.lastPost(), UPDATE_EDIT));
    const [open] = slack.opened();
    const view = z.looseObject({ private_metadata: z.string() }).parse(JSON.parse(open?.body.view ?? "{}"));
    now = new Date(START.getTime() + 3 * 24 * 60 * 60 * 1000);
    h.timeline.length = 0;
    const accepted = await h.process(
      viewSubmission({
        userId: PM,
        callbackId: UPDATE_MODAL,
        metadata: view.private_metadata,
        values: {
          [UPDATE_FIELDS.project]: {
            [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P1 } },
          },
          [UPDATE_FIELDS.summary]: {
            [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: "avance 80%" },
          },
        },
      }),
    );
    expect(accepted).toBeUndefined();
    expect(h.timeline[0]).toBe("ack");
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
  });

  it("a submission that cannot be checked (the store is down) is answered, not left hanging", async () => {
    vi.spyOn(h.repos.projects, "get").mockRejectedValueOnce(new Error("store down"));
    const answer = await h.process(
      viewSubmission({
        userId: PM,
        callbackId: UPDATE_MODAL,
        metadata: "",
        values: {
          [UPDATE_FIELDS.project]: {
            [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P1 } },
          },
          [UPDATE_FIELDS.summary]: {
            [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: "avance 50%" },
          },
        },
      }),
    );
    expect(answer).toEqual({
      response_action: "errors",
      errors: { [UPDATE_FIELDS.summary]: expect.stringContaining("problema técnico") },
    });
    expect(await h.repos.updates.listForProject(P1)).toEqual([]);
  });
});

describe("a modal submission the store fails", () => {
  /** A DM, Editar, and the modal's private metadata (the draft's conversation). */
  async function openEdit(text: string): Promise<string> {
    await h.process(dmBody(text));
    await h.process(clickBody(slack.lastPost(), UPDATE_EDIT));
    const open = slack.opened().at(-1);
    return z.looseObject({ private_metadata: z.string() }).parse(JSON.parse(open?.body.view ?? "{}"))
      .private_metadata;
  }
  const submitted = (metadata: string) =>
    viewSubmission({
      userId: PM,
      callbackId: UPDATE_MODAL,
      metadata,
      values: {
        [UPDATE_FIELDS.project]: {
          [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P1 } },
        },
        [UPDATE_FIELDS.summary]: {
          [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: "PMO-101 avance 70%" },
        },
      },
    });

  it("not recorded: the draft is kept, the writer is told, nothing is half-written", async () => {
    const metadata = await openEdit("PMO-101 avance 70%");
    const draft = await h.repos.conversations.get(PM);
    expect(draft).not.toBeNull();
    vi.spyOn(h.repos.meta.inbound, "record").mockRejectedValueOnce(new Error("store down"));
    expect(await h.process(submitted(metadata))).toBeUndefined();

    expect(await h.repos.conversations.get(PM)).toEqual(draft);
    expect(slack.lastPost()).toMatchObject({ channel: PM_DM });
    expect(slack.lastPost()?.text).toContain("No pude guardar tu actualización por un problema técnico");
    expect(await h.repos.updates.listForProject(P1)).toEqual([]);
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);

    // The kept draft is submitted again and saved.
    await h.process(submitted(metadata));
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(await h.repos.conversations.get(PM)).toBeNull();
  });

  it("recorded but the draft not cleared: the update is saved exactly once, no failure told", async () => {
    const metadata = await openEdit("PMO-101 avance 70%");
    vi.spyOn(h.repos.conversations, "clear").mockRejectedValueOnce(new Error("store down"));
    await h.process(submitted(metadata));
    await services.inbox.idle();
    await services.inbox.retryPending();
    expect(await h.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(
      slack
        .posts()
        .map((p) => p.text)
        .join("\n"),
    ).not.toContain("No pude");
    expect(slack.updates().at(-1)?.text).toContain("Guardé tu actualización");
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);
  });
});

describe("a DM flood", () => {
  it("past 20 a minute: one polite answer, the rest neither processed nor kept; others unaffected", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `EvFlood${i}`);
    for (const eventId of ids) await h.process(dmBody("ayuda", { eventId }));

    const tooMany = slack.posts().filter((p) => p.text.includes("demasiados mensajes"));
    expect(tooMany).toHaveLength(1);
    expect(tooMany[0]?.channel).toBe(PM_DM);
    expect(slack.posts().filter((p) => p.text.startsWith("Cómo enviarme"))).toHaveLength(20);
    for (const eventId of ids.slice(0, 20)) expect(await h.repos.meta.inbound.get(eventId)).not.toBeNull();
    for (const eventId of ids.slice(20)) expect(await h.repos.meta.inbound.get(eventId)).toBeNull();
    expect(await h.repos.meta.inbound.listPending()).toEqual([]);

    await h.process(dmBody("ayuda", { eventId: "EvOther", user: OWNER2 }));
    expect(await h.repos.meta.inbound.get("EvOther")).not.toBeNull();

    now = new Date(now.getTime() + 60_000);
    await h.process(dmBody("ayuda", { eventId: "EvNextMinute" }));
    expect(await h.repos.meta.inbound.get("EvNextMinute")).not.toBeNull();
    expect(slack.posts().filter((p) => p.text.includes("demasiados mensajes"))).toHaveLength(1);
  });
});
