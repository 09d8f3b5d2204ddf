import type { App } from "@slack/bolt";
import { z } from "zod";
import { panelLinkModal } from "../../services/slack/blocks/pmo/panel.ts";
import { HOME_WEB_PANEL } from "../../services/slack/home-action-ids.ts";
import type { ListenerDeps } from "../deps.ts";

const clickSchema = z.object({
  trigger_id: z.string().min(1),
  user: z.object({ id: z.string().min(1) }),
  team: z.object({ id: z.string().min(1) }).nullish(),
});

/**
 * The Home's web dashboard button: the one-time sign-in link `/pmo panel` answers, shown in a
 * modal (a Home tab has no ephemeral messages; a DM would keep the link in the history).
 */
export function registerHomeWeb(app: App, deps: ListenerDeps): void {
  app.action(HOME_WEB_PANEL, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) {
      deps.logger.warn("a web dashboard button whose payload is not ours");
      return;
    }
    const userId = click.data.user.id;
    const { web, lookups } = deps.services;
    try {
      const link = web === null ? null : await web.links.issue(userId, click.data.team?.id ?? null);
      deps.logger.info({ user: userId, result: link?.kind ?? "web_off" }, "Home web dashboard button");
      const locale = link?.locale ?? (await lookups.localeOf(userId));
      await client.views.open({
        trigger_id: click.data.trigger_id,
        view: panelLinkModal({ locale, timeZone: deps.rendering.timeZone }, link),
      });
    } catch (error) {
      deps.logger.error({ err: error, user: userId }, "could not answer the Home's web dashboard button");
    }
  });
}
