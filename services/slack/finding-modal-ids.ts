/** Callback ids of the finding modals and the ids of their inputs: the builders set them, the listeners match them. */
export const FINDING_ACK_MODAL = "finding_ack_modal";
export const FINDING_SNOOZE_MODAL = "finding_snooze_modal";

export const ACK_COMMENT_BLOCK = "ack_comment";
export const ACK_COMMENT_ACTION = "comment";
export const ACK_COMMENT_MAX = 500;

export const SNOOZE_DAYS_BLOCK = "snooze_days";
export const SNOOZE_DAYS_ACTION = "days";
export const SNOOZE_DAY_CHOICES = [1, 3, 7, 14] as const;
export type SnoozeDays = (typeof SNOOZE_DAY_CHOICES)[number];
export const DEFAULT_SNOOZE_DAYS: SnoozeDays = 7;

export function isSnoozeDays(value: number): value is SnoozeDays {
  return (SNOOZE_DAY_CHOICES as readonly number[]).includes(value);
}
