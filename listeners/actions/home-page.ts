import type { App } from "@slack/bolt";
import { HOME_PAGE_ACTION } from "../../services/slack/home-action-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { republishHomeOnControl } from "./home-control.ts";

/** The Home's paging buttons: the same Home, another page of the findings list. */
export function registerHomePage(app: App, deps: ListenerDeps): void {
  app.action(HOME_PAGE_ACTION, republishHomeOnControl(deps));
}
