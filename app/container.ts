import { WebClient } from "@slack/web-api";
import type { DestinationStream } from "pino";
import type { SyncSettings } from "../jobs/asana-sync.ts";
import {
  type AsanaClient,
  type AsanaClientOptions,
  createAsanaClient,
  type ProjectScope,
} from "../services/asana/client.ts";
import { type AsanaTokenStatus, asanaTokenStatus, watchAsanaToken } from "../services/asana/token-status.ts";
import { ConfigError } from "../services/errors.ts";
import type { Clock } from "../services/model.ts";
import {
  type DirectMessenger,
  slackDirectMessenger,
  textDirectMessenger,
} from "../services/slack/direct-messenger.ts";
import { type Notifier, notifierFromConfig } from "../services/slack/notifier.ts";
import { openStore, type Store } from "../services/store/client.ts";
import { ensureTables } from "../services/store/ensure-tables.ts";
import { createRepositories, type Repositories } from "../services/store/repositories.ts";
import { type Config, VARIABLES } from "./config.ts";
import { instanceId } from "./instance.ts";
import { createLogger, type Logger, toBoltLogger } from "./logger.ts";
import { type AppMetrics, createMetrics } from "./metrics.ts";

/** The clients and repositories, built once; app/services.ts builds the use cases on them. */
export type Container = {
  config: Config;
  logger: Logger;
  clock: Clock;
  owner: string;
  store: Store;
  repos: Repositories;
  /** Null when no Asana token is configured. */
  asana: AsanaClient | null;
  /** Whether Asana currently refuses the token, as the calls above found. */
  asanaToken: AsanaTokenStatus;
  /** The PMO channel, or readable text on stdout when no Slack token is configured. */
  notifier: Notifier;
  /** Where findings alerts go: the findings channel, which is `notifier` when it is the PMO channel. */
  findingsNotifier: Notifier;
  /** The bot's Web API client; null when no Slack token is configured. */
  slack: WebClient | null;
  /** DMs to one person (reminders), or readable text on stdout without a Slack token. */
  messenger: DirectMessenger;
  syncSettings: SyncSettings;
  /** What `/metrics` shows; the store, Asana and Slack clients above report to it. */
  metrics: AppMetrics;
  close(): Promise<void>;
};

export type ContainerOptions = {
  clock?: Clock;
  notifier?: Notifier;
  /** `notifier` when absent. */
  findingsNotifier?: Notifier;
  messenger?: DirectMessenger;
  logDestination?: DestinationStream;
  asana?: AsanaClient;
  /** Above the plan's budget only against the sandbox (tests, benchmarks). */
  asanaRequestsPerMinute?: number;
  inMemoryStore?: boolean;
  /** A registry without the process's own metrics when absent. */
  metrics?: AppMetrics;
};

export async function createContainer(config: Config, options: ContainerOptions = {}): Promise<Container> {
  const logger = createLogger(config, options.logDestination);
  const clock = options.clock ?? (() => new Date());
  const metrics = options.metrics ?? createMetrics({ processMetrics: false });
  const store = await openStore(config.store, { inMemory: options.inMemoryStore ?? false });
  metrics.watchStore(store.client);
  try {
    await ensureTables(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  const repos = createRepositories(store, {
    changelogRetentionDays: config.store.changelogRetentionDays,
    findingsRetentionDays: config.store.findingsRetentionDays,
    clock,
  });
  const asanaToken = asanaTokenStatus(clock);
  const unwatched =
    options.asana ??
    (config.asana.token === null
      ? null
      : asanaClientFromConfig(config.asana, {
          metrics,
          ...(options.asanaRequestsPerMinute === undefined
            ? {}
            : { requestsPerMinute: options.asanaRequestsPerMinute }),
        }));
  const asana = unwatched === null ? null : watchAsanaToken(unwatched, asanaToken);
  const notifierOptions = {
    out: process.stdout,
    logger: toBoltLogger(logger),
    clock: () => clock().getTime(),
    fetch: metrics.slackFetch(config.slack.apiUrl),
  };
  const notifier = options.notifier ?? notifierFromConfig(config.slack, notifierOptions);
  const findingsNotifier =
    options.findingsNotifier ??
    (options.notifier !== undefined ||
    config.slack.botToken === null ||
    config.slack.findingsChannelId === config.slack.channelId
      ? notifier
      : notifierFromConfig({ ...config.slack, channelId: config.slack.findingsChannelId }, notifierOptions));
  const slack =
    config.slack.botToken === null
      ? null
      : new WebClient(config.slack.botToken, {
          slackApiUrl: `${config.slack.apiUrl}/`,
          retryConfig: { retries: 0 },
          timeout: config.slack.timeoutMs,
          logger: toBoltLogger(logger),
          fetch: metrics.slackFetch(config.slack.apiUrl),
        });
  const messenger =
    options.messenger ?? (slack === null ? textDirectMessenger(process.stdout) : slackDirectMessenger(slack));
  return {
    config,
    logger,
    clock,
    owner: instanceId(),
    store,
    repos,
    asana,
    asanaToken,
    notifier,
    findingsNotifier,
    slack,
    messenger,
    syncSettings: syncSettingsFrom(config),
    metrics,
    close: () => store.close(),
  };
}

export function syncScopeFrom(config: Config): ProjectScope {
  if (config.asana.portfolioGid !== null) return { portfolioGid: config.asana.portfolioGid };
  return { workspaceGid: config.asana.workspaceGid ?? "", teamGids: config.asana.teamGids };
}

export function syncSettingsFrom(config: Config): SyncSettings {
  return {
    scope: syncScopeFrom(config),
    fieldNames: { pmoIdField: config.asana.pmoIdField, verticalField: config.asana.verticalField },
    activityLookbackDays: config.rules.noActivityDays,
  };
}

/** The Asana client ASANA_TOKEN, ASANA_BASE_URL and ASANA_PLAN describe. */
export function asanaClientFromConfig(
  config: Config["asana"],
  overrides: Partial<Omit<AsanaClientOptions, "baseUrl" | "token" | "plan">> = {},
): AsanaClient {
  if (config.token === null) {
    throw new ConfigError([
      {
        variable: "ASANA_TOKEN",
        problem: "missing (needed to read Asana)",
        example: VARIABLES.ASANA_TOKEN.example,
      },
    ]);
  }
  return createAsanaClient({
    baseUrl: config.baseUrl,
    token: config.token,
    plan: config.plan,
    timeoutMs: config.timeoutMs,
    ...overrides,
  });
}
