import type { App, RespondArguments, RespondFn } from "@slack/bolt";
import { parsePmoCommand } from "../../services/commands/parse-pmo.ts";
import type { Freshness, PmoService } from "../../services/commands/pmo-service.ts";
import type { Locale, SyncKind } from "../../services/model.ts";
import type { SlackMessage } from "../../services/slack/blocks/finding-parts.ts";
import { pmoAnswerMessage, pmoErrorMessage } from "../../services/slack/blocks/pmo/answer.ts";
import type { PmoRenderContext } from "../../services/slack/blocks/pmo/common.ts";
import {
  syncDeniedMessage,
  syncOutcomeMessage,
  syncStartedMessage,
} from "../../services/slack/blocks/pmo/sync.ts";
import type { ListenerDeps } from "../deps.ts";
import { openUpdateModal } from "../messages/index.ts";
import { answerExport } from "./pmo-export.ts";

export const PMO_COMMAND = "/pmo";

/** `/pmo …`: ack at once, parse, answer through the service, respond ephemerally. */
export function registerPmoCommand(app: App, deps: ListenerDeps, service: PmoService): void {
  app.command(PMO_COMMAND, async ({ ack, command, respond, client, body }) => {
    await ack();
    const parsed = parsePmoCommand(command.text);
    const userId = command.user_id;
    try {
      if (parsed.kind === "sync") {
        await answerSync(deps, service, respond, userId, parsed.syncKind);
        return;
      }
      if (parsed.kind === "update") {
        await openUpdateModal(
          app,
          client,
          body.trigger_id,
          userId,
          parsed.pmoId === null ? {} : { pmoId: parsed.pmoId },
        );
        return;
      }
      if (parsed.kind === "export") {
        await answerExport(deps, service, respond, client, userId, parsed.filters);
        return;
      }
      const reply = await service.answer(parsed, userId);
      await respond(ephemeral(pmoAnswerMessage(renderContext(deps, reply.locale), reply)));
    } catch (error) {
      await answerFailure(deps, service, respond, userId, { error, subcommand: parsed.kind });
    }
  });
}

/** Admins only: "syncing…" at once, then what the run did once it is done. */
async function answerSync(
  deps: ListenerDeps,
  service: PmoService,
  respond: RespondFn,
  userId: string,
  syncKind: SyncKind,
): Promise<void> {
  const locale = await service.localeOf(userId);
  const freshness = await service.freshness();
  if (!service.mayRunSync(userId)) {
    deps.logger.info({ user: userId }, "/pmo sync refused: not a PMO admin");
    await respond(ephemeral(syncDeniedMessage(renderContext(deps, locale), service.syncAdmins(), freshness)));
    return;
  }
  await respond(ephemeral(syncStartedMessage(renderContext(deps, locale), syncKind, freshness)));
  deps.logger.info({ user: userId, kind: syncKind }, "/pmo sync started");
  const outcome = await service.runSync(syncKind);
  if (outcome.kind === "failed")
    deps.logger.error({ err: outcome.cause, kind: syncKind }, "/pmo sync failed");
  const after = await service.freshness();
  await respond(ephemeral(syncOutcomeMessage(renderContext(deps, locale), outcome, after)));
}

export function renderContext(deps: ListenerDeps, locale: Locale): PmoRenderContext {
  return { locale, timeZone: deps.config.timezone, now: deps.clock() };
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

/**
 * Logs what failed (never the user's text, the response_url or the trigger_id) and tells the
 * user in a short sentence; a failure to tell them is logged too, never thrown back to Bolt.
 */
export async function answerFailure(
  deps: ListenerDeps,
  service: PmoService,
  respond: RespondFn,
  userId: string,
  what: { error: unknown; subcommand: string },
): Promise<void> {
  deps.logger.error({ err: what.error, subcommand: what.subcommand, user: userId }, "/pmo could not answer");
  try {
    const locale = await service.localeOf(userId).catch(() => deps.config.defaultLocale);
    const freshness: Freshness | null = await service.freshness().catch(() => null);
    await respond(ephemeral(pmoErrorMessage(renderContext(deps, locale), freshness)));
  } catch (error) {
    deps.logger.warn(
      { err: error, subcommand: what.subcommand },
      "/pmo could not tell the user about a failure",
    );
  }
}
