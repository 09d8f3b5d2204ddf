import { randomUUID } from "node:crypto";
import type { AsanaClient } from "../asana/client.ts";
import type { Authorization } from "../authorization/authorization.ts";
import type { PmoService } from "../commands/pmo-service.ts";
import type { Locale } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import type { Clock } from "../model.ts";
import type { RulesService } from "../rules/rules-service.ts";
import type { DirectMessenger } from "../slack/direct-messenger.ts";
import type { Notifier } from "../slack/notifier.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import {
  type DirectMessage,
  directMessageSchema,
  submissionSchema,
  UpdateConversations,
} from "./conversation-service.ts";
import { type ExpirySummary, giveUpOverdue } from "./expiry.ts";
import { Inbox, type InboxRetrySummary } from "./inbound.ts";
import { RuleBasedInterpreter, type StatusUpdateInterpreter } from "./interpreter.ts";
import {
  retryPendingWriteBacks as retryWriteBacks,
  type SubmitUpdateDeps,
  type WriteBackRetrySummary,
} from "./submit-update.ts";

export type UpdateSettings = {
  /** ASANA_WRITE_BACK: confirmed updates are posted to Asana as status updates. */
  writeBack: boolean;
  timezone: string;
  defaultLocale: Locale;
  /** DM_RATE_LIMIT_PER_MINUTE: past it, a person's DMs get one polite answer and are dropped. */
  dmRateLimitPerMinute: number;
};

/** What the status-update services are built from (the composition root has every part). */
export type UpdateServicesDeps = {
  settings: UpdateSettings;
  logger: Logger;
  clock: Clock;
  repos: Repositories;
  asana: Pick<AsanaClient, "createStatusUpdate"> | null;
  users: UserDirectory;
  authorization: Pick<Authorization, "isAdmin" | "decide">;
  /** The `/pmo` lookups: a DM may ask for them too ("mis proyectos", "PMO-123", "hallazgos"). */
  lookups: Pick<PmoService, "answer">;
  /** The PMO channel: updates reporting a risk are posted there. */
  notifier: Notifier;
  /** The writer's DM with the app. */
  messenger: DirectMessenger;
  /** This process (host:pid:random), for leases and claims. */
  owner: string;
  /** Evaluates a project's rules once its update is saved (no lease: it never waits for a sync's run). */
  rules: Pick<RulesService, "evaluateProjects">;
};

const DM_RATE_WINDOW_MS = 60_000;

export type UpdateServicesOptions = {
  interpreter?: StatusUpdateInterpreter;
  retryDelayMs?: number;
  newId?: () => string;
};

export type PendingUpdatesSummary = {
  /** Work given up after its life, and the writers told of it. */
  expired: ExpirySummary;
  inbound: InboxRetrySummary;
  writeBacks: WriteBackRetrySummary;
};

export type UpdateServices = {
  conversations: UpdateConversations;
  inbox: Inbox;
  /**
   * A DM as Slack delivered it: counted against its writer's per-minute limit, then recorded in the
   * inbox and processed. "limited": over the limit, dropped unrecorded (the first such DM of the
   * minute is answered once). Throws only when the inbox could not record it.
   */
  receiveDirectMessage(dm: DirectMessage): Promise<"seen" | "done" | "pending" | "limited">;
  submit: SubmitUpdateDeps;
  /**
   * For the scheduler: DMs and confirmations acked but not processed yet, and updates saved but
   * not written back to Asana yet, tried again; those about to outlive their life given up first,
   * their writers told once.
   */
  retryPending(): Promise<PendingUpdatesSummary>;
};

/** The DM conversation, its durable inbox and the submission, wired once (listeners, scheduler). */
export function createUpdateServices(
  deps: UpdateServicesDeps,
  options: UpdateServicesOptions = {},
): UpdateServices {
  const { owner, settings } = deps;
  const submit: SubmitUpdateDeps = {
    repos: deps.repos,
    notifier: deps.notifier,
    asana: deps.asana,
    rules: deps.rules,
    settings: {
      writeBack: settings.writeBack,
      timezone: settings.timezone,
      locale: settings.defaultLocale,
    },
    clock: deps.clock,
    logger: deps.logger,
    owner,
  };
  const inbox: Inbox = new Inbox(
    {
      queue: deps.repos.meta.inbound,
      owner,
      logger: deps.logger,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    },
    {
      process: async (id, payload, context) => {
        const dm = directMessageSchema.safeParse(payload);
        if (dm.success) {
          await conversations.handleText(dm.data);
          return "done";
        }
        const submission = submissionSchema.safeParse(payload);
        if (submission.success) return conversations.saveSubmission(submission.data, context);
        deps.logger.warn({ inboundId: id }, "a recorded Slack delivery has an unknown shape; dropped");
        return "done";
      },
      notifyFailure: async (payload) => {
        const parsed = directMessageSchema.or(submissionSchema).safeParse(payload);
        if (parsed.success) await conversations.notifyFailure(parsed.data);
      },
    },
  );
  const conversations = new UpdateConversations({
    repos: deps.repos,
    users: deps.users,
    authorization: deps.authorization,
    interpreter: options.interpreter ?? new RuleBasedInterpreter(),
    lookups: deps.lookups,
    messenger: deps.messenger,
    submissions: { receive: (id, payload) => inbox.receive(id, payload) },
    submit,
    settings: { timezone: settings.timezone, defaultLocale: settings.defaultLocale },
    clock: deps.clock,
    logger: deps.logger,
    newId: options.newId ?? (() => randomUUID().replaceAll("-", "").slice(0, 16)),
  });
  const limit = settings.dmRateLimitPerMinute;
  const withinLimit = async (dm: DirectMessage): Promise<boolean> => {
    let hits: number;
    try {
      hits = await deps.repos.meta.rates.hit(`DM#${dm.userId}`, DM_RATE_WINDOW_MS);
    } catch (error) {
      // The limit guards the store; it never keeps a person's message out on its own failure.
      deps.logger.warn({ err: error, user: dm.userId }, "the DM rate limit could not be counted");
      return true;
    }
    if (hits <= limit) return true;
    if (hits === limit + 1) {
      deps.logger.warn({ user: dm.userId, limit }, "a person went over the DM rate limit");
      await conversations
        .notifyUnhandled(dm.userId, dm.channel, "tooMany")
        .catch((error: unknown) =>
          deps.logger.warn({ err: error }, "could not tell the writer about the DM rate limit"),
        );
    }
    return false;
  };
  return {
    conversations,
    inbox,
    receiveDirectMessage: async (dm) => ((await withinLimit(dm)) ? inbox.receive(dm.eventId, dm) : "limited"),
    submit,
    retryPending: async () => ({
      expired: await giveUpOverdue({
        repos: deps.repos,
        messenger: deps.messenger,
        settings: { timezone: settings.timezone, defaultLocale: settings.defaultLocale },
        clock: deps.clock,
        logger: deps.logger,
      }),
      inbound: await inbox.retryPending(),
      writeBacks: await retryWriteBacks(submit),
    }),
  };
}
