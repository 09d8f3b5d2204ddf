import type { App } from "@slack/bolt";
import type { FindingActions, FindingOutcome } from "../../services/findings/finding-actions.ts";
import type { FindingRequest } from "../../services/findings/finding-origin.ts";
import type { Locale } from "../../services/model.ts";
import { replyToFindingAction, withCurrentMessage } from "../../services/slack/finding-replies.ts";
import { type FindingSubmission, parseFindingSubmission } from "../../services/slack/interaction-payloads.ts";
import type { ListenerDeps } from "../deps.ts";

/** What a finding modal's input reads as: the value to act with, or the errors shown in the modal. */
export type ModalInputCheck<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

export type FindingModal<T> = {
  callbackId: string;
  check(locale: Locale, submission: FindingSubmission): ModalInputCheck<T>;
  act(findings: FindingActions, request: FindingRequest, value: T): Promise<FindingOutcome>;
};

/**
 * A finding modal submitted: its input checked in the user's language (errors go back into the
 * modal; the language comes from the store, so nothing calls Slack before the ack), then the
 * action run on the finding and answered where it was asked from.
 */
export function registerFindingModal<T>(app: App, deps: ListenerDeps, modal: FindingModal<T>): void {
  const { users, findings, home } = deps.services;
  app.view(modal.callbackId, async ({ ack, body, client }) => {
    const submission = parseFindingSubmission(body, modal.callbackId);
    if (submission === null) {
      await ack();
      return;
    }
    const { userId } = submission.request;
    const locale = await users.localeOf(userId).catch(() => deps.rendering.defaultLocale);
    const check = modal.check(locale, submission);
    if (!check.ok) {
      await ack({ response_action: "errors", errors: check.errors });
      return;
    }
    await ack();
    const origin = await withCurrentMessage(client, submission.request.origin, deps.logger);
    const outcome = await modal.act(findings, { ...submission.request, origin }, check.value);
    await replyToFindingAction(client, outcome, { userId, triggerId: null, home, logger: deps.logger }).catch(
      (error: unknown) =>
        deps.logger.error(
          { err: error, callbackId: modal.callbackId },
          "could not show a finding modal's outcome",
        ),
    );
  });
}
