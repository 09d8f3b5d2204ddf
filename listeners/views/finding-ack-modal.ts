import type { App } from "@slack/bolt";
import { checkAckComment } from "../../services/slack/blocks/modals/ack-modal.ts";
import {
  ACK_COMMENT_ACTION,
  ACK_COMMENT_BLOCK,
  FINDING_ACK_MODAL,
} from "../../services/slack/finding-modal-ids.ts";
import { replyToFindingAction, withCurrentMessage } from "../../services/slack/finding-replies.ts";
import { parseFindingSubmission } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** The acknowledge modal submitted: the comment checked (errors shown in the modal), then acknowledged. */
export function registerFindingAckModal(app: App, deps: ListenerDeps): void {
  app.view(FINDING_ACK_MODAL, async ({ ack, body, client }) => {
    const submission = parseFindingSubmission(body, FINDING_ACK_MODAL);
    if (submission === null) {
      await ack();
      return;
    }
    const { userId } = submission.request;
    const locale = await deps.users.localeOf(userId).catch(() => deps.config.defaultLocale);
    const check = checkAckComment(locale, submission.text(ACK_COMMENT_BLOCK, ACK_COMMENT_ACTION));
    if (!check.ok) {
      await ack({ response_action: "errors", errors: check.errors });
      return;
    }
    await ack();
    const { findings, home } = findingServicesOf(deps);
    const origin = await withCurrentMessage(client, submission.request.origin, deps.logger);
    const outcome = await findings.acknowledge({ ...submission.request, origin }, check.comment);
    await replyToFindingAction(client, outcome, { userId, triggerId: null, home, logger: deps.logger });
  });
}
