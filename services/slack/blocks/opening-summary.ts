import type { KnownBlock } from "@slack/types";
import { compareSpanish } from "../../collation.ts";
import { t } from "../../i18n/index.ts";
import type { Project, Severity } from "../../model.ts";
import { truncate } from "../mrkdwn.ts";
import {
  type FindingWithProject,
  mrkdwn,
  pmoIdText,
  projectLink,
  type RenderContext,
  SEVERITY_EMOJI,
  SEVERITY_ORDER,
  type SlackMessage,
  severityName,
} from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

export const WORST_PROJECTS_SHOWN = 5;

type ProjectTally = { projectGid: string; project: Project | null; high: number; total: number };

/** Projects ranked by their number of high findings, then by all their findings, then by name. */
export function worstProjects(
  entries: readonly FindingWithProject[],
  limit = WORST_PROJECTS_SHOWN,
): ProjectTally[] {
  const tallies = new Map<string, ProjectTally>();
  for (const { finding, project } of entries) {
    const tally = tallies.get(finding.projectGid) ?? {
      projectGid: finding.projectGid,
      project,
      high: 0,
      total: 0,
    };
    tally.total++;
    if (finding.severity === "high") tally.high++;
    tallies.set(finding.projectGid, tally);
  }
  return [...tallies.values()]
    .filter((tally) => tally.high > 0)
    .sort(
      (a, b) =>
        b.high - a.high ||
        b.total - a.total ||
        compareSpanish(a.project?.name ?? a.projectGid, b.project?.name ?? b.projectGid),
    )
    .slice(0, limit);
}

/**
 * The first run on an empty store opens with this instead of one message per finding: how many
 * findings of each severity, and the projects with the most high ones. The digest follows it.
 */
export function openingSummaryMessage(
  ctx: RenderContext,
  entries: readonly FindingWithProject[],
): SlackMessage {
  const { locale } = ctx;
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const { finding } of entries) counts[finding.severity]++;
  const worst = worstProjects(entries);
  const worstLines =
    worst.length === 0
      ? [t(locale, "summary.noHigh")]
      : worst.map((tally, i) =>
          t(locale, "summary.worstLine", {
            rank: i + 1,
            project: projectLink(locale, tally.projectGid, tally.project),
            pmoId: pmoIdText(locale, tally.project),
            count: tally.high,
          }),
        );
  const blocks: KnownBlock[] = [
    {
      type: "header",
      block_id: "summary-title",
      text: {
        type: "plain_text",
        text: truncate(t(locale, "summary.title"), BLOCK_KIT.headerText),
        emoji: true,
      },
    },
    {
      type: "section",
      block_id: "summary-intro",
      text: mrkdwn(t(locale, "summary.intro", { count: entries.length }), BLOCK_KIT.sectionText),
    },
    {
      type: "section",
      block_id: "summary-counts",
      fields: SEVERITY_ORDER.map((severity) =>
        mrkdwn(
          t(locale, "summary.count", {
            emoji: SEVERITY_EMOJI[severity],
            severity: severityName(locale, severity),
            count: counts[severity],
          }),
          BLOCK_KIT.sectionFieldText,
        ),
      ),
    },
    {
      type: "section",
      block_id: "summary-worst",
      text: mrkdwn([t(locale, "summary.worstHeading"), ...worstLines].join("\n"), BLOCK_KIT.sectionText),
    },
  ];
  return {
    text: truncate(
      t(locale, "summary.fallback", { count: entries.length, ...counts }),
      BLOCK_KIT.messageText,
    ),
    blocks,
  };
}
