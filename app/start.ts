import type { App } from "@slack/bolt";
import { remindDepsOf, runPipeline, sendDailyDigestWith } from "../jobs/pipeline.ts";
import { remindOwnersWeekly } from "../jobs/remind-owners.ts";
import type { ListenerDeps } from "../listeners/deps.ts";
import { registerListeners } from "../listeners/index.ts";
import { updateServicesOf } from "../listeners/messages/index.ts";
import type { SyncKind } from "../services/model.ts";
import { pingStore } from "../services/store/client.ts";
import { retryPendingInbound, retryPendingWriteBacks } from "../services/updates/update-services.ts";
import { slackUserLookup, UserDirectory } from "../services/users/directory.ts";
import { createBoltApp } from "./bolt.ts";
import type { Config } from "./config.ts";
import { type Container, type ContainerOptions, createContainer } from "./container.ts";
import { startHealthServer } from "./health.ts";
import { type ScheduledJob, startScheduler } from "./scheduler.ts";

const PENDING_UPDATES_CRON = "*/5 * * * *";
const TICK_MEMORY_MS = 24 * 60 * 60 * 1000;

async function retryPendingUpdates(app: App): Promise<void> {
  const updates = updateServicesOf(app);
  if (updates === undefined) return;
  await retryPendingInbound(updates);
  await retryPendingWriteBacks(updates);
}

export type RunningApp = {
  container: Container;
  healthPort: number;
  isConnected(): boolean;
  runPipeline(kind: SyncKind): ReturnType<typeof runPipeline>;
  /** Stops the schedules, lets a running job finish (it releases its lease), closes the socket and the store. */
  stop(): Promise<void>;
};

export type StartOptions = ContainerOptions & {
  /** Schedules off (tests drive the jobs themselves). */
  schedules?: boolean;
  clientPingTimeoutMs?: number;
};

/** Starts the whole app: store, Bolt in socket mode with every listener, schedules, health. */
export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const container = await createContainer(config, options);
  const { logger } = container;
  try {
    const bolt = createBoltApp(config.slack, logger, options);
    const stopping = new AbortController();
    const running = new Set<Promise<unknown>>();
    const pipeline = (kind: SyncKind) => {
      const work = runPipeline(kind, container, stopping.signal);
      running.add(work);
      // The Home and /pmo lists read the portfolio next: load it now rather than in their answer.
      void work.then(() => container.portfolio.warm()).catch(() => undefined);
      void work.finally(() => running.delete(work)).catch(() => undefined);
      return work;
    };
    const jobs: ScheduledJob[] = [
      { name: "sync-full", cron: config.schedules.syncFull, run: () => pipeline("full") },
      { name: "sync-partial", cron: config.schedules.syncPartial, run: () => pipeline("partial") },
      { name: "daily-digest", cron: config.schedules.digest, run: () => sendDailyDigestWith(container) },
      {
        name: "owner-reminders",
        cron: config.schedules.reminder,
        run: () => remindOwnersWeekly(remindDepsOf(container)),
      },
      // DMs whose processing failed after the ack, and updates that did not reach Asana yet.
      { name: "pending-updates", cron: PENDING_UPDATES_CRON, run: () => retryPendingUpdates(bolt.app) },
    ];
    const scheduler = startScheduler(options.schedules === false ? [] : jobs, {
      timezone: config.timezone,
      logger,
      claimTick: async (job, at) =>
        (await container.repos.meta.recordEvent(`tick:${job}:${at.toISOString()}`, TICK_MEMORY_MS)) === "new",
    });
    const deps: ListenerDeps = {
      config,
      logger,
      clock: container.clock,
      repos: container.repos,
      portfolio: container.portfolio,
      asana: container.asana,
      users: new UserDirectory({
        users: container.repos.users,
        slack: slackUserLookup(bolt.app.client),
        asana: container.asana,
        workspaceGid: config.asana.workspaceGid,
        adminUserIds: config.slack.adminUserIds,
        defaultLocale: config.defaultLocale,
        clock: container.clock,
      }),
      notifier: container.notifier,
      jobs: {
        runPipeline: pipeline,
        nextRuns: () =>
          options.schedules === false
            ? jobs.map((j) => ({ name: j.name, next: null }))
            : scheduler.nextRuns(),
      },
    };
    registerListeners(bolt.app, deps);
    const health = await startHealthServer(config.healthPort, {
      socketConnected: bolt.isConnected,
      storeReachable: () => pingStore(container.store),
      lastSuccessfulSyncAt: async () =>
        (await container.repos.syncLog.recent(10)).find((run) => run.status === "completed")?.completedAt ??
        null,
      now: container.clock,
    });
    await bolt.app.start();
    logger.info({ healthPort: health.port }, "PMO Pulse is running");
    let stopped: Promise<void> | null = null;
    return {
      container,
      healthPort: health.port,
      isConnected: bolt.isConnected,
      runPipeline: pipeline,
      stop: () => {
        stopped ??= (async () => {
          // A sync under way stops writing, records its run as failed and releases its lease.
          stopping.abort(new Error("the app is stopping"));
          await scheduler.stop();
          await Promise.allSettled([...running]);
          await bolt.app
            .stop()
            .catch((error: unknown) => logger.warn({ err: error }, "the Slack socket did not close cleanly"));
          await health.close();
          await container.close();
          logger.info("PMO Pulse stopped");
        })();
        return stopped;
      },
    };
  } catch (error) {
    await container.close();
    throw error;
  }
}
