import type { App } from "@slack/bolt";
import { FINDING_SNOOZE } from "../../services/slack/action-ids.ts";
import { replyToFindingAction } from "../../services/slack/finding-replies.ts";
import { parseFindingClick } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** Posponer (admins): the modal with the choice of days. */
export function registerFindingSnooze(app: App, deps: ListenerDeps): void {
  app.action(FINDING_SNOOZE, async ({ ack, body, client }) => {
    await ack();
    const click = parseFindingClick(body, FINDING_SNOOZE);
    if (click === null) return;
    const { findings, home } = findingServicesOf(deps);
    const outcome = await findings.startSnooze(click.request);
    await replyToFindingAction(client, outcome, {
      userId: click.request.userId,
      triggerId: click.triggerId,
      home,
      logger: deps.logger,
    });
  });
}
