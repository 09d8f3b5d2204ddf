import type { SectionBlock } from "@slack/types";
import { t } from "../../../i18n/index.ts";
import type { Finding, Locale, Project } from "../../../model.ts";
import { explainFinding, mrkdwn, projectLink, SEVERITY_EMOJI, severityName } from "../finding-parts.ts";
import { BLOCK_KIT } from "../limits.ts";

/** The finding a modal is about, as its first block: severity, project (escaped), why. */
export function findingSummary(locale: Locale, finding: Finding, project: Project | null): SectionBlock {
  const title = t(locale, "finding.title", {
    emoji: SEVERITY_EMOJI[finding.severity],
    severity: severityName(locale, finding.severity),
    project: projectLink(locale, finding.projectGid, project),
  });
  return {
    type: "section",
    block_id: "finding-summary",
    text: mrkdwn(`${title}\n${explainFinding(locale, finding)}`, BLOCK_KIT.sectionText),
  };
}
