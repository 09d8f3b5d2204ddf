import type { App } from "@slack/bolt";
import { z } from "zod";
import { UPDATE_OPEN } from "../../services/slack/reminder-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { openUpdateModal } from "../messages/index.ts";

const clickSchema = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ value: z.string().regex(/^\d{1,40}$/) })).min(1),
});

/** "Actualizar estado" on a reminder or the Home tab: the update modal for that project. */
export function registerUpdateOpen(app: App, deps: ListenerDeps): void {
  app.action(UPDATE_OPEN, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) return;
    const [action] = click.data.actions;
    try {
      await openUpdateModal(app, client, click.data.trigger_id, click.data.user.id, {
        projectGid: action?.value ?? "",
      });
    } catch (error) {
      deps.logger.warn({ err: error, user: click.data.user.id }, "could not open the update modal");
    }
  });
}
