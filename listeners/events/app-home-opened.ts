import type { App } from "@slack/bolt";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { parseHomeOpened } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** The Home tab opened: the user's projects and findings (and, for admins, the portfolio), published. */
export function registerAppHomeOpened(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    const opened = parseHomeOpened(event);
    if (opened === null) return;
    const { home } = findingServicesOf(deps);
    await publishHome(client, opened.userId, await home.view(opened.userId, opened.state), deps.logger);
  });
}
