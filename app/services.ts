import { Cron } from "croner";
import { runSync } from "../jobs/asana-sync.ts";
import { type DailyDigestSummary, sendDailyDigest } from "../jobs/daily-digest.ts";
import { evaluateRules } from "../jobs/evaluate-rules.ts";
import { type PipelineSteps, runPipeline, runSyncThenRules, type SyncRunOptions } from "../jobs/pipeline.ts";
import { pushAlerts } from "../jobs/push-alerts.ts";
import {
  nudgeOwners,
  type RemindDeps,
  type RemindSummary,
  remindOwnersWeekly,
} from "../jobs/remind-owners.ts";
import { Authorization } from "../services/authorization/authorization.ts";
import { PmoService, type ScheduledRun } from "../services/commands/pmo-service.ts";
import { PmoError } from "../services/errors.ts";
import { ExportService } from "../services/export/export-service.ts";
import { FindingActions } from "../services/findings/finding-actions.ts";
import { HomeService } from "../services/home/home-service.ts";
import type {
  FullPipelineSummary,
  PipelineSummary,
  PushAlertsSummary,
  RulesSummary,
  SyncKind,
  SyncSummary,
} from "../services/model.ts";
import { PortfolioSnapshot } from "../services/portfolio/portfolio-snapshot.ts";
import { RulesService } from "../services/rules/rules-service.ts";
import { massRemovalNoticeMessage } from "../services/slack/blocks/pmo/sync.ts";
import type { ChatClient, DirectMessenger } from "../services/slack/direct-messenger.ts";
import { slackDirectMessenger } from "../services/slack/direct-messenger.ts";
import type { StatusUpdateInterpreter } from "../services/updates/interpreter.ts";
import { createUpdateServices, type UpdateServices } from "../services/updates/update-services.ts";
import {
  type SlackUserLookup,
  slackUserLookup,
  UserDirectory,
  type UsersInfoClient,
} from "../services/users/directory.ts";
import type { Container } from "./container.ts";
import type { ScheduledJob } from "./scheduler.ts";

/**
 * The composition root of the use cases (DESIGN.md section 11): every service is built here,
 * once, from the container's clients and repositories and plain settings read from the config.
 * The Slack listeners, the scheduler, `/pmo sync`, the job CLI and the demo all call these same
 * instances; a surface never builds a service of its own.
 */

/** What the services need of Slack itself: who a person is, and their DM with the app. */
export type SlackPorts = { userLookup: SlackUserLookup; messenger: DirectMessenger };

/** The ports over one Web API client (Bolt's `client`, or a WebClient). */
export function slackPortsOf(client: UsersInfoClient & ChatClient): SlackPorts {
  return { userLookup: slackUserLookup(client), messenger: slackDirectMessenger(client) };
}

/** Without Slack (the job CLI with no SLACK_BOT_TOKEN): asking Slack about a person is an error. */
export function slackPortsWithoutSlack(container: Container): SlackPorts {
  return {
    userLookup: {
      info: () =>
        Promise.reject(
          new PmoError("config_invalid", "SLACK_BOT_TOKEN is missing: Slack users cannot be read"),
        ),
    },
    messenger: container.messenger,
  };
}

/** sync -> rules -> alerts, and its parts, with the app's own clients; one per process. */
export type PipelineService = {
  /**
   * sync -> rules -> alerts under the jobs' leases: what the schedule and `/pmo sync` run
   * (`confirmRemovals`: `/pmo sync confirmar-bajas`).
   */
  run(kind: SyncKind, options?: Pick<SyncRunOptions, "confirmRemovals">): Promise<FullPipelineSummary>;
  /** sync -> rules, without the alerts: `npm run job -- sync`. */
  syncThenRules(
    kind: SyncKind,
    options?: Pick<SyncRunOptions, "onProgress" | "confirmRemovals">,
  ): Promise<PipelineSummary>;
  /** The rules over every stored project. */
  evaluateRules(): Promise<RulesSummary>;
  pushAlerts(): Promise<PushAlertsSummary>;
  /** Runs under way stop writing (each fails its run and releases its lease); resolves once they ended. */
  stop(): Promise<void>;
};

export type Schedules = {
  jobs: readonly ScheduledJob[];
  /** The next run of each schedule (null each when the schedules are off), for `/pmo estado`. */
  nextRuns(): ScheduledRun[];
};

export type AppServices = {
  users: UserDirectory;
  /** Slack sends one delivery to several connections at times: true only for the first seen. */
  deliveries: { first(deliveryId: string): Promise<boolean> };
  /** The rules of a few projects, without the job's lease (after a status update). */
  rules: RulesService;
  authorization: Authorization;
  /** Every project and unresolved finding, reused until one changes (Home, /pmo lists). */
  portfolio: PortfolioSnapshot;
  /** `/pmo` lookups, status and manual sync. */
  lookups: PmoService;
  findings: FindingActions;
  home: HomeService;
  /** Status updates: the DM conversation, its inbox, the submission and the write-back. */
  updates: UpdateServices;
  export: ExportService;
  reminders: {
    weekly(): Promise<RemindSummary>;
    nudge(projectGids: readonly string[]): Promise<RemindSummary>;
  };
  digest: { send(): Promise<DailyDigestSummary> };
  pipeline: PipelineService;
  schedules: Schedules;
};

export type BuildServicesOptions = {
  /** False when the app runs no schedules (tests drive the jobs): `/pmo estado` shows no next runs. */
  schedulesOn?: boolean;
  interpreter?: StatusUpdateInterpreter;
  /** Tests: how long the inbox waits before retrying a failed delivery, and the ids it makes. */
  updates?: { retryDelayMs?: number; newId?: () => string };
  /** The Slack team the app is installed in (auth.test at start): only its members use the app. */
  installedTeamId?: string | null;
};

/** How often DMs acked but not processed, and updates not written back yet, are tried again. */
export const PENDING_UPDATES_CRON = "*/5 * * * *";

export function buildServices(
  container: Container,
  slack: SlackPorts,
  options: BuildServicesOptions = {},
): AppServices {
  const { config, repos, clock, logger, owner } = container;
  const users = new UserDirectory({
    users: repos.users,
    slack: slack.userLookup,
    asana: container.asana,
    workspaceGid: config.asana.workspaceGid,
    defaultLocale: config.defaultLocale,
    clock,
  });
  const authorization = new Authorization({
    adminUserIds: config.slack.adminUserIds,
    asanaUserOf: (slackUserId) => users.asanaUserOf(slackUserId),
    installedTeamId: () => options.installedTeamId ?? null,
    allowGuests: config.slack.allowGuests,
    membershipOf: (slackUserId) => users.membershipOf(slackUserId),
  });
  const portfolio = new PortfolioSnapshot({ repos, clock });
  const rules = new RulesService({
    repos,
    settings: { rules: config.rules, timezone: config.timezone },
    clock,
    logger,
  });
  const remindDeps: RemindDeps = {
    repos,
    messenger: container.messenger,
    clock,
    logger,
    owner,
    settings: {
      timeZone: config.timezone,
      defaultLocale: config.defaultLocale,
      adminUserIds: config.slack.adminUserIds,
      freshUpdateDays: config.rules.noStatusUpdateDays,
    },
  };
  const reminders = {
    weekly: () => remindOwnersWeekly(remindDeps),
    nudge: (projectGids: readonly string[]) => nudgeOwners(remindDeps, projectGids),
  };
  const pipeline = pipelineService(container, rules, {
    nudgeOwners: reminders.nudge,
    // The Home and /pmo lists read the portfolio next: load it now rather than in their answer.
    afterRun: () => portfolio.warm(),
  });
  const digest = {
    send: () =>
      sendDailyDigest({
        repos,
        notifier: container.notifier,
        clock,
        logger,
        owner,
        settings: {
          locale: config.defaultLocale,
          timeZone: config.timezone,
          freshUpdateDays: config.rules.noStatusUpdateDays,
        },
      }),
  };
  const updates = createUpdateServices(
    {
      settings: {
        writeBack: config.asana.writeBack,
        timezone: config.timezone,
        defaultLocale: config.defaultLocale,
        dmRateLimitPerMinute: config.dmRateLimitPerMinute,
      },
      logger,
      clock,
      repos,
      asana: container.asana,
      users,
      authorization,
      rules,
      notifier: container.notifier,
      messenger: slack.messenger,
      owner,
    },
    {
      ...(options.interpreter === undefined ? {} : { interpreter: options.interpreter }),
      ...options.updates,
    },
  );
  const jobs: ScheduledJob[] = [
    { name: "sync-full", cron: config.schedules.syncFull, run: () => pipeline.run("full") },
    { name: "sync-partial", cron: config.schedules.syncPartial, run: () => pipeline.run("partial") },
    { name: "daily-digest", cron: config.schedules.digest, run: () => digest.send() },
    { name: "owner-reminders", cron: config.schedules.reminder, run: () => reminders.weekly() },
    { name: "pending-updates", cron: PENDING_UPDATES_CRON, run: () => updates.retryPending() },
  ];
  const schedules: Schedules = {
    jobs,
    nextRuns: () =>
      jobs.map((job) => ({
        name: job.name,
        next: options.schedulesOn === false ? null : nextRunOf(job.cron, config.timezone, clock()),
      })),
  };
  return {
    users,
    deliveries: { first: async (id) => (await repos.meta.events.record(`delivery:${id}`)) === "new" },
    rules,
    authorization,
    portfolio,
    lookups: new PmoService({
      repos,
      portfolio,
      users,
      authorization,
      jobs: {
        runPipeline: (kind, runOptions) => pipeline.run(kind, runOptions),
        nextRuns: () => schedules.nextRuns(),
      },
      logger,
      asanaToken: container.asanaToken,
    }),
    findings: new FindingActions({
      repos,
      users,
      authorization,
      clock,
      channel: { locale: config.defaultLocale, timeZone: config.timezone },
      logger,
    }),
    home: new HomeService({
      repos,
      portfolio,
      users,
      authorization,
      clock,
      timeZone: config.timezone,
      logger,
    }),
    updates,
    export: new ExportService({ repos, users, authorization, clock }),
    reminders,
    digest,
    pipeline,
    schedules,
  };
}

function nextRunOf(cron: string, timezone: string, now: Date): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(now);
}

function pipelineService(
  container: Container,
  rules: RulesService,
  hooks: { nudgeOwners(projectGids: readonly string[]): Promise<unknown>; afterRun(): Promise<void> },
): PipelineService {
  const { config, repos, clock, logger, owner } = container;
  const stopping = new AbortController();
  const running = new Set<Promise<unknown>>();
  const leaseTtlMs = config.jobLeaseTtlMs;
  const rulesDeps = {
    repos,
    rules: config.rules,
    timezone: config.timezone,
    clock,
    logger,
    owner,
    leaseTtlMs,
    service: rules,
  };
  const steps: PipelineSteps = {
    sync: (kind, runOptions): Promise<SyncSummary> => {
      if (container.asana === null) throw new PmoError("config_invalid", "ASANA_TOKEN is missing");
      return runSync(kind, {
        asana: container.asana,
        repos,
        settings: container.syncSettings,
        clock,
        logger,
        owner,
        leaseTtlMs,
        signal: runOptions.signal ?? stopping.signal,
        ...(runOptions.onProgress === undefined ? {} : { onProgress: runOptions.onProgress }),
        confirmRemovals: runOptions.confirmRemovals === true,
        // Whoever ran it (the schedule, /pmo sync, the job CLI): one notice in the PMO channel.
        onMassRemoval: async (notice) => {
          await container.notifier.post(massRemovalNoticeMessage({ locale: config.defaultLocale }, notice));
        },
      });
    },
    rules: (syncId) => evaluateRules(rulesDeps, { syncId }),
    alerts: () =>
      pushAlerts({
        repos,
        notifier: container.notifier,
        settings: {
          locale: config.defaultLocale,
          timeZone: config.timezone,
          maxIndividual: config.alerts.maxIndividual,
        },
        clock,
        logger,
        owner,
        leaseTtlMs,
      }),
    nudgeOwners: hooks.nudgeOwners,
  };
  const tracked = <T>(work: Promise<T>): Promise<T> => {
    running.add(work);
    void work.finally(() => running.delete(work)).catch(() => undefined);
    return work;
  };
  return {
    run: (kind, runOptions = {}) => {
      const work = tracked(runPipeline(kind, steps, { ...runOptions, signal: stopping.signal }));
      void work.then(() => hooks.afterRun()).catch(() => undefined);
      return work;
    },
    syncThenRules: (kind, runOptions = {}) =>
      tracked(runSyncThenRules(kind, steps, { ...runOptions, signal: stopping.signal })),
    evaluateRules: () => tracked(evaluateRules(rulesDeps)),
    pushAlerts: () => tracked(steps.alerts()),
    stop: async () => {
      stopping.abort(new Error("the app is stopping"));
      await Promise.allSettled([...running]);
    },
  };
}
