import type { HomeView } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { FindingOutcome } from "../findings/finding-actions.ts";
import type { FindingOrigin } from "../findings/finding-origin.ts";
import type { HomeService } from "../home/home-service.ts";
import type { Logger } from "../logger.ts";
import { parseReceivedBlocks, type ReceivedMessage } from "./message-blocks.ts";

/**
 * The Slack side of a finding action: carries out what the use case returned (open the modal,
 * update the message, tell the user, publish the Home again). A failed call is logged and the rest
 * still happens; nothing here logs a trigger_id, a response_url or what a user wrote.
 */

export type SlackClient = Pick<WebClient, "chat" | "views" | "conversations">;

export type ReplyOptions = {
  userId: string;
  /** The click's trigger_id, for a modal; null for submissions. */
  triggerId: string | null;
  home: HomeService;
  logger: Logger;
};

async function attempt(logger: Logger, method: string, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    logger.warn({ err: error, method }, "Slack call for a finding action failed");
    return false;
  }
}

export async function replyToFindingAction(
  client: SlackClient,
  outcome: FindingOutcome,
  options: ReplyOptions,
): Promise<void> {
  const { logger, userId } = options;
  const finding = outcome.finding === null ? null : `${outcome.finding.projectGid}#${outcome.finding.ruleId}`;
  logger.info({ userId, finding, result: outcome.result }, "finding action");
  const { modal } = outcome;
  if (modal !== null) {
    const triggerId = options.triggerId;
    if (triggerId === null)
      logger.warn({ userId, finding }, "a modal to open but no trigger to open it with");
    else await attempt(logger, "views.open", () => client.views.open({ trigger_id: triggerId, view: modal }));
  }
  const update = outcome.messageUpdate;
  if (update !== null) {
    await attempt(logger, "chat.update", () =>
      client.chat.update({
        channel: update.channel,
        ts: update.ts,
        text: update.text,
        blocks: update.blocks,
      }),
    );
  }
  const ephemeral = outcome.ephemeral;
  if (ephemeral !== null) {
    await attempt(logger, "chat.postEphemeral", () =>
      client.chat.postEphemeral({ channel: ephemeral.channel, user: userId, text: ephemeral.text }),
    );
  }
  if (outcome.home !== null) {
    const view = await options.home.view(userId, outcome.home.state, outcome.home.notice);
    await publishHome(client, userId, view, logger);
  }
}

export async function publishHome(
  client: SlackClient,
  userId: string,
  view: HomeView,
  logger: Logger,
): Promise<void> {
  await attempt(logger, "views.publish", () => client.views.publish({ user_id: userId, view }));
}

const historySchema = z.looseObject({
  ok: z.literal(true),
  messages: z.array(
    z.looseObject({ ts: z.string(), text: z.string().optional(), blocks: z.unknown().optional() }),
  ),
});

/**
 * A message as it is now in its channel (a list's lines are updated on it); null when Slack
 * cannot give it back. For submissions, which carry no message.
 */
export async function readMessage(
  client: SlackClient,
  where: { channel: string; ts: string },
  logger: Logger,
): Promise<ReceivedMessage | null> {
  try {
    const answer = historySchema.parse(
      await client.conversations.history({
        channel: where.channel,
        latest: where.ts,
        oldest: where.ts,
        inclusive: true,
        limit: 1,
      }),
    );
    const message = answer.messages.find((m) => m.ts === where.ts);
    const blocks = parseReceivedBlocks(message?.blocks);
    return message === undefined || blocks === null ? null : { text: message.text ?? "", blocks };
  } catch (error) {
    logger.warn({ err: error, method: "conversations.history" }, "could not read the message back");
    return null;
  }
}

/** The origin with the message's current blocks, when a list's lines are to be updated on it. */
export async function withCurrentMessage(
  client: SlackClient,
  origin: FindingOrigin,
  logger: Logger,
): Promise<FindingOrigin> {
  if (origin.kind !== "message" || origin.layout !== "lines" || origin.ephemeral || origin.current !== null)
    return origin;
  return { ...origin, current: await readMessage(client, origin, logger) };
}
