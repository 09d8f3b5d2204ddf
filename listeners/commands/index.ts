import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerPmoCommand } from "./pmo.ts";
import { registerPmoMore } from "./pmo-more.ts";
import { registerPanelLink } from "./pmo-panel.ts";

export function registerCommands(app: App, deps: ListenerDeps): void {
  registerPmoCommand(app, deps);
  registerPmoMore(app, deps);
  registerPanelLink(app);
}
