import type { App } from "@slack/bolt";
import { UPDATE_MODAL } from "../../services/slack/update-ids.ts";
import { parseUpdateModalSubmission } from "../../services/slack/update-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/** The update modal submitted: each problem under its field, or closed and saved. */
export function registerUpdateModal(app: App, deps: ListenerDeps): void {
  const { conversations } = deps.services.updates;
  app.view(UPDATE_MODAL, async ({ ack, body }) => {
    const submission = parseUpdateModalSubmission(body);
    if (submission === null) {
      deps.logger.warn("an update modal submission whose payload is not ours");
      return ack();
    }
    // The check answers its own failures as an error under a field, keeping what was typed.
    const answer = await conversations.checkModal(submission);
    if (answer.kind === "errors") return ack({ response_action: "errors", errors: answer.errors });
    await ack();
    // Records, then clears the draft; a failure is told to the writer by the service.
    await conversations.submitModal(answer);
  });
}
