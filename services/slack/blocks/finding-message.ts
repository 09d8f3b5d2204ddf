import type { KnownBlock } from "@slack/types";
import { formatDateTime, t } from "../../i18n/index.ts";
import type { ChangeEntry } from "../../model.ts";
import { truncate } from "../mrkdwn.ts";
import {
  changeLine,
  changesBehind,
  contextLine,
  explainFinding,
  type FindingWithProject,
  findingActions,
  mrkdwn,
  pmoIdText,
  projectLink,
  projectName,
  type RenderContext,
  responsableText,
  SEVERITY_EMOJI,
  type SlackMessage,
  severityName,
  statusLine,
} from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

export type FindingMessageInput = FindingWithProject & {
  /** The project's changelog, newest first; the few behind the finding's rule are shown. */
  changes: readonly ChangeEntry[];
};

/**
 * A finding's own message (high findings): what, where, who, why, and its buttons. The same
 * builder renders the message after the fact for chat.update: a resolved finding shows how it was
 * resolved and loses its buttons, an acknowledged or snoozed one says by whom and keeps the rest.
 */
export function findingMessage(ctx: RenderContext, input: FindingMessageInput): SlackMessage {
  const { finding, project } = input;
  const { locale } = ctx;
  const explanation = explainFinding(locale, finding);
  const title = t(locale, "finding.title", {
    emoji: SEVERITY_EMOJI[finding.severity],
    severity: severityName(locale, finding.severity),
    project: projectLink(locale, finding.projectGid, project),
  });
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: "finding-title",
      text: mrkdwn(`${title}\n${explanation}`, BLOCK_KIT.sectionText),
    },
    {
      type: "section",
      block_id: "finding-fields",
      fields: [
        mrkdwn(t(locale, "finding.pmoId", { pmoId: pmoIdText(locale, project) }), BLOCK_KIT.sectionFieldText),
        mrkdwn(
          t(locale, "finding.responsable", { responsable: responsableText(ctx, project) }),
          BLOCK_KIT.sectionFieldText,
        ),
      ],
    },
  ];
  const changes = changesBehind(finding.ruleId, input.changes);
  if (changes.length > 0) {
    const lines = changes.map((entry) => changeLine(ctx, entry));
    blocks.push({
      type: "section",
      block_id: "finding-changes",
      text: mrkdwn([t(locale, "finding.changes"), ...lines].join("\n"), BLOCK_KIT.sectionText),
    });
  }
  const detectedAt = formatDateTime(locale, ctx.timeZone, finding.createdAt);
  blocks.push(
    contextLine(
      finding.occurrences > 1
        ? t(locale, "finding.detectedAgain", { date: detectedAt, count: finding.occurrences })
        : t(locale, "finding.detected", { date: detectedAt }),
      "finding-detected",
    ),
  );
  const outcome = statusLine(ctx, finding);
  if (outcome !== null) {
    blocks.push({
      type: "section",
      block_id: "finding-status",
      text: mrkdwn(outcome, BLOCK_KIT.sectionText),
    });
  }
  const actions = findingActions(locale, finding, "finding-actions");
  if (actions !== null) blocks.push(actions);

  const fallback = t(locale, "finding.fallback", {
    severity: `${SEVERITY_EMOJI[finding.severity]} ${severityName(locale, finding.severity)}`,
    project: projectName(locale, finding.projectGid, project),
    explanation,
  });
  return {
    text: truncate(outcome === null ? fallback : `${fallback}\n${outcome}`, BLOCK_KIT.messageText),
    blocks,
  };
}
