import type { PlainTextOption } from "@slack/types";
import { type Locale, t } from "../../../i18n/index.ts";
import {
  DEFAULT_SNOOZE_DAYS,
  FINDING_SNOOZE_MODAL,
  isSnoozeDays,
  SNOOZE_DAY_CHOICES,
  SNOOZE_DAYS_ACTION,
  SNOOZE_DAYS_BLOCK,
  type SnoozeDays,
} from "../../finding-modal-ids.ts";
import { contextLine } from "../finding-parts.ts";
import {
  type BuiltModalView,
  type FindingModalInput,
  findingModal,
  INPUT_LABEL_MAX,
  plain,
} from "./ack-modal.ts";

const OPTION_TEXT_MAX = 75;

function dayOption(locale: Locale, days: SnoozeDays): PlainTextOption {
  return { text: plain(t(locale, "snoozeModal.option", { days }), OPTION_TEXT_MAX), value: String(days) };
}

/** Snooze: the finding and a choice of 1, 3, 7 or 14 days (radio buttons, a week chosen). */
export function snoozeModal(locale: Locale, input: FindingModalInput): BuiltModalView {
  return findingModal(
    locale,
    {
      callbackId: FINDING_SNOOZE_MODAL,
      title: t(locale, "snoozeModal.title"),
      submit: t(locale, "snoozeModal.submit"),
      asks: [
        {
          type: "input",
          block_id: SNOOZE_DAYS_BLOCK,
          label: plain(t(locale, "snoozeModal.label"), INPUT_LABEL_MAX),
          element: {
            type: "radio_buttons",
            action_id: SNOOZE_DAYS_ACTION,
            options: SNOOZE_DAY_CHOICES.map((days) => dayOption(locale, days)),
            initial_option: dayOption(locale, DEFAULT_SNOOZE_DAYS),
          },
        },
        contextLine(t(locale, "snoozeModal.hint"), "snooze-hint"),
      ],
    },
    input,
  );
}

export type SnoozeCheck = { ok: true; days: SnoozeDays } | { ok: false; errors: Record<string, string> };

/** The chosen number of days, or the error Slack shows under the choice. */
export function checkSnoozeDays(locale: Locale, submitted: string | null | undefined): SnoozeCheck {
  const days = Number(submitted);
  if (submitted !== null && submitted !== undefined && /^\d+$/.test(submitted) && isSnoozeDays(days))
    return { ok: true, days };
  return { ok: false, errors: { [SNOOZE_DAYS_BLOCK]: t(locale, "snoozeModal.error.missing") } };
}
