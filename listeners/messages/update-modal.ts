import type { App } from "@slack/bolt";
import { UPDATE_MODAL } from "../../services/slack/update-ids.ts";
import { parseUpdateModalSubmission } from "../../services/slack/update-payloads.ts";
import type { UpdateServices } from "../../services/updates/update-services.ts";
import type { ListenerDeps } from "../deps.ts";

/** The update modal submitted: each problem under its field, or closed and saved. */
export function registerUpdateModal(app: App, _deps: ListenerDeps, updates: UpdateServices): void {
  app.view(UPDATE_MODAL, async ({ ack, body }) => {
    const submission = parseUpdateModalSubmission(body);
    if (submission === null) return ack();
    const answer = await updates.conversations.checkModal(submission);
    if (answer.kind === "errors") return ack({ response_action: "errors", errors: answer.errors });
    await ack();
    await updates.conversations.submitModal(answer);
  });
}
