import { App, SocketModeReceiver } from "@slack/bolt";
import type { RetryOptions } from "@slack/web-api";
import type { Config } from "./config.ts";
import { type Logger, toBoltLogger } from "./logger.ts";

/**
 * Every WebClient gets this: in socket mode Bolt mutates the clientOptions it is given, and a
 * handler's client would otherwise retry up to 100 times (DESIGN.md sections 9 and 10).
 */
export const SLACK_RETRY_CONFIG: RetryOptions = {
  retries: 3,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 5_000,
  randomize: true,
};

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
  options: { clientPingTimeoutMs?: number } = {},
): BoltApp {
  if (slack.botToken === null || slack.appToken === null) {
    throw new Error("createBoltApp needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN");
  }
  const slackApiUrl = `${slack.apiUrl}/`;
  const boltLogger = toBoltLogger(logger);
  const receiver = new SocketModeReceiver({
    appToken: slack.appToken,
    logger: boltLogger,
    clientPingTimeout: options.clientPingTimeoutMs ?? 5_000,
    installerOptions: { clientOptions: { slackApiUrl, retryConfig: SLACK_RETRY_CONFIG } },
  });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: boltLogger,
    clientOptions: { slackApiUrl, retryConfig: SLACK_RETRY_CONFIG },
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
