import type { KnownBlock } from "@slack/types";
import type { Freshness } from "../../../commands/pmo-service.ts";
import { formatCalendarDate, t } from "../../../i18n/index.ts";
import type { Finding, Project } from "../../../model.ts";
import { escapeAndTruncate } from "../../mrkdwn.ts";
import {
  explainFinding,
  findingActions,
  pmoIdText,
  projectLink,
  projectName,
  type RenderContext,
  SEVERITY_EMOJI,
  type SlackMessage,
  severityName,
  statusLine,
} from "../finding-parts.ts";
import { BLOCK_KIT } from "../limits.ts";
import {
  age,
  contextBlock,
  echo,
  finish,
  mrkdwnText,
  type PmoRenderContext,
  STATUS_EMOJI,
  section,
  stamp,
  statusName,
} from "./common.ts";

/** Findings shown on a card (a project has one per rule, so this is rarely reached). */
export const CARD_FINDINGS_MAX = 15;
const STATUS_TEXT_MAX = 300;

/** Names rather than mentions: nobody is looked up, and an ephemeral answer needs no pings. */
const findingContext = (ctx: PmoRenderContext): RenderContext => ({
  locale: ctx.locale,
  timeZone: ctx.timeZone,
  slackUserIdFor: () => null,
});

function cardFields(ctx: PmoRenderContext, project: Project) {
  const { locale } = ctx;
  const noData = t(locale, "pmo.card.noData");
  const lastUpdate =
    project.lastStatusUpdateAt === null
      ? t(locale, "pmo.card.noUpdate")
      : t(locale, "pmo.card.stamp", {
          date: stamp(ctx, project.lastStatusUpdateAt),
          age: age(ctx, project.lastStatusUpdateAt),
        });
  const field = (text: string) => mrkdwnText(text, BLOCK_KIT.sectionFieldText);
  return [
    field(t(locale, "pmo.card.pmoId", { value: pmoIdText(locale, project) })),
    field(
      t(locale, "pmo.card.responsable", {
        value:
          project.responsable === null || project.responsable.trim() === ""
            ? noData
            : escapeAndTruncate(project.responsable, 200),
      }),
    ),
    field(
      t(locale, "pmo.card.status", {
        value: `${STATUS_EMOJI[project.status]} ${statusName(locale, project.status)}`,
      }),
    ),
    field(
      t(locale, "pmo.card.progress", {
        value:
          project.progressPercent === null
            ? noData
            : t(locale, "value.percent", { value: project.progressPercent }),
      }),
    ),
    field(
      t(locale, "pmo.card.due", {
        value:
          project.dueOn === null ? noData : escapeAndTruncate(formatCalendarDate(locale, project.dueOn), 60),
      }),
    ),
    field(
      t(locale, "pmo.card.vertical", {
        value:
          project.businessVertical === null || project.businessVertical.trim() === ""
            ? noData
            : escapeAndTruncate(project.businessVertical, 200),
      }),
    ),
    field(t(locale, "pmo.card.lastUpdate", { value: lastUpdate })),
  ];
}

function findingBlocks(ctx: PmoRenderContext, finding: Finding, index: number): KnownBlock[] {
  const { locale } = ctx;
  const lines = [
    t(locale, "pmo.card.finding", {
      emoji: SEVERITY_EMOJI[finding.severity],
      severity: severityName(locale, finding.severity),
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
 * `/pmo PMO-123`: name linked to Asana, PMO ID, responsable, status, progress, due date, vertical,
 * last status update and its age, and the open findings with their buttons.
 */
export function projectCardMessage(
  ctx: PmoRenderContext,
  input: { project: Project; findings: readonly Finding[] },
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const { project, findings } = input;
  const blocks: KnownBlock[] = [
    section(
      "pmo-card-title",
      t(locale, "pmo.card.title", {
        emoji: STATUS_EMOJI[project.status],
        name: projectLink(locale, project.gid, project),
      }),
    ),
    { type: "section", block_id: "pmo-card-fields", fields: cardFields(ctx, project) },
  ];
  const statusText = project.statusText?.trim() ?? "";
  if (statusText !== "")
    blocks.push(contextBlock("pmo-card-status-text", escapeAndTruncate(statusText, STATUS_TEXT_MAX)));
  const notes = [
    ...(project.removedAt === null
      ? []
      : [t(locale, project.removedReason === "no_access" ? "pmo.card.noAccess" : "pmo.card.removed")]),
    ...(project.stale ? [t(locale, "pmo.card.stale")] : []),
  ];
  if (notes.length > 0) blocks.push(contextBlock("pmo-card-notes", notes.join("\n")));
  blocks.push(section("pmo-card-findings", t(locale, "pmo.card.findingsTitle", { count: findings.length })));
  if (findings.length === 0) blocks.push(section("pmo-card-no-findings", t(locale, "pmo.card.noFindings")));
  findings.slice(0, CARD_FINDINGS_MAX).forEach((finding, i) => {
    blocks.push(...findingBlocks(ctx, finding, i));
  });
  if (findings.length > CARD_FINDINGS_MAX) {
    blocks.push(
      contextBlock(
        "pmo-card-more-findings",
        t(locale, "pmo.card.moreFindings", { count: findings.length - CARD_FINDINGS_MAX }),
      ),
    );
  }
  const fallback = t(locale, "pmo.card.fallback", {
    name: projectName(locale, project.gid, project),
    pmoId: pmoIdText(locale, project),
  });
  return finish(ctx, blocks, fallback, freshness);
}

/** `/pmo PMO-999` when no project has that PMO ID: says so and points at `buscar`. */
export function projectNotFoundMessage(
  ctx: PmoRenderContext,
  pmoId: string,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const shown = echo(pmoId);
  return finish(
    ctx,
    [section("pmo-not-found", t(locale, "pmo.notFound", { pmoId: shown }))],
    t(locale, "pmo.notFound.fallback", { pmoId: shown }),
    freshness,
  );
}
