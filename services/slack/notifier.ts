import type { MessageMetadata } from "@slack/types";
import {
  ErrorCode,
  type FetchFunction,
  LogLevel,
  type RetryOptions,
  type Logger as SlackLogger,
  WebAPIPlatformError,
  WebClient,
} from "@slack/web-api";
import { z } from "zod";
import { ConfigError } from "../errors.ts";
import { messageAsText } from "./blocks/as-text.ts";
import type { SlackMessage } from "./blocks/finding-parts.ts";
import { SlackApiError } from "./errors.ts";

/** Where a message sits: its channel and Slack's timestamp id. */
export type MessageRef = { channel: string; ts: string };

export type OutgoingMessage = SlackMessage & { metadata?: MessageMetadata };

/** Posts and updates messages in one channel; the alert job speaks only to this. */
export interface Notifier {
  /** Where this notifier posts: a Slack channel ID, or TEXT_CHANNEL. */
  readonly channel: string;
  post(message: OutgoingMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: OutgoingMessage): Promise<void>;
  /**
   * Of the messages posted to the channel since `since`, those whose metadata `event_payload.key`
   * is one of `keys`: how a post whose answer was lost is found afterwards.
   */
  findPosted(keys: ReadonlySet<string>, since: Date): Promise<Map<string, MessageRef>>;
}

export type MillisClock = () => number;
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

export type SlackNotifierOptions = {
  token: string;
  /** Slack's Web API base (SLACK_API_URL). */
  apiUrl: string;
  channel: string;
  clock?: MillisClock;
  sleep?: Sleep;
  /** Slack allows about one message a second per channel. */
  minIntervalMs?: number;
  /** How many 429s in a row one call waits out before giving up. */
  maxRateLimitWaits?: number;
  timeoutMs?: number;
  logger?: SlackLogger;
  /**
   * The WebClient's own retries. None by default: a post retried after a lost answer would be
   * posted twice, so a lost answer is left to the caller (which reconciles through findPosted).
   */
  retryConfig?: RetryOptions;
  /** The WebClient's fetch (app/metrics.ts counts calls and errors through it). */
  fetch?: FetchFunction;
};

/** The metadata key our alert messages carry, which findPosted looks for. */
export const METADATA_KEY_FIELD = "key";
const HISTORY_PAGE = 200;
const HISTORY_MAX_PAGES = 25;

const postResultSchema = z.object({ ok: z.literal(true), channel: z.string().min(1), ts: z.string().min(1) });
const historySchema = z.object({
  ok: z.literal(true),
  messages: z
    .array(
      z.object({
        ts: z.string(),
        metadata: z
          .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
          .optional(),
      }),
    )
    .default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

const UNFURL_OFF = { unfurl_links: false, unfurl_media: false } as const;

function rateLimitWait(error: unknown): number | null {
  if (!(error instanceof Error) || !("code" in error) || error.code !== ErrorCode.RateLimitedError)
    return null;
  return "retryAfter" in error && typeof error.retryAfter === "number" ? error.retryAfter : 1;
}

/**
 * The PMO channel through `@slack/web-api`: at most one message (post or update) a second per
 * channel, 429s waited out for their Retry-After, unfurling always off, every answer parsed.
 */
export class SlackNotifier implements Notifier {
  readonly channel: string;
  private readonly client: WebClient;
  private readonly clock: MillisClock;
  private readonly sleep: Sleep;
  private readonly minIntervalMs: number;
  private readonly maxRateLimitWaits: number;
  private readonly nextSlot = new Map<string, number>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: SlackNotifierOptions) {
    this.channel = options.channel;
    this.clock = options.clock ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.minIntervalMs = options.minIntervalMs ?? 1_000;
    this.maxRateLimitWaits = options.maxRateLimitWaits ?? 5;
    this.client = new WebClient(options.token, {
      slackApiUrl: options.apiUrl.endsWith("/") ? options.apiUrl : `${options.apiUrl}/`,
      retryConfig: options.retryConfig ?? { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 15_000,
      ...(options.logger === undefined ? { logLevel: LogLevel.ERROR } : { logger: options.logger }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  async post(message: OutgoingMessage): Promise<MessageRef> {
    const result = await this.paced(this.channel, "chat.postMessage", () =>
      this.client.chat.postMessage({
        channel: this.channel,
        text: message.text,
        blocks: message.blocks,
        ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
        ...UNFURL_OFF,
      }),
    );
    const parsed = postResultSchema.safeParse(result);
    if (!parsed.success)
      throw new SlackApiError("slack_invalid_response", "Slack's answer has no channel and ts", {
        method: "chat.postMessage",
        cause: parsed.error,
      });
    return { channel: parsed.data.channel, ts: parsed.data.ts };
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    await this.paced(ref.channel, "chat.update", () =>
      this.client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
        ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
        // chat.update takes no unfurl options in its type; Slack ignores what it does not use, and
        // every call saying "no unfurl" is the rule.
        ...unfurlOff(),
      }),
    );
  }

  async findPosted(keys: ReadonlySet<string>, since: Date): Promise<Map<string, MessageRef>> {
    const found = new Map<string, MessageRef>();
    if (keys.size === 0) return found;
    let cursor: string | undefined;
    for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
      const result = await this.withRateLimitWaits("conversations.history", () =>
        this.client.conversations.history({
          channel: this.channel,
          oldest: (since.getTime() / 1000).toFixed(6),
          include_all_metadata: true,
          limit: HISTORY_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        }),
      );
      const parsed = historySchema.safeParse(result);
      if (!parsed.success)
        throw new SlackApiError("slack_invalid_response", "Slack's channel history has an unexpected shape", {
          method: "conversations.history",
          cause: parsed.error,
        });
      for (const message of parsed.data.messages) {
        const key = message.metadata?.event_payload?.[METADATA_KEY_FIELD];
        if (typeof key === "string" && keys.has(key))
          found.set(key, { channel: this.channel, ts: message.ts });
      }
      cursor = parsed.data.response_metadata?.next_cursor;
      if (found.size === keys.size || !parsed.data.has_more || !cursor) break;
    }
    return found;
  }

  /** One call at a time per channel, each at least `minIntervalMs` after the previous one began. */
  private paced<T>(channel: string, method: string, call: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(channel) ?? Promise.resolve();
    const next = previous.then(
      () => this.takeSlotThen(channel, method, call),
      () => this.takeSlotThen(channel, method, call),
    );
    this.queues.set(channel, next);
    return next;
  }

  private async takeSlotThen<T>(channel: string, method: string, call: () => Promise<T>): Promise<T> {
    return this.withRateLimitWaits(method, async () => {
      const wait = (this.nextSlot.get(channel) ?? 0) - this.clock();
      if (wait > 0) await this.sleep(wait);
      this.nextSlot.set(channel, this.clock() + this.minIntervalMs);
      return call();
    });
  }

  private async withRateLimitWaits<T>(method: string, call: () => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits++) {
      try {
        return await call();
      } catch (error) {
        const retryAfterSeconds = rateLimitWait(error);
        if (retryAfterSeconds === null) throw toSlackApiError(method, error);
        if (waits >= this.maxRateLimitWaits)
          throw new SlackApiError("slack_rate_limited", `Slack kept answering 429 after ${waits} waits`, {
            method,
            cause: error,
          });
        await this.sleep(retryAfterSeconds * 1_000);
      }
    }
  }
}

function unfurlOff(): Record<string, boolean> {
  return { ...UNFURL_OFF };
}

function toSlackApiError(method: string, error: unknown): SlackApiError {
  if (error instanceof SlackApiError) return error;
  if (error instanceof WebAPIPlatformError) {
    return new SlackApiError("slack_rejected", `Slack refused the call: ${error.data.error}`, {
      method,
      slackError: error.data.error,
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new SlackApiError("slack_unreachable", `no usable answer from Slack: ${reason}`, {
    method,
    cause: error,
  });
}

/** Pseudo-channel of the TextNotifier: alerts recorded with it were never in Slack. */
export const TEXT_CHANNEL = "text";

type TextSink = { write(chunk: string): unknown };

/**
 * The same interface without Slack: every message rendered as readable text to a stream (jobs run
 * without Slack credentials, the terminal demo). It remembers what it posted in this process.
 */
export class TextNotifier implements Notifier {
  readonly channel = TEXT_CHANNEL;
  private sequence = 0;
  private readonly posted = new Map<string, MessageRef>();

  constructor(
    private readonly out: TextSink,
    private readonly clock: MillisClock = Date.now,
  ) {}

  async post(message: OutgoingMessage): Promise<MessageRef> {
    this.sequence++;
    const ts = `${Math.floor(this.clock() / 1000)}.${String(this.sequence).padStart(6, "0")}`;
    const ref = { channel: this.channel, ts };
    const key = message.metadata?.event_payload[METADATA_KEY_FIELD];
    if (typeof key === "string") this.posted.set(key, ref);
    this.out.write(`\n── message ${ts} ──\n${messageAsText(message)}\n`);
    return ref;
  }

  async update(ref: MessageRef, message: OutgoingMessage): Promise<void> {
    this.out.write(`\n── message ${ref.ts} (updated) ──\n${messageAsText(message)}\n`);
  }

  async findPosted(keys: ReadonlySet<string>): Promise<Map<string, MessageRef>> {
    return new Map([...this.posted].filter(([key]) => keys.has(key)));
  }
}

export type NotifierSettings = {
  botToken: string | null;
  apiUrl: string;
  channelId: string | null;
  /** Each call's time limit (SLACK_TIMEOUT_MS). */
  timeoutMs?: number;
};

/** Slack when a bot token is configured (then the channel is required), text to `out` otherwise. */
export function notifierFromConfig(
  slack: NotifierSettings,
  options: { out: TextSink; logger?: SlackLogger; clock?: MillisClock; fetch?: FetchFunction },
): Notifier {
  if (slack.botToken === null) return new TextNotifier(options.out, options.clock);
  if (slack.channelId === null) {
    throw new ConfigError([
      {
        variable: "PMO_CHANNEL_ID",
        problem: "missing (needed to post alerts to Slack)",
        example: "C0123456789",
      },
    ]);
  }
  return new SlackNotifier({
    token: slack.botToken,
    apiUrl: slack.apiUrl,
    channel: slack.channelId,
    ...(slack.timeoutMs === undefined ? {} : { timeoutMs: slack.timeoutMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}
