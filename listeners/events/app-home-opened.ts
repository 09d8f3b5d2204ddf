import type { App } from "@slack/bolt";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { parseHomeOpened } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/** The Home tab opened: the user's projects and findings (and, for admins, the portfolio), published. */
export function registerAppHomeOpened(app: App, deps: ListenerDeps): void {
  const { home } = deps.services;
  app.event("app_home_opened", async ({ event, client }) => {
    const opened = parseHomeOpened(event);
    if (opened === null) return;
    await publishHome(
      client,
      opened.userId,
      await home.viewOrFailure(opened.userId, opened.state),
      deps.logger,
    );
  });
}
