import type { AllMiddlewareArgs, SlackActionMiddlewareArgs } from "@slack/bolt";
import type { FindingActions, FindingOutcome } from "../../services/findings/finding-actions.ts";
import type { FindingRequest } from "../../services/findings/finding-origin.ts";
import type { FindingActionId } from "../../services/slack/action-ids.ts";
import { replyToFindingAction } from "../../services/slack/finding-replies.ts";
import { parseFindingClick } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/**
 * A finding button clicked: ack, parse, let the use case decide (it answers its own failures with
 * a "failed" outcome the user is shown), then carry the outcome out in Slack.
 */
export function answerFindingClick(
  deps: ListenerDeps,
  actionId: FindingActionId,
  act: (findings: FindingActions, request: FindingRequest) => Promise<FindingOutcome>,
) {
  const { findings, home } = deps.services;
  return async ({ ack, body, client }: SlackActionMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const click = parseFindingClick(body, actionId);
    if (click === null) {
      deps.logger.warn({ actionId }, "a finding button whose payload is not ours");
      return;
    }
    const outcome = await act(findings, click.request);
    await replyToFindingAction(client, outcome, {
      userId: click.request.userId,
      triggerId: click.triggerId,
      home,
      logger: deps.logger,
    }).catch((error: unknown) =>
      deps.logger.error({ err: error, actionId }, "could not show the outcome of a finding action"),
    );
  };
}
