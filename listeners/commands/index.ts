import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerPmoCommand } from "./pmo.ts";
import { registerPmoMore } from "./pmo-more.ts";

export function registerCommands(app: App, deps: ListenerDeps): void {
  registerPmoCommand(app, deps);
  registerPmoMore(app, deps);
}
