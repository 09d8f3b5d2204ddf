import type { App } from "@slack/bolt";
import { FINDING_ACK } from "../../services/slack/action-ids.ts";
import { replyToFindingAction } from "../../services/slack/finding-replies.ts";
import { parseFindingClick } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** Reconocer: the comment modal for an admin or the project's responsable; anyone else is told who may. */
export function registerFindingAck(app: App, deps: ListenerDeps): void {
  app.action(FINDING_ACK, async ({ ack, body, client }) => {
    await ack();
    const click = parseFindingClick(body, FINDING_ACK);
    if (click === null) return;
    const { findings, home } = findingServicesOf(deps);
    const outcome = await findings.startAcknowledge(click.request);
    await replyToFindingAction(client, outcome, {
      userId: click.request.userId,
      triggerId: click.triggerId,
      home,
      logger: deps.logger,
    });
  });
}
