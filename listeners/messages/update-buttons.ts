import type { App } from "@slack/bolt";
import type { ModalView } from "@slack/types";
import {
  UPDATE_CANCEL,
  UPDATE_CHOOSE_PROJECT,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
  type UpdateActionId,
} from "../../services/slack/update-ids.ts";
import { parseUpdateClick } from "../../services/slack/update-payloads.ts";
import type { UpdateClick } from "../../services/updates/conversation-service.ts";
import type { ListenerDeps } from "../deps.ts";

type Opener = { views: { open(args: { trigger_id: string; view: ModalView }): Promise<unknown> } };

/** The conversation's buttons: a project chosen, Confirmar, Cancelar, and Editar (the modal). */
export function registerUpdateButtons(app: App, deps: ListenerDeps): void {
  const { conversations } = deps.services.updates;
  const answering = (
    actionId: UpdateActionId,
    handle: (click: UpdateClick, triggerId: string | null, client: Opener) => Promise<void>,
  ) =>
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const parsed = parseUpdateClick(body, actionId);
      if (parsed === null) return;
      try {
        await handle(parsed.click, parsed.triggerId, client);
      } catch (error) {
        deps.logger.error({ err: error, actionId }, "a status-update button failed");
        await conversations
          .notifyUnhandled(parsed.click.userId, parsed.click.channel, "click")
          .catch((notifyError: unknown) =>
            deps.logger.warn({ err: notifyError }, "could not tell the writer"),
          );
      }
    });

  answering(UPDATE_CHOOSE_PROJECT, (click) => conversations.choose(click));
  answering(UPDATE_CONFIRM, (click) => conversations.confirm(click));
  answering(UPDATE_CANCEL, (click) => conversations.cancel(click));
  answering(UPDATE_EDIT, async (click, triggerId, client) => {
    const view = await conversations.edit(click);
    if (view !== null && triggerId !== null) await client.views.open({ trigger_id: triggerId, view });
  });
}
