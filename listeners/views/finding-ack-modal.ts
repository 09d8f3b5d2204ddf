import type { App } from "@slack/bolt";
import { checkAckComment } from "../../services/slack/blocks/modals/ack-modal.ts";
import {
  ACK_COMMENT_ACTION,
  ACK_COMMENT_BLOCK,
  FINDING_ACK_MODAL,
} from "../../services/slack/finding-modal-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { registerFindingModal } from "./finding-modal.ts";

/** The acknowledge modal submitted: the comment checked (errors shown in the modal), then acknowledged. */
export function registerFindingAckModal(app: App, deps: ListenerDeps): void {
  registerFindingModal(app, deps, {
    callbackId: FINDING_ACK_MODAL,
    check: (locale, submission) => {
      const check = checkAckComment(locale, submission.text(ACK_COMMENT_BLOCK, ACK_COMMENT_ACTION));
      return check.ok ? { ok: true, value: check.comment } : check;
    },
    act: (findings, request, comment) => findings.acknowledge(request, comment),
  });
}
