import type { App } from "@slack/bolt";
import { checkSnoozeDays } from "../../services/slack/blocks/modals/snooze-modal.ts";
import {
  FINDING_SNOOZE_MODAL,
  SNOOZE_DAYS_ACTION,
  SNOOZE_DAYS_BLOCK,
} from "../../services/slack/finding-modal-ids.ts";
import { replyToFindingAction, withCurrentMessage } from "../../services/slack/finding-replies.ts";
import { parseFindingSubmission } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";
import { findingServicesOf } from "../finding-services.ts";

/** The snooze modal submitted: snoozed for the chosen 1, 3, 7 or 14 days. */
export function registerFindingSnoozeModal(app: App, deps: ListenerDeps): void {
  app.view(FINDING_SNOOZE_MODAL, async ({ ack, body, client }) => {
    const submission = parseFindingSubmission(body, FINDING_SNOOZE_MODAL);
    if (submission === null) {
      await ack();
      return;
    }
    const { userId } = submission.request;
    const locale = await deps.users.localeOf(userId).catch(() => deps.config.defaultLocale);
    const check = checkSnoozeDays(locale, submission.choice(SNOOZE_DAYS_BLOCK, SNOOZE_DAYS_ACTION));
    if (!check.ok) {
      await ack({ response_action: "errors", errors: check.errors });
      return;
    }
    await ack();
    const { findings, home } = findingServicesOf(deps);
    const origin = await withCurrentMessage(client, submission.request.origin, deps.logger);
    const outcome = await findings.snooze({ ...submission.request, origin }, check.days);
    await replyToFindingAction(client, outcome, { userId, triggerId: null, home, logger: deps.logger });
  });
}
