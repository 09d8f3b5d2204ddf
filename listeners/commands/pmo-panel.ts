import type { App, RespondFn } from "@slack/bolt";
import { PANEL_LINK_ACTION, panelLinkMessage } from "../../services/slack/blocks/pmo/panel.ts";
import type { ListenerDeps } from "../deps.ts";
import { ephemeral } from "./respond.ts";

/** `/pmo panel`: a one-time link to the web dashboard, only for the caller (the link itself is never logged). */
export async function answerPanel(
  deps: ListenerDeps,
  respond: RespondFn,
  userId: string,
  teamId: string | null,
): Promise<void> {
  const { web, lookups } = deps.services;
  const link = web === null ? null : await web.links.issue(userId, teamId);
  deps.logger.info({ user: userId, result: link?.kind ?? "web_off" }, "/pmo panel");
  const locale = link?.locale ?? (await lookups.localeOf(userId));
  await respond(ephemeral(panelLinkMessage({ locale, timeZone: deps.rendering.timeZone }, link)));
}

/** The link button opens the dashboard in the browser; Slack still sends its click, which is only acked. */
export function registerPanelLink(app: App): void {
  app.action(PANEL_LINK_ACTION, async ({ ack }) => {
    await ack();
  });
}
