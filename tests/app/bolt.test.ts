import { WebClient } from "@slack/web-api";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { SLACK_RETRY_CONFIG } from "../../app/bolt.ts";
import { slackDirectMessenger } from "../../services/slack/direct-messenger.ts";

const ORIGIN = "https://slack.test";
const message = { text: "Hola", blocks: [] };

function messenger() {
  const client = new WebClient("xoxb-test", {
    slackApiUrl: `${ORIGIN}/api/`,
    retryConfig: SLACK_RETRY_CONFIG,
    logger: {
      debug() {},
      info() {},
      warn() {},
      error() {},
      setLevel() {},
      getLevel: () => "error" as never,
      setName() {},
    },
  });
  return slackDirectMessenger(client);
}

afterEach(() => {
  nock.cleanAll();
});

describe("SLACK_RETRY_CONFIG", () => {
  it("does not post a DM again after a 500 that came once Slack had stored it", async () => {
    const stored: string[] = [];
    nock(ORIGIN)
      .post("/api/chat.postMessage")
      .times(4)
      .reply(() => {
        stored.push("message");
        return stored.length === 1
          ? [500, "internal error"]
          : [200, { ok: true, channel: "D1", ts: `${stored.length}.000100` }];
      });
    await expect(messenger().post("U1", message)).rejects.toThrow();
    expect(stored).toHaveLength(1);
  });

  it("does not post again after the connection dropped without an answer", async () => {
    nock(ORIGIN)
      .post("/api/chat.postMessage")
      .times(4)
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" });
    await expect(messenger().post("U1", message)).rejects.toThrow();
    // Four attempts were allowed; one was made.
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  it("still waits out a 429, which Slack refused before doing anything", async () => {
    nock(ORIGIN)
      .post("/api/chat.postMessage")
      .reply(429, { ok: false, error: "ratelimited" }, { "retry-after": "0" })
      .post("/api/chat.postMessage")
      .reply(200, { ok: true, channel: "D1", ts: "1.000100" });
    await expect(messenger().post("U1", message)).resolves.toEqual({ channel: "D1", ts: "1.000100" });
    expect(nock.isDone()).toBe(true);
  });
});
