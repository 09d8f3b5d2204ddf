import type { App } from "@slack/bolt";
import { z } from "zod";
import { UPDATE_OPEN } from "../../services/slack/reminder-ids.ts";
import type { ListenerDeps } from "../deps.ts";

const clickSchema = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ value: z.string().regex(/^\d{1,40}$/) })).min(1),
});

/** "Actualizar estado" on a reminder or the Home tab: the update modal for that project. */
export function registerUpdateOpen(app: App, deps: ListenerDeps): void {
  const { conversations } = deps.services.updates;
  app.action(UPDATE_OPEN, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) {
      deps.logger.warn("an update button whose payload is not ours");
      return;
    }
    const userId = click.data.user.id;
    const [action] = click.data.actions;
    try {
      const view = await conversations.openModal(userId, { projectGid: action?.value ?? "" });
      await client.views.open({ trigger_id: click.data.trigger_id, view });
    } catch (error) {
      deps.logger.error({ err: error, user: userId }, "could not open the update modal");
      // The button may be on the Home tab, where nothing else can be said: the app's DM can.
      await conversations
        .notifyUnhandled(userId, userId, "click")
        .catch((notifyError: unknown) => deps.logger.warn({ err: notifyError }, "could not tell the writer"));
    }
  });
}
