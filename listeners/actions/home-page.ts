import type { App } from "@slack/bolt";
import { withHomeControl } from "../../services/slack/blocks/home/home-state.ts";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { HOME_PAGE_ACTION } from "../../services/slack/home-action-ids.ts";
import { parseHomeControl } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** The Home's paging buttons: the same Home, another page of the findings list. */
export function registerHomePage(app: App, deps: ListenerDeps): void {
  app.action(HOME_PAGE_ACTION, async ({ ack, body, client }) => {
    await ack();
    const control = parseHomeControl(body);
    if (control === null) return;
    const { home } = findingServicesOf(deps);
    const view = await home.view(control.userId, withHomeControl(control.state, control));
    await publishHome(client, control.userId, view, deps.logger);
  });
}
