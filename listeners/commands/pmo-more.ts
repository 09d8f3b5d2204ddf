import type { App } from "@slack/bolt";
import { PMO_MORE_ACTION_ID, parseMoreValue } from "../../services/commands/pmo-more-value.ts";
import { pmoAnswerMessage, pmoMoreInvalidMessage } from "../../services/slack/blocks/pmo/answer.ts";
import type { ListenerDeps } from "../deps.ts";
import { answerFailure, ephemeral, renderContext } from "./respond.ts";

/**
 * The "Ver más" / "Show more" button of a paged `/pmo` answer: the next page, as a new ephemeral
 * message. Registered with the commands (not in listeners/actions) because it belongs to `/pmo`.
 */
export function registerPmoMore(app: App, deps: ListenerDeps): void {
  const { lookups } = deps.services;
  app.action(
    { type: "block_actions", action_id: PMO_MORE_ACTION_ID },
    async ({ ack, action, body, respond }) => {
      await ack();
      const userId = body.user.id;
      const request = parseMoreValue(action.type === "button" ? action.value : undefined);
      try {
        if (request === null) {
          deps.logger.warn({ user: userId }, "/pmo more: a button value that is not ours");
          const locale = await lookups.localeOf(userId);
          await respond(
            ephemeral(pmoMoreInvalidMessage(renderContext(deps, locale), await lookups.freshness())),
          );
          return;
        }
        const reply = await lookups.answer(request.command, userId);
        await respond(ephemeral(pmoAnswerMessage(renderContext(deps, reply.locale), reply, request.offset)));
      } catch (error) {
        await answerFailure(deps, respond, userId, {
          error,
          subcommand: `more:${request?.command.kind ?? "invalid"}`,
        });
      }
    },
  );
}
