import type { KnownBlock } from "@slack/types";
import { type Locale, t } from "../../i18n/index.ts";
import type { Finding, Project, StatusUpdate } from "../../model.ts";
import { escapeAndTruncate, mentionOrName, truncate } from "../mrkdwn.ts";
import type { OutgoingMessage } from "../notifier.ts";
import {
  contextLine,
  explainFinding,
  findingActions,
  mrkdwn,
  pmoIdText,
  projectLink,
  projectName,
  SEVERITY_EMOJI,
  SEVERITY_ORDER,
  severityName,
} from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";
import { HEALTH_EMOJI, parsedUpdateLines } from "./update-messages.ts";

/** The metadata event type of a risk alert from a status update; its `key` identifies the update. */
export const UPDATE_ALERT_EVENT = "pmo_update_alert";
/** A few findings with their buttons; the project's own message lists them all. */
export const MAX_ALERT_FINDINGS = 5;
const EXCERPT_MAX = 300;

export type UpdateAlertInput = {
  project: Project;
  update: Pick<StatusUpdate, "slackUserId" | "text" | "parsed">;
  /** The project's findings still asking for attention; their buttons go under the alert. */
  findings: readonly Finding[];
  /** Identifies the update in the message's metadata, so a post whose answer was lost is found. */
  key: string;
};

/**
 * The PMO channel's alert for an update that reports a risk (services/updates/risk.ts decides
 * which do): the project (linked), its PMO ID, who reported it, what was said (the parsed fields,
 * escaped and truncated, and an excerpt of the text), and the buttons of the project's open
 * findings when it has any.
 */
export function updateAlertMessage(locale: Locale, input: UpdateAlertInput): OutgoingMessage {
  const { project, update } = input;
  const emoji = update.parsed.health === null ? "⚠️" : HEALTH_EMOJI[update.parsed.health];
  const reporter = truncate(mentionOrName(update.slackUserId, null, t(locale, "finding.someone")), 100);
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: "update-alert-title",
      text: mrkdwn(
        t(locale, "update.alert.title", { emoji, project: projectLink(locale, project.gid, project) }),
        BLOCK_KIT.sectionText,
      ),
    },
    {
      type: "section",
      block_id: "update-alert-fields",
      fields: [
        mrkdwn(t(locale, "finding.pmoId", { pmoId: pmoIdText(locale, project) }), BLOCK_KIT.sectionFieldText),
        mrkdwn(t(locale, "update.alert.reporter", { reporter }), BLOCK_KIT.sectionFieldText),
      ],
    },
  ];
  const lines = parsedUpdateLines(locale, update.parsed);
  if (lines.length > 0)
    blocks.push({
      type: "section",
      block_id: "update-alert-details",
      text: mrkdwn(lines.join("\n"), BLOCK_KIT.sectionText),
    });
  if (update.text.trim() !== "")
    blocks.push(
      contextLine(
        t(locale, "update.alert.said", { text: escapeAndTruncate(update.text.trim(), EXCERPT_MAX) }),
        "update-alert-text",
      ),
    );
  const findings = [...input.findings]
    .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
    .slice(0, MAX_ALERT_FINDINGS);
  findings.forEach((finding, index) => {
    const actions = findingActions(locale, finding, `update-alert-finding-${index}-actions`);
    if (actions === null) return;
    blocks.push(
      contextLine(
        t(locale, "update.alert.finding", {
          emoji: SEVERITY_EMOJI[finding.severity],
          severity: severityName(locale, finding.severity),
          explanation: explainFinding(locale, finding),
        }),
        `update-alert-finding-${index}`,
      ),
      actions,
    );
  });
  return {
    text: truncate(
      t(locale, "update.alert.fallback", { emoji, project: projectName(locale, project.gid, project) }),
      BLOCK_KIT.messageText,
    ),
    blocks,
    metadata: { event_type: UPDATE_ALERT_EVENT, event_payload: { key: input.key } },
  };
}
