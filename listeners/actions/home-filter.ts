import type { App } from "@slack/bolt";
import { withHomeControl } from "../../services/slack/blocks/home/home-state.ts";
import { publishHome } from "../../services/slack/finding-replies.ts";
import { HOME_FILTER_ACTION_IDS } from "../../services/slack/home-action-ids.ts";
import { parseHomeControl } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** The admin's filters on the Home (severity, vertical, responsable): the Home again, filtered. */
export function registerHomeFilter(app: App, deps: ListenerDeps): void {
  for (const actionId of HOME_FILTER_ACTION_IDS) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const control = parseHomeControl(body);
      if (control === null) return;
      const { home } = findingServicesOf(deps);
      const view = await home.view(control.userId, withHomeControl(control.state, control));
      await publishHome(client, control.userId, view, deps.logger);
    });
  }
}
