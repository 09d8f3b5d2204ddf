import type { App } from "@slack/bolt";
import { checkSnoozeDays } from "../../services/slack/blocks/modals/snooze-modal.ts";
import {
  FINDING_SNOOZE_MODAL,
  SNOOZE_DAYS_ACTION,
  SNOOZE_DAYS_BLOCK,
} from "../../services/slack/finding-modal-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { registerFindingModal } from "./finding-modal.ts";

/** The snooze modal submitted: snoozed for the chosen 1, 3, 7 or 14 days. */
export function registerFindingSnoozeModal(app: App, deps: ListenerDeps): void {
  registerFindingModal(app, deps, {
    callbackId: FINDING_SNOOZE_MODAL,
    check: (locale, submission) => {
      const check = checkSnoozeDays(locale, submission.choice(SNOOZE_DAYS_BLOCK, SNOOZE_DAYS_ACTION));
      return check.ok ? { ok: true, value: check.days } : check;
    },
    act: (findings, request, days) => findings.snooze(request, days),
  });
}
