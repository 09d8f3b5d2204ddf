import type { RespondArguments, RespondFn } from "@slack/bolt";
import type { Freshness } from "../../services/commands/pmo-service.ts";
import type { Locale } from "../../services/model.ts";
import type { SlackMessage } from "../../services/slack/blocks/finding-parts.ts";
import { pmoErrorMessage } from "../../services/slack/blocks/pmo/answer.ts";
import type { PmoRenderContext } from "../../services/slack/blocks/pmo/common.ts";
import type { ListenerDeps } from "../deps.ts";

export function renderContext(deps: ListenerDeps, locale: Locale): PmoRenderContext {
  return { locale, timeZone: deps.rendering.timeZone, now: deps.clock() };
}

/** An answer only the caller sees; links are not unfurled. */
export function ephemeral(message: SlackMessage): RespondArguments {
  return {
    response_type: "ephemeral",
    replace_original: false,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** One plain line, only for the caller. */
export function ephemeralText(text: string): RespondArguments {
  return ephemeral({ text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] });
}

/**
 * Logs what failed (never the user's text, the response_url or the trigger_id) and tells the
 * user in a short sentence; a failure to tell them is logged too, never thrown back to Bolt.
 */
export async function answerFailure(
  deps: ListenerDeps,
  respond: RespondFn,
  userId: string,
  what: { error: unknown; subcommand: string },
): Promise<void> {
  const { lookups } = deps.services;
  deps.logger.error({ err: what.error, subcommand: what.subcommand, user: userId }, "/pmo could not answer");
  try {
    const locale = await lookups.localeOf(userId).catch(() => deps.rendering.defaultLocale);
    const freshness: Freshness | null = await lookups.freshness().catch(() => null);
    await respond(ephemeral(pmoErrorMessage(renderContext(deps, locale), freshness)));
  } catch (error) {
    deps.logger.warn(
      { err: error, subcommand: what.subcommand },
      "/pmo could not tell the user about a failure",
    );
  }
}
