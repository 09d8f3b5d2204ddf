import { randomUUID } from "node:crypto";
import type { Config } from "../../app/config.ts";
import { instanceId } from "../../app/instance.ts";
import type { AsanaClient } from "../asana/client.ts";
import type { Logger } from "../logger.ts";
import type { Clock } from "../model.ts";
import { type ChatClient, type DirectMessenger, slackDirectMessenger } from "../slack/direct-messenger.ts";
import type { Notifier } from "../slack/notifier.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import { directMessageSchema, submissionSchema, UpdateConversations } from "./conversation-service.ts";
import { Inbox, type InboxRetrySummary } from "./inbound.ts";
import { RuleBasedInterpreter, type StatusUpdateInterpreter } from "./interpreter.ts";
import {
  retryPendingWriteBacks as retryWriteBacks,
  type SubmitUpdateDeps,
  type WriteBackRetrySummary,
} from "./submit-update.ts";

/** What the status-update services are built from: the listeners' deps satisfy it as they are. */
export type UpdateServicesDeps = {
  config: Config;
  logger: Logger;
  clock: Clock;
  repos: Repositories;
  asana: AsanaClient | null;
  users: UserDirectory;
  notifier: Notifier;
};

export type UpdateServicesOptions = {
  /** This process, for leases and claims; a fresh id by default. */
  owner?: string;
  interpreter?: StatusUpdateInterpreter;
  messenger?: DirectMessenger;
  retryDelayMs?: number;
  newId?: () => string;
  sleep?: (ms: number) => Promise<void>;
};

export type UpdateServices = {
  conversations: UpdateConversations;
  inbox: Inbox;
  submit: SubmitUpdateDeps;
};

/** The DM conversation, its durable inbox and the submission, wired once (listeners, scheduler). */
export function createUpdateServices(
  deps: UpdateServicesDeps,
  slack: ChatClient,
  options: UpdateServicesOptions = {},
): UpdateServices {
  const owner = options.owner ?? instanceId();
  const submit: SubmitUpdateDeps = {
    repos: deps.repos,
    notifier: deps.notifier,
    asana: deps.asana,
    settings: {
      writeBack: deps.config.asana.writeBack,
      rules: deps.config.rules,
      timezone: deps.config.timezone,
      locale: deps.config.defaultLocale,
    },
    clock: deps.clock,
    logger: deps.logger,
    owner,
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  };
  const inbox: Inbox = new Inbox(
    {
      meta: deps.repos.meta,
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
    interpreter: options.interpreter ?? new RuleBasedInterpreter(),
    messenger: options.messenger ?? slackDirectMessenger(slack),
    submissions: { receive: (id, payload) => inbox.receive(id, payload) },
    submit,
    settings: { timezone: deps.config.timezone, defaultLocale: deps.config.defaultLocale },
    clock: deps.clock,
    logger: deps.logger,
    newId: options.newId ?? (() => randomUUID().replaceAll("-", "").slice(0, 16)),
  });
  return { conversations, inbox, submit };
}

/** For the scheduler: DMs and confirmations acked but not processed yet, tried again. */
export function retryPendingInbound(services: UpdateServices): Promise<InboxRetrySummary> {
  return services.inbox.retryPending();
}

/** For the scheduler: updates saved but not written back to Asana yet, tried again. */
export function retryPendingWriteBacks(services: UpdateServices): Promise<WriteBackRetrySummary> {
  return retryWriteBacks(services.submit);
}
