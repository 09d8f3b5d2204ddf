import type { App } from "@slack/bolt";
import { parseDirectMessage } from "../../services/slack/update-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/**
 * A person's DM to the app: counted against their per-minute limit (a flood is answered once and
 * dropped), recorded in the meta table (Bolt has acked it already, so it must not be lost; a
 * duplicate delivery is dropped there), then answered: a lookup ("mis proyectos", "PMO-123",
 * "hallazgos") as `/pmo` answers it, anything else read as a status update. Bots, edits,
 * deletions and messages outside the DM are ignored. The text is never logged.
 */
export function registerDirectMessages(app: App, deps: ListenerDeps): void {
  const updates = deps.services.updates;
  app.message(async ({ body }) => {
    const dm = parseDirectMessage(body, deps.clock());
    if (dm === null) return;
    try {
      await updates.receiveDirectMessage(dm);
    } catch (error) {
      deps.logger.error({ err: error, eventId: dm.eventId }, "a DM could not be recorded");
      await updates.conversations
        .notifyUnhandled(dm.userId, dm.channel, "unrecorded")
        .catch((notifyError: unknown) => deps.logger.warn({ err: notifyError }, "could not tell the writer"));
    }
  });
}
