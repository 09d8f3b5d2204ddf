import {
  isPortfolioRecord,
  PORTFOLIO_COLUMNS,
  type PortfolioColumn,
  type PortfolioFilters,
  type PortfolioRecord,
  parsePortfolioQuery,
  portfolioQuery,
  ROWS_PER_PAGE,
  type RowKeys,
  recordKeys,
  rowMatches,
  shownName,
  sortRecords,
} from "../portfolio-model.ts";

/**
 * The portfolio table without page reloads: every project arrives as a record (the page's JSON
 * data block); filters and sort are applied here with the server's own rules (portfolio-model.ts)
 * and the state written back into the URL so it can be shared. Only the rows in view are drawn: a
 * page of them, and the next page as the reader scrolls near the end. Without this script the
 * same form, header links and "more" link work through the server.
 */

type Entry = { record: PortfolioRecord; keys: RowKeys };
type Labels = { none: string; asana: string };

const table = document.getElementById("portfolio");
const form = document.getElementById("filters");
const data = document.getElementById("portfolio-rows");
if (table instanceof HTMLTableElement && form instanceof HTMLFormElement && data !== null)
  enhance(table, form, readRecords(data.textContent ?? "[]"));

function readRecords(json: string): PortfolioRecord[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter(isPortfolioRecord) : [];
}

function cell(text: string, value?: string | number | null, className?: string): HTMLTableCellElement {
  const td = document.createElement("td");
  if (value !== undefined) td.dataset.v = value === null ? "" : String(value);
  if (className !== undefined) td.className = className;
  td.textContent = text;
  return td;
}

/** The markup of web/portfolio-page.ts rowHtml, built with DOM calls (text is never parsed as HTML). */
function rowElement(record: PortfolioRecord, labels: Labels): HTMLTableRowElement {
  const [pmoId, , responsable, vertical] = record.r;
  const [progress, due, update, age] = record.v;
  const [status, progressText, dueText, updateText, freshText] = record.t;
  const [high, medium, low] = record.n;
  const tr = document.createElement("tr");
  tr.dataset.gid = record.g;
  const name = document.createElement("td");
  name.className = "name";
  const link = document.createElement("a");
  link.href = `/projects/${encodeURIComponent(record.g)}`;
  link.textContent = shownName(record);
  name.append(link);
  if (record.a !== null) {
    const asana = document.createElement("a");
    asana.className = "asana";
    asana.href = record.a;
    asana.rel = "noopener noreferrer";
    asana.target = "_blank";
    asana.title = labels.asana;
    asana.textContent = "↗";
    name.append(" ", asana);
  }
  const statusCell = cell("", record.s === "none" ? "" : record.s);
  const badge = document.createElement("span");
  badge.className = `status ${record.s}`;
  badge.textContent = status;
  statusCell.append(badge);
  tr.append(
    cell(pmoId ?? labels.none),
    name,
    cell(responsable ?? labels.none),
    cell(vertical ?? labels.none),
    statusCell,
    cell(progressText, progress),
    cell(dueText, due),
    cell(String(high), high, "n high"),
    cell(String(medium), medium, "n medium"),
    cell(String(low), low, "n low"),
    cell(updateText, update),
    cell(freshText, age, record.f ? "fresh" : "stale"),
  );
  return tr;
}

function enhance(table: HTMLTableElement, form: HTMLFormElement, records: PortfolioRecord[]): void {
  const body = table.tBodies[0];
  if (body === undefined) return;
  // The records come sorted as the URL says, the rows drawn so far are their first matches.
  const entries: Entry[] = records.map((record) => ({ record, keys: recordKeys(record) }));
  const count = document.getElementById("count");
  const empty = document.getElementById("empty");
  const more = document.getElementById("more");
  const moreLink = document.getElementById("more-link");
  const exportLink = document.getElementById("export");
  const template = table.dataset.countTemplate ?? "{shown} / {total}";
  const labels: Labels = { none: table.dataset.none ?? "—", asana: table.dataset.asana ?? "" };
  let state: PortfolioFilters = parsePortfolioQuery(new URLSearchParams(location.search));
  let sortedBy = `${state.sort}:${state.dir}`;
  let matching = entries.filter((entry) => rowMatches(entry.keys, state));
  let drawn = body.rows.length;

  const showMore = (): void => {
    const next = matching.slice(drawn, drawn + ROWS_PER_PAGE);
    if (next.length > 0) {
      const fragment = document.createDocumentFragment();
      for (const entry of next) fragment.append(rowElement(entry.record, labels));
      body.append(fragment);
      drawn += next.length;
    }
    if (more !== null) more.hidden = drawn >= matching.length;
  };

  const fromForm = (): PortfolioFilters => {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (typeof value === "string") params.set(key, value);
    params.set("sort", state.sort);
    params.set("dir", state.dir);
    return parsePortfolioQuery(params);
  };

  const apply = (next: PortfolioFilters, force = false): void => {
    // A select fires both input and change: the second finds nothing to do.
    if (!force && portfolioQuery(next) === portfolioQuery(state)) return;
    state = next;
    const key = `${next.sort}:${next.dir}`;
    if (key !== sortedBy) {
      sortRecords(entries, (entry) => entry.record, next);
      sortedBy = key;
    }
    matching = entries.filter((entry) => rowMatches(entry.keys, next));
    body.replaceChildren();
    drawn = 0;
    showMore();
    if (count !== null)
      count.textContent = template
        .replace("{shown}", String(matching.length))
        .replace("{total}", String(entries.length));
    if (empty !== null) empty.hidden = matching.length > 0;
    const query = portfolioQuery(next);
    if (exportLink instanceof HTMLAnchorElement) exportLink.href = `/export${query}`;
    if (moreLink instanceof HTMLAnchorElement) moreLink.href = `/${query === "" ? "?" : `${query}&`}all=1`;
    for (const link of table.querySelectorAll<HTMLAnchorElement>("a.sort")) {
      const column = PORTFOLIO_COLUMNS.find((c) => c === link.dataset.col);
      if (column === undefined) continue;
      const active = next.sort === column;
      link.href = `/${portfolioQuery({ ...next, sort: column, dir: active && next.dir === "asc" ? "desc" : "asc" })}`;
      link.parentElement?.setAttribute(
        "aria-sort",
        active ? (next.dir === "asc" ? "ascending" : "descending") : "none",
      );
    }
    history.replaceState(null, "", `${location.pathname}${query}`);
    table.dataset.query = query;
  };

  if (drawn < Math.min(matching.length, ROWS_PER_PAGE) || drawn > matching.length) apply(state, true);
  form.addEventListener("input", () => apply(fromForm()));
  form.addEventListener("change", () => apply(fromForm()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(fromForm());
  });
  table.tHead?.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLAnchorElement) || target.dataset.col === undefined) return;
    const column: PortfolioColumn | undefined = PORTFOLIO_COLUMNS.find((c) => c === target.dataset.col);
    if (column === undefined) return;
    event.preventDefault();
    const dir = state.sort === column && state.dir === "asc" ? "desc" : "asc";
    for (const input of form.querySelectorAll<HTMLInputElement>("input[name=sort], input[name=dir]"))
      input.value = input.name === "sort" ? column : dir;
    apply({ ...fromForm(), sort: column, dir });
  });
  moreLink?.addEventListener("click", (event) => {
    event.preventDefault();
    showMore();
  });
  if (more !== null && "IntersectionObserver" in window) {
    const nearEnd = new IntersectionObserver(
      (seen) => {
        if (!seen.some((entry) => entry.isIntersecting)) return;
        showMore();
        // Still near the end after drawing (a tall window): observing anew reports it again.
        nearEnd.unobserve(more);
        if (!more.hidden) requestAnimationFrame(() => nearEnd.observe(more));
      },
      { rootMargin: "800px 0px" },
    );
    nearEnd.observe(more);
  }
  table.dataset.enhanced = "true";
}
