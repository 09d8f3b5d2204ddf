import type { FindingStatus } from "../model.ts";
import type { HomeState } from "../slack/blocks/home/home-state.ts";
import type { ReceivedMessage } from "../slack/message-blocks.ts";

/**
 * Where a finding button was clicked: a message (a finding's own alert, a digest or any other
 * list) or the App Home. It decides what gets updated afterwards and where the user is told.
 */

/** "single": a finding's own message (re-rendered whole); "lines": a list of findings (its lines updated). */
export type MessageLayout = "single" | "lines";

export type MessageOrigin = {
  kind: "message";
  channel: string;
  ts: string;
  layout: MessageLayout;
  /** Ephemeral messages cannot be updated with chat.update. */
  ephemeral: boolean;
  /** The message as Slack showed it, when known: a list's lines are updated on it. */
  current: ReceivedMessage | null;
};

export type HomeOrigin = { kind: "home"; home: HomeState };

export type FindingOrigin = MessageOrigin | HomeOrigin;

/** The finding a button or a modal is about. */
export type FindingTarget = { projectGid: string; ruleId: string };

/** A click or a submission: who, on which finding, as the message showed it, from where. */
export type FindingRequest = {
  userId: string;
  target: FindingTarget;
  /** The status the message showed (told by its buttons); null when it cannot be told. */
  shownStatus: FindingStatus | null;
  origin: FindingOrigin;
};
