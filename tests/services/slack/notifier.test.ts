import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "../../../services/errors.ts";
import { findingMessage } from "../../../services/slack/blocks/finding-message.ts";
import { isSlackApiError } from "../../../services/slack/errors.ts";
import {
  notifierFromConfig,
  SlackNotifier,
  TEXT_CHANNEL,
  TextNotifier,
} from "../../../services/slack/notifier.ts";
import { aFinding, aProject, context } from "./blocks/fixtures.ts";

const SLACK = "https://slack.test";
const API_URL = `${SLACK}/api`;
const CHANNEL = "C0PMO";

afterEach(() => {
  nock.cleanAll();
});

/** A fake clock whose sleep moves time forward: pacing is measured, never waited for. */
function fakeTime(startMs = 1_760_000_000_000) {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
    sleeps,
  };
}

const formSchema = z.record(z.string(), z.string());
/** The WebClient posts form-encoded bodies; nested values (blocks, metadata) are JSON strings. */
function form(body: unknown): Record<string, string> {
  if (typeof body === "string") return Object.fromEntries(new URLSearchParams(body));
  return formSchema.parse(Object.assign({}, body));
}

function notifier(time = fakeTime()) {
  return new SlackNotifier({
    token: "xoxb-test",
    apiUrl: API_URL,
    channel: CHANNEL,
    clock: time.clock,
    sleep: time.sleep,
  });
}

const message = () =>
  findingMessage(context("es"), {
    finding: aFinding(),
    project: aProject({ name: "<!channel> & co" }),
    changes: [],
  });

describe("SlackNotifier.post", () => {
  it("posts blocks, an escaped fallback and metadata, with unfurling off, and returns channel and ts", async () => {
    let sent: Record<string, string> = {};
    nock(SLACK)
      .post("/api/chat.postMessage", (body) => {
        sent = form(body);
        return true;
      })
      .matchHeader("authorization", "Bearer xoxb-test")
      .reply(200, { ok: true, channel: CHANNEL, ts: "1760000000.000100" });
    const built = message();
    const ref = await notifier().post({
      ...built,
      metadata: { event_type: "pmo_finding_alert", event_payload: { key: "k1" } },
    });
    expect(ref).toEqual({ channel: CHANNEL, ts: "1760000000.000100" });
    expect(sent.channel).toBe(CHANNEL);
    expect(sent.unfurl_links).toBe("false");
    expect(sent.unfurl_media).toBe("false");
    expect(sent.text).toBe(built.text);
    expect(sent.text).toContain("&lt;!channel&gt; &amp; co");
    expect(sent.text).not.toMatch(/[<>]/);
    expect(JSON.parse(sent.blocks ?? "[]")).toEqual(built.blocks);
    expect(JSON.parse(sent.metadata ?? "{}")).toEqual({
      event_type: "pmo_finding_alert",
      event_payload: { key: "k1" },
    });
  });

  it("paces messages to at most one a second per channel, on the injected clock", async () => {
    const time = fakeTime();
    const arrivals: number[] = [];
    nock(SLACK)
      .post("/api/chat.postMessage")
      .times(5)
      .reply(200, () => {
        arrivals.push(time.clock());
        return { ok: true, channel: CHANNEL, ts: `${arrivals.length}.000000` };
      });
    const slack = notifier(time);
    await Promise.all(Array.from({ length: 5 }, () => slack.post(message())));
    expect(arrivals).toHaveLength(5);
    for (let i = 1; i < arrivals.length; i++) {
      expect((arrivals[i] ?? 0) - (arrivals[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000);
    }
    // And no slower than needed.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBe(4_000);
  });

  it("does not wait when the last message is more than a second old", async () => {
    const time = fakeTime();
    nock(SLACK).post("/api/chat.postMessage").times(2).reply(200, { ok: true, channel: CHANNEL, ts: "1.0" });
    const slack = notifier(time);
    await slack.post(message());
    time.advance(5_000);
    await slack.post(message());
    expect(time.sleeps).toEqual([]);
  });

  it("waits out a 429 for its Retry-After, then posts once", async () => {
    const time = fakeTime();
    let posted = 0;
    nock(SLACK)
      .post("/api/chat.postMessage")
      .reply(429, { ok: false, error: "ratelimited" }, { "Retry-After": "7" })
      .post("/api/chat.postMessage")
      .reply(200, () => {
        posted++;
        return { ok: true, channel: CHANNEL, ts: "2.0" };
      });
    const ref = await notifier(time).post(message());
    expect(ref.ts).toBe("2.0");
    expect(posted).toBe(1);
    expect(time.sleeps).toContain(7_000);
    expect(nock.isDone()).toBe(true);
  });

  it("gives up after too many 429s in a row", async () => {
    const time = fakeTime();
    nock(SLACK).post("/api/chat.postMessage").times(6).reply(429, { ok: false }, { "Retry-After": "1" });
    const error = await notifier(time)
      .post(message())
      .catch((e: unknown) => e);
    expect(isSlackApiError(error, "slack_rate_limited")).toBe(true);
  });

  it("a lost answer is an error saying the outcome is unknown, and is not retried", async () => {
    let attempts = 0;
    nock(SLACK)
      .post("/api/chat.postMessage", () => {
        attempts++;
        return true;
      })
      .reply((_uri, _body, callback) => callback(new Error("socket hang up"), [200, {}]));
    const error = await notifier()
      .post(message())
      .catch((e: unknown) => e);
    expect(isSlackApiError(error, "slack_unreachable")).toBe(true);
    expect(isSlackApiError(error) && error.certainlyFailed).toBe(false);
    expect(attempts).toBe(1);
  });

  it("a refusal names Slack's error and says nothing was posted", async () => {
    nock(SLACK).post("/api/chat.postMessage").reply(200, { ok: false, error: "channel_not_found" });
    const error = await notifier()
      .post(message())
      .catch((e: unknown) => e);
    expect(isSlackApiError(error, "slack_rejected")).toBe(true);
    expect(isSlackApiError(error) && error.slackError).toBe("channel_not_found");
    expect(isSlackApiError(error) && error.certainlyFailed).toBe(true);
  });

  it("an answer without a ts is an invalid response", async () => {
    nock(SLACK).post("/api/chat.postMessage").reply(200, { ok: true, channel: CHANNEL });
    const error = await notifier()
      .post(message())
      .catch((e: unknown) => e);
    expect(isSlackApiError(error, "slack_invalid_response")).toBe(true);
  });
});

describe("SlackNotifier.update", () => {
  it("updates the message at its channel and ts, unfurling off, paced like posts", async () => {
    const time = fakeTime();
    const bodies: Record<string, string>[] = [];
    const arrivals: number[] = [];
    nock(SLACK)
      .post("/api/chat.update", (body) => {
        bodies.push(form(body));
        arrivals.push(time.clock());
        return true;
      })
      .times(2)
      .reply(200, { ok: true, channel: CHANNEL, ts: "5.000100" });
    const slack = notifier(time);
    await slack.update({ channel: CHANNEL, ts: "5.000100" }, message());
    await slack.update({ channel: CHANNEL, ts: "5.000100" }, message());
    expect(bodies[0]).toMatchObject({
      channel: CHANNEL,
      ts: "5.000100",
      unfurl_links: "false",
      unfurl_media: "false",
    });
    expect((arrivals[1] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });
});

describe("SlackNotifier.findPosted", () => {
  it("reads the channel history with metadata, page by page, and finds messages by their key", async () => {
    const queries: Record<string, string>[] = [];
    nock(SLACK)
      .post("/api/conversations.history", (body) => {
        queries.push(form(body));
        return true;
      })
      .reply(200, {
        ok: true,
        messages: [
          { ts: "9.000001", text: "hola" },
          { ts: "9.000002", metadata: { event_type: "pmo_finding_alert", event_payload: { key: "other" } } },
        ],
        has_more: true,
        response_metadata: { next_cursor: "page2" },
      })
      .post("/api/conversations.history", (body) => {
        queries.push(form(body));
        return true;
      })
      .reply(200, {
        ok: true,
        messages: [
          { ts: "8.000001", metadata: { event_type: "pmo_finding_alert", event_payload: { key: "k1" } } },
        ],
        has_more: false,
      });
    const found = await notifier().findPosted(new Set(["k1", "k2"]), new Date(1_760_000_000_000));
    expect(found).toEqual(new Map([["k1", { channel: CHANNEL, ts: "8.000001" }]]));
    expect(queries[0]).toMatchObject({
      channel: CHANNEL,
      include_all_metadata: "true",
      oldest: "1760000000.000000",
    });
    expect(queries[1]).toMatchObject({ cursor: "page2" });
  });

  it("rejects a history it cannot read", async () => {
    nock(SLACK).post("/api/conversations.history").reply(200, { ok: true, messages: "nope" });
    const error = await notifier()
      .findPosted(new Set(["k"]), new Date())
      .catch((e: unknown) => e);
    expect(isSlackApiError(error, "slack_invalid_response")).toBe(true);
  });
});

describe("TextNotifier", () => {
  it("renders the blocks as readable text, buttons listed, and remembers its posts", async () => {
    let out = "";
    const text = new TextNotifier({ write: (chunk: string) => (out += chunk) }, () => 1_760_000_000_000);
    const ref = await text.post({
      ...message(),
      metadata: { event_type: "x", event_payload: { key: "k1" } },
    });
    expect(ref).toEqual({ channel: TEXT_CHANNEL, ts: "1760000000.000001" });
    expect(out).toContain("🔴 *Alta* · <!channel> & co (https://app.asana.com/0/1201/list)");
    expect(out).toContain("[Reconocer] [Resolver] [Posponer]");
    expect(await text.findPosted(new Set(["k1", "k2"]))).toEqual(new Map([["k1", ref]]));
    await text.update(ref, message());
    expect(out).toContain("(updated)");
  });
});

describe("notifierFromConfig", () => {
  const out = { write: () => true };

  it("is text without a bot token, Slack with one", () => {
    expect(notifierFromConfig({ botToken: null, apiUrl: API_URL, channelId: null }, { out }).channel).toBe(
      TEXT_CHANNEL,
    );
    expect(
      notifierFromConfig({ botToken: "xoxb-1", apiUrl: API_URL, channelId: CHANNEL }, { out }).channel,
    ).toBe(CHANNEL);
  });

  it("asks for the channel when a bot token is set without one", () => {
    expect(() =>
      notifierFromConfig({ botToken: "xoxb-1", apiUrl: API_URL, channelId: null }, { out }),
    ).toThrow(ConfigError);
  });
});
