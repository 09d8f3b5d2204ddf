import type { App } from "@slack/bolt";
import { registerAccessCheck } from "./access.ts";
import { registerActions } from "./actions/index.ts";
import { registerCommands } from "./commands/index.ts";
import type { ListenerDeps } from "./deps.ts";
import { registerEvents } from "./events/index.ts";
import { registerMessages } from "./messages/index.ts";
import { registerViews } from "./views/index.ts";

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerAccessCheck(app, deps);
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
  registerMessages(app, deps);
  // The last resort: each listener answers its own failures; what still escapes is logged here
  // (code and context only, never what the person wrote) instead of reaching Bolt's default.
  app.error(async (error) => {
    deps.logger.error({ err: error }, "a Slack listener failed");
  });
}
