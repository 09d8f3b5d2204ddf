import type { App } from "@slack/bolt";
import { FINDING_RESOLVE } from "../../services/slack/action-ids.ts";
import { replyToFindingAction } from "../../services/slack/finding-replies.ts";
import { parseFindingClick } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** Resolver (admins): resolved by hand, and the message shows by whom. */
export function registerFindingResolve(app: App, deps: ListenerDeps): void {
  app.action(FINDING_RESOLVE, async ({ ack, body, client }) => {
    await ack();
    const click = parseFindingClick(body, FINDING_RESOLVE);
    if (click === null) return;
    const { findings, home } = findingServicesOf(deps);
    const outcome = await findings.resolve(click.request);
    await replyToFindingAction(client, outcome, {
      userId: click.request.userId,
      triggerId: click.triggerId,
      home,
      logger: deps.logger,
    });
  });
}
