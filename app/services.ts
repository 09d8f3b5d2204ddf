import { randomBytes } from "node:crypto";
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
import { createLlmSummaryWriter } from "../services/digest/llm-summary-writer.ts";
import type { DigestSummaryWriter } from "../services/digest/summary-writer.ts";
import { PmoError } from "../services/errors.ts";
import { ExportService } from "../services/export/export-service.ts";
import { FindingActions } from "../services/findings/finding-actions.ts";
import { HomeService } from "../services/home/home-service.ts";
import type { Logger } from "../services/logger.ts";
import { countFindings } from "../services/metrics.ts";
import type {
  ChangeEntry,
  Finding,
  FullPipelineSummary,
  PipelineSummary,
  PushAlertsSummary,
  RulesSummary,
  StatusUpdate,
  SyncKind,
  SyncRun,
  SyncSummary,
} from "../services/model.ts";
import { PortfolioSnapshot } from "../services/portfolio/portfolio-snapshot.ts";
import { RulesService } from "../services/rules/rules-service.ts";
import { massRemovalNoticeMessage } from "../services/slack/blocks/pmo/sync.ts";
import type { ChatClient, DirectMessenger } from "../services/slack/direct-messenger.ts";
import { slackDirectMessenger } from "../services/slack/direct-messenger.ts";
import { RuleBasedInterpreter, type StatusUpdateInterpreter } from "../services/updates/interpreter.ts";
import { createLlmInterpreter, type LlmSettings } from "../services/updates/llm-interpreter.ts";
import { createUpdateServices, type UpdateServices } from "../services/updates/update-services.ts";
import {
  type SlackUserLookup,
  slackUserLookup,
  UserDirectory,
  type UsersInfoClient,
} from "../services/users/directory.ts";
import { SignInLinks } from "../services/web-access/sign-in-links.ts";
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
  /** The web dashboard's sign-in links and session key; null when WEB_ENABLED=false. */
  web: WebAccess | null;
  /** What the web dashboard reads besides the portfolio snapshot. */
  dashboard: DashboardReads;
};

export type WebAccess = {
  links: SignInLinks;
  /** Signs the dashboard's sessions (WEB_SESSION_SECRET, or random for this process). */
  sessionSecret: string;
};

/** A project's whole story and the sync log, read for the web dashboard's pages. */
export type DashboardReads = {
  /** Every finding of the project, resolved ones included. */
  projectFindings(projectGid: string): Promise<Finding[]>;
  /** Its changelog, newest first. */
  projectChanges(projectGid: string, limit: number): Promise<ChangeEntry[]>;
  /** The status updates received from Slack, newest first. */
  projectUpdates(projectGid: string, limit: number): Promise<StatusUpdate[]>;
  recentSyncs(limit: number): Promise<SyncRun[]>;
  /** A project counts as updated when its last status update is this recent (RULE_NO_STATUS_UPDATE_DAYS). */
  freshUpdateDays: number;
};

export type BuildServicesOptions = {
  /** False when the app runs no schedules (tests drive the jobs): `/pmo estado` shows no next runs. */
  schedulesOn?: boolean;
  interpreter?: StatusUpdateInterpreter;
  /** Tests: how long the inbox waits before retrying a failed delivery, and the ids it makes. */
  updates?: { retryDelayMs?: number; newId?: () => string };
  /** The Slack team the app is installed in (auth.test at start): only its members use the app. */
  installedTeamId?: string | null;
  /** Where browsers reach the dashboard, once it listens (sign-in links); default from the config. */
  webBaseUrl?: () => string;
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
    afterRun: async () => {
      await portfolio.warm();
      // Counted from the portfolio just loaded: no read of its own.
      container.metrics.findings(countFindings((await portfolio.read()).openFindings.map((f) => f.finding)));
    },
  });
  const llm = languageModel(config.llm, logger);
  const interpreter = options.interpreter ?? llm?.interpreter;
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
        ...(llm === null ? {} : { summaryWriter: llm.summaryWriter }),
      }),
  };
  const lookups = new PmoService({
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
  });
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
      lookups,
      rules,
      notifier: container.notifier,
      messenger: slack.messenger,
      owner,
    },
    {
      ...(interpreter === undefined ? {} : { interpreter }),
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
    lookups,
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
      webDashboard: config.web.enabled,
    }),
    updates,
    export: new ExportService({ repos, users, authorization, clock }),
    reminders,
    digest,
    pipeline,
    schedules,
    web: config.web.enabled
      ? webAccess(container, users, authorization, options.webBaseUrl ?? defaultWebBaseUrl(config.web))
      : null,
    dashboard: {
      projectFindings: (projectGid) => repos.findings.listForProject(projectGid),
      projectChanges: (projectGid, limit) => repos.changelog.listForProject(projectGid, limit),
      projectUpdates: (projectGid, limit) => repos.updates.listForProject(projectGid, limit),
      recentSyncs: (limit) => repos.syncLog.recent(limit),
      freshUpdateDays: config.rules.noStatusUpdateDays,
    },
  };
}

function defaultWebBaseUrl(web: Container["config"]["web"]): () => string {
  const url = web.baseUrl ?? `http://localhost:${web.port}`;
  return () => url;
}

function webAccess(
  container: Container,
  users: UserDirectory,
  authorization: Authorization,
  baseUrl: () => string,
): WebAccess {
  const secret = container.config.web.sessionSecret ?? randomBytes(32).toString("base64url");
  return {
    sessionSecret: secret,
    links: new SignInLinks({
      settings: { secret, baseUrl },
      clock: container.clock,
      claimOnce: async (key, ttlMs) => (await container.repos.meta.events.record(key, ttlMs)) === "new",
      authorization,
      users,
    }),
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
        notifier: container.findingsNotifier,
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
    metrics: container.metrics,
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

/**
 * The optional language model (LLM_BASE_URL and LLM_MODEL set): it reads status-update DMs, with
 * the rules behind it on any failure, and writes the digest's opening paragraph.
 */
function languageModel(
  settings: LlmSettings | null,
  logger: Logger,
): { interpreter: StatusUpdateInterpreter; summaryWriter: DigestSummaryWriter } | null {
  if (settings === null) return null;
  logger.info(
    { llm: { model: settings.model, host: new URL(settings.baseUrl).host } },
    "a language model reads status updates and writes the digest's summary; DM text is sent to it",
  );
  return {
    interpreter: createLlmInterpreter(settings, new RuleBasedInterpreter(), logger),
    summaryWriter: createLlmSummaryWriter(settings, logger),
  };
}
