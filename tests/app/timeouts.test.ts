import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createBoltApp } from "../../app/bolt.ts";
import { parseConfig } from "../../app/config.ts";
import { createContainer } from "../../app/container.ts";
import { createLogger } from "../../app/logger.ts";
import { isSlackApiError } from "../../services/slack/errors.ts";
import { startSilentEndpoint } from "../fixtures/silent-endpoint.ts";

const silent = await startSilentEndpoint();
afterAll(() => silent.stop());

const TIMEOUT_MS = 300;
const config = parseConfig(
  {
    SLACK_BOT_TOKEN: "xoxb-1-2-abc",
    SLACK_APP_TOKEN: "xapp-1-A1-2-abc",
    SLACK_API_URL: `${silent.url}/api`,
    SLACK_TIMEOUT_MS: String(TIMEOUT_MS),
    PMO_CHANNEL_ID: "C0PMO00001",
    ASANA_TOKEN: "2/1/2:abcdefghij",
    ASANA_WORKSPACE_GID: "1",
    ASANA_BASE_URL: `${silent.url}/api/1.0`,
    ASANA_TIMEOUT_MS: String(TIMEOUT_MS),
    LOG_LEVEL: "silent",
    TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
  },
  "app",
);

async function elapsedFailure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  return { error, ms: Date.now() - started };
}

describe("Slack against an endpoint that accepts the connection and never answers", () => {
  it("the PMO channel's post fails within SLACK_TIMEOUT_MS", async () => {
    const container = await createContainer(config, { inMemoryStore: true });
    try {
      const { error, ms } = await elapsedFailure(() => container.notifier.post({ text: "hola", blocks: [] }));
      expect(isSlackApiError(error, "slack_unreachable")).toBe(true);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
    } finally {
      await container.close();
    }
  });

  it("the container's WebClient (DMs, reminders) fails within SLACK_TIMEOUT_MS", async () => {
    const container = await createContainer(config, { inMemoryStore: true });
    try {
      const { error, ms } = await elapsedFailure(() =>
        container.messenger.post("U0PM000001", { text: "hola", blocks: [] }),
      );
      expect(error).toBeInstanceOf(Error);
      expect(ms).toBeLessThan(TIMEOUT_MS + 1_000);
    } finally {
      await container.close();
    }
  });

  it("Bolt's client and the socket's apps.connections.open fail within SLACK_TIMEOUT_MS per attempt", async () => {
    const bolt = createBoltApp(config.slack, createLogger({ logLevel: "silent", secrets: [] }), {
      identity: { botId: "B0BOT00001", botUserId: "U0BOT00001" },
    });
    // SLACK_RETRY_CONFIG: 3 retries, each after at most 5 s.
    const bound = 4 * TIMEOUT_MS + 3 * 5_000;
    const post = await elapsedFailure(() =>
      bolt.app.client.chat.postMessage({ channel: "C0PMO00001", text: "hola" }),
    );
    expect(post.error).toBeInstanceOf(Error);
    expect(post.ms).toBeLessThan(bound);
    const start = await elapsedFailure(() => bolt.app.start());
    expect(start.error).toBeInstanceOf(Error);
    expect(start.ms).toBeLessThan(bound);
    await bolt.app.stop().catch(() => undefined);
  }, 40_000);
});
