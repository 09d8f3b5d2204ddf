import type { PmoReply } from "../../../commands/pmo-service.ts";
import { t } from "../../../i18n/index.ts";
import type { SlackMessage } from "../finding-parts.ts";
import { finish, type PmoRenderContext, section } from "./common.ts";
import { findingsListMessage } from "./findings-list.ts";
import { pmoHelpMessage, pmoInvalidMessage } from "./help.ts";
import { projectCardMessage, projectNotFoundMessage } from "./project-card.ts";
import { myProjectsMessage, searchResultsMessage, unmappedUserMessage } from "./project-list.ts";
import { statusMessage } from "./status.ts";

/** Any `/pmo` answer as a message; `offset` is where a paged list starts (0 for the first page). */
export function pmoAnswerMessage(ctx: PmoRenderContext, reply: PmoReply, offset = 0): SlackMessage {
  const { answer, freshness } = reply;
  switch (answer.kind) {
    case "help":
      return pmoHelpMessage(ctx, answer, freshness);
    case "invalid":
      return pmoInvalidMessage(ctx, answer, freshness);
    case "mine":
      return myProjectsMessage(ctx, answer.projects, offset, freshness);
    case "mine_unmapped":
      return unmappedUserMessage(ctx, answer, freshness);
    case "project":
      return projectCardMessage(ctx, answer, freshness);
    case "project_not_found":
      return projectNotFoundMessage(ctx, answer.pmoId, freshness);
    case "search":
      return searchResultsMessage(ctx, answer, offset, freshness);
    case "findings":
      return findingsListMessage(ctx, answer, offset, freshness);
    case "status":
      return statusMessage(ctx, answer, freshness);
  }
}

/** Something went wrong on our side: a short sentence, and the freshness when it is known. */
export function pmoErrorMessage(
  ctx: PmoRenderContext,
  freshness: PmoReply["freshness"] | null,
): SlackMessage {
  const text = t(ctx.locale, "pmo.error");
  if (freshness === null) return { text, blocks: [section("pmo-error", text)] };
  return finish(ctx, [section("pmo-error", text)], text, freshness);
}

/** A "more" button whose value is not one of ours (or is stale beyond use). */
export function pmoMoreInvalidMessage(ctx: PmoRenderContext, freshness: PmoReply["freshness"]): SlackMessage {
  const text = t(ctx.locale, "pmo.more.invalid");
  return finish(ctx, [section("pmo-more-invalid", text)], text, freshness);
}
