import type { KnownBlock } from "@slack/types";
import type { FindingFilters } from "../../../commands/parse-pmo.ts";
import type { FindingEntry, Freshness } from "../../../commands/pmo-service.ts";
import { t } from "../../../i18n/index.ts";
import type { Severity } from "../../../model.ts";
import {
  explainFinding,
  findingActions,
  pmoIdText,
  projectLink,
  type RenderContext,
  responsableText,
  SEVERITY_EMOJI,
  type SlackMessage,
  severityName,
  statusLine,
} from "../finding-parts.ts";
import {
  contextBlock,
  echo,
  FINDINGS_PER_PAGE,
  finish,
  moreButton,
  type PmoRenderContext,
  pageOf,
  rangeLine,
  section,
} from "./common.ts";

export type FindingsListInput = {
  filters: FindingFilters;
  responsableLabel: string | null;
  unmappedMention: boolean;
  entries: readonly FindingEntry[];
};

/** Names rather than mentions: nobody is looked up, and an ephemeral answer needs no pings. */
const findingContext = (ctx: PmoRenderContext): RenderContext => ({
  locale: ctx.locale,
  timeZone: ctx.timeZone,
  slackUserIdFor: () => null,
});

function filtersText(ctx: PmoRenderContext, input: FindingsListInput): string | null {
  const { locale } = ctx;
  const parts = input.filters.severities.map((s) => `${SEVERITY_EMOJI[s]} ${severityName(locale, s)}`);
  if (input.filters.vertical !== null)
    parts.push(t(locale, "pmo.findings.filterVertical", { value: echo(input.filters.vertical) }));
  const responsable =
    input.responsableLabel ??
    (input.filters.responsable?.kind === "name" ? input.filters.responsable.name : null);
  if (responsable !== null)
    parts.push(t(locale, "pmo.findings.filterResponsable", { value: echo(responsable) }));
  return parts.length === 0 ? null : t(locale, "pmo.findings.filters", { filters: parts.join(" · ") });
}

function entryBlocks(ctx: PmoRenderContext, entry: FindingEntry, index: number): KnownBlock[] {
  const { locale } = ctx;
  const { finding, project } = entry;
  const lines = [
    t(locale, "pmo.findings.entry", {
      project: projectLink(locale, finding.projectGid, project),
      pmoId: pmoIdText(locale, project),
      responsable: responsableText(findingContext(ctx), project),
      explanation: explainFinding(locale, finding),
    }),
  ];
  const outcome = statusLine(findingContext(ctx), finding);
  if (outcome !== null) lines.push(outcome);
  const blocks: KnownBlock[] = [section(`pmo-finding-${index}`, lines.join("\n"))];
  const actions = findingActions(locale, finding, `pmo-finding-${index}-actions`);
  if (actions !== null) blocks.push(actions);
  return blocks;
}

/**
 * `/pmo hallazgos`: the open findings that pass the filters, grouped by severity (high first),
 * each with its project, the rule explained with its numbers, and its buttons; paged.
 */
export function findingsListMessage(
  ctx: PmoRenderContext,
  input: FindingsListInput,
  offset: number,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const total = input.entries.length;
  const blocks: KnownBlock[] = [section("pmo-title", t(locale, "pmo.findings.title", { count: total }))];
  const filters = filtersText(ctx, input);
  if (filters !== null) blocks.push(contextBlock("pmo-filters", filters));
  if (input.unmappedMention) {
    blocks.push(section("pmo-empty", t(locale, "pmo.findings.unmappedMention")));
  } else if (total === 0) {
    blocks.push(
      section("pmo-empty", t(locale, filters === null ? "pmo.findings.empty" : "pmo.findings.emptyFiltered")),
    );
  }
  const page = pageOf(input.entries, offset, FINDINGS_PER_PAGE);
  const range = rangeLine(ctx, page);
  if (range !== null) blocks.push(range);
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const { finding } of input.entries) counts[finding.severity]++;
  let heading: Severity | null = null;
  page.items.forEach((entry, i) => {
    const severity = entry.finding.severity;
    if (severity !== heading) {
      heading = severity;
      blocks.push(
        section(
          `pmo-heading-${severity}`,
          t(locale, "pmo.findings.heading", {
            emoji: SEVERITY_EMOJI[severity],
            severity: severityName(locale, severity),
            count: counts[severity],
          }),
        ),
      );
    }
    blocks.push(...entryBlocks(ctx, entry, page.from + i));
  });
  const more = moreButton(ctx, { kind: "findings", filters: input.filters }, page.next);
  if (more !== null) blocks.push(more);
  return finish(ctx, blocks, t(locale, "pmo.findings.fallback", { count: total }), freshness);
}
