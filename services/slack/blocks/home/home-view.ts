import type {
  ActionsBlock,
  Button,
  HeaderBlock,
  HomeView,
  KnownBlock,
  PlainTextOption,
  StaticSelect,
} from "@slack/types";
import { formatCalendarDate, formatDateTime, type Locale, t } from "../../../i18n/index.ts";
import { type Project, type ProjectStatus, SEVERITIES, type Severity, type SyncRun } from "../../../model.ts";
import { isWithoutAccess } from "../../../rules/rules.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_PAGE_NEXT,
  HOME_PAGE_PREVIOUS,
  HOME_WEB_PANEL,
} from "../../home-action-ids.ts";
import { escapeAndTruncate, truncate } from "../../mrkdwn.ts";
import { UPDATE_OPEN } from "../../reminder-ids.ts";
import {
  contextLine,
  explainFinding,
  type FindingWithProject,
  findingActions,
  mrkdwn,
  pmoIdText,
  projectLink,
  type RenderContext,
  responsableText,
  SEVERITY_EMOJI,
  statusLine,
} from "../finding-parts.ts";
import { BLOCK_KIT } from "../limits.ts";
import {
  encodeHomeState,
  encodeValueFilter,
  FILTER_VALUE_MAX,
  type HomeState,
  type ValueFilter,
} from "./home-state.ts";

/**
 * The App Home (DESIGN.md section 6): for everyone "Mis proyectos" and their unresolved findings
 * with buttons; for PMO admins also the portfolio summary and a findings list filtered by
 * severity, vertical and responsable, a page at a time. Pure: the service gathers the data.
 */

export const HOME_BLOCKS_MAX = 100;
/** Projects listed under "Mis proyectos"; the rest are counted. */
export const MY_PROJECTS_SHOWN = 10;
/** A member's own findings, a page at a time. */
export const MY_FINDINGS_PAGE = 15;
/** An admin's own findings (the portfolio list below has them all). */
export const MY_FINDINGS_FOR_ADMIN = 5;
/** The admin's portfolio list, a page at a time. */
export const PORTFOLIO_PAGE = 20;
/** Verticals named in the summary; the rest are summed up in one line. */
export const VERTICALS_SHOWN = 10;
/** Slack's cap on a static_select's options. */
export const SELECT_OPTIONS_MAX = 100;
const OPTION_TEXT_MAX = 75;

export type Page<T> = { items: T[]; page: number; pages: number; total: number; first: number };

/** Page `page` (1-based, clamped to what exists) of `size` items. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const start = (current - 1) * size;
  return {
    items: items.slice(start, start + size),
    page: current,
    pages,
    total: items.length,
    first: start + 1,
  };
}

export type HomeProjectLine = { project: Project; openFindings: number };

export type MyWork =
  | { kind: "unmapped" }
  | {
      kind: "mapped";
      /** The first MY_PROJECTS_SHOWN, and how many there are. */
      projects: HomeProjectLine[];
      projectsTotal: number;
      findings: Page<FindingWithProject>;
    };

export type Portfolio = {
  bySeverity: Record<Severity, number>;
  /** Unresolved findings per vertical (null = none set), most first. */
  byVertical: { vertical: string | null; count: number }[];
  staleProjects: number | null;
  /** Options of the filters: the verticals and responsables that have unresolved findings. */
  verticals: string[];
  responsables: { key: string; name: string | null }[];
  findings: Page<FindingWithProject>;
};

export type HomeModel = {
  ctx: RenderContext;
  now: Date;
  state: HomeState;
  notice: string | null;
  /** The last completed sync: the data's freshness. */
  lastSync: SyncRun | null;
  mine: MyWork;
  /** Admins only. */
  portfolio: Portfolio | null;
  /** Whether the web dashboard is on: then a button asks for a sign-in link. */
  webPanel?: boolean;
};

const PROJECT_STATUS_EMOJI: { readonly [S in ProjectStatus]: string } = {
  on_track: "🟢",
  at_risk: "🟡",
  off_track: "🔴",
  on_hold: "⏸️",
  complete: "✅",
  none: "⚪",
};

const header = (text: string, blockId: string): HeaderBlock => ({
  type: "header",
  block_id: blockId,
  text: { type: "plain_text", text: truncate(text, BLOCK_KIT.headerText), emoji: true },
});

const option = (text: string, value: string): PlainTextOption => ({
  text: {
    type: "plain_text",
    text: truncate(text.trim() === "" ? value : text, OPTION_TEXT_MAX),
    emoji: true,
  },
  value,
});

/** "25 min", "3 h", "2 días": how long ago, in the largest unit that is at least one. */
export function ageText(locale: Locale, since: Date | string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 60_000));
  if (minutes < 60) return t(locale, "home.age.minutes", { count: Math.max(1, minutes) });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t(locale, "home.age.hours", { count: hours });
  return t(locale, "home.age.days", { count: Math.floor(hours / 24) });
}

/** "Datos al 5 de marzo de 2026, 14:30 (hace 25 min)": when the data was last synced from Asana. */
export function freshnessLine(ctx: RenderContext, lastSync: SyncRun | null, now: Date): string {
  const at = lastSync?.completedAt ?? null;
  if (at === null) return t(ctx.locale, "home.freshness.never");
  return t(ctx.locale, "home.freshness", {
    date: formatDateTime(ctx.locale, ctx.timeZone, at),
    age: ageText(ctx.locale, at, new Date(Math.max(now.getTime(), Date.parse(at)))),
  });
}

function projectBlock(ctx: RenderContext, line: HomeProjectLine, index: number): KnownBlock {
  const { project } = line;
  const { locale } = ctx;
  const text = t(locale, "home.project", {
    emoji: PROJECT_STATUS_EMOJI[project.status],
    project: projectLink(locale, project.gid, project),
    pmoId: pmoIdText(locale, project),
    status: t(locale, `projectStatus.${project.status}`),
    progress:
      project.progressPercent === null
        ? t(locale, "home.progressUnknown")
        : t(locale, "value.percent", { value: project.progressPercent }),
    due:
      project.dueOn === null
        ? t(locale, "home.noDueDate")
        : escapeAndTruncate(formatCalendarDate(locale, project.dueOn), 60),
    findings:
      line.openFindings === 0
        ? t(locale, "home.noOpenFindings")
        : t(locale, "home.openFindings", { count: line.openFindings }),
  });
  const shown = isWithoutAccess(project) ? `${text}\n${t(locale, "home.projectNoAccess")}` : text;
  return {
    type: "section",
    block_id: `home-project-${index}`,
    text: mrkdwn(shown, BLOCK_KIT.sectionText),
    accessory: {
      type: "button",
      action_id: UPDATE_OPEN,
      text: { type: "plain_text", text: t(locale, "reminder.button"), emoji: true },
      value: project.gid,
    },
  };
}

/** One finding: what, where, who, its status, and its buttons (the same ones the channel shows). */
function findingBlocks(ctx: RenderContext, entry: FindingWithProject, blockId: string): KnownBlock[] {
  const { finding, project } = entry;
  const what = t(ctx.locale, "digest.entry", {
    emoji: SEVERITY_EMOJI[finding.severity],
    project: projectLink(ctx.locale, finding.projectGid, project),
    pmoId: pmoIdText(ctx.locale, project),
    responsable: responsableText(ctx, project),
    explanation: explainFinding(ctx.locale, finding),
  });
  const status = statusLine(ctx, finding);
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: blockId,
      text: mrkdwn(status === null ? what : `${what}\n${status}`, BLOCK_KIT.sectionText),
    },
  ];
  const actions = findingActions(ctx.locale, finding, `${blockId}-actions`);
  if (actions !== null) blocks.push(actions);
  return blocks;
}

/** One block: the worst-case layouts (about 75 blocks for an admin) keep it under the limit. */
function webPanelBlock(locale: Locale): ActionsBlock {
  return {
    type: "actions",
    block_id: "home-web",
    elements: [
      {
        type: "button",
        action_id: HOME_WEB_PANEL,
        text: {
          type: "plain_text",
          text: truncate(t(locale, "panel.home.button"), BLOCK_KIT.buttonText),
          emoji: true,
        },
      },
    ],
  };
}

function pagingBlock(ctx: RenderContext, page: Page<unknown>): ActionsBlock | null {
  if (page.pages <= 1) return null;
  const button = (actionId: string, label: string, target: number): Button => ({
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: truncate(label, BLOCK_KIT.buttonText), emoji: true },
    value: String(target),
  });
  const elements: Button[] = [];
  if (page.page > 1)
    elements.push(button(HOME_PAGE_PREVIOUS, t(ctx.locale, "home.page.previous"), page.page - 1));
  if (page.page < page.pages)
    elements.push(button(HOME_PAGE_NEXT, t(ctx.locale, "home.page.next"), page.page + 1));
  return { type: "actions", block_id: "home-paging", elements };
}

function rangeLine(ctx: RenderContext, page: Page<unknown>): string {
  if (page.total === 0) return t(ctx.locale, "home.list.empty");
  return t(ctx.locale, "home.list.range", {
    from: page.first,
    to: page.first + page.items.length - 1,
    total: page.total,
    page: page.page,
    pages: page.pages,
  });
}

function myWorkBlocks(ctx: RenderContext, mine: MyWork, admin: boolean): KnownBlock[] {
  const { locale } = ctx;
  const blocks: KnownBlock[] = [header(t(locale, "home.myProjects"), "home-my-projects")];
  if (mine.kind === "unmapped") {
    blocks.push({
      type: "section",
      block_id: "home-unmapped",
      text: mrkdwn(t(locale, "home.unmapped"), 3_000),
    });
    return blocks;
  }
  if (mine.projects.length === 0) blocks.push(contextLine(t(locale, "home.noProjects"), "home-no-projects"));
  mine.projects.slice(0, MY_PROJECTS_SHOWN).forEach((line, i) => {
    blocks.push(projectBlock(ctx, line, i));
  });
  const hiddenProjects = mine.projectsTotal - Math.min(mine.projects.length, MY_PROJECTS_SHOWN);
  if (hiddenProjects > 0)
    blocks.push(contextLine(t(locale, "home.moreProjects", { count: hiddenProjects }), "home-projects-more"));

  blocks.push(header(t(locale, "home.myFindings"), "home-my-findings"));
  const page = mine.findings;
  if (page.total === 0) {
    blocks.push(contextLine(t(locale, "home.noFindings"), "home-no-findings"));
    return blocks;
  }
  const shown = admin ? page.items.slice(0, MY_FINDINGS_FOR_ADMIN) : page.items.slice(0, MY_FINDINGS_PAGE);
  shown.forEach((entry, i) => {
    blocks.push(...findingBlocks(ctx, entry, `home-mine-${i}`));
  });
  if (admin) {
    const hidden = page.total - shown.length;
    if (hidden > 0)
      blocks.push(contextLine(t(locale, "home.moreFindings", { count: hidden }), "home-mine-more"));
  } else {
    blocks.push(contextLine(rangeLine(ctx, page), "home-mine-range"));
    const paging = pagingBlock(ctx, page);
    if (paging !== null) blocks.push(paging);
  }
  return blocks;
}

function verticalFilterOptions(
  ctx: RenderContext,
  portfolio: Portfolio,
  current: ValueFilter,
): PlainTextOption[] {
  const options = [
    option(t(ctx.locale, "home.filter.vertical.all"), "all"),
    option(t(ctx.locale, "home.filter.vertical.none"), "none"),
  ];
  const names = portfolio.verticals.filter((v) => v.length <= FILTER_VALUE_MAX);
  if (current.kind === "is" && !names.includes(current.value)) names.unshift(current.value);
  for (const name of names.slice(0, SELECT_OPTIONS_MAX - options.length))
    options.push(option(name, encodeValueFilter({ kind: "is", value: name })));
  return options;
}

function responsableFilterOptions(
  ctx: RenderContext,
  portfolio: Portfolio,
  current: ValueFilter,
): PlainTextOption[] {
  const options = [
    option(t(ctx.locale, "home.filter.responsable.all"), "all"),
    option(t(ctx.locale, "home.filter.responsable.none"), "none"),
  ];
  const people = portfolio.responsables.filter((r) => r.key.length <= FILTER_VALUE_MAX);
  if (current.kind === "is" && !people.some((r) => r.key === current.value))
    people.unshift({ key: current.value, name: null });
  for (const person of people.slice(0, SELECT_OPTIONS_MAX - options.length))
    options.push(option(person.name ?? person.key, encodeValueFilter({ kind: "is", value: person.key })));
  return options;
}

function select(actionId: string, options: PlainTextOption[], selectedValue: string): StaticSelect {
  const initial = options.find((o) => o.value === selectedValue) ?? options[0];
  return {
    type: "static_select",
    action_id: actionId,
    options,
    ...(initial === undefined ? {} : { initial_option: initial }),
  };
}

function filterBlock(ctx: RenderContext, portfolio: Portfolio, state: HomeState): ActionsBlock {
  const severityOptions = [
    option(t(ctx.locale, "home.filter.severity.all"), "all"),
    ...SEVERITIES.map((s) => option(`${SEVERITY_EMOJI[s]} ${t(ctx.locale, `severity.${s}`)}`, s)),
  ];
  return {
    type: "actions",
    block_id: "home-filters",
    elements: [
      select(HOME_FILTER_SEVERITY, severityOptions, state.severity),
      select(
        HOME_FILTER_VERTICAL,
        verticalFilterOptions(ctx, portfolio, state.vertical),
        encodeValueFilter(state.vertical),
      ),
      select(
        HOME_FILTER_RESPONSABLE,
        responsableFilterOptions(ctx, portfolio, state.responsable),
        encodeValueFilter(state.responsable),
      ),
    ],
  };
}

function summaryBlocks(model: HomeModel, portfolio: Portfolio): KnownBlock[] {
  const { ctx, lastSync, now } = model;
  const { locale } = ctx;
  const syncAt = lastSync?.completedAt ?? null;
  const fields = [
    mrkdwn(t(locale, "home.summary.severity", portfolio.bySeverity), BLOCK_KIT.sectionFieldText),
    mrkdwn(
      lastSync === null || syncAt === null
        ? t(locale, "home.summary.syncNever")
        : t(locale, "home.summary.sync", {
            date: formatDateTime(locale, ctx.timeZone, syncAt),
            age: ageText(locale, syncAt, new Date(Math.max(now.getTime(), Date.parse(syncAt)))),
            kind: t(locale, `home.sync.${lastSync.kind}`),
          }),
      BLOCK_KIT.sectionFieldText,
    ),
    mrkdwn(
      portfolio.staleProjects === null
        ? t(locale, "home.summary.staleUnknown")
        : t(locale, "home.summary.stale", { count: portfolio.staleProjects }),
      BLOCK_KIT.sectionFieldText,
    ),
  ];
  const shown = portfolio.byVertical.slice(0, VERTICALS_SHOWN);
  const rest = portfolio.byVertical.slice(VERTICALS_SHOWN).reduce((sum, v) => sum + v.count, 0);
  const lines = shown.map((v) =>
    t(locale, "home.summary.verticalLine", {
      vertical:
        v.vertical === null ? t(locale, "home.summary.noVertical") : escapeAndTruncate(v.vertical, 100),
      count: v.count,
    }),
  );
  if (rest > 0) lines.push(t(locale, "home.summary.otherVerticals", { count: rest }));
  if (lines.length === 0) lines.push(t(locale, "home.summary.none"));
  return [
    { type: "section", block_id: "home-summary", fields },
    {
      type: "section",
      block_id: "home-verticals",
      text: mrkdwn([t(locale, "home.summary.byVertical"), ...lines].join("\n"), BLOCK_KIT.sectionText),
    },
  ];
}

function portfolioBlocks(model: HomeModel, portfolio: Portfolio): KnownBlock[] {
  const { ctx, state } = model;
  const blocks: KnownBlock[] = [
    { type: "divider", block_id: "home-portfolio-divider" },
    header(t(ctx.locale, "home.portfolio"), "home-portfolio"),
    ...summaryBlocks(model, portfolio),
    filterBlock(ctx, portfolio, state),
    contextLine(rangeLine(ctx, portfolio.findings), "home-list-range"),
  ];
  portfolio.findings.items.slice(0, PORTFOLIO_PAGE).forEach((entry, i) => {
    blocks.push(...findingBlocks(ctx, entry, `home-finding-${i}`));
  });
  const paging = pagingBlock(ctx, portfolio.findings);
  if (paging !== null) blocks.push(paging);
  return blocks;
}

/** A Home view whose blocks are all Block Kit blocks we know. */
export type BuiltHomeView = Omit<HomeView, "blocks"> & { blocks: KnownBlock[] };

/** The Home view; its private_metadata carries the state (filters and page) it was built for. */
export function homeView(model: HomeModel): BuiltHomeView {
  const { ctx } = model;
  const blocks: KnownBlock[] = [
    header(t(ctx.locale, "home.title"), "home-title"),
    contextLine(freshnessLine(ctx, model.lastSync, model.now), "home-freshness"),
  ];
  if (model.webPanel === true) blocks.push(webPanelBlock(ctx.locale));
  if (model.notice !== null)
    blocks.push({
      type: "section",
      block_id: "home-notice",
      text: mrkdwn(model.notice, BLOCK_KIT.sectionText),
    });
  blocks.push(...myWorkBlocks(ctx, model.mine, model.portfolio !== null));
  if (model.portfolio !== null) blocks.push(...portfolioBlocks(model, model.portfolio));
  return {
    type: "home",
    private_metadata: encodeHomeState(model.state),
    // The layout above stays under the limit by construction; this only guards a future change.
    blocks: blocks.slice(0, HOME_BLOCKS_MAX),
  };
}

/** The Home when it could not be built: the title and one line saying so, in the person's language. */
export function homeFailedView(locale: Locale): BuiltHomeView {
  return {
    type: "home",
    blocks: [
      header(t(locale, "home.title"), "home-title"),
      {
        type: "section",
        block_id: "home-failed",
        text: mrkdwn(t(locale, "home.failed"), BLOCK_KIT.sectionText),
      },
    ],
  };
}
