import { registerListeners } from "../listeners/index.ts";
import { installedTeamOf } from "../services/authorization/installation.ts";
import type { SyncKind } from "../services/model.ts";
import { pingStore } from "../services/store/client.ts";
import { type RunningWeb, startWebServer } from "../web/server.ts";
import { createBoltApp } from "./bolt.ts";
import type { Config } from "./config.ts";
import { type Container, type ContainerOptions, createContainer } from "./container.ts";
import { startHealthServer } from "./health.ts";
import { createMetrics } from "./metrics.ts";
import { startScheduler } from "./scheduler.ts";
import { type AppServices, type BuildServicesOptions, buildServices, slackPortsOf } from "./services.ts";
import { tokenRefusal, verifyBotToken } from "./slack-tokens.ts";

export type RunningApp = {
  container: Container;
  services: AppServices;
  healthPort: number;
  /** The web dashboard's address (WEB_BASE_URL, else where it listens); null when WEB_ENABLED=false. */
  webUrl: string | null;
  isConnected(): boolean;
  runPipeline(kind: SyncKind): ReturnType<AppServices["pipeline"]["run"]>;
  /** Stops the schedules, lets a running job finish (it releases its lease), closes the socket and the store. */
  stop(): Promise<void>;
};

export type StartOptions = ContainerOptions &
  Pick<BuildServicesOptions, "interpreter"> & {
    /** Schedules off (tests drive the jobs themselves). */
    schedules?: boolean;
    clientPingTimeoutMs?: number;
  };

/** A readiness probe answers sooner than a job's store call would give up. */
const PROBE_STORE_TIMEOUT_MS = 2_000;

/** Starts the whole app: store, services, Bolt in socket mode with every listener, schedules, health. */
export async function startApp(config: Config, options: StartOptions = {}): Promise<RunningApp> {
  const container = await createContainer(config, {
    ...options,
    metrics: options.metrics ?? createMetrics(),
  });
  const { logger } = container;
  try {
    const identity = container.slack === null ? undefined : await verifyBotToken(container.slack);
    const bolt = createBoltApp(config.slack, logger, {
      ...(options.clientPingTimeoutMs === undefined
        ? {}
        : { clientPingTimeoutMs: options.clientPingTimeoutMs }),
      ...(identity === undefined ? {} : { identity }),
      metrics: container.metrics,
    });
    const schedulesOn = options.schedules !== false;
    const installedTeamId = container.slack === null ? null : await installedTeamOf(container.slack, logger);
    let webUrl = config.web.baseUrl ?? `http://localhost:${config.web.port}`;
    const services = buildServices(container, slackPortsOf(bolt.app.client), {
      schedulesOn,
      installedTeamId,
      webBaseUrl: () => webUrl,
      ...(options.interpreter === undefined ? {} : { interpreter: options.interpreter }),
    });
    registerListeners(bolt.app, {
      services,
      logger,
      clock: container.clock,
      rendering: { timeZone: config.timezone, defaultLocale: config.defaultLocale },
    });
    const lastSuccessfulSyncAt = async () =>
      (await container.repos.syncLog.recent(10)).find((run) => run.status === "completed")?.completedAt ??
      null;
    container.metrics.observe({
      socketConnected: bolt.isConnected,
      lastSuccessfulSyncAt,
      pending: async () => {
        const [inbound, writeBacks] = await Promise.all([
          container.repos.meta.inbound.listPending(),
          container.repos.meta.writeBacks.listPending(),
        ]);
        return { inbound: inbound.length, writeBacks: writeBacks.length };
      },
      now: container.clock,
      onCollectFailed: (what, error) => logger.warn({ err: error, what }, "a metric could not be read"),
    });
    const health = await startHealthServer(
      config.healthPort,
      {
        socketConnected: bolt.isConnected,
        storeReachable: () => pingStore(container.store, PROBE_STORE_TIMEOUT_MS),
        asanaTokenRefused: () => container.asanaToken.refusedSince() !== null,
        onCheckFailed: (check, error) => logger.warn({ err: error, check }, "a readiness check failed"),
        lastSuccessfulSyncAt,
        now: container.clock,
      },
      undefined,
      { metrics: container.metrics },
    );
    let web: RunningWeb | null = null;
    try {
      web = await startWeb(config, container, services, bolt.app.client);
      if (web !== null && config.web.baseUrl === null) webUrl = `http://localhost:${web.port}`;
      await bolt.app.start();
    } catch (error) {
      await web?.close();
      await health.close();
      throw tokenRefusal("SLACK_APP_TOKEN", error) ?? error;
    }
    // Only once the socket is up: a start that fails has no scheduled job in flight on the store.
    const scheduler = startScheduler(schedulesOn ? services.schedules.jobs : [], {
      timezone: config.timezone,
      logger,
      ticks: {
        claim: (job, at) => container.repos.meta.ticks.claim(job, at, container.owner),
        reclaim: (job, at) => container.repos.meta.ticks.reclaim(job, at, container.owner),
        renew: (job, at) => container.repos.meta.ticks.renew(job, at, container.owner),
        complete: (job, at) => container.repos.meta.ticks.complete(job, at),
      },
    });
    logger.info({ healthPort: health.port, web: web === null ? null : webUrl }, "PMO Pulse is running");
    let stopped: Promise<void> | null = null;
    return {
      container,
      services,
      healthPort: health.port,
      webUrl: web === null ? null : webUrl,
      isConnected: bolt.isConnected,
      runPipeline: (kind) => services.pipeline.run(kind),
      stop: () => {
        stopped ??= (async () => {
          // A sync under way stops writing, records its run as failed and releases its lease.
          const pipelineStopped = services.pipeline.stop();
          await scheduler.stop();
          await pipelineStopped;
          await bolt.app
            .stop()
            .catch((error: unknown) => logger.warn({ err: error }, "the Slack socket did not close cleanly"));
          await web?.close();
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

/** The web dashboard on WEB_PORT, over the same services as the listeners; null when WEB_ENABLED=false. */
async function startWeb(
  config: Config,
  container: Container,
  services: AppServices,
  slack: Parameters<typeof startWebServer>[0]["slack"],
): Promise<RunningWeb | null> {
  if (services.web === null) return null;
  const openId = config.web.slackOpenId;
  return startWebServer(
    {
      services: { ...services, web: services.web },
      slack,
      logger: container.logger,
      clock: container.clock,
      settings: {
        timeZone: config.timezone,
        defaultLocale: config.defaultLocale,
        openId:
          openId === null || config.web.baseUrl === null
            ? null
            : { ...openId, baseUrl: config.web.baseUrl, slackApiUrl: config.slack.apiUrl },
        slackTimeoutMs: config.slack.timeoutMs,
      },
    },
    config.web.port,
  );
}
