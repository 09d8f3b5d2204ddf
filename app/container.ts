import { WebClient } from "@slack/web-api";
import type { DestinationStream } from "pino";
import type { SyncSettings } from "../jobs/asana-sync.ts";
import { type AsanaClient, asanaClientFromConfig, type ProjectScope } from "../services/asana/client.ts";
import type { Clock } from "../services/model.ts";
import { PortfolioSnapshot } from "../services/portfolio/portfolio-snapshot.ts";
import {
  type DirectMessenger,
  slackDirectMessenger,
  textDirectMessenger,
} from "../services/slack/direct-messenger.ts";
import { type Notifier, notifierFromConfig } from "../services/slack/notifier.ts";
import { openStore, type Store } from "../services/store/client.ts";
import { ensureTables } from "../services/store/ensure-tables.ts";
import { createRepositories, type Repositories } from "../services/store/repositories.ts";
import type { Config } from "./config.ts";
import { instanceId } from "./instance.ts";
import { createLogger, type Logger, toBoltLogger } from "./logger.ts";

/** The composition root: every client, repository and service, built once. */
export type Container = {
  config: Config;
  logger: Logger;
  clock: Clock;
  owner: string;
  store: Store;
  repos: Repositories;
  /** Every project and unresolved finding, reused until one changes. */
  portfolio: PortfolioSnapshot;
  /** Null when no Asana token is configured. */
  asana: AsanaClient | null;
  /** The PMO channel, or readable text on stdout when no Slack token is configured. */
  notifier: Notifier;
  /** DMs to one person (reminders), or readable text on stdout without a Slack token. */
  messenger: DirectMessenger;
  syncSettings: SyncSettings;
  close(): Promise<void>;
};

export type ContainerOptions = {
  clock?: Clock;
  notifier?: Notifier;
  messenger?: DirectMessenger;
  logDestination?: DestinationStream;
  asana?: AsanaClient;
  /** Above the plan's budget only against the sandbox (tests, benchmarks). */
  asanaRequestsPerMinute?: number;
  inMemoryStore?: boolean;
};

export async function createContainer(config: Config, options: ContainerOptions = {}): Promise<Container> {
  const logger = createLogger(config, options.logDestination);
  const clock = options.clock ?? (() => new Date());
  const store = await openStore(config.store, { inMemory: options.inMemoryStore ?? false });
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
  const asana =
    options.asana ??
    (config.asana.token === null
      ? null
      : asanaClientFromConfig(
          config.asana,
          options.asanaRequestsPerMinute === undefined
            ? {}
            : { requestsPerMinute: options.asanaRequestsPerMinute },
        ));
  const notifier =
    options.notifier ??
    notifierFromConfig(config.slack, {
      out: process.stdout,
      logger: toBoltLogger(logger),
      clock: () => clock().getTime(),
    });
  const messenger =
    options.messenger ??
    (config.slack.botToken === null
      ? textDirectMessenger(process.stdout)
      : slackDirectMessenger(
          new WebClient(config.slack.botToken, {
            slackApiUrl: `${config.slack.apiUrl}/`,
            retryConfig: { retries: 0 },
            logger: toBoltLogger(logger),
          }),
        ));
  return {
    config,
    logger,
    clock,
    owner: instanceId(),
    store,
    repos,
    portfolio: new PortfolioSnapshot({ repos, clock }),
    asana,
    notifier,
    messenger,
    syncSettings: syncSettingsFrom(config),
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
