import {
  App,
  type BlockAction,
  type ButtonAction,
  LogLevel,
  SocketModeReceiver,
  type ViewSubmitAction,
} from "@slack/bolt";
import type { Logger } from "@slack/logger";
import type { ActionsBlock, HomeView, InputBlock, SectionBlock } from "@slack/types";
import { WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient } from "@slack/web-api";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type JsonObject, jsonObjectSchema } from "../../../sandbox/slack/json.ts";
import {
  SANDBOX_APP,
  SandboxAckTimeoutError,
  type SandboxSlack,
  startSandboxSlack,
} from "../../../sandbox/slack/server.ts";

const ADMIN = "U0SBXADM01";
const PM = "U0SBXPM001";
const EN_PM = "U0SBXPM003";
const PMO_CHANNEL = "C0SBXPMO01";

const quiet: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

function webClient(slack: SandboxSlack, token = slack.botToken, rejectRateLimitedCalls = false): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls,
    logger: quiet,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

async function platformError(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  if (!(error instanceof WebAPIPlatformError)) throw error;
  return error.data.error ?? "";
}

const section = (text: string, blockId?: string): SectionBlock => ({
  type: "section",
  ...(blockId === undefined ? {} : { block_id: blockId }),
  text: { type: "mrkdwn", text },
});

const buttons = (...items: { actionId: string; value: string; text?: string }[]): ActionsBlock => ({
  type: "actions",
  block_id: "finding_actions",
  elements: items.map((item) => ({
    type: "button",
    action_id: item.actionId,
    value: item.value,
    text: { type: "plain_text", text: item.text ?? item.actionId },
  })),
});

describe("the Web API", () => {
  let slack: SandboxSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startSandboxSlack();
    client = webClient(slack);
  });
  afterAll(async () => {
    await slack.stop();
  });
  afterEach(() => slack.clearFaults());

  it("answers auth.test for the bot token and refuses other tokens", async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: SANDBOX_APP.botUserId, bot_id: SANDBOX_APP.botId });
    expect(await platformError(webClient(slack, "xoxb-wrong").auth.test())).toBe("invalid_auth");
    expect(await platformError(webClient(slack, slack.appToken).auth.test())).toBe("not_allowed_token_type");
    expect(await platformError(client.apiCall("pmo.nothing"))).toBe("unknown_method");
    expect(slack.calls("auth.test")[0]).toMatchObject({ token: slack.botToken, ok: true, error: null });
  });

  it("opens socket connections only for the app-level token", async () => {
    const appClient = new WebClient("", {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: quiet,
      headers: { Authorization: `Bearer ${slack.appToken}` },
    });
    const opened = await appClient.apps.connections.open();
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=[\w-]+&app_id=A0SBXPULSE$/);
    expect(await platformError(client.apps.connections.open())).toBe("not_allowed_token_type");
  });

  it("posts, updates and deletes messages with increasing ts and keeps metadata for history", async () => {
    const first = await client.chat.postMessage({
      channel: PMO_CHANNEL,
      text: "Hallazgo alto en PMO-123",
      blocks: [section("*PMO-123* en riesgo"), buttons({ actionId: "finding_ack", value: "f-1" })],
      metadata: { event_type: "finding_alert", event_payload: { finding_id: "f-1" } },
      unfurl_links: false,
    });
    const second = await client.chat.postMessage({ channel: "#pmo-alertas", text: "Resumen" });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(BigInt((second.ts ?? "").replace(".", ""))).toBeGreaterThan(
      BigInt((first.ts ?? "").replace(".", "")),
    );
    expect(first.message?.blocks?.[0]?.block_id).toEqual(expect.any(String));

    await client.chat.update({ channel: PMO_CHANNEL, ts: first.ts ?? "", text: "Reconocido por Ana" });
    const updated = slack.messages(PMO_CHANNEL).find((m) => m.ts === first.ts);
    expect(updated).toMatchObject({ text: "Reconocido por Ana", edited: { user: SANDBOX_APP.botUserId } });
    expect(updated?.blocks).toHaveLength(2);

    const withMetadata = await client.conversations.history({
      channel: PMO_CHANNEL,
      include_all_metadata: true,
    });
    const withoutMetadata = await client.conversations.history({ channel: PMO_CHANNEL });
    expect(withMetadata.messages?.map((m) => m.ts)).toEqual([second.ts, first.ts]);
    expect(withMetadata.messages?.[1]?.metadata).toEqual({
      event_type: "finding_alert",
      event_payload: { finding_id: "f-1" },
    });
    expect(withoutMetadata.messages?.[1]?.metadata).toBeUndefined();
    const page = await client.conversations.history({ channel: PMO_CHANNEL, limit: 1 });
    expect(page.has_more).toBe(true);
    const next = await client.conversations.history({
      channel: PMO_CHANNEL,
      limit: 1,
      cursor: page.response_metadata?.next_cursor ?? "",
    });
    expect(next.messages?.map((m) => m.ts)).toEqual([first.ts]);

    await client.chat.delete({ channel: PMO_CHANNEL, ts: second.ts ?? "" });
    expect(slack.messages(PMO_CHANNEL).map((m) => m.ts)).toEqual([first.ts]);
    expect(
      await platformError(client.chat.update({ channel: PMO_CHANNEL, ts: second.ts ?? "", text: "x" })),
    ).toBe("message_not_found");
    expect(slack.calls("chat.postMessage")[0]?.args).toMatchObject({
      channel: PMO_CHANNEL,
      unfurl_links: "false",
      metadata: { event_type: "finding_alert" },
    });
  });

  it("answers Slack's validation errors", async () => {
    const tooMany = Array.from({ length: 51 }, (_, i) => section(`fila ${i}`));
    const cases: [Promise<unknown>, string][] = [
      [client.chat.postMessage({ channel: "C0NOPE0000", text: "hola" }), "channel_not_found"],
      [client.chat.postMessage({ channel: PMO_CHANNEL, text: "" }), "no_text"],
      [client.chat.postMessage({ channel: PMO_CHANNEL, text: "x".repeat(40_001) }), "msg_too_long"],
      [client.chat.postMessage({ channel: PMO_CHANNEL, text: "t", blocks: tooMany }), "invalid_blocks"],
      [
        client.chat.postMessage({ channel: PMO_CHANNEL, text: "t", blocks: [section("y".repeat(3001))] }),
        "invalid_blocks",
      ],
      [client.chat.update({ channel: PMO_CHANNEL, ts: "1.000001", text: "x" }), "message_not_found"],
      [client.chat.delete({ channel: PMO_CHANNEL, ts: "1.000001" }), "message_not_found"],
      [client.users.info({ user: "U0NOBODY00" }), "user_not_found"],
      [client.users.lookupByEmail({ email: "nadie@empresa.example" }), "users_not_found"],
      [
        client.views.open({
          trigger_id: "123.456.abc",
          view: { type: "modal", title: { type: "plain_text", text: "x" }, blocks: [] },
        }),
        "invalid_trigger_id",
      ],
    ];
    for (const [call, expected] of cases) expect(await platformError(call)).toBe(expected);
    const invalid = slack.calls("chat.postMessage").find((c) => c.error === "invalid_blocks");
    expect(invalid?.ok).toBe(false);
    expect(slack.messages(PMO_CHANNEL).some((m) => m.text === "hola" || m.text === "t")).toBe(false);
  });

  it("takes JSON bodies and a token in a form body", async () => {
    const json = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        authorization: `Bearer ${slack.botToken}`,
      },
      body: JSON.stringify({ channel: PMO_CHANNEL, text: "json", blocks: [section("json")] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, channel: PMO_CHANNEL });
    const form = await fetch(`${slack.apiUrl}auth.test`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: slack.botToken }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true, user_id: SANDBOX_APP.botUserId });
    expect(slack.calls("auth.test").at(-1)).toMatchObject({ token: slack.botToken, args: {} });
  });

  it("opens DMs, looks users up and publishes Home views", async () => {
    const opened = await client.conversations.open({ users: PM });
    const dm = opened.channel?.id ?? "";
    expect(dm).toMatch(/^D/);
    expect((await client.conversations.open({ users: PM })).channel?.id).toBe(dm);
    expect((await client.conversations.open({ users: EN_PM })).channel?.id).not.toBe(dm);
    await client.chat.postMessage({ channel: dm, text: "Hola Carlos" });
    await client.chat.postMessage({ channel: PM, text: "Por el id de usuario" });
    expect(slack.messages(dm).map((m) => m.text)).toEqual(["Hola Carlos", "Por el id de usuario"]);

    const info = await client.users.info({ user: ADMIN, include_locale: true });
    expect(info.user).toMatchObject({
      id: ADMIN,
      locale: "es-LA",
      tz: "America/Bogota",
      tz_offset: -18_000,
      is_admin: true,
      profile: { email: "ana.torres@empresa.example" },
    });
    expect((await client.users.info({ user: ADMIN })).user?.locale).toBeUndefined();
    const byEmail = await client.users.lookupByEmail({ email: "John.Smith@empresa.example" });
    expect(byEmail.user?.id).toBe(EN_PM);

    const home: HomeView = {
      type: "home",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Mis proyectos" } },
        section("Datos al 1 jun"),
      ],
    };
    const published = await client.views.publish({ user_id: PM, view: home });
    const again = await client.views.publish({ user_id: PM, view: home, hash: published.view?.hash ?? "" });
    expect(again.view?.id).toBe(published.view?.id);
    expect(await platformError(client.views.publish({ user_id: PM, view: home, hash: "stale" }))).toBe(
      "hash_conflict",
    );
    const [view] = slack.views(PM);
    expect(view).toMatchObject({ type: "home", user: PM, open: true });
    expect(view?.view.blocks).toHaveLength(2);
  });

  it("stores a file uploaded through the external upload flow", async () => {
    const dm = (await client.conversations.open({ users: ADMIN })).channel?.id ?? "";
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00, 0x10]);
    const result = await client.filesUploadV2({
      channel_id: dm,
      file: bytes,
      filename: "exportacion.xlsx",
      title: "Exportación",
      initial_comment: "Tu exportación",
    });
    expect(result.ok).toBe(true);
    const [upload] = slack.uploads();
    expect(upload).toMatchObject({
      filename: "exportacion.xlsx",
      title: "Exportación",
      completed: true,
      channels: [dm],
      declaredLength: bytes.length,
    });
    expect(upload?.bytes?.equals(bytes)).toBe(true);
    const [shared] = slack.messages(dm);
    expect(shared?.text).toBe("Tu exportación");
    const file = shared?.files[0];
    const urlPrivate = typeof file?.url_private === "string" ? file.url_private : "";
    expect(file?.mimetype).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const download = await fetch(urlPrivate, { headers: { authorization: `Bearer ${slack.botToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(slack.calls().map((c) => c.method)).toEqual(
      expect.arrayContaining(["files.getUploadURLExternal", "files.completeUploadExternal"]),
    );
  });

  it("injects a rate limit, a failure, a lost answer and latency", async () => {
    slack.rateLimit("chat.postMessage", { retryAfterSeconds: 7 });
    const limited = await rejection(
      webClient(slack, slack.botToken, true).chat.postMessage({ channel: PMO_CHANNEL, text: "limitado" }),
    );
    expect(limited).toBeInstanceOf(WebAPIRateLimitedError);
    expect(limited instanceof WebAPIRateLimitedError ? limited.retryAfter : null).toBe(7);
    expect(slack.calls("chat.postMessage").at(-1)).toMatchObject({
      fault: "rate_limited",
      error: "ratelimited",
    });

    slack.fail("chat.update", "fatal_error");
    expect(await platformError(client.chat.update({ channel: PMO_CHANNEL, ts: "1.1", text: "x" }))).toBe(
      "fatal_error",
    );

    slack.dropResponse("chat.postMessage");
    const lost = await rejection(
      client.chat.postMessage({ channel: PMO_CHANNEL, text: "respuesta perdida" }),
    );
    expect(lost).toBeInstanceOf(WebAPIRequestError);
    expect(slack.messages(PMO_CHANNEL).some((m) => m.text === "respuesta perdida")).toBe(true);
    expect(slack.calls("chat.postMessage").at(-1)).toMatchObject({ fault: "dropped", ok: null });
    expect(slack.messages(PMO_CHANNEL).some((m) => m.text === "limitado")).toBe(false);

    slack.setLatency(120, "auth.test");
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });
});

type Seen = { commands: number; messages: { eventId: string; retryNum: number | undefined }[] };

function boltApp(slack: SandboxSlack, seen: Seen, receiver?: SocketModeReceiver): App {
  const clientOptions = { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } };
  const app =
    receiver === undefined
      ? new App({
          token: slack.botToken,
          appToken: slack.appToken,
          socketMode: true,
          clientOptions,
          logLevel: LogLevel.ERROR,
        })
      : new App({ token: slack.botToken, receiver, clientOptions, logLevel: LogLevel.ERROR });

  app.command("/pmo", async ({ ack, command, respond, client }) => {
    seen.commands++;
    await ack();
    await respond({ text: `Buscando ${command.text}…` });
    await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: "Listo" });
  });

  app.command("/pmo-ack", async ({ ack }) => {
    await ack({ text: "Recibido en el ack" });
  });

  app.action<BlockAction<ButtonAction>>("finding_ack", async ({ ack, body, action, client, respond }) => {
    await ack();
    const channel = body.channel?.id;
    const ts = body.message?.ts;
    if (channel !== undefined && ts !== undefined) {
      await client.chat.update({
        channel,
        ts,
        text: `Reconocido ${action.value} por <@${body.user.id}>`,
        blocks: [],
      });
    }
    await respond({ text: "Gracias", replace_original: false });
  });

  app.action<BlockAction<ButtonAction>>("open_update", async ({ ack, body, client }) => {
    await ack();
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: "modal",
        callback_id: "cb",
        private_metadata: body.actions[0]?.value ?? "",
        title: { type: "plain_text", text: "Actualizar" },
        submit: { type: "plain_text", text: "Guardar" },
        blocks: [
          {
            type: "input",
            block_id: "progress",
            label: { type: "plain_text", text: "Avance" },
            element: { type: "plain_text_input", action_id: "value" },
          },
          {
            type: "input",
            block_id: "health",
            label: { type: "plain_text", text: "Salud" },
            element: {
              type: "static_select",
              action_id: "choice",
              options: [
                { text: { type: "plain_text", text: "En riesgo" }, value: "at_risk" },
                { text: { type: "plain_text", text: "Bien" }, value: "on_track" },
              ],
            },
          },
        ],
      },
    });
  });

  app.action("never_acked", async () => {});

  app.event("app_home_opened", async ({ event, client }) => {
    await client.views.publish({
      user_id: event.user,
      view: {
        type: "home",
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: "Tus proyectos" } },
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: "open_update",
                value: "PMO-123",
                text: { type: "plain_text", text: "Actualizar" },
              },
            ],
          },
        ],
      },
    });
  });

  app.message(async ({ message, say, context, body }) => {
    if (message.subtype !== undefined) return;
    const eventId = "event_id" in body && typeof body.event_id === "string" ? body.event_id : "";
    seen.messages.push({ eventId, retryNum: context.retryNum });
    await say(`Recibí: ${message.text ?? ""}`);
  });

  app.view<ViewSubmitAction>("cb", async ({ ack, view, body, client }) => {
    const progress = view.state.values.progress?.value?.value ?? "";
    if (!/^\d+$/.test(progress)) {
      await ack({ response_action: "errors", errors: { progress: "Escribe un número" } });
      return;
    }
    await ack();
    const health = view.state.values.health?.choice?.selected_option?.value ?? "";
    await client.chat.postMessage({
      channel: body.user.id,
      text: `${view.private_metadata}: ${progress}% ${health}`,
    });
  });
  return app;
}

describe("socket mode with a real Bolt app", () => {
  let slack: SandboxSlack;
  let app: App;
  const seen: Seen = { commands: 0, messages: [] };

  beforeAll(async () => {
    slack = await startSandboxSlack({ ackTimeoutMs: 2000 });
    app = boltApp(slack, seen);
    await app.start();
  });
  afterAll(async () => {
    await app.stop();
    await slack.stop();
  });

  it("connected through apps.connections.open and got a hello", async () => {
    expect(slack.calls("apps.connections.open")).toHaveLength(1);
    expect(slack.calls("apps.connections.open")[0]?.token).toBe(slack.appToken);
    expect(slack.connections()).toHaveLength(1);
  });

  it("delivers a slash command, gets the ack and records respond() and the ephemeral", async () => {
    const delivery = await slack.sendCommand(PM, "/pmo", "PMO-123");
    expect(delivery.ack).toEqual({});
    expect(delivery.payload).toMatchObject({
      command: "/pmo",
      text: "PMO-123",
      user_id: PM,
      api_app_id: SANDBOX_APP.appId,
      trigger_id: expect.any(String),
      response_url: expect.stringContaining(`${slack.origin}/response/`),
    });
    await slack.waitFor(() => slack.calls("chat.postEphemeral").length === 1, 2000, "the ephemeral");
    const [response] = await slack.waitFor(() => slack.responses().length > 0 && slack.responses());
    expect(response).toMatchObject({ kind: "slash_commands", user: PM, body: { text: "Buscando PMO-123…" } });
    await slack.waitFor(() => slack.ephemerals(PM).length === 2);
    expect(
      slack
        .ephemerals(PM)
        .map((e) => e.via)
        .sort(),
    ).toEqual(["chat.postEphemeral", "response_url"]);

    const acked = await slack.sendCommand(EN_PM, "/pmo-ack", "", { channel: PMO_CHANNEL });
    expect(acked.ack).toEqual({ text: "Recibido en el ack" });
    expect(slack.ephemerals(EN_PM)).toMatchObject([
      { via: "ack", channel: PMO_CHANNEL, text: "Recibido en el ack" },
    ]);
  });

  it("clicks a button of a recorded message and records the update and the respond()", async () => {
    const posted = await app.client.chat.postMessage({
      channel: PMO_CHANNEL,
      text: "Hallazgo",
      blocks: [
        section("*PMO-9* sin avance"),
        buttons({ actionId: "finding_ack", value: "f-9" }, { actionId: "finding_snooze", value: "f-9" }),
      ],
    });
    const ts = posted.ts ?? "";
    await expect(slack.clickButton(ADMIN, { channel: PMO_CHANNEL, ts }, "finding_resolve")).rejects.toThrow(
      /no button finding_resolve .*finding_ack=f-9, finding_snooze=f-9/,
    );
    await expect(
      slack.clickButton(ADMIN, { channel: PMO_CHANNEL, ts }, "finding_ack", "f-0"),
    ).rejects.toThrow(/no button finding_ack=f-0/);
    const responsesBefore = slack.responses().length;
    const delivery = await slack.clickButton(ADMIN, { channel: PMO_CHANNEL, ts }, "finding_ack", "f-9");
    expect(delivery.payload).toMatchObject({
      type: "block_actions",
      user: { id: ADMIN },
      container: { type: "message", message_ts: ts, channel_id: PMO_CHANNEL },
      actions: [{ action_id: "finding_ack", value: "f-9", block_id: "finding_actions", type: "button" }],
    });
    await slack.waitFor(() =>
      slack.messages(PMO_CHANNEL).find((m) => m.ts === ts && m.text.startsWith("Reconocido")),
    );
    expect(slack.messages(PMO_CHANNEL).find((m) => m.ts === ts)).toMatchObject({
      text: `Reconocido f-9 por <@${ADMIN}>`,
      blocks: [],
    });
    await slack.waitFor(() => slack.responses().length > responsesBefore);
    expect(slack.responses().at(-1)).toMatchObject({ kind: "block_actions", body: { text: "Gracias" } });
  });

  it("opens the Home tab, clicks its button, opens a modal and submits it", async () => {
    await slack.openHome(PM);
    const home = await slack.waitFor(() => slack.views(PM).find((v) => v.type === "home"));
    await slack.clickButton(PM, { view_id: home.id }, "open_update", "PMO-123");
    const modal = await slack.waitFor(() => slack.views(PM).find((v) => v.type === "modal" && v.open));
    expect(modal.view).toMatchObject({ callback_id: "cb", private_metadata: "PMO-123" });
    await expect(slack.submitView(PM, modal.id, { nope: "1" })).rejects.toThrow(/no input named nope/);

    const refused = await slack.submitView(PM, modal.id, { progress: "setenta" });
    expect(refused.ack).toEqual({ response_action: "errors", errors: { progress: "Escribe un número" } });
    expect(slack.views(PM).find((v) => v.id === modal.id)).toMatchObject({
      open: true,
      errors: { progress: "Escribe un número" },
    });

    const accepted = await slack.submitView(PM, modal.id, { value: "70", choice: "at_risk" });
    expect(accepted.payload).toMatchObject({
      type: "view_submission",
      view: {
        id: modal.id,
        state: {
          values: {
            progress: { value: { type: "plain_text_input", value: "70" } },
            health: { choice: { type: "static_select", selected_option: { value: "at_risk" } } },
          },
        },
      },
    });
    expect(slack.views(PM).find((v) => v.id === modal.id)?.open).toBe(false);
    await slack.waitFor(() => slack.messages(PM).find((m) => m.text === "PMO-123: 70% at_risk"));
  });

  it("delivers DMs, twice when asked, with the retry number", async () => {
    const before = seen.messages.length;
    const first = await slack.sendDm(PM, "PMO-123 avance 70%");
    expect(first.payload).toMatchObject({
      type: "event_callback",
      event: { type: "message", channel_type: "im", user: PM, text: "PMO-123 avance 70%" },
    });
    await slack.waitFor(() => slack.messages(PM).find((m) => m.text === "Recibí: PMO-123 avance 70%"));

    const twice = await slack.sendDm(PM, "otra vez", {
      duplicate: true,
      retryNum: 1,
      retryReason: "timeout",
    });
    expect(twice.acks).toHaveLength(2);
    await slack.waitFor(() => seen.messages.length === before + 3);
    const duplicates = seen.messages.slice(before + 1);
    expect(duplicates.map((m) => m.eventId)).toEqual([twice.eventId, twice.eventId]);
    expect(duplicates.map((m) => m.retryNum)).toEqual([1, 1]);
    const envelope = slack.envelopes().find((e) => e.envelopeId === twice.envelopeId);
    expect(envelope?.acks).toHaveLength(2);
    expect(slack.messages(PM).filter((m) => m.text === "otra vez")).toHaveLength(1);
    await slack.waitFor(() => slack.messages(PM).filter((m) => m.text === "Recibí: otra vez").length === 2);
  });

  it("times out when the app never acks", async () => {
    const posted = await app.client.chat.postMessage({
      channel: PMO_CHANNEL,
      text: "x",
      blocks: [buttons({ actionId: "never_acked", value: "1" })],
    });
    const error = await rejection(
      slack.clickButton(ADMIN, { channel: PMO_CHANNEL, ts: posted.ts ?? "" }, "never_acked", undefined, {
        ackTimeoutMs: 150,
      }),
    );
    expect(error).toBeInstanceOf(SandboxAckTimeoutError);
  });
});

describe("several socket connections", () => {
  let slack: SandboxSlack;
  const apps: App[] = [];

  beforeEach(async () => {
    slack = await startSandboxSlack({ ackTimeoutMs: 2000 });
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.stop();
    await slack.stop();
  });

  it("spreads envelopes round-robin, one connection each", async () => {
    const seenA: Seen = { commands: 0, messages: [] };
    const seenB: Seen = { commands: 0, messages: [] };
    apps.push(boltApp(slack, seenA), boltApp(slack, seenB));
    for (const app of apps) await app.start();
    await slack.waitForConnections(2);
    const deliveries = [];
    for (let i = 0; i < 4; i++) deliveries.push(await slack.sendCommand(PM, "/pmo", `PMO-${i}`));
    const ids = deliveries.map((d) => d.connectionIds[0]);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toBe(ids[2]);
    expect(ids[1]).toBe(ids[3]);
    expect([seenA.commands, seenB.commands]).toEqual([2, 2]);
    await slack.waitFor(() => slack.calls("chat.postEphemeral").length === 4);
  });

  it("makes Bolt reconnect after a disconnect message", async () => {
    const seen: Seen = { commands: 0, messages: [] };
    const receiver = new SocketModeReceiver({
      appToken: slack.appToken,
      clientPingTimeout: 300,
      logLevel: LogLevel.ERROR,
      installerOptions: { clientOptions: { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } } },
    });
    const app = boltApp(slack, seen, receiver);
    apps.push(app);
    await app.start();
    const [before] = slack.connections();
    expect(slack.disconnect()).toBe(1);
    await slack.waitFor(
      () => slack.calls("apps.connections.open").length === 2 && slack.connections().length === 1,
      3000,
      "Bolt to reconnect",
    );
    expect(slack.connections()[0]?.id).not.toBe(before?.id);
    await slack.sendCommand(PM, "/pmo", "PMO-1");
    expect(seen.commands).toBe(1);
    await slack.waitFor(() => slack.calls("chat.postEphemeral").length === 1);
  });
});

describe("the socket-mode protocol, spoken by a bare ws client", () => {
  let slack: SandboxSlack;
  let socket: WebSocket;
  const inbox: JsonObject[] = [];
  let answer: (envelope: JsonObject) => JsonObject | null = () => ({});
  let pings = 0;

  beforeAll(async () => {
    slack = await startSandboxSlack({ pingIntervalMs: 20 });
    const appClient = new WebClient("", {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: quiet,
      headers: { Authorization: `Bearer ${slack.appToken}` },
    });
    socket = new WebSocket((await appClient.apps.connections.open()).url ?? "");
    socket.on("ping", () => pings++);
    socket.on("message", (data) => {
      const message = jsonObjectSchema.parse(JSON.parse(String(data)));
      inbox.push(message);
      if (typeof message.envelope_id !== "string") return;
      const payload = answer(message);
      if (payload !== null) socket.send(JSON.stringify({ envelope_id: message.envelope_id, payload }));
    });
    await slack.waitForConnections(1);
  });
  afterAll(async () => {
    socket.close();
    await slack.stop();
  });

  it("says hello like Slack, pings, and sends disconnect on demand", async () => {
    const hello = await slack.waitFor(() => inbox.find((m) => m.type === "hello"));
    expect(hello).toMatchObject({
      num_connections: 1,
      debug_info: { host: expect.any(String) },
      connection_info: { app_id: SANDBOX_APP.appId },
    });
    await slack.waitFor(() => pings >= 2, 2000, "two pings");
    expect(slack.disconnect({ reason: "warning" })).toBe(1);
    expect(await slack.waitFor(() => inbox.find((m) => m.type === "disconnect"))).toMatchObject({
      reason: "warning",
    });
  });

  it("refuses a socket without a ticket it handed out", async () => {
    const stranger = new WebSocket(`ws://127.0.0.1:${new URL(slack.origin).port}/socket?ticket=made-up`);
    const status = await new Promise<number>((done) => {
      stranger.on("unexpected-response", (_req, res) => done(res.statusCode ?? 0));
      stranger.on("error", () => done(-1));
    });
    expect(status).toBe(401);
  });

  it("uses trigger_ids once and applies update and close acks to modals", async () => {
    const client = webClient(slack);
    const command = await slack.sendCommand(PM, "/pmo", "actualizar PMO-7");
    const triggerId = typeof command.payload.trigger_id === "string" ? command.payload.trigger_id : "";
    const input: InputBlock = {
      type: "input",
      block_id: "comment",
      label: { type: "plain_text", text: "Comentario" },
      element: { type: "plain_text_input", action_id: "text", initial_value: "sin cambios" },
    };
    const opened = await client.views.open({
      trigger_id: triggerId,
      view: {
        type: "modal",
        callback_id: "step1",
        title: { type: "plain_text", text: "Paso 1" },
        submit: { type: "plain_text", text: "Seguir" },
        blocks: [input],
      },
    });
    expect(
      await platformError(
        client.views.open({
          trigger_id: triggerId,
          view: { type: "modal", title: { type: "plain_text", text: "Otra" }, blocks: [] },
        }),
      ),
    ).toBe("trigger_exchanged");
    const viewId = opened.view?.id ?? "";
    const inputJson = jsonObjectSchema.parse(input);

    answer = (envelope) => ({
      response_action: "update",
      view: {
        type: "modal",
        callback_id: `step2-${envelope.type}`,
        title: { type: "plain_text", text: "Paso 2" },
        submit: { type: "plain_text", text: "Guardar" },
        blocks: [inputJson],
      },
    });
    const first = await slack.submitView(PM, viewId);
    expect(first.payload).toMatchObject({
      view: { state: { values: { comment: { text: { type: "plain_text_input", value: "sin cambios" } } } } },
    });
    const updated = slack.views(PM).find((v) => v.id === viewId);
    expect(updated).toMatchObject({ open: true, view: { callback_id: "step2-interactive" } });
    expect(updated?.view.hash).not.toBe(opened.view?.hash);

    answer = () => ({});
    await slack.submitView(PM, viewId, { comment: "listo" });
    expect(slack.views(PM).find((v) => v.id === viewId)?.open).toBe(false);
    await expect(slack.submitView(PM, viewId)).rejects.toThrow(/is closed/);
  });
});
