import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerAppHomeOpened } from "./app-home-opened.ts";

export function registerEvents(app: App, deps: ListenerDeps): void {
  registerAppHomeOpened(app, deps);
}
