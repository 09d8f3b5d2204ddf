import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerFindingAck } from "./finding-ack.ts";
import { registerFindingResolve } from "./finding-resolve.ts";
import { registerFindingSnooze } from "./finding-snooze.ts";
import { registerHomeFilter } from "./home-filter.ts";
import { registerHomePage } from "./home-page.ts";
import { registerHomeWeb } from "./home-web.ts";
import { registerUpdateOpen } from "./update-open.ts";

export function registerActions(app: App, deps: ListenerDeps): void {
  registerFindingAck(app, deps);
  registerFindingResolve(app, deps);
  registerFindingSnooze(app, deps);
  registerHomeFilter(app, deps);
  registerHomePage(app, deps);
  registerHomeWeb(app, deps);
  registerUpdateOpen(app, deps);
}
