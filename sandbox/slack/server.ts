import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import { describeButtons, findButton, type InputValue, stateValues } from "./blocks.ts";
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  SANDBOX_APP,
  type SandboxSlackChannel,
  type SandboxSlackUser,
} from "./directory.ts";
import { INVALID_JSON, isJsonObject, type JsonObject, type JsonValue, parseJsonText } from "./json.ts";
import {
  type ActionSource,
  appHomeOpenedEvent,
  blockActionsPayload,
  directMessageEvent,
  eventCallbackPayload,
  type PayloadContext,
  slashCommandPayload,
  viewSubmissionPayload,
} from "./payloads.ts";
import {
  type SandboxEphemeral,
  type SandboxMessage,
  type SandboxResponse,
  type SandboxUpload,
  type SandboxView,
  SlackState,
} from "./web-api.ts";

export type { InputValue } from "./blocks.ts";
export type { SandboxSlackChannel, SandboxSlackUser } from "./directory.ts";
export { DEFAULT_CHANNELS, DEFAULT_USERS, SANDBOX_APP, SANDBOX_TEAM } from "./directory.ts";
export type { JsonObject, JsonValue } from "./json.ts";
export type {
  SandboxEphemeral,
  SandboxMessage,
  SandboxResponse,
  SandboxUpload,
  SandboxView,
} from "./web-api.ts";

/**
 * A local stand-in for Slack on 127.0.0.1 (node:http + ws): the Web API under /api/<method>, the
 * socket-mode WebSocket that apps.connections.open points at, response_url and file upload
 * endpoints, every call recorded, injectable faults, and helpers that act as a user by sending
 * envelopes shaped like Slack's and waiting for the app's ack.
 */

export const API_PATH = "/api/";
const SOCKET_PATH = "/socket";
const POLL_MS = 10;
/** How long stop() lets clients finish the close handshake before it cuts their sockets. */
const STOP_GRACE_MS = 500;
/** Arguments Slack takes as JSON text inside form bodies; recorded decoded. */
const JSON_ARGS = ["attachments", "blocks", "files", "metadata", "view"];

export type SandboxSlackOptions = {
  port?: number;
  users?: readonly SandboxSlackUser[];
  channels?: readonly SandboxSlackChannel[];
  botToken?: string;
  appToken?: string;
  /** Added before every Web API answer. */
  latencyMs?: number;
  /** How long a helper waits for the app's ack; Slack gives up after 3 s. */
  ackTimeoutMs?: number;
  /** How long a trigger_id stays usable for views.open / views.push; 3 s at Slack. */
  triggerTtlMs?: number;
  /** Server pings on every socket connection at this interval; 0 (the default) sends none. */
  pingIntervalMs?: number;
  now?: () => number;
};

export type SandboxSlackCall = {
  method: string;
  /** The arguments with JSON-text ones (blocks, view, metadata, files, attachments) decoded; no token. */
  args: JsonObject;
  token: string | null;
  at: number;
  /** Null while the answer is pending or when it was dropped. */
  ok: boolean | null;
  error: string | null;
  fault: "rate_limited" | "failed" | "dropped" | null;
};

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export type SandboxEnvelope = {
  envelopeId: string;
  type: EnvelopeType;
  payload: JsonObject;
  connectionIds: number[];
  sentAt: number;
  acks: { payload: JsonObject; at: number; connectionId: number }[];
};

/** What a helper returns once the app acked: the ack's payload (`{}` for a bare ack()). */
export type Delivery = {
  envelopeId: string;
  ack: JsonObject;
  /** One per copy sent (duplicate deliveries send two). */
  acks: JsonObject[];
  payload: JsonObject;
  connectionIds: number[];
};

export type DeliverOptions = {
  ackTimeoutMs?: number;
  /** Send the same envelope this many times (round-robin over the connections), as Slack sometimes does. */
  copies?: number;
  acceptsResponsePayload?: boolean;
  retryAttempt?: number;
  retryReason?: string;
};

export type FaultTimes = { times?: number };

export type SandboxSlack = {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** `${origin}/api/`: WebClient's slackApiUrl and the app's SLACK_API_URL. */
  apiUrl: string;
  botToken: string;
  appToken: string;
  verificationToken: string;
  users: readonly SandboxSlackUser[];
  channels: readonly SandboxSlackChannel[];

  calls(method?: string): SandboxSlackCall[];
  /** How many calls (to `method`) were made, without copying them: for polling. */
  callCount(method?: string): number;
  /** Messages as they are now (updates applied, deletions gone), oldest first; `channel` is an id, a #name, or a user id for the app DM. */
  messages(channel: string): SandboxMessage[];
  ephemerals(user?: string): SandboxEphemeral[];
  /** Published Home tabs and opened, updated or pushed modals. */
  views(user?: string): SandboxView[];
  uploads(): SandboxUpload[];
  /** The POSTs respond() made to the sandbox's response_urls. */
  responses(): SandboxResponse[];
  /** How many POSTs were made to response_urls (given to `user`), without copying them. */
  responseCount(user?: string): number;
  envelopes(): SandboxEnvelope[];
  connections(): { id: number; openedAt: number }[];

  sendCommand(user: string, command: string, text?: string, options?: CommandOptions): Promise<Delivery>;
  clickButton(
    user: string,
    target: { channel: string; ts: string } | { view_id: string },
    actionId: string,
    value?: string,
    options?: ClickOptions,
  ): Promise<Delivery>;
  submitView(
    user: string,
    viewId: string,
    values?: Readonly<Record<string, InputValue>>,
    options?: AckOptions,
  ): Promise<Delivery>;
  sendDm(
    user: string,
    text: string,
    options?: DmOptions,
  ): Promise<Delivery & { eventId: string; ts: string }>;
  openHome(user: string, options?: EventOptions): Promise<Delivery & { eventId: string }>;
  /** Any Events API event, wrapped in an event_callback. */
  sendEvent(event: JsonObject, options?: EventOptions): Promise<Delivery & { eventId: string }>;
  /** A raw envelope, for payloads the helpers do not build. */
  deliver(type: EnvelopeType, payload: JsonObject, options?: DeliverOptions): Promise<Delivery>;

  /** Sends `{type:"disconnect"}` to one connection or all; returns how many got it. */
  disconnect(options?: { connectionId?: number; reason?: string }): number;
  /** Closes every socket without a close handshake, like a network drop. */
  dropConnections(): void;
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Polls until `probe` returns something other than undefined, null or false. */
  waitFor<T>(probe: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T>;

  /** The next `times` calls to `method` answer 429 with Retry-After and change nothing. */
  rateLimit(method: string, options?: FaultTimes & { retryAfterSeconds?: number }): void;
  /** The next `times` calls to `method` answer `{ok:false, error}` and change nothing. */
  fail(method: string, error: string, options?: FaultTimes): void;
  /** The next `times` calls to `method` are applied, then their connection closes with no answer. */
  dropResponse(method: string, options?: FaultTimes): void;
  setLatency(ms: number, method?: string): void;
  clearFaults(): void;

  stop(): Promise<void>;
};

export type AckOptions = { ackTimeoutMs?: number };
export type CommandOptions = AckOptions & { channel?: string };
export type ClickOptions = AckOptions & { values?: Readonly<Record<string, InputValue>> };
export type DmOptions = AckOptions & {
  duplicate?: boolean;
  retryNum?: number;
  retryReason?: string;
  threadTs?: string;
};
export type EventOptions = AckOptions & { duplicate?: boolean; retryNum?: number; retryReason?: string };

export class SandboxAckTimeoutError extends Error {
  constructor(
    readonly envelopeId: string,
    readonly type: EnvelopeType,
    readonly timeoutMs: number,
  ) {
    super(`no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`);
    this.name = "SandboxAckTimeoutError";
  }
}

type Fault = {
  method: string;
  kind: "rate_limit" | "fail" | "drop";
  remaining: number;
  error: string;
  retryAfterSeconds: number;
};

type Connection = { id: number; socket: WebSocket; openedAt: number };

type PendingAck = {
  copies: number;
  acks: JsonObject[];
  resolve: (acks: JsonObject[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

const ackSchema = z.object({ envelope_id: z.string(), payload: z.json().optional() });
const authHeader = /^Bearer\s+(\S+)$/i;

export async function startSandboxSlack(options: SandboxSlackOptions = {}): Promise<SandboxSlack> {
  const now = options.now ?? Date.now;
  const users = options.users ?? DEFAULT_USERS;
  const channels = options.channels ?? DEFAULT_CHANNELS;
  const botToken =
    options.botToken ?? `xoxb-${randomDigits(12)}-${randomDigits(13)}-${randomBytes(12).toString("hex")}`;
  const appToken =
    options.appToken ?? `xapp-1-${SANDBOX_APP.appId}-${randomDigits(13)}-${randomBytes(32).toString("hex")}`;
  const verificationToken = randomBytes(12).toString("base64url");
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const state = new SlackState({ users, channels, now, triggerTtlMs: options.triggerTtlMs ?? 3000 });
  const ctx: PayloadContext = { verificationToken };

  const calls: SandboxSlackCall[] = [];
  let faults: Fault[] = [];
  let latencyMs = options.latencyMs ?? 0;
  const methodLatency = new Map<string, number>();
  const tickets = new Set<string>();
  const connections = new Map<number, Connection>();
  const envelopes: SandboxEnvelope[] = [];
  const pending = new Map<string, PendingAck>();
  const timers = new Set<NodeJS.Timeout>();
  let nextConnectionId = 1;
  let roundRobin = 0;
  let port = 0;

  const wait = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        done();
      }, ms);
      timers.add(timer);
    });

  function takeFault(method: string, kinds: readonly Fault["kind"][]): Fault | undefined {
    const fault = faults.find((f) => f.method === method && kinds.includes(f.kind) && f.remaining > 0);
    if (fault !== undefined) fault.remaining--;
    return fault;
  }

  function connectionsOpen(): JsonObject {
    const ticket = randomUUID();
    tickets.add(ticket);
    return {
      ok: true,
      url: `ws://127.0.0.1:${port}${SOCKET_PATH}?ticket=${ticket}&app_id=${SANDBOX_APP.appId}`,
    };
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    query: URLSearchParams,
  ) {
    const body = await readArgs(req);
    const args: JsonObject = { ...Object.fromEntries(query), ...(body === "invalid" ? {} : body) };
    for (const key of JSON_ARGS) {
      const value = args[key];
      if (typeof value !== "string") continue;
      const parsed = parseJsonText(value);
      if (parsed !== INVALID_JSON) args[key] = parsed;
    }
    const bearer = authHeader.exec(req.headers.authorization ?? "")?.[1];
    const bodyToken = typeof args.token === "string" ? args.token : undefined;
    delete args.token;
    const token = bearer ?? bodyToken ?? null;
    const call: SandboxSlackCall = { method, args, token, at: now(), ok: null, error: null, fault: null };
    calls.push(call);
    const answer = (result: JsonObject, status = 200, headers: Record<string, string> = {}) => {
      call.ok = result.ok === true;
      call.error = typeof result.error === "string" ? result.error : null;
      sendJson(res, status, result, headers);
    };

    const delay = (methodLatency.get(method) ?? 0) + latencyMs;
    if (delay > 0) await wait(delay);
    if (body === "invalid") return answer({ ok: false, error: "invalid_json" });
    const handler = method === "apps.connections.open" ? connectionsOpen : state.methods[method];
    if (handler === undefined) return answer({ ok: false, error: "unknown_method" });
    if (token === null) return answer({ ok: false, error: "not_authed" });
    const kind = token === botToken ? "bot" : token === appToken ? "app" : null;
    if (kind === null) return answer({ ok: false, error: "invalid_auth" });
    if ((method === "apps.connections.open") !== (kind === "app")) {
      return answer({ ok: false, error: "not_allowed_token_type" });
    }
    const fault = takeFault(method, ["rate_limit", "fail"]);
    if (fault?.kind === "rate_limit") {
      call.fault = "rate_limited";
      return answer({ ok: false, error: "ratelimited" }, 429, {
        "retry-after": String(fault.retryAfterSeconds),
      });
    }
    if (fault?.kind === "fail") {
      call.fault = "failed";
      return answer({ ok: false, error: fault.error });
    }
    const result = handler(args);
    if (takeFault(method, ["drop"]) !== undefined) {
      call.fault = "dropped";
      req.socket.destroy();
      return;
    }
    answer(result);
  }

  async function handleResponseUrl(req: IncomingMessage, res: ServerResponse, id: string) {
    const text = (await readBytes(req)).toString("utf8");
    const body = parseJsonText(text);
    if (!isJsonObject(body)) return sendJson(res, 400, { ok: false, error: "invalid_payload" });
    const { status, result } = state.respond(id, body);
    sendJson(res, status, result);
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string) {
    const bytes = await uploadedBytes(req);
    if (!state.storeUploadBytes(fileId, bytes)) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(`OK - ${bytes.length}`);
  }

  function handleFile(req: IncomingMessage, res: ServerResponse, fileId: string) {
    const bearer = authHeader.exec(req.headers.authorization ?? "")?.[1];
    const upload = state.upload(fileId);
    if (bearer !== botToken || upload === undefined || upload.bytes === null || !upload.completed) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": upload.bytes.length });
    res.end(upload.bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const segments = url.pathname.split("/").filter((s) => s !== "");
    const [first, second, third] = segments;
    const httpMethod = req.method ?? "GET";
    if (first === "api" && second !== undefined && segments.length === 2) {
      if (httpMethod !== "POST" && httpMethod !== "GET")
        return sendJson(res, 405, { ok: false, error: "method_not_allowed" });
      return handleApi(req, res, decodeURIComponent(second), url.searchParams);
    }
    if (httpMethod === "POST" && first === "response" && second !== undefined) {
      return handleResponseUrl(req, res, second);
    }
    if (httpMethod === "POST" && first === "upload" && second === "v1" && third !== undefined) {
      return handleUpload(req, res, third);
    }
    if (httpMethod === "GET" && first === "files" && second !== undefined)
      return handleFile(req, res, second);
    sendJson(res, 404, { ok: false, error: "not_found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: `sandbox_failure: ${String(error)}` });
    });
  });

  // ---- socket mode -----------------------------------------------------------------------------

  const wss = new WebSocketServer({ noServer: true });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const ticket = url.searchParams.get("ticket");
    if (url.pathname !== SOCKET_PATH || ticket === null || !tickets.has(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (socket: WebSocket) => {
    const connection: Connection = { id: nextConnectionId++, socket, openedAt: now() };
    connections.set(connection.id, connection);
    socket.on("error", () => connections.delete(connection.id));
    socket.on("close", () => connections.delete(connection.id));
    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) receiveAck(connection, rawText(data));
    });
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: connections.size,
        debug_info: {
          host: "applink-sandbox-1",
          build_number: 1,
          approximate_connection_time: 18_060,
        },
        connection_info: { app_id: SANDBOX_APP.appId },
      }),
    );
  });

  const pinger =
    (options.pingIntervalMs ?? 0) > 0
      ? setInterval(() => {
          for (const { socket } of connections.values()) {
            if (socket.readyState === WebSocket.OPEN) socket.ping(`ping from sandbox (${now()})`);
          }
        }, options.pingIntervalMs)
      : null;

  function receiveAck(connection: Connection, text: string): void {
    const parsedJson = parseJsonText(text);
    const parsed = ackSchema.safeParse(parsedJson === INVALID_JSON ? null : parsedJson);
    if (!parsed.success) return;
    const envelopeId = parsed.data.envelope_id;
    const payload = isJsonObject(parsed.data.payload) ? parsed.data.payload : {};
    envelopes
      .find((e) => e.envelopeId === envelopeId)
      ?.acks.push({ payload, at: now(), connectionId: connection.id });
    const waiting = pending.get(envelopeId);
    if (waiting === undefined) return;
    waiting.acks.push(payload);
    if (waiting.acks.length < waiting.copies) return;
    clearTimeout(waiting.timer);
    pending.delete(envelopeId);
    waiting.resolve(waiting.acks);
  }

  function openConnections(): Connection[] {
    return [...connections.values()].filter((c) => c.socket.readyState === WebSocket.OPEN);
  }

  async function deliver(type: EnvelopeType, payload: JsonObject, deliverOptions: DeliverOptions = {}) {
    const open = openConnections();
    if (open.length === 0) {
      throw new Error("the Slack sandbox has no open socket-mode connection: start the app first");
    }
    const envelopeId = randomUUID();
    const copies = Math.max(1, deliverOptions.copies ?? 1);
    const timeoutMs = deliverOptions.ackTimeoutMs ?? ackTimeoutMs;
    const envelope: JsonObject = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: deliverOptions.acceptsResponsePayload ?? false,
      ...(type === "events_api"
        ? { retry_attempt: deliverOptions.retryAttempt ?? 0, retry_reason: deliverOptions.retryReason ?? "" }
        : {}),
    };
    const record: SandboxEnvelope = { envelopeId, type, payload, connectionIds: [], sentAt: now(), acks: [] };
    envelopes.push(record);
    const acked = new Promise<JsonObject[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(envelopeId);
        reject(new SandboxAckTimeoutError(envelopeId, type, timeoutMs));
      }, timeoutMs);
      pending.set(envelopeId, { copies, acks: [], resolve, reject, timer });
    });
    const text = JSON.stringify(envelope);
    for (let i = 0; i < copies; i++) {
      const connection = open[roundRobin++ % open.length];
      if (connection === undefined) continue;
      record.connectionIds.push(connection.id);
      connection.socket.send(text);
    }
    const acks = await acked;
    return { envelopeId, ack: acks[0] ?? {}, acks, payload, connectionIds: [...record.connectionIds] };
  }

  // ---- acting as a user ------------------------------------------------------------------------

  async function sendCommand(user: string, command: string, text = "", commandOptions: CommandOptions = {}) {
    const actor = state.user(user);
    const channel =
      commandOptions.channel === undefined
        ? state.dmOf(actor.id)
        : state.resolveChannel(commandOptions.channel);
    if (channel === undefined) throw new Error(`the Slack sandbox has no channel ${commandOptions.channel}`);
    const payload = slashCommandPayload(ctx, {
      user: actor,
      channel,
      command,
      text,
      responseUrl: state.issueResponseUrl({ kind: "slash_commands", user: actor.id, channel, source: null }),
      triggerId: state.issueTrigger(actor.id),
    });
    const delivery = await deliver("slash_commands", payload, {
      acceptsResponsePayload: true,
      ...ackOption(commandOptions),
    });
    state.applyCommandAck(channel.id, actor.id, delivery.ack);
    return delivery;
  }

  function messageSource(
    user: string,
    ref: string,
    ts: string,
  ): { source: ActionSource; blocks: JsonObject[] } {
    const channel = state.resolveChannel(ref);
    if (channel === undefined) throw new Error(`the Slack sandbox has no channel ${ref}`);
    const message = state.message(channel.id, ts);
    if (message !== undefined) {
      const responseUrl = state.issueResponseUrl({
        kind: "block_actions",
        user,
        channel,
        source: { channel: channel.id, ts },
      });
      return {
        source: {
          kind: "message",
          channel,
          message: state.messageJson(message, false),
          isEphemeral: false,
          responseUrl,
        },
        blocks: message.blocks,
      };
    }
    const ephemeral = state.ephemeral(channel.id, ts);
    if (ephemeral === undefined || ephemeral.user !== user) {
      throw new Error(`no message ${ts} in ${channel.id} that ${user} can see`);
    }
    const responseUrl = state.issueResponseUrl({
      kind: "block_actions",
      user,
      channel,
      source: { channel: channel.id, ts },
    });
    const shown: JsonObject = { type: "message", text: ephemeral.text, ts, blocks: ephemeral.blocks };
    return {
      source: { kind: "message", channel, message: shown, isEphemeral: true, responseUrl },
      blocks: ephemeral.blocks,
    };
  }

  function viewSource(user: string, viewId: string): { source: ActionSource; blocks: JsonObject[] } {
    const found = state.viewBlocks(viewId);
    const summary = state.views().find((v) => v.id === viewId);
    if (found === undefined || summary === undefined)
      throw new Error(`the Slack sandbox has no view ${viewId}`);
    if (summary.user !== user) throw new Error(`view ${viewId} belongs to ${summary.user}, not ${user}`);
    if (!summary.open) throw new Error(`view ${viewId} is closed`);
    return { source: { kind: "view", view: found.view }, blocks: found.blocks };
  }

  async function clickButton(
    user: string,
    target: { channel: string; ts: string } | { view_id: string },
    actionId: string,
    value?: string,
    clickOptions: ClickOptions = {},
  ) {
    const actor = state.user(user);
    const { source, blocks } =
      "view_id" in target
        ? viewSource(actor.id, target.view_id)
        : messageSource(actor.id, target.channel, target.ts);
    const found = findButton(blocks, actionId, value);
    if (found === undefined) {
      const wanted = value === undefined ? actionId : `${actionId}=${value}`;
      const where =
        "view_id" in target ? `view ${target.view_id}` : `message ${target.ts} in ${target.channel}`;
      throw new Error(
        `no button ${wanted} in ${where}; buttons: ${describeButtons(blocks).join(", ") || "none"}`,
      );
    }
    const values = stateValues(blocks, clickOptions.values ?? {});
    if ("view_id" in target) state.setViewState(target.view_id, values);
    const payload = blockActionsPayload(ctx, {
      user: actor,
      source,
      blockId: found.blockId,
      button: found.button,
      actionTs: state.nextTs(),
      triggerId: state.issueTrigger(actor.id),
      stateValues: values,
    });
    return deliver("interactive", payload, ackOption(clickOptions));
  }

  async function submitView(
    user: string,
    viewId: string,
    values: Readonly<Record<string, InputValue>> = {},
    submitOptions: AckOptions = {},
  ) {
    const actor = state.user(user);
    const { blocks } = viewSource(actor.id, viewId);
    const summary = state.views().find((v) => v.id === viewId);
    if (summary?.type !== "modal") throw new Error(`view ${viewId} is not a modal`);
    const stateVals = stateValues(blocks, values);
    state.setViewState(viewId, stateVals);
    const view = state.viewBlocks(viewId)?.view ?? {};
    const payload = viewSubmissionPayload(ctx, {
      user: actor,
      view,
      stateValues: stateVals,
      triggerId: state.issueTrigger(actor.id),
    });
    const delivery = await deliver("interactive", payload, {
      acceptsResponsePayload: true,
      ...ackOption(submitOptions),
    });
    state.applySubmissionAck(viewId, delivery.ack);
    return delivery;
  }

  async function sendEvent(event: JsonObject, eventOptions: EventOptions = {}) {
    const eventId = `Ev${randomBytes(6).toString("hex").toUpperCase()}`;
    const payload = eventCallbackPayload(ctx, { event, eventId, eventTime: state.nowSeconds() });
    const delivery = await deliver("events_api", payload, {
      copies: eventOptions.duplicate === true ? 2 : 1,
      retryAttempt: eventOptions.retryNum ?? 0,
      retryReason: eventOptions.retryReason ?? "",
      ...ackOption(eventOptions),
    });
    return { ...delivery, eventId };
  }

  async function sendDm(user: string, text: string, dmOptions: DmOptions = {}) {
    const actor = state.user(user);
    const dm = state.dmOf(actor.id);
    const message = state.addUserMessage(actor.id, dm.id, text, dmOptions.threadTs);
    const event = directMessageEvent({
      user: actor,
      channelId: dm.id,
      text,
      ts: message.ts,
      clientMsgId: randomUUID(),
      ...(dmOptions.threadTs === undefined ? {} : { threadTs: dmOptions.threadTs }),
    });
    const delivery = await sendEvent(event, dmOptions);
    return { ...delivery, ts: message.ts };
  }

  function openHome(user: string, homeOptions: EventOptions = {}) {
    const actor = state.user(user);
    const event = appHomeOpenedEvent({
      user: actor,
      channelId: state.dmOf(actor.id).id,
      eventTs: state.nextTs(),
      view: state.homeView(actor.id),
    });
    return sendEvent(event, homeOptions);
  }

  async function waitFor<T>(
    probe: () => T | undefined | null | false,
    timeoutMs = 2000,
    what = "a condition",
  ) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`the Slack sandbox waited ${timeoutMs} ms for ${what}`);
      await wait(POLL_MS);
    }
  }

  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ready());
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("the Slack sandbox has no TCP address");
  port = address.port;
  const origin = `http://127.0.0.1:${port}`;
  state.origin = origin;

  return {
    origin,
    apiUrl: `${origin}${API_PATH}`,
    botToken,
    appToken,
    verificationToken,
    users,
    channels,
    calls: (method) =>
      calls.filter((c) => method === undefined || c.method === method).map((c) => structuredClone(c)),
    messages: (channel) => state.messagesIn(channel),
    ephemerals: (user) => state.ephemerals(user),
    views: (user) => state.views(user),
    uploads: () => state.uploads(),
    responses: () => state.responses(),
    callCount: (method) =>
      method === undefined ? calls.length : calls.reduce((n, c) => (c.method === method ? n + 1 : n), 0),
    responseCount: (user) => state.responseCount(user),
    envelopes: () => envelopes.map((e) => structuredClone(e)),
    connections: () => openConnections().map(({ id, openedAt }) => ({ id, openedAt })),
    sendCommand,
    clickButton,
    submitView,
    sendDm,
    openHome,
    sendEvent,
    deliver,
    disconnect: (disconnectOptions = {}) => {
      const targets = openConnections().filter(
        (c) => disconnectOptions.connectionId === undefined || c.id === disconnectOptions.connectionId,
      );
      const message = JSON.stringify({
        type: "disconnect",
        reason: disconnectOptions.reason ?? "refresh_requested",
        debug_info: { host: "applink-sandbox-1" },
      });
      for (const { socket } of targets) socket.send(message);
      return targets.length;
    },
    dropConnections: () => {
      for (const { socket } of connections.values()) socket.terminate();
    },
    waitForConnections: async (count, timeoutMs = 5000) => {
      await waitFor(() => openConnections().length >= count, timeoutMs, `${count} socket-mode connection(s)`);
    },
    waitFor,
    rateLimit: (method, faultOptions = {}) => {
      faults.push({
        method,
        kind: "rate_limit",
        remaining: faultOptions.times ?? 1,
        error: "ratelimited",
        retryAfterSeconds: faultOptions.retryAfterSeconds ?? 1,
      });
    },
    fail: (method, error, faultOptions = {}) => {
      faults.push({ method, kind: "fail", remaining: faultOptions.times ?? 1, error, retryAfterSeconds: 0 });
    },
    dropResponse: (method, faultOptions = {}) => {
      faults.push({
        method,
        kind: "drop",
        remaining: faultOptions.times ?? 1,
        error: "",
        retryAfterSeconds: 0,
      });
    },
    setLatency: (ms, method) => {
      if (method === undefined) latencyMs = ms;
      else methodLatency.set(method, ms);
    },
    clearFaults: () => {
      faults = [];
      latencyMs = 0;
      methodLatency.clear();
    },
    stop: async () => {
      if (pinger !== null) clearInterval(pinger);
      await closeSockets(
        [...connections.values()].map((c) => c.socket),
        STOP_GRACE_MS,
      );
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const [id, waiting] of pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new Error(`the Slack sandbox stopped before envelope ${id} was acked`));
      }
      pending.clear();
      connections.clear();
      await new Promise<void>((done) => wss.close(() => done()));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A close handshake with every socket (a client that is already closing just finishes), then a cut. */
async function closeSockets(sockets: readonly WebSocket[], graceMs: number): Promise<void> {
  const closed = sockets.map(
    (socket) =>
      new Promise<void>((done) => {
        if (socket.readyState === WebSocket.CLOSED) return done();
        socket.once("close", () => done());
        if (socket.readyState === WebSocket.OPEN) socket.close(1001, "sandbox stopping");
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closed), new Promise<void>((done) => (timer = setTimeout(done, graceMs)))]);
  clearTimeout(timer);
  for (const socket of sockets) socket.terminate();
}

function ackOption(options: AckOptions): { ackTimeoutMs?: number } {
  return options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs };
}

function randomDigits(count: number): string {
  return Array.from(randomBytes(count), (byte) => String(byte % 10)).join("");
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data).toString("utf8");
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: JsonValue,
  headers: Record<string, string> = {},
) {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

async function readBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** A Web API body: form-encoded, multipart or JSON, as Slack accepts all three. */
async function readArgs(req: IncomingMessage): Promise<JsonObject | "invalid"> {
  const bytes = await readBytes(req);
  const type = req.headers["content-type"] ?? "";
  if (bytes.length === 0) return {};
  if (/^application\/json/i.test(type)) {
    const parsed = parseJsonText(bytes.toString("utf8"));
    return isJsonObject(parsed) ? parsed : "invalid";
  }
  if (/^multipart\/form-data/i.test(type)) {
    const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
    const args: JsonObject = {};
    for (const [key, value] of form)
      args[key] = typeof value === "string" ? value : `<file ${value.size} bytes>`;
    return args;
  }
  return Object.fromEntries(new URLSearchParams(bytes.toString("utf8")));
}

/** An upload URL takes the file as raw bytes or as the one file of a multipart form (what WebClient sends). */
async function uploadedBytes(req: IncomingMessage): Promise<Buffer> {
  const bytes = await readBytes(req);
  const type = req.headers["content-type"] ?? "";
  if (!/^multipart\/form-data/i.test(type)) return bytes;
  const form = await new Response(bytes, { headers: { "content-type": type } }).formData();
  for (const [, value] of form) {
    if (typeof value !== "string") return Buffer.from(await value.arrayBuffer());
  }
  return Buffer.alloc(0);
}
