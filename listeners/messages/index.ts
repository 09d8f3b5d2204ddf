import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";

export function registerMessages(_app: App, _deps: ListenerDeps): void {}
