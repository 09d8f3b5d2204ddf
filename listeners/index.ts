import type { App } from "@slack/bolt";
import { registerActions } from "./actions/index.ts";
import { registerCommands } from "./commands/index.ts";
import type { ListenerDeps } from "./deps.ts";
import { registerEvents } from "./events/index.ts";
import { registerMessages } from "./messages/index.ts";
import { registerViews } from "./views/index.ts";

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
  registerMessages(app, deps);
}
