import { t } from "../services/i18n/index.ts";
import type { Locale, Project, Severity } from "../services/model.ts";
import type { StoredPortfolio } from "../services/portfolio/portfolio-snapshot.ts";
import { type Html, html, jsonBlock, safeHref } from "./html.ts";
import { tw, type WebMessageKey } from "./i18n.ts";
import { type AssetUrls, calendarDate, dateTime, type PageContext, page } from "./layout.ts";
import {
  compareSortValues,
  NONE_VALUE,
  PORTFOLIO_COLUMNS,
  type PortfolioColumn,
  type PortfolioFilters,
  type PortfolioRecord,
  PROJECT_STATUS_VALUES,
  portfolioQuery,
  ROWS_PER_PAGE,
  recordKeys,
  rowMatches,
  SEVERITY_VALUES,
  shownName,
  sortRecords,
} from "./portfolio-model.ts";

/**
 * The portfolio: every listed project as one table row, filtered and sorted on the server as the
 * URL says. Only the first rows are drawn as HTML (1,400 rows of markup took the browser seconds to
 * lay out); every project travels as a record, from which the browser script filters, sorts and
 * draws more rows without a round trip, with the same rules (portfolio-model.ts).
 */

const DAY_MS = 86_400_000;

export type PortfolioRow = {
  project: Project;
  counts: { readonly [S in Severity]: number };
  /** Whole days since the last status update; null when there was none. */
  updateAgeDays: number | null;
  fresh: boolean;
};

/** Listed like the export lists them: active projects, and those Asana refuses to show (their findings stay open). */
export function isListed(project: Project): boolean {
  return project.removedAt === null || project.removedReason === "no_access";
}

export function portfolioRows(
  portfolio: StoredPortfolio,
  now: Date,
  freshUpdateDays: number,
): PortfolioRow[] {
  const rows: PortfolioRow[] = [];
  for (const project of portfolio.projects.values()) {
    if (!isListed(project)) continue;
    const counts = { high: 0, medium: 0, low: 0 };
    for (const finding of portfolio.findingsOf(project.gid)) counts[finding.severity]++;
    const last = project.lastStatusUpdateAt === null ? null : Date.parse(project.lastStatusUpdateAt);
    const ageMs = last === null ? null : Math.max(0, now.getTime() - last);
    rows.push({
      project,
      counts,
      updateAgeDays: ageMs === null ? null : Math.floor(ageMs / DAY_MS),
      fresh: ageMs !== null && ageMs <= freshUpdateDays * DAY_MS,
    });
  }
  return rows;
}

const COLUMN_LABEL: { readonly [C in PortfolioColumn]: WebMessageKey } = {
  pmo: "col.pmoId",
  name: "col.name",
  resp: "col.responsable",
  vertical: "col.vertical",
  status: "col.status",
  progress: "col.progress",
  due: "col.due",
  high: "col.high",
  medium: "col.medium",
  low: "col.low",
  update: "col.lastUpdate",
  fresh: "col.freshness",
};

function options(values: readonly { value: string; label: string }[], selected: string | null): Html[] {
  return values.map(
    (o) => html`<option value="${o.value}"${o.value === selected ? html` selected` : ""}>${o.label}</option>`,
  );
}

function distinct(rows: readonly PortfolioRow[], pick: (p: Project) => string | null): string[] {
  const names = new Set<string>();
  for (const row of rows) {
    const value = pick(row.project);
    if (value !== null && value !== "") names.add(value);
  }
  return [...names].sort((a, b) => compareSortValues(a, b, "asc"));
}

function filterForm(ctx: PageContext, rows: readonly PortfolioRow[], filters: PortfolioFilters): Html {
  const l = ctx.locale;
  const any = { value: "", label: tw(l, "filter.any") };
  const none = { value: NONE_VALUE, label: tw(l, "filter.none") };
  const named = (names: string[]) => names.map((n) => ({ value: n, label: n }));
  return html`<form id="filters" class="filters" method="get" action="/">
<label>${tw(l, "filter.text")} <input type="search" name="q" value="${filters.q}" maxlength="100" autocomplete="off"></label>
<label>${tw(l, "filter.pmoId")} <input type="search" name="pmo" value="${filters.pmo}" maxlength="100" size="8" autocomplete="off"></label>
<label>${tw(l, "filter.status")} <select name="status">${options(
    [any, ...PROJECT_STATUS_VALUES.map((s) => ({ value: s, label: t(l, `projectStatus.${s}`) }))],
    filters.status ?? "",
  )}</select></label>
<label>${tw(l, "filter.responsable")} <select name="resp">${options(
    [any, none, ...named(distinct(rows, (p) => p.responsable))],
    filters.resp ?? "",
  )}</select></label>
<label>${tw(l, "filter.vertical")} <select name="vertical">${options(
    [any, none, ...named(distinct(rows, (p) => p.businessVertical))],
    filters.vertical ?? "",
  )}</select></label>
<label>${tw(l, "filter.severity")} <select name="sev">${options(
    [any, ...SEVERITY_VALUES.map((s) => ({ value: s, label: t(l, `severity.${s}`) }))],
    filters.sev ?? "",
  )}</select></label>
<input type="hidden" name="sort" value="${filters.sort}">
<input type="hidden" name="dir" value="${filters.dir}">
<button type="submit">${tw(l, "filter.apply")}</button>
<a href="/">${tw(l, "filter.clear")}</a>
</form>`;
}

function headerCell(ctx: PageContext, column: PortfolioColumn, filters: PortfolioFilters): Html {
  const active = filters.sort === column;
  const dir = active && filters.dir === "asc" ? "desc" : "asc";
  const label = tw(ctx.locale, COLUMN_LABEL[column]);
  const sorted = active ? (filters.dir === "asc" ? "ascending" : "descending") : "none";
  return html`<th scope="col" aria-sort="${sorted}"><a class="sort" data-col="${column}" href="/${portfolioQuery({ ...filters, sort: column, dir })}" title="${tw(ctx.locale, "sort.by", { column: label })}">${label}</a></th>`;
}

/**
 * Dates as shown, kept across requests: formatting 2,800 of them took most of the portfolio's
 * server time, and the same instants come back on every load. Emptied when it grows large.
 */
const shownDates = new Map<string, string>();
const SHOWN_DATES_MAX = 50_000;

function shownDate(key: string, format: () => string): string {
  const known = shownDates.get(key);
  if (known !== undefined) return known;
  if (shownDates.size >= SHOWN_DATES_MAX) shownDates.clear();
  const text = format();
  shownDates.set(key, text);
  return text;
}

/** The records of the rows, with their texts in the reader's language. */
export function portfolioRecords(ctx: PageContext, rows: readonly PortfolioRow[]): PortfolioRecord[] {
  const none = tw(ctx.locale, "value.none");
  const due = (iso: string | null) =>
    iso === null ? none : shownDate(`d|${ctx.locale}|${iso}`, () => calendarDate(ctx.locale, iso));
  const instant = (iso: string | null) =>
    iso === null ? none : shownDate(`t|${ctx.locale}|${ctx.timeZone}|${iso}`, () => dateTime(ctx, iso));
  return rows.map((row): PortfolioRecord => {
    const p = row.project;
    const age = row.updateAgeDays;
    return {
      g: p.gid,
      a: safeHref(p.permalinkUrl),
      s: p.status,
      r: [p.pmoId, p.name, p.responsable, p.businessVertical],
      v: [p.progressPercent, p.dueOn, p.lastStatusUpdateAt, age],
      n: [row.counts.high, row.counts.medium, row.counts.low],
      t: [
        t(ctx.locale, `projectStatus.${p.status}`),
        p.progressPercent === null ? none : `${p.progressPercent} %`,
        due(p.dueOn),
        instant(p.lastStatusUpdateAt),
        age === null
          ? tw(ctx.locale, "freshness.none")
          : tw(ctx.locale, row.fresh ? "freshness.fresh" : "freshness.stale", { days: age }),
      ],
      f: row.fresh,
    };
  });
}

/** One row; web/client/portfolio.ts draws the same markup from the same record. */
function rowHtml(record: PortfolioRecord, labels: { none: string; asana: string }): Html {
  const [pmoId, , responsable, vertical] = record.r;
  const [progress, due, update, age] = record.v;
  const [status, progressText, dueText, updateText, freshText] = record.t;
  const [high, medium, low] = record.n;
  return html`<tr data-gid="${record.g}"><td>${pmoId ?? labels.none}</td><td class="name"><a href="/projects/${encodeURIComponent(record.g)}">${shownName(record)}</a>${record.a === null ? "" : html` <a class="asana" href="${record.a}" rel="noopener noreferrer" target="_blank" title="${labels.asana}">↗</a>`}</td><td>${responsable ?? labels.none}</td><td>${vertical ?? labels.none}</td><td data-v="${record.s === "none" ? "" : record.s}"><span class="status ${record.s}">${status}</span></td><td data-v="${progress ?? ""}">${progressText}</td><td data-v="${due ?? ""}">${dueText}</td><td data-v="${high}" class="n high">${high}</td><td data-v="${medium}" class="n medium">${medium}</td><td data-v="${low}" class="n low">${low}</td><td data-v="${update ?? ""}">${updateText}</td><td data-v="${age ?? ""}" class="${record.f ? "fresh" : "stale"}">${freshText}</td></tr>
`;
}

export function exportHref(filters: PortfolioFilters): string {
  return `/export${portfolioQuery(filters)}`;
}

/** The no-script way to the rows beyond the first page: the same view, every row drawn. */
export function allRowsHref(filters: PortfolioFilters): string {
  const query = portfolioQuery(filters);
  return `/${query === "" ? "?" : `${query}&`}all=1`;
}

/**
 * The page: the first ROWS_PER_PAGE matching rows as HTML (all of them when `allRows`), every
 * listed project as records for the script, which filters, sorts and draws further rows in place.
 */
export function portfolioPage(
  ctx: PageContext,
  assets: AssetUrls,
  input: { rows: PortfolioRow[]; filters: PortfolioFilters; freshness: Html; allRows?: boolean },
): Html {
  const { filters } = input;
  const records = portfolioRecords(ctx, input.rows);
  sortRecords(records, (r) => r, filters);
  const matching = records.filter((record) => rowMatches(recordKeys(record), filters));
  const count = matching.length;
  const drawn = input.allRows === true ? matching : matching.slice(0, ROWS_PER_PAGE);
  const l = ctx.locale;
  const labels = { none: tw(l, "value.none"), asana: tw(l, "asana.open") };
  const total = records.length;
  const body = html`<h1>${tw(l, "portfolio.title")}</h1>
${input.freshness}
${filterForm(ctx, input.rows, filters)}
<p class="toolbar"><span id="count" data-total="${total}">${tw(l, "portfolio.count", { shown: count, total })}</span>
${ctx.isAdmin ? html` · <a id="export" href="${exportHref(filters)}">${tw(l, "export.button")}</a> <small>${tw(l, "export.note")}</small>` : ""}</p>
<p id="empty" class="empty"${count === 0 ? "" : html` hidden`}>${tw(l, "portfolio.empty")}</p>
<div class="scroll"><table id="portfolio" class="grid" data-sort="${filters.sort}" data-dir="${filters.dir}" data-count-template="${tw(l, "portfolio.count", { shown: "{shown}", total: "{total}" })}" data-none="${labels.none}" data-asana="${labels.asana}">
<thead><tr>${PORTFOLIO_COLUMNS.map((c) => headerCell(ctx, c, filters))}</tr></thead>
<tbody>${drawn.map((record) => rowHtml(record, labels))}</tbody>
</table></div>
<p id="more" class="more"${drawn.length < count ? "" : html` hidden`}><a id="more-link" href="${allRowsHref(filters)}">${tw(l, "portfolio.more")}</a></p>
${jsonBlock("portfolio-rows", records)}`;
  return page(ctx, assets, {
    title: tw(l, "portfolio.title"),
    active: "portfolio",
    body,
    scripts: ["portfolio"],
  });
}

/** The projects the view shows, by the page's own rules: what the export of the view contains. */
export function viewProjectGids(
  ctx: PageContext,
  rows: readonly PortfolioRow[],
  filters: PortfolioFilters,
): Set<string> {
  const shown = portfolioRecords(ctx, rows).filter((record) => rowMatches(recordKeys(record), filters));
  return new Set(shown.map((record) => record.g));
}

/** The view's filters as workbook lines (the severity is named by the export's own line). */
export function viewFilterLines(locale: Locale, filters: PortfolioFilters): string[] {
  const named = (value: string) => (value === NONE_VALUE ? tw(locale, "filter.none") : value);
  const lines: string[] = [];
  if (filters.status !== null)
    lines.push(`${tw(locale, "filter.status")}: ${t(locale, `projectStatus.${filters.status}`)}`);
  if (filters.pmo !== "") lines.push(`${tw(locale, "filter.pmoId")}: ${filters.pmo}`);
  if (filters.resp !== null) lines.push(`${tw(locale, "filter.responsable")}: ${named(filters.resp)}`);
  if (filters.vertical !== null) lines.push(`${tw(locale, "filter.vertical")}: ${named(filters.vertical)}`);
  if (filters.q !== "") lines.push(`${tw(locale, "filter.text")}: ${filters.q}`);
  return lines;
}
