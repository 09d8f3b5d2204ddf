import type { Config } from "../app/config.ts";
import type { FullPipelineSummary } from "../jobs/pipeline.ts";
import type { AsanaClient } from "../services/asana/client.ts";
import type { Logger } from "../services/logger.ts";
import type { Clock, SyncKind } from "../services/model.ts";
import type { PortfolioSnapshot } from "../services/portfolio/portfolio-snapshot.ts";
import type { Notifier } from "../services/slack/notifier.ts";
import type { Repositories } from "../services/store/repositories.ts";
import type { UserDirectory } from "../services/users/directory.ts";

/** What the pipeline runner tells a user who asked for `/pmo sync`. */
export type ManualSyncOutcome = FullPipelineSummary;

/**
 * Everything a listener may use. Listeners build the services they call from these once, at
 * registration; they never reach DynamoDB or Asana themselves.
 */
export type ListenerDeps = {
  config: Config;
  logger: Logger;
  clock: Clock;
  repos: Repositories;
  /** Every project and unresolved finding, reused until one changes (Home, /pmo lists). */
  portfolio: PortfolioSnapshot;
  asana: AsanaClient | null;
  /** Slack user -> Asana user, roles and languages. */
  users: UserDirectory;
  /** The PMO channel (alerts, risk alerts from DMs). */
  notifier: Notifier;
  jobs: {
    /** Runs sync -> rules -> alerts now, through the same lease as the schedule. */
    runPipeline(kind: SyncKind): Promise<ManualSyncOutcome>;
    /** The next scheduled runs, for `/pmo estado`. */
    nextRuns(): { name: string; next: Date | null }[];
  };
};
