import type { KnownBlock, ModalView, PlainTextElement } from "@slack/types";
import { type Locale, t } from "../../../i18n/index.ts";
import type { Finding, Project } from "../../../model.ts";
import {
  ACK_COMMENT_ACTION,
  ACK_COMMENT_BLOCK,
  ACK_COMMENT_MAX,
  FINDING_ACK_MODAL,
} from "../../finding-modal-ids.ts";
import { truncate } from "../../mrkdwn.ts";
import { PRIVATE_METADATA_MAX } from "./finding-modal-metadata.ts";
import { findingSummary } from "./summary.ts";

/** A modal whose blocks are all Block Kit blocks we know. */
export type BuiltModalView = Omit<ModalView, "blocks"> & { blocks: KnownBlock[] };

/** Slack's limits for a modal's title, submit and close labels. */
export const MODAL_LABEL_MAX = 24;
export const INPUT_LABEL_MAX = 2_000;
const PLACEHOLDER_MAX = 150;

export const plain = (text: string, max: number): PlainTextElement => ({
  type: "plain_text",
  text: truncate(text, max),
  emoji: true,
});

export type FindingModalInput = { finding: Finding; project: Project | null; metadata: string };

/** The frame both finding modals share: the finding's summary on top, then what they ask. */
export function findingModal(
  locale: Locale,
  modal: { callbackId: string; title: string; submit: string; asks: KnownBlock[] },
  input: FindingModalInput,
): BuiltModalView {
  if (input.metadata.length > PRIVATE_METADATA_MAX)
    throw new RangeError("private_metadata over 3,000 characters");
  return {
    type: "modal",
    callback_id: modal.callbackId,
    private_metadata: input.metadata,
    title: plain(modal.title, MODAL_LABEL_MAX),
    submit: plain(modal.submit, MODAL_LABEL_MAX),
    close: plain(t(locale, "modal.cancel"), MODAL_LABEL_MAX),
    blocks: [findingSummary(locale, input.finding, input.project), ...modal.asks],
  };
}

/** Acknowledge: the finding, and a comment saying what is being done about it (required). */
export function ackModal(locale: Locale, input: FindingModalInput): BuiltModalView {
  return findingModal(
    locale,
    {
      callbackId: FINDING_ACK_MODAL,
      title: t(locale, "ackModal.title"),
      submit: t(locale, "ackModal.submit"),
      asks: [
        {
          type: "input",
          block_id: ACK_COMMENT_BLOCK,
          label: plain(t(locale, "ackModal.commentLabel"), INPUT_LABEL_MAX),
          hint: plain(t(locale, "ackModal.commentHint", { max: ACK_COMMENT_MAX }), INPUT_LABEL_MAX),
          element: {
            type: "plain_text_input",
            action_id: ACK_COMMENT_ACTION,
            multiline: true,
            max_length: ACK_COMMENT_MAX,
            placeholder: plain(t(locale, "ackModal.commentPlaceholder"), PLACEHOLDER_MAX),
          },
        },
      ],
    },
    input,
  );
}

export type CommentCheck = { ok: true; comment: string } | { ok: false; errors: Record<string, string> };

/** Characters as a person counts them (an emoji is one), which is how Slack counts max_length. */
const lengthOf = (text: string): number => [...text].length;

/** The submitted comment, trimmed; or the error Slack shows under the field, in the user's language. */
export function checkAckComment(locale: Locale, submitted: string | null | undefined): CommentCheck {
  const comment = (submitted ?? "").trim();
  if (comment === "")
    return { ok: false, errors: { [ACK_COMMENT_BLOCK]: t(locale, "ackModal.error.empty") } };
  const length = lengthOf(comment);
  if (length > ACK_COMMENT_MAX) {
    return {
      ok: false,
      errors: { [ACK_COMMENT_BLOCK]: t(locale, "ackModal.error.tooLong", { max: ACK_COMMENT_MAX, length }) },
    };
  }
  return { ok: true, comment };
}
