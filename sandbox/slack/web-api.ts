import { randomBytes, randomUUID } from "node:crypto";
import { extname } from "node:path";
import { z } from "zod";
import { blockErrors, MAX_MESSAGE_BLOCKS, viewErrors, withGeneratedIds } from "./blocks.ts";
import {
  dmChannelId,
  SANDBOX_APP,
  SANDBOX_TEAM,
  type SandboxSlackChannel,
  type SandboxSlackUser,
  userRecord,
} from "./directory.ts";
import {
  copyJson,
  INVALID_JSON,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonObjectSchema,
  parseJsonText,
} from "./json.ts";

/**
 * The state of the sandbox workspace (messages, ephemerals, views, uploads, DMs, triggers,
 * response URLs) and the Web API methods that read and change it. Transport-free: the server
 * parses requests, checks tokens and injects faults, then calls `call(method, args)`.
 */

export const MAX_TEXT_LENGTH = 40_000;
const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60_000;
const MAX_VIEW_STACK = 3;

export type SandboxMessage = {
  channel: string;
  ts: string;
  /** The bot user for the app's messages, the author's id for a user's. */
  user: string;
  botId: string | null;
  text: string;
  blocks: JsonObject[];
  attachments: JsonValue[] | null;
  metadata: JsonObject | null;
  threadTs: string | null;
  replyBroadcast: boolean;
  files: JsonObject[];
  edited: { user: string; ts: string } | null;
};

export type SandboxEphemeral = {
  channel: string;
  user: string;
  ts: string;
  text: string;
  blocks: JsonObject[];
  /** Who put it there: the Web API, a respond() to a response_url, or a slash command's ack. */
  via: "chat.postEphemeral" | "response_url" | "ack";
};

export type SandboxView = {
  id: string;
  /** The user who sees it: the Home tab's owner or the modal's opener. */
  user: string;
  type: "modal" | "home";
  /** The view as Slack answers it, state and hash included. */
  view: JsonObject;
  /** A modal on its user's screen (the Home tab is always open). */
  open: boolean;
  /** The errors of the last `response_action: "errors"` ack, shown under the inputs. */
  errors: JsonObject | null;
};

export type SandboxUpload = {
  fileId: string;
  filename: string;
  title: string;
  declaredLength: number;
  /** The bytes posted to the upload URL; null until they arrive. */
  bytes: Buffer | null;
  completed: boolean;
  channels: string[];
  initialComment: string | null;
  threadTs: string | null;
};

/** What a respond() POSTed to a response_url the sandbox handed out. */
export type SandboxResponse = {
  responseUrlId: string;
  /** The payload kind the URL came with. */
  kind: "slash_commands" | "block_actions";
  user: string;
  channel: string;
  body: JsonObject;
  at: number;
};

type StoredView = {
  id: string;
  user: string;
  type: "modal" | "home";
  spec: JsonObject;
  hash: string;
  rootViewId: string;
  previousViewId: string | null;
  open: boolean;
  errors: JsonObject | null;
  stateValues: JsonObject;
};

type Channel = { id: string; name: string; kind: "channel" | "im" | "mpim"; members: string[] };

type ResponseUrl = {
  id: string;
  kind: SandboxResponse["kind"];
  user: string;
  channel: Channel;
  source: { channel: string; ts: string } | null;
  uses: number;
  createdAt: number;
};

export type ApiResult = JsonObject;

const failure = (error: string, extra: JsonObject = {}): ApiResult => ({ ok: false, error, ...extra });

const invalidArguments = (messages: string[]): ApiResult =>
  failure("invalid_arguments", { response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) } });

/** Form bodies carry every argument as a string; JSON bodies carry them typed. */
const str = z.preprocess(
  (v) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v),
  z.string(),
);
const flag = z.preprocess((v) => {
  if (v === "true" || v === "1" || v === 1) return true;
  if (v === "false" || v === "0" || v === 0 || v === "") return false;
  return v;
}, z.boolean());
const int = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v), z.number().int());
const jsonText = (v: unknown) => {
  if (typeof v !== "string") return v;
  const parsed = parseJsonText(v);
  return parsed === INVALID_JSON ? v : parsed;
};
const jsonObjectArg = z.preprocess(jsonText, jsonObjectSchema);

const messageArgs = z.object({
  channel: str.optional(),
  text: str.optional(),
  blocks: z.unknown().optional(),
  attachments: z.unknown().optional(),
  metadata: z.unknown().optional(),
  thread_ts: str.optional(),
  reply_broadcast: flag.optional(),
});

type Ok<T> = { ok: true; value: T };
type Fail = { ok: false; result: ApiResult };
type Checked<T> = Ok<T> | Fail;

function parseArgs<T extends z.ZodType>(schema: T, args: JsonObject): Checked<z.infer<T>> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    result: invalidArguments(
      parsed.error.issues.map((issue) => `${issue.message} [json-pointer:/${issue.path.join("/")}]`),
    ),
  };
}

/** Blocks as Slack reads them: JSON text or an array; an empty list means "no blocks". */
function parseBlocks(raw: unknown, maxBlocks: number): Checked<JsonObject[] | undefined> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: undefined };
  const value = jsonText(raw);
  const parsed = z.array(z.json()).safeParse(value);
  if (!parsed.success) return { ok: false, result: failure("invalid_blocks_format") };
  const errors = blockErrors(parsed.data, maxBlocks);
  if (errors.length > 0) return { ok: false, result: failure("invalid_blocks", { errors }) };
  return { ok: true, value: withGeneratedIds(parsed.data) };
}

function parseMetadata(raw: unknown): Checked<JsonObject | undefined> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: undefined };
  const parsed = z
    .object({ event_type: z.string().min(1), event_payload: jsonObjectSchema })
    .safeParse(jsonText(raw));
  if (!parsed.success) return { ok: false, result: failure("invalid_metadata_format") };
  return {
    ok: true,
    value: { event_type: parsed.data.event_type, event_payload: parsed.data.event_payload },
  };
}

function parseAttachments(raw: unknown): Checked<JsonValue[] | undefined> {
  if (raw === undefined || raw === null || raw === "") return { ok: true, value: undefined };
  const parsed = z.array(z.json()).safeParse(jsonText(raw));
  if (!parsed.success) return { ok: false, result: failure("invalid_attachments") };
  return { ok: true, value: parsed.data.length === 0 ? undefined : parsed.data };
}

/** Slack's ts as a number that orders exactly (doubles lose the last microsecond digit). */
function tsKey(ts: string): bigint {
  const [seconds = "0", micros = ""] = ts.split(".");
  if (!/^\d+$/.test(seconds) || !/^\d*$/.test(micros)) return -1n;
  return BigInt(seconds) * 1_000_000n + BigInt(micros.padEnd(6, "0").slice(0, 6) || "0");
}

const compareTs = (a: string, b: string) => {
  const diff = tsKey(a) - tsKey(b);
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
};

function slackId(prefix: string): string {
  return `${prefix}${randomBytes(8).toString("hex").toUpperCase().slice(0, 10)}`;
}

const MIME_TYPES: Record<string, string> = {
  ".csv": "text/csv",
  ".json": "application/json",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".txt": "text/plain",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

export type SlackStateOptions = {
  users: readonly SandboxSlackUser[];
  channels: readonly SandboxSlackChannel[];
  now: () => number;
  triggerTtlMs: number;
};

export class SlackState {
  readonly users: ReadonlyMap<string, SandboxSlackUser>;
  /** Where the sandbox listens, for upload and file URLs; set once the server has a port. */
  origin = "";
  private readonly channels = new Map<string, Channel>();
  private readonly messages: (SandboxMessage & { deleted: boolean })[] = [];
  private readonly ephemeralList: SandboxEphemeral[] = [];
  private readonly viewsById = new Map<string, StoredView>();
  private readonly homeViewIds = new Map<string, string>();
  private readonly modalStacks = new Map<string, string[]>();
  private readonly uploadsById = new Map<string, SandboxUpload>();
  private readonly triggers = new Map<string, { user: string; issuedAt: number; used: boolean }>();
  private readonly responseUrls = new Map<string, ResponseUrl>();
  private readonly responseList: SandboxResponse[] = [];
  private lastMicros = 0;
  private readonly now: () => number;
  private readonly triggerTtlMs: number;

  constructor(options: SlackStateOptions) {
    this.users = new Map(options.users.map((u) => [u.id, u]));
    for (const c of options.channels) this.channels.set(c.id, { ...c, kind: "channel", members: [] });
    this.now = options.now;
    this.triggerTtlMs = options.triggerTtlMs;
  }

  /** A unique, increasing "1700000000.000100"-style ts on the sandbox's clock. */
  nextTs(): string {
    this.lastMicros = Math.max(this.now() * 1000, this.lastMicros + 1);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    const micros = this.lastMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, "0")}`;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  user(id: string): SandboxSlackUser {
    const user = this.users.get(id);
    if (user === undefined) {
      throw new Error(`the sandbox has no user ${id} (users: ${[...this.users.keys()].join(", ")})`);
    }
    return user;
  }

  /** A channel id, a #name, a DM id, or a user id (which means the app's DM with that user). */
  resolveChannel(ref: string): Channel | undefined {
    const known = this.channels.get(ref);
    if (known !== undefined) return known;
    const name = ref.replace(/^#/, "");
    for (const channel of this.channels.values()) {
      if (channel.kind === "channel" && channel.name === name) return channel;
    }
    const user =
      this.users.get(ref) ??
      [...this.users.values()].find((u) => ref.startsWith("D") && dmChannelId(u.id) === ref);
    if (user === undefined) return undefined;
    const dm: Channel = { id: dmChannelId(user.id), name: "directmessage", kind: "im", members: [user.id] };
    this.channels.set(dm.id, dm);
    return dm;
  }

  dmOf(userId: string): Channel {
    const dm = this.resolveChannel(dmChannelId(this.user(userId).id));
    if (dm === undefined) throw new Error(`no DM for ${userId}`);
    return dm;
  }

  issueTrigger(user: string): string {
    const id = `${this.nowSeconds()}.${SANDBOX_TEAM.id.slice(1)}.${randomBytes(16).toString("hex")}`;
    this.triggers.set(id, { user, issuedAt: this.now(), used: false });
    return id;
  }

  issueResponseUrl(input: Omit<ResponseUrl, "id" | "uses" | "createdAt">): string {
    const id = randomUUID();
    this.responseUrls.set(id, { ...input, id, uses: 0, createdAt: this.now() });
    return `${this.origin}/response/${id}`;
  }

  // ---- reads for the test helpers -------------------------------------------------------------

  messagesIn(channelRef: string): SandboxMessage[] {
    const channel = this.resolveChannel(channelRef);
    if (channel === undefined) return [];
    return this.messages
      .filter((m) => m.channel === channel.id && !m.deleted)
      .map(({ deleted: _deleted, ...message }) => copyJson(message));
  }

  message(channelId: string, ts: string): SandboxMessage | undefined {
    return this.messagesIn(channelId).find((m) => m.ts === ts);
  }

  ephemerals(user?: string): SandboxEphemeral[] {
    return this.ephemeralList.filter((e) => user === undefined || e.user === user).map((e) => copyJson(e));
  }

  ephemeral(channelId: string, ts: string): SandboxEphemeral | undefined {
    return this.ephemeralList.find((e) => e.channel === channelId && e.ts === ts);
  }

  views(user?: string): SandboxView[] {
    return [...this.viewsById.values()]
      .filter((v) => user === undefined || v.user === user)
      .map((v) => ({
        id: v.id,
        user: v.user,
        type: v.type,
        view: this.viewJson(v),
        open: v.open,
        errors: v.errors === null ? null : copyJson(v.errors),
      }));
  }

  view(viewId: string): SandboxView | undefined {
    return this.views().find((v) => v.id === viewId);
  }

  homeView(user: string): JsonObject | null {
    const id = this.homeViewIds.get(user);
    const stored = id === undefined ? undefined : this.viewsById.get(id);
    return stored === undefined ? null : this.viewJson(stored);
  }

  uploads(): SandboxUpload[] {
    return [...this.uploadsById.values()].map((u) => ({
      ...u,
      bytes: u.bytes === null ? null : Buffer.from(u.bytes),
      channels: [...u.channels],
    }));
  }

  upload(fileId: string): SandboxUpload | undefined {
    return this.uploadsById.get(fileId);
  }

  responses(): SandboxResponse[] {
    return this.responseList.map((r) => copyJson({ ...r }));
  }

  responseCount(user?: string): number {
    if (user === undefined) return this.responseList.length;
    return this.responseList.reduce((n, r) => (r.user === user ? n + 1 : n), 0);
  }

  // ---- changes the socket-mode helpers make --------------------------------------------------

  addUserMessage(user: string, channelId: string, text: string, threadTs?: string): SandboxMessage {
    const stored = {
      channel: channelId,
      ts: this.nextTs(),
      user,
      botId: null,
      text,
      blocks: [],
      attachments: null,
      metadata: null,
      threadTs: threadTs ?? null,
      replyBroadcast: false,
      files: [],
      edited: null,
      deleted: false,
    };
    this.messages.push(stored);
    return copyJson({ ...stored });
  }

  addEphemeral(input: Omit<SandboxEphemeral, "ts">): SandboxEphemeral {
    const ephemeral = { ...input, ts: this.nextTs() };
    this.ephemeralList.push(ephemeral);
    return ephemeral;
  }

  /** A modal's stored view with the state a submission or click carries. */
  setViewState(viewId: string, values: JsonObject): void {
    const stored = this.viewsById.get(viewId);
    if (stored !== undefined) stored.stateValues = copyJson(values);
  }

  viewBlocks(viewId: string): { view: JsonObject; blocks: JsonObject[] } | undefined {
    const stored = this.viewsById.get(viewId);
    if (stored === undefined) return undefined;
    const blocks = Array.isArray(stored.spec.blocks) ? stored.spec.blocks.filter(isJsonObject) : [];
    return { view: this.viewJson(stored), blocks };
  }

  /** What Slack does with a view_submission's ack: close, update, push, clear or show errors. */
  applySubmissionAck(viewId: string, ack: JsonObject): void {
    const stored = this.viewsById.get(viewId);
    if (stored === undefined) return;
    const stack = this.modalStacks.get(stored.user) ?? [];
    const action = ack.response_action;
    if (action === "errors") {
      stored.errors = isJsonObject(ack.errors) ? copyJson(ack.errors) : {};
      return;
    }
    stored.errors = null;
    if (action === "update" && isJsonObject(ack.view)) {
      this.replaceSpec(stored, ack.view);
      return;
    }
    if (action === "push" && isJsonObject(ack.view)) {
      this.pushModal(stored.user, ack.view);
      return;
    }
    const position = stack.indexOf(viewId);
    const closing = action === "clear" || position < 0 ? stack.splice(0) : stack.splice(position);
    for (const id of closing) {
      const view = this.viewsById.get(id);
      if (view !== undefined) view.open = false;
    }
    stored.open = false;
  }

  /** respond(): what Slack does with a POST to a response_url it handed out. */
  respond(id: string, body: JsonObject): { status: number; result: ApiResult } {
    const entry = this.responseUrls.get(id);
    if (entry === undefined) return { status: 404, result: failure("no_such_url") };
    if (this.now() - entry.createdAt > RESPONSE_URL_TTL_MS)
      return { status: 404, result: failure("expired_url") };
    if (entry.uses >= RESPONSE_URL_USES) return { status: 404, result: failure("used_url") };
    entry.uses++;
    this.responseList.push({
      responseUrlId: id,
      kind: entry.kind,
      user: entry.user,
      channel: entry.channel.id,
      body: copyJson(body),
      at: this.now(),
    });
    const blocks = parseBlocks(body.blocks, MAX_MESSAGE_BLOCKS);
    if (!blocks.ok) return { status: 400, result: blocks.result };
    const text = typeof body.text === "string" ? body.text : "";
    const source = entry.source;
    if (body.delete_original === true || body.delete_original === "true") {
      if (source !== null) this.deleteStored(source.channel, source.ts);
      return { status: 200, result: { ok: true } };
    }
    if (body.replace_original === true || body.replace_original === "true") {
      const original = source === null ? undefined : this.findStored(source.channel, source.ts);
      const ephemeral = source === null ? undefined : this.ephemeral(source.channel, source.ts);
      if (original !== undefined) {
        original.text = text;
        original.blocks = blocks.value ?? [];
        original.edited = { user: SANDBOX_APP.botUserId, ts: this.nextTs() };
      } else if (ephemeral !== undefined) {
        ephemeral.text = text;
        ephemeral.blocks = blocks.value ?? [];
      }
      return { status: 200, result: { ok: true } };
    }
    if (body.response_type === "in_channel") {
      this.storeBotMessage(entry.channel.id, { text, blocks: blocks.value ?? [] });
    } else {
      this.addEphemeral({
        channel: entry.channel.id,
        user: entry.user,
        text,
        blocks: blocks.value ?? [],
        via: "response_url",
      });
    }
    return { status: 200, result: { ok: true } };
  }

  /** A slash command's ack with a body is shown to the user, or posted when it asks for in_channel. */
  applyCommandAck(channelId: string, user: string, ack: JsonObject): void {
    const text = typeof ack.text === "string" ? ack.text : "";
    const blocks = parseBlocks(ack.blocks, MAX_MESSAGE_BLOCKS);
    if (!blocks.ok || (text === "" && (blocks.value ?? []).length === 0)) return;
    if (ack.response_type === "in_channel") {
      this.storeBotMessage(channelId, { text, blocks: blocks.value ?? [] });
      return;
    }
    this.addEphemeral({ channel: channelId, user, text, blocks: blocks.value ?? [], via: "ack" });
  }

  storeUploadBytes(fileId: string, bytes: Buffer): boolean {
    const upload = this.uploadsById.get(fileId);
    if (upload === undefined || upload.completed) return false;
    upload.bytes = bytes;
    return true;
  }

  // ---- the Web API ----------------------------------------------------------------------------

  readonly methods: Readonly<Record<string, (args: JsonObject) => ApiResult>> = {
    "auth.test": () => ({
      ok: true,
      url: `https://${SANDBOX_TEAM.domain}.slack.com/`,
      team: SANDBOX_TEAM.name,
      user: SANDBOX_APP.botName,
      team_id: SANDBOX_TEAM.id,
      user_id: SANDBOX_APP.botUserId,
      bot_id: SANDBOX_APP.botId,
      is_enterprise_install: false,
    }),
    "chat.postMessage": (args) => this.postMessage(args),
    "chat.update": (args) => this.updateMessage(args),
    "chat.delete": (args) => this.deleteMessage(args),
    "chat.postEphemeral": (args) => this.postEphemeral(args),
    "conversations.history": (args) => this.history(args),
    "conversations.open": (args) => this.openConversation(args),
    "views.open": (args) => this.openView(args),
    "views.push": (args) => this.pushView(args),
    "views.update": (args) => this.updateView(args),
    "views.publish": (args) => this.publishView(args),
    "users.info": (args) => this.userInfo(args),
    "users.lookupByEmail": (args) => this.lookupByEmail(args),
    "files.getUploadURLExternal": (args) => this.uploadUrl(args),
    "files.completeUploadExternal": (args) => this.completeUpload(args),
  };

  private messageContent(
    input: z.infer<typeof messageArgs>,
  ): Checked<{ text: string; blocks: JsonObject[] | undefined; attachments: JsonValue[] | undefined }> {
    const blocks = parseBlocks(input.blocks, MAX_MESSAGE_BLOCKS);
    if (!blocks.ok) return blocks;
    const attachments = parseAttachments(input.attachments);
    if (!attachments.ok) return attachments;
    const text = input.text ?? "";
    if (text.trim() === "" && blocks.value === undefined && attachments.value === undefined) {
      return { ok: false, result: failure("no_text") };
    }
    if (text.length > MAX_TEXT_LENGTH) return { ok: false, result: failure("msg_too_long") };
    return { ok: true, value: { text, blocks: blocks.value, attachments: attachments.value } };
  }

  private storeBotMessage(
    channel: string,
    content: {
      text: string;
      blocks?: JsonObject[];
      attachments?: JsonValue[];
      metadata?: JsonObject;
      threadTs?: string;
      replyBroadcast?: boolean;
      files?: JsonObject[];
    },
  ): SandboxMessage & { deleted: boolean } {
    const stored = {
      channel,
      ts: this.nextTs(),
      user: SANDBOX_APP.botUserId,
      botId: SANDBOX_APP.botId,
      text: content.text,
      blocks: content.blocks ?? [],
      attachments: content.attachments ?? null,
      metadata: content.metadata ?? null,
      threadTs: content.threadTs ?? null,
      replyBroadcast: content.replyBroadcast ?? false,
      files: content.files ?? [],
      edited: null,
      deleted: false,
    };
    this.messages.push(stored);
    return stored;
  }

  private findStored(channel: string, ts: string) {
    return this.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
  }

  private deleteStored(channel: string, ts: string): void {
    const stored = this.findStored(channel, ts);
    if (stored !== undefined) {
      stored.deleted = true;
      return;
    }
    const index = this.ephemeralList.findIndex((e) => e.channel === channel && e.ts === ts);
    if (index >= 0) this.ephemeralList.splice(index, 1);
  }

  messageJson(m: SandboxMessage, withMetadata: boolean): JsonObject {
    const json: JsonObject = {
      type: "message",
      user: m.user,
      text: m.text,
      ts: m.ts,
      team: SANDBOX_TEAM.id,
    };
    if (m.botId !== null) {
      json.bot_id = m.botId;
      json.app_id = SANDBOX_APP.appId;
    }
    if (m.blocks.length > 0) json.blocks = copyJson(m.blocks);
    if (m.attachments !== null) json.attachments = copyJson(m.attachments);
    if (m.files.length > 0) {
      json.files = copyJson(m.files);
      json.upload = true;
    }
    if (m.threadTs !== null) json.thread_ts = m.threadTs;
    if (m.edited !== null) json.edited = { ...m.edited };
    if (withMetadata && m.metadata !== null) json.metadata = copyJson(m.metadata);
    return json;
  }

  private postMessage(args: JsonObject): ApiResult {
    const input = parseArgs(messageArgs, args);
    if (!input.ok) return input.result;
    const channel = input.value.channel === undefined ? undefined : this.resolveChannel(input.value.channel);
    if (channel === undefined) return failure("channel_not_found");
    const content = this.messageContent(input.value);
    if (!content.ok) return content.result;
    const metadata = parseMetadata(input.value.metadata);
    if (!metadata.ok) return metadata.result;
    const stored = this.storeBotMessage(channel.id, {
      text: content.value.text,
      ...(content.value.blocks === undefined ? {} : { blocks: content.value.blocks }),
      ...(content.value.attachments === undefined ? {} : { attachments: content.value.attachments }),
      ...(metadata.value === undefined ? {} : { metadata: metadata.value }),
      ...(input.value.thread_ts === undefined ? {} : { threadTs: input.value.thread_ts }),
      replyBroadcast: input.value.reply_broadcast ?? false,
    });
    return { ok: true, channel: channel.id, ts: stored.ts, message: this.messageJson(stored, true) };
  }

  private updateMessage(args: JsonObject): ApiResult {
    const input = parseArgs(messageArgs.extend({ ts: str.optional() }), args);
    if (!input.ok) return input.result;
    const channel = input.value.channel === undefined ? undefined : this.resolveChannel(input.value.channel);
    if (channel === undefined) return failure("channel_not_found");
    const stored = input.value.ts === undefined ? undefined : this.findStored(channel.id, input.value.ts);
    if (stored === undefined) return failure("message_not_found");
    if (stored.botId === null) return failure("cant_update_message");
    const content = this.messageContent(input.value);
    if (!content.ok) return content.result;
    const metadata = parseMetadata(input.value.metadata);
    if (!metadata.ok) return metadata.result;
    stored.text = content.value.text;
    if (content.value.blocks !== undefined || input.value.blocks !== undefined) {
      stored.blocks = content.value.blocks ?? [];
    }
    if (content.value.attachments !== undefined) stored.attachments = content.value.attachments;
    if (metadata.value !== undefined) stored.metadata = metadata.value;
    stored.edited = { user: SANDBOX_APP.botUserId, ts: this.nextTs() };
    return {
      ok: true,
      channel: channel.id,
      ts: stored.ts,
      text: stored.text,
      message: this.messageJson(stored, true),
    };
  }

  private deleteMessage(args: JsonObject): ApiResult {
    const input = parseArgs(z.object({ channel: str.optional(), ts: str.optional() }), args);
    if (!input.ok) return input.result;
    const channel = input.value.channel === undefined ? undefined : this.resolveChannel(input.value.channel);
    if (channel === undefined) return failure("channel_not_found");
    const stored = input.value.ts === undefined ? undefined : this.findStored(channel.id, input.value.ts);
    if (stored === undefined) return failure("message_not_found");
    if (stored.botId === null) return failure("cant_delete_message");
    stored.deleted = true;
    return { ok: true, channel: channel.id, ts: stored.ts };
  }

  private postEphemeral(args: JsonObject): ApiResult {
    const input = parseArgs(messageArgs.extend({ user: str.optional() }), args);
    if (!input.ok) return input.result;
    const channel = input.value.channel === undefined ? undefined : this.resolveChannel(input.value.channel);
    if (channel === undefined) return failure("channel_not_found");
    const user = input.value.user === undefined ? undefined : this.users.get(input.value.user);
    if (user === undefined) return failure("user_not_found");
    if (channel.kind !== "channel" && !channel.members.includes(user.id))
      return failure("user_not_in_channel");
    const content = this.messageContent(input.value);
    if (!content.ok) return content.result;
    const ephemeral = this.addEphemeral({
      channel: channel.id,
      user: user.id,
      text: content.value.text,
      blocks: content.value.blocks ?? [],
      via: "chat.postEphemeral",
    });
    return { ok: true, message_ts: ephemeral.ts };
  }

  private history(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({
        channel: str.optional(),
        limit: int.optional(),
        cursor: str.optional(),
        oldest: str.optional(),
        latest: str.optional(),
        inclusive: flag.optional(),
        include_all_metadata: flag.optional(),
      }),
      args,
    );
    if (!input.ok) return input.result;
    const { value } = input;
    const channel = value.channel === undefined ? undefined : this.resolveChannel(value.channel);
    if (channel === undefined) return failure("channel_not_found");
    const limit = Math.min(Math.max(value.limit ?? 100, 1), 999);
    const inclusive = value.inclusive ?? false;
    let before: { ts: string; inclusive: boolean } | null =
      value.latest === undefined ? null : { ts: value.latest, inclusive };
    if (value.cursor !== undefined && value.cursor !== "") {
      const decoded = Buffer.from(value.cursor, "base64").toString("utf8");
      if (!decoded.startsWith("next_ts:")) return failure("invalid_cursor");
      before = { ts: decoded.slice("next_ts:".length), inclusive: true };
    }
    const matching = this.messages
      .filter((m) => m.channel === channel.id && !m.deleted)
      .filter((m) => m.threadTs === null || m.threadTs === m.ts || m.replyBroadcast)
      .filter((m) => {
        if (value.oldest !== undefined) {
          const order = compareTs(m.ts, value.oldest);
          if (order < 0 || (order === 0 && !inclusive)) return false;
        }
        if (before !== null) {
          const order = compareTs(m.ts, before.ts);
          if (order > 0 || (order === 0 && !before.inclusive)) return false;
        }
        return true;
      })
      .sort((a, b) => compareTs(b.ts, a.ts));
    const page = matching.slice(0, limit);
    const next = matching[limit];
    const withMetadata = value.include_all_metadata ?? false;
    return {
      ok: true,
      messages: page.map((m) => this.messageJson(m, withMetadata)),
      has_more: next !== undefined,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: {
        next_cursor: next === undefined ? "" : Buffer.from(`next_ts:${next.ts}`).toString("base64"),
      },
    };
  }

  private openConversation(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({ users: str.optional(), channel: str.optional(), return_im: flag.optional() }),
      args,
    );
    if (!input.ok) return input.result;
    if (input.value.channel !== undefined) {
      const channel = this.resolveChannel(input.value.channel);
      if (channel === undefined || channel.kind === "channel") return failure("channel_not_found");
      return { ok: true, channel: { id: channel.id } };
    }
    const ids = (input.value.users ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (ids.length === 0) return failure("users_list_not_supplied");
    if (ids.length > 8) return failure("too_many_users");
    for (const id of ids) if (!this.users.has(id)) return failure("user_not_found");
    if (ids.length === 1) {
      const dm = this.dmOf(ids[0] ?? "");
      const channel: JsonObject =
        input.value.return_im === true
          ? { id: dm.id, created: this.nowSeconds(), is_im: true, is_org_shared: false, user: ids[0] ?? "" }
          : { id: dm.id };
      return { ok: true, no_op: true, already_open: true, channel };
    }
    const members = [...new Set(ids)].sort();
    const name = `mpdm-${members.map((id) => this.users.get(id)?.name ?? id).join("--")}-1`;
    const existing = [...this.channels.values()].find((c) => c.kind === "mpim" && c.name === name);
    const channel = existing ?? { id: slackId("G"), name, kind: "mpim" as const, members };
    this.channels.set(channel.id, channel);
    return { ok: true, channel: { id: channel.id } };
  }

  private useTrigger(triggerId: string | undefined): Checked<string> {
    const trigger = triggerId === undefined ? undefined : this.triggers.get(triggerId);
    if (trigger === undefined) return { ok: false, result: failure("invalid_trigger_id") };
    if (this.now() - trigger.issuedAt > this.triggerTtlMs) {
      return { ok: false, result: failure("expired_trigger_id") };
    }
    if (trigger.used) return { ok: false, result: failure("trigger_exchanged") };
    trigger.used = true;
    return { ok: true, value: trigger.user };
  }

  private checkedView(raw: unknown, expected: "modal" | "home" | "any"): Checked<JsonObject> {
    const parsed = jsonObjectArg.safeParse(raw);
    if (!parsed.success)
      return { ok: false, result: invalidArguments(["must provide an object [json-pointer:/view]"]) };
    const errors = viewErrors(parsed.data, expected);
    if (errors.length > 0) return { ok: false, result: invalidArguments(errors) };
    const blocks = Array.isArray(parsed.data.blocks) ? parsed.data.blocks : [];
    return { ok: true, value: { ...copyJson(parsed.data), blocks: withGeneratedIds(blocks) } };
  }

  private newHash(): string {
    return `${this.nowSeconds()}.${randomBytes(4).toString("hex")}`;
  }

  viewJson(v: StoredView): JsonObject {
    const spec = v.spec;
    const json: JsonObject = {
      id: v.id,
      team_id: SANDBOX_TEAM.id,
      type: v.type,
      blocks: copyJson(spec.blocks ?? []),
      private_metadata: typeof spec.private_metadata === "string" ? spec.private_metadata : "",
      callback_id: typeof spec.callback_id === "string" ? spec.callback_id : "",
      state: { values: copyJson(v.stateValues) },
      hash: v.hash,
      clear_on_close: spec.clear_on_close === true,
      notify_on_close: spec.notify_on_close === true,
      previous_view_id: v.previousViewId,
      root_view_id: v.rootViewId,
      app_id: SANDBOX_APP.appId,
      external_id: typeof spec.external_id === "string" ? spec.external_id : "",
      app_installed_team_id: SANDBOX_TEAM.id,
      bot_id: SANDBOX_APP.botId,
    };
    for (const key of ["title", "submit", "close"]) {
      const value = spec[key];
      if (value !== undefined) json[key] = copyJson(value);
    }
    return json;
  }

  private newModal(
    user: string,
    spec: JsonObject,
    rootViewId: string | null,
    previous: string | null,
  ): StoredView {
    const id = slackId("V");
    const stored: StoredView = {
      id,
      user,
      type: "modal",
      spec,
      hash: this.newHash(),
      rootViewId: rootViewId ?? id,
      previousViewId: previous,
      open: true,
      errors: null,
      stateValues: {},
    };
    this.viewsById.set(id, stored);
    return stored;
  }

  private pushModal(user: string, rawSpec: JsonObject): Checked<StoredView> {
    const stack = this.modalStacks.get(user) ?? [];
    if (stack.length >= MAX_VIEW_STACK) return { ok: false, result: failure("push_limit_reached") };
    const spec = {
      ...rawSpec,
      blocks: withGeneratedIds(Array.isArray(rawSpec.blocks) ? rawSpec.blocks : []),
    };
    const top = stack.at(-1) ?? null;
    const root = stack[0] ?? null;
    const stored = this.newModal(user, spec, root, top);
    stack.push(stored.id);
    this.modalStacks.set(user, stack);
    return { ok: true, value: stored };
  }

  private replaceSpec(stored: StoredView, rawSpec: JsonObject): void {
    stored.spec = {
      ...rawSpec,
      blocks: withGeneratedIds(Array.isArray(rawSpec.blocks) ? rawSpec.blocks : []),
    };
    stored.hash = this.newHash();
    stored.stateValues = {};
  }

  private openView(args: JsonObject): ApiResult {
    const input = parseArgs(z.object({ trigger_id: str.optional(), view: z.unknown() }), args);
    if (!input.ok) return input.result;
    const view = this.checkedView(input.value.view, "modal");
    if (!view.ok) return view.result;
    const user = this.useTrigger(input.value.trigger_id);
    if (!user.ok) return user.result;
    for (const id of this.modalStacks.get(user.value) ?? []) {
      const open = this.viewsById.get(id);
      if (open !== undefined) open.open = false;
    }
    const stored = this.newModal(user.value, view.value, null, null);
    this.modalStacks.set(user.value, [stored.id]);
    return { ok: true, view: this.viewJson(stored) };
  }

  private pushView(args: JsonObject): ApiResult {
    const input = parseArgs(z.object({ trigger_id: str.optional(), view: z.unknown() }), args);
    if (!input.ok) return input.result;
    const view = this.checkedView(input.value.view, "modal");
    if (!view.ok) return view.result;
    const user = this.useTrigger(input.value.trigger_id);
    if (!user.ok) return user.result;
    const pushed = this.pushModal(user.value, view.value);
    if (!pushed.ok) return pushed.result;
    return { ok: true, view: this.viewJson(pushed.value) };
  }

  private updateView(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({
        view_id: str.optional(),
        external_id: str.optional(),
        hash: str.optional(),
        view: z.unknown(),
      }),
      args,
    );
    if (!input.ok) return input.result;
    const { view_id: viewId, external_id: externalId, hash } = input.value;
    if (viewId === undefined && externalId === undefined) {
      return invalidArguments(["must provide either view_id or external_id"]);
    }
    const stored = [...this.viewsById.values()].find((v) =>
      viewId !== undefined ? v.id === viewId : v.spec.external_id === externalId,
    );
    if (stored === undefined) return failure("not_found");
    const view = this.checkedView(input.value.view, stored.type);
    if (!view.ok) return view.result;
    if (hash !== undefined && hash !== "" && hash !== stored.hash) return failure("hash_conflict");
    this.replaceSpec(stored, view.value);
    return { ok: true, view: this.viewJson(stored) };
  }

  private publishView(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({ user_id: str.optional(), hash: str.optional(), view: z.unknown() }),
      args,
    );
    if (!input.ok) return input.result;
    const user = input.value.user_id === undefined ? undefined : this.users.get(input.value.user_id);
    if (user === undefined) return failure("user_not_found");
    const view = this.checkedView(input.value.view, "home");
    if (!view.ok) return view.result;
    const existingId = this.homeViewIds.get(user.id);
    const existing = existingId === undefined ? undefined : this.viewsById.get(existingId);
    const { hash } = input.value;
    if (existing !== undefined && hash !== undefined && hash !== "" && hash !== existing.hash) {
      return failure("hash_conflict");
    }
    if (existing !== undefined) {
      this.replaceSpec(existing, view.value);
      return { ok: true, view: this.viewJson(existing) };
    }
    const id = slackId("V");
    const stored: StoredView = {
      id,
      user: user.id,
      type: "home",
      spec: view.value,
      hash: this.newHash(),
      rootViewId: id,
      previousViewId: null,
      open: true,
      errors: null,
      stateValues: {},
    };
    this.viewsById.set(id, stored);
    this.homeViewIds.set(user.id, id);
    return { ok: true, view: this.viewJson(stored) };
  }

  private userInfo(args: JsonObject): ApiResult {
    const input = parseArgs(z.object({ user: str.optional(), include_locale: flag.optional() }), args);
    if (!input.ok) return input.result;
    const user = input.value.user === undefined ? undefined : this.users.get(input.value.user);
    if (user === undefined) return failure("user_not_found");
    return { ok: true, user: userRecord(user, input.value.include_locale ?? false, new Date(this.now())) };
  }

  private lookupByEmail(args: JsonObject): ApiResult {
    const input = parseArgs(z.object({ email: str.optional() }), args);
    if (!input.ok) return input.result;
    const email = input.value.email?.toLowerCase();
    const user = [...this.users.values()].find((u) => u.email.toLowerCase() === email);
    if (user === undefined) return failure("users_not_found");
    return { ok: true, user: userRecord(user, false, new Date(this.now())) };
  }

  private uploadUrl(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({
        filename: str.pipe(z.string().min(1)),
        length: int.pipe(z.number().min(1)),
        alt_txt: str.optional(),
      }),
      args,
    );
    if (!input.ok) return input.result;
    const fileId = slackId("F");
    this.uploadsById.set(fileId, {
      fileId,
      filename: input.value.filename,
      title: input.value.filename,
      declaredLength: input.value.length,
      bytes: null,
      completed: false,
      channels: [],
      initialComment: null,
      threadTs: null,
    });
    return { ok: true, upload_url: `${this.origin}/upload/v1/${fileId}`, file_id: fileId };
  }

  private fileJson(upload: SandboxUpload): JsonObject {
    const ext = extname(upload.filename).toLowerCase();
    const url = `${this.origin}/files/${upload.fileId}/${encodeURIComponent(upload.filename)}`;
    return {
      id: upload.fileId,
      created: this.nowSeconds(),
      timestamp: this.nowSeconds(),
      name: upload.filename,
      title: upload.title,
      mimetype: MIME_TYPES[ext] ?? "application/octet-stream",
      filetype: ext.replace(".", "") || "binary",
      user: SANDBOX_APP.botUserId,
      user_team: SANDBOX_TEAM.id,
      size: upload.bytes?.length ?? 0,
      mode: "hosted",
      is_external: false,
      is_public: false,
      url_private: url,
      url_private_download: `${url}?download=1`,
      permalink: `https://${SANDBOX_TEAM.domain}.slack.com/files/${SANDBOX_APP.botUserId}/${upload.fileId}`,
      channels: [...upload.channels],
    };
  }

  private completeUpload(args: JsonObject): ApiResult {
    const input = parseArgs(
      z.object({
        files: z.preprocess(
          jsonText,
          z.array(z.object({ id: z.string(), title: z.string().optional() })).min(1),
        ),
        channel_id: str.optional(),
        channels: str.optional(),
        initial_comment: str.optional(),
        thread_ts: str.optional(),
        blocks: z.unknown().optional(),
      }),
      args,
    );
    if (!input.ok) return input.result;
    const { value } = input;
    const refs = [
      ...(value.channel_id === undefined ? [] : [value.channel_id]),
      ...(value.channels ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== ""),
    ];
    const channels: Channel[] = [];
    for (const ref of refs) {
      const channel = this.resolveChannel(ref);
      if (channel === undefined) return failure("channel_not_found");
      channels.push(channel);
    }
    const uploads: SandboxUpload[] = [];
    for (const file of value.files) {
      const upload = this.uploadsById.get(file.id);
      if (upload === undefined || upload.bytes === null || upload.completed) return failure("file_not_found");
      uploads.push(upload);
    }
    const blocks = parseBlocks(value.blocks, MAX_MESSAGE_BLOCKS);
    if (!blocks.ok) return blocks.result;
    for (const [i, upload] of uploads.entries()) {
      upload.completed = true;
      upload.title = value.files[i]?.title ?? upload.filename;
      upload.channels = channels.map((c) => c.id);
      upload.initialComment = value.initial_comment ?? null;
      upload.threadTs = value.thread_ts ?? null;
    }
    const files = uploads.map((u) => this.fileJson(u));
    for (const channel of channels) {
      this.storeBotMessage(channel.id, {
        text: value.initial_comment ?? "",
        files,
        ...(blocks.value === undefined ? {} : { blocks: blocks.value }),
        ...(value.thread_ts === undefined ? {} : { threadTs: value.thread_ts }),
      });
    }
    return { ok: true, files };
  }
}
