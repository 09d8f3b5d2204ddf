/** Action ids of the finding buttons: the builders put them on the buttons, the listeners match them. */
export const FINDING_ACK = "finding_ack";
export const FINDING_RESOLVE = "finding_resolve";
export const FINDING_SNOOZE = "finding_snooze";

export const FINDING_ACTION_IDS = [FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE] as const;
export type FindingActionId = (typeof FINDING_ACTION_IDS)[number];
