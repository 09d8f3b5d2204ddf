import { App, SocketModeReceiver } from "@slack/bolt";
import { ErrorCode, type RetryOptions } from "@slack/web-api";
import type { Config } from "./config.ts";
import { type Logger, toBoltLogger } from "./logger.ts";
import type { AppMetrics } from "./metrics.ts";
import type { BotIdentity } from "./slack-tokens.ts";

/**
 * Every WebClient gets this: in socket mode Bolt mutates the clientOptions it is given, and a
 * handler's client would otherwise retry up to 100 times (DESIGN.md sections 9 and 10).
 * Only a 429 is retried: Slack refused it before doing anything. After a 5xx, a timeout or a reset
 * Slack may have applied the call (a DM or a card posted, its answer lost), and posting it again
 * would show it twice; such a failure reaches the caller, which may check before trying again.
 */
export const SLACK_RETRY_CONFIG: RetryOptions & { onFailedAttempt(error: Error): void } = {
  retries: 3,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 5_000,
  randomize: true,
  onFailedAttempt: (error) => {
    if (!isRateLimitWait(error)) throw error;
  },
};

/** The WebClient ends its wait for a 429's Retry-After with this error, wrapped as a request error. */
function isRateLimitWait(error: Error): boolean {
  if (!("code" in error) || error.code !== ErrorCode.RequestError) return false;
  const original = "original" in error ? error.original : undefined;
  return original instanceof Error && original.message.startsWith("A rate limit was exceeded");
}

export type BoltApp = {
  app: App;
  isConnected(): boolean;
  /** Resolves once the socket is connected for the first time. */
  connected: Promise<void>;
};

/** Bolt in socket mode; SLACK_API_URL moves the Web API and, through apps.connections.open, the socket. */
export function createBoltApp(
  slack: Config["slack"],
  logger: Logger,
  options: {
    clientPingTimeoutMs?: number;
    identity?: BotIdentity;
    /** Counts the Web API calls, errors and retries of every client Bolt makes. */
    metrics?: Pick<AppMetrics, "slackFetch" | "countSlackRetries">;
  } = {},
): BoltApp {
  if (slack.botToken === null || slack.appToken === null) {
    throw new Error("createBoltApp needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN");
  }
  const slackApiUrl = `${slack.apiUrl}/`;
  const boltLogger = toBoltLogger(logger);
  // One object for both: Bolt copies it into every client it makes (handlers', the socket's).
  const clientOptions = {
    slackApiUrl,
    retryConfig: options.metrics?.countSlackRetries(SLACK_RETRY_CONFIG) ?? SLACK_RETRY_CONFIG,
    timeout: slack.timeoutMs,
    ...(options.metrics === undefined ? {} : { fetch: options.metrics.slackFetch(slackApiUrl) }),
  };
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logger: boltLogger,
    clientPingTimeout: options.clientPingTimeoutMs ?? 5_000,
    installerOptions: { clientOptions: { ...clientOptions } },
  });
  const app = new App({
    token: slack.botToken,
    // Known (verifyBotToken): Bolt then makes no auth.test whose failure nobody would handle.
    ...options.identity,
    receiver,
    logger: boltLogger,
    clientOptions: { ...clientOptions },
  });
  let connected = false;
  let resolveFirst = () => {};
  const first = new Promise<void>((ok) => {
    resolveFirst = ok;
  });
  receiver.client.on("connected", () => {
    connected = true;
    resolveFirst();
    logger.info("Slack socket connected");
  });
  receiver.client.on("disconnected", () => {
    connected = false;
    logger.warn("Slack socket disconnected");
  });
  receiver.client.on("reconnecting", () => {
    connected = false;
  });
  return { app, isConnected: () => connected, connected: first };
}
