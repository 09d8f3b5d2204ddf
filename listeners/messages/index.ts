import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.ts";
import { registerDirectMessages } from "./dm.ts";
import { registerUpdateButtons } from "./update-buttons.ts";
import { registerUpdateModal } from "./update-modal.ts";

/** Status updates by DM: the DM itself, the conversation's buttons and the update modal. */
export function registerMessages(app: App, deps: ListenerDeps): void {
  registerDirectMessages(app, deps);
  registerUpdateButtons(app, deps);
  registerUpdateModal(app, deps);
}
