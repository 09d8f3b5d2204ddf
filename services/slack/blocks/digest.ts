import type { HeaderBlock, KnownBlock } from "@slack/types";
import { formatDateTime, t } from "../../i18n/index.ts";
import type { Severity } from "../../model.ts";
import { truncate } from "../mrkdwn.ts";
import {
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
  SEVERITY_ORDER,
  type SlackMessage,
  statusLine,
} from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

export type DigestInput = {
  entries: readonly FindingWithProject[];
  /** When the digest is (or was) posted: its title carries the date. */
  postedAt: Date | string;
  /**
   * For re-rendering one part of an earlier split (the same entries, fresher data): the title says
   * which part it is. Ignored when the entries need more than one message.
   */
  numbering?: { part: number; parts: number };
};

/** One message of a digest and the findings in it. */
export type DigestPart = { message: SlackMessage; entries: readonly FindingWithProject[] };

const header = (text: string, blockId: string): HeaderBlock => ({
  type: "header",
  block_id: blockId,
  text: { type: "plain_text", text: truncate(text, BLOCK_KIT.headerText), emoji: true },
});

/** One finding of the digest: a section saying what and where, its status if any, its buttons. */
function entryBlocks(ctx: RenderContext, entry: FindingWithProject, index: number): KnownBlock[] {
  const { finding, project } = entry;
  const text = t(ctx.locale, "digest.entry", {
    emoji: SEVERITY_EMOJI[finding.severity],
    project: projectLink(ctx.locale, finding.projectGid, project),
    pmoId: pmoIdText(ctx.locale, project),
    responsable: responsableText(ctx, project),
    explanation: explainFinding(ctx.locale, finding),
  });
  const blocks: KnownBlock[] = [
    { type: "section", block_id: `finding-${index}`, text: mrkdwn(text, BLOCK_KIT.sectionText) },
  ];
  const outcome = statusLine(ctx, finding);
  if (outcome !== null) blocks.push(contextLine(outcome, `finding-${index}-status`));
  const actions = findingActions(ctx.locale, finding, `finding-${index}-actions`);
  if (actions !== null) blocks.push(actions);
  return blocks;
}

function countBySeverity(entries: readonly FindingWithProject[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const { finding } of entries) counts[finding.severity]++;
  return counts;
}

function fallbackText(ctx: RenderContext, entries: readonly FindingWithProject[]): string {
  const counts = countBySeverity(entries);
  const heading = t(ctx.locale, "digest.fallback", { count: entries.length, ...counts });
  const lines = entries.map(
    ({ finding, project }) =>
      `• ${SEVERITY_EMOJI[finding.severity]} ${projectName(ctx.locale, finding.projectGid, project)}: ${explainFinding(ctx.locale, finding)}`,
  );
  return truncate([heading, ...lines].join("\n"), BLOCK_KIT.messageText);
}

/**
 * The medium and low findings of a run (and the high ones past the per-run cap) in one message,
 * grouped by severity under a header each, every finding with its own buttons. Only when Block
 * Kit's 50 blocks a message do not hold them all is it split into parts, each part complete in
 * itself (title, severity header, entries). Returns the parts in order, at least one for any
 * entries, none for no entries.
 */
export function digestParts(ctx: RenderContext, input: DigestInput): DigestPart[] {
  const ordered = SEVERITY_ORDER.flatMap((severity) =>
    input.entries.filter((e) => e.finding.severity === severity),
  );
  if (ordered.length === 0) return [];
  const totals = countBySeverity(ordered);
  const parts: { blocks: KnownBlock[]; entries: FindingWithProject[] }[] = [];
  const startPart = () => {
    const blocks: KnownBlock[] = [header("", "digest-title")];
    if (parts.length === 0 && (input.numbering?.part ?? 1) === 1)
      blocks.push(contextLine(t(ctx.locale, "digest.intro", { count: ordered.length }), "digest-intro"));
    const entries: FindingWithProject[] = [];
    const part = { blocks, entries };
    parts.push(part);
    return part;
  };
  let part = startPart();
  let currentSeverity: Severity | null = null;
  ordered.forEach((entry, index) => {
    const blocks = entryBlocks(ctx, entry, index);
    const severity = entry.finding.severity;
    const needsHeading = () => currentSeverity !== severity || part.entries.length === 0;
    if (part.blocks.length + (needsHeading() ? 1 : 0) + blocks.length > BLOCK_KIT.blocksPerMessage) {
      part = startPart();
    }
    if (needsHeading()) {
      const heading = t(ctx.locale, "digest.heading", {
        emoji: SEVERITY_EMOJI[severity],
        severity: t(ctx.locale, `severityHeading.${severity}`),
        count: totals[severity],
      });
      part.blocks.push(header(heading, `digest-${severity}-${index}`));
      currentSeverity = severity;
    }
    part.blocks.push(...blocks);
    part.entries.push(entry);
  });

  const date = formatDateTime(ctx.locale, ctx.timeZone, input.postedAt);
  const numbering =
    parts.length > 1
      ? (i: number) => ({ part: i + 1, parts: parts.length })
      : () => (input.numbering !== undefined && input.numbering.parts > 1 ? input.numbering : null);
  return parts.map((p, i) => {
    const numbers = numbering(i);
    const title =
      numbers === null
        ? t(ctx.locale, "digest.title", { date })
        : t(ctx.locale, "digest.titlePart", { date, ...numbers });
    const [, ...rest] = p.blocks;
    return {
      message: { text: fallbackText(ctx, p.entries), blocks: [header(title, "digest-title"), ...rest] },
      entries: p.entries,
    };
  });
}

/** The digest's messages alone (see digestParts). */
export function digestMessages(ctx: RenderContext, input: DigestInput): SlackMessage[] {
  return digestParts(ctx, input).map((part) => part.message);
}
