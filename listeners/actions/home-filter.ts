import type { App } from "@slack/bolt";
import { HOME_FILTER_ACTION_IDS } from "../../services/slack/home-action-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { republishHomeOnControl } from "./home-control.ts";

/** The admin's filters on the Home (severity, vertical, responsable): the Home again, filtered. */
export function registerHomeFilter(app: App, deps: ListenerDeps): void {
  for (const actionId of HOME_FILTER_ACTION_IDS) app.action(actionId, republishHomeOnControl(deps));
}
