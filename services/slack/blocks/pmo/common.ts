import { TZDate } from "@date-fns/tz";
import type { ActionsBlock, ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/types";
import { format } from "date-fns/format";
import type { PageableCommand } from "../../../commands/parse-pmo.ts";
import { encodeMoreValue, PMO_MORE_ACTION_ID } from "../../../commands/pmo-more-value.ts";
import type { Freshness, ProjectSummary } from "../../../commands/pmo-service.ts";
import { formatCalendarDate, type Locale, t } from "../../../i18n/index.ts";
import type { ProjectStatus } from "../../../model.ts";
import { escapeAndTruncate, truncate } from "../../mrkdwn.ts";
import { pmoIdText, projectLink, SEVERITY_EMOJI, type SlackMessage } from "../finding-parts.ts";
import { BLOCK_KIT } from "../limits.ts";

/** Pieces shared by every `/pmo` answer. All pure. */

export type PmoRenderContext = {
  locale: Locale;
  /** PMO_TIMEZONE: every instant a reader sees is in it. */
  timeZone: string;
  now: Date;
};

export const STATUS_EMOJI: { readonly [S in ProjectStatus]: string } = {
  on_track: "🟢",
  at_risk: "🟡",
  off_track: "🔴",
  on_hold: "⏸️",
  complete: "✅",
  none: "⚪",
};

/** Projects per page of `mis-proyectos` and `buscar`: one block each. */
export const PROJECTS_PER_PAGE = 20;
/** Findings per page of `hallazgos`: two blocks each (text, buttons), plus a heading per severity. */
export const FINDINGS_PER_PAGE = 15;
/** Longest piece of user input shown back. */
const ECHO_SHOWN = 60;

/**
 * mrkdwn that Slack shows as written: `verbatim` stops Slack from turning names, channels and
 * URLs in it into links or mentions; our own `<url|label>` links still work.
 */
export function mrkdwnText(text: string, max: number): MrkdwnElement {
  return { type: "mrkdwn", text: truncate(text, max), verbatim: true };
}

export function section(blockId: string, text: string): SectionBlock {
  return { type: "section", block_id: blockId, text: mrkdwnText(text, BLOCK_KIT.sectionText) };
}

export function contextBlock(blockId: string, text: string): ContextBlock {
  return { type: "context", block_id: blockId, elements: [mrkdwnText(text, BLOCK_KIT.contextText)] };
}

/**
 * Something the user typed, as it may be shown: escaped, shortened, and with `@channel`,
 * `@here` and `@everyone` broken by a word joiner so nothing reads as a broadcast.
 */
export function echo(userText: string): string {
  return escapeAndTruncate(userText.replace(/@(channel|here|everyone)/gi, "@\u2060$1"), ECHO_SHOWN);
}

/** "22/11/2026 08:30" / "11/22/2026 8:30 AM", in the PMO's time zone. */
export function stamp(ctx: PmoRenderContext, instant: string | Date): string {
  return format(new TZDate(new Date(instant).getTime(), ctx.timeZone), t(ctx.locale, "pmo.format.stamp"));
}

/** "hace 12 min" / "12 min ago"; an instant in the future (clock skew) reads as now. */
export function age(ctx: PmoRenderContext, instant: string | Date): string {
  const minutes = Math.floor((ctx.now.getTime() - new Date(instant).getTime()) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 1) return t(ctx.locale, "pmo.age.now");
  if (minutes < 60) return t(ctx.locale, "pmo.age.minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t(ctx.locale, "pmo.age.hours", { count: hours });
  return t(ctx.locale, "pmo.age.days", { count: Math.floor(hours / 24) });
}

/** "850 ms" reads as "1 s"; "4 min 20 s"; "1 h 5 min". */
export function duration(locale: Locale, ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return t(locale, "pmo.duration.seconds", { seconds: Math.max(1, seconds) });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t(locale, "pmo.duration.minutes", { minutes, seconds: seconds % 60 });
  return t(locale, "pmo.duration.hours", { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}

export function freshnessText(ctx: PmoRenderContext, freshness: Freshness): string {
  if (freshness.lastSyncAt === null) return t(ctx.locale, "pmo.freshness.never");
  return t(ctx.locale, "pmo.freshness", {
    date: stamp(ctx, freshness.lastSyncAt),
    age: age(ctx, freshness.lastSyncAt),
  });
}

/**
 * The answer as sent: its blocks, then the data-freshness line every answer ends with. The blocks
 * are cut to Slack's 50 (the builders stay well under it; this only guards the limit).
 */
export function finish(
  ctx: PmoRenderContext,
  blocks: readonly KnownBlock[],
  fallback: string,
  freshness: Freshness,
): SlackMessage {
  const line = freshnessText(ctx, freshness);
  return {
    text: truncate(`${fallback}\n${line}`, BLOCK_KIT.messageText),
    blocks: [...blocks.slice(0, BLOCK_KIT.blocksPerMessage - 1), contextBlock("pmo-freshness", line)],
  };
}

/** One page of a list: the items shown and where the next page starts (null on the last). */
export type Page<T> = { items: readonly T[]; from: number; next: number | null; total: number };

export function pageOf<T>(items: readonly T[], offset: number, size: number): Page<T> {
  const from = Math.min(Math.max(0, offset), items.length);
  const to = Math.min(from + size, items.length);
  return { items: items.slice(from, to), from, next: to < items.length ? to : null, total: items.length };
}

/** "Mostrando 21–40 de 45", only when the list does not fit one page; "no more" past the end. */
export function rangeLine<T>(ctx: PmoRenderContext, page: Page<T>): ContextBlock | null {
  if (page.items.length === 0 && page.total > 0)
    return contextBlock("pmo-range", t(ctx.locale, "pmo.page.end"));
  if (page.from === 0 && page.next === null) return null;
  return contextBlock(
    "pmo-range",
    t(ctx.locale, "pmo.page.range", {
      from: page.from + 1,
      to: page.from + page.items.length,
      total: page.total,
    }),
  );
}

/** The "Ver más" / "Show more" button, carrying the command and the next offset. */
export function moreButton(
  ctx: PmoRenderContext,
  command: PageableCommand,
  next: number | null,
): ActionsBlock | null {
  if (next === null) return null;
  const value = encodeMoreValue(command, next);
  if (value === null) return null;
  return {
    type: "actions",
    block_id: "pmo-more",
    elements: [
      {
        type: "button",
        action_id: PMO_MORE_ACTION_ID,
        text: {
          type: "plain_text",
          text: truncate(t(ctx.locale, "pmo.page.more"), BLOCK_KIT.buttonText),
          emoji: true,
        },
        value,
      },
    ],
  };
}

export function statusName(locale: Locale, status: ProjectStatus): string {
  return t(locale, `projectStatus.${status}`);
}

export function progressText(locale: Locale, progress: number | null): string {
  return progress === null
    ? t(locale, "pmo.project.noProgress")
    : t(locale, "pmo.project.progress", { value: progress });
}

export function dueText(locale: Locale, dueOn: string | null): string {
  return dueOn === null
    ? t(locale, "pmo.project.noDue")
    : t(locale, "pmo.project.due", { date: escapeAndTruncate(formatCalendarDate(locale, dueOn), 60) });
}

/**
 * One project in a list: status, name linked to Asana, PMO ID, then status, progress, due date,
 * open findings and, where asked, the responsable.
 */
export function projectLine(
  ctx: PmoRenderContext,
  summary: ProjectSummary,
  options: { withResponsable: boolean },
): string {
  const { project } = summary;
  const { locale } = ctx;
  const details = [
    statusName(locale, project.status),
    progressText(locale, project.progressPercent),
    dueText(locale, project.dueOn),
  ];
  if (summary.openFindings !== null) {
    details.push(
      summary.openFindings === 0 || summary.worstSeverity === null
        ? t(locale, "pmo.project.noFindings")
        : t(locale, "pmo.project.openFindings", {
            emoji: SEVERITY_EMOJI[summary.worstSeverity],
            count: summary.openFindings,
          }),
    );
  }
  if (options.withResponsable && project.responsable !== null && project.responsable.trim() !== "")
    details.push(escapeAndTruncate(project.responsable, 100));
  return t(locale, "pmo.project.line", {
    emoji: STATUS_EMOJI[project.status],
    name: `*${projectLink(locale, project.gid, project)}*`,
    pmoId: pmoIdText(locale, project),
    details: details.join(" · "),
  });
}
