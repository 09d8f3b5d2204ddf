import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerFindingAckModal } from "./finding-ack-modal.ts";
import { registerFindingSnoozeModal } from "./finding-snooze-modal.ts";

export function registerViews(app: App, deps: ListenerDeps): void {
  registerFindingAckModal(app, deps);
  registerFindingSnoozeModal(app, deps);
}
