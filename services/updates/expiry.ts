import type { Locale } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import type { Clock } from "../model.ts";
import { type ExpiredWork, expiredMessage } from "../slack/blocks/update-messages.ts";
import type { DirectMessenger } from "../slack/direct-messenger.ts";
import type { PendingQueue, PendingWork } from "../store/meta/pending-queue.ts";
import type { Repositories } from "../store/repositories.ts";
import { directMessageSchema, submissionSchema } from "./conversation-service.ts";
import { writeBackPayloadSchema } from "./submit-update.ts";

/**
 * Nothing expires silently (issue #12, item 7): a DM or a confirmation not processed within its day,
 * or a write-back not written within its week, is given up a little before its life ends (kept a
 * few days for the daily digest), and its writer is told once in their DM.
 */

/** How long before the end of its life pending work is given up (the retry job runs every 5 min). */
export const GIVE_UP_MARGIN_MS = 30 * 60 * 1000;

export type ExpiryDeps = {
  repos: Repositories;
  messenger: DirectMessenger;
  settings: { timezone: string; defaultLocale: Locale };
  clock: Clock;
  logger: Logger;
};

export type ExpirySummary = { givenUp: number; told: number };

type Queue = "inbound" | "writeBack";

/** Gives up what is about to outlive its life and tells the writers not told yet. */
export async function giveUpOverdue(deps: ExpiryDeps): Promise<ExpirySummary> {
  const summary: ExpirySummary = { givenUp: 0, told: 0 };
  const queues: [Queue, PendingQueue][] = [
    ["inbound", deps.repos.meta.inbound],
    ["writeBack", deps.repos.meta.writeBacks],
  ];
  const now = deps.clock().getTime();
  for (const [kind, queue] of queues) {
    const overdue = await queue.listOverdue(new Date(now - (queue.lifeMs - GIVE_UP_MARGIN_MS)));
    for (const work of overdue) if (await queue.giveUp(work.id)) summary.givenUp++;
    for (const work of await queue.listGivenUp()) {
      if (work.expiryNotified) continue;
      // The flag is taken before the message goes: a writer is told at most once.
      if (!(await queue.setExpiryNotified(work.id, true))) continue;
      try {
        if (await tell(deps, kind, work)) summary.told++;
      } catch (error) {
        deps.logger.warn(
          { err: error, id: work.id },
          "could not tell a writer that their message was given up",
        );
        await queue
          .setExpiryNotified(work.id, false)
          .catch((resetError: unknown) =>
            deps.logger.warn({ err: resetError, id: work.id }, "could not reset a given-up item's notice"),
          );
      }
    }
  }
  if (summary.givenUp > 0) deps.logger.warn({ ...summary }, "pending Slack work given up after its life");
  return summary;
}

/** Where and what to tell, from the item's payload; null when it names nobody. */
async function expiredFor(
  deps: ExpiryDeps,
  kind: Queue,
  work: PendingWork,
): Promise<{ userId: string; channel: string; expired: ExpiredWork } | null> {
  if (kind === "writeBack") {
    const payload = writeBackPayloadSchema.safeParse(work.payload);
    if (!payload.success) return null;
    const project = await deps.repos.projects.get(payload.data.projectGid);
    return {
      userId: payload.data.slackUserId,
      channel: payload.data.slackUserId,
      expired: {
        kind: "writeBack",
        at: payload.data.submittedAt,
        project:
          project === null
            ? { gid: payload.data.projectGid, name: payload.data.projectGid, pmoId: null, url: null }
            : { gid: project.gid, name: project.name, pmoId: project.pmoId, url: project.permalinkUrl },
      },
    };
  }
  const dm = directMessageSchema.safeParse(work.payload);
  if (dm.success)
    return {
      userId: dm.data.userId,
      channel: dm.data.channel,
      expired: { kind: "dm", at: dm.data.receivedAt },
    };
  const submission = submissionSchema.safeParse(work.payload);
  if (!submission.success) return null;
  return {
    userId: submission.data.userId,
    channel: submission.data.channel,
    expired: { kind: "submit", at: submission.data.submittedAt, project: submission.data.project },
  };
}

async function tell(deps: ExpiryDeps, kind: Queue, work: PendingWork): Promise<boolean> {
  const found = await expiredFor(deps, kind, work);
  if (found === null) return false;
  const profile = await deps.repos.users.get(found.userId);
  const locale = profile?.locale ?? deps.settings.defaultLocale;
  await deps.messenger.post(found.channel, expiredMessage(locale, deps.settings.timezone, found.expired));
  return true;
}
