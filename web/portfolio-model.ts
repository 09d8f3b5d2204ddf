/**
 * The portfolio table's filters and sort, as the URL carries them, and the rules that apply them.
 * Pure and free of Node: the server renders with it and the browser script (web/client/portfolio.ts)
 * filters and sorts with the very same functions, so a shared link shows what its sender saw.
 */

export const PORTFOLIO_COLUMNS = [
  "pmo",
  "name",
  "resp",
  "vertical",
  "status",
  "progress",
  "due",
  "high",
  "medium",
  "low",
  "update",
  "fresh",
] as const;
export type PortfolioColumn = (typeof PORTFOLIO_COLUMNS)[number];

/** Columns whose sort value is a number (or an ISO date, which orders as text). */
export const NUMERIC_COLUMNS: ReadonlySet<PortfolioColumn> = new Set([
  "progress",
  "high",
  "medium",
  "low",
  "fresh",
]);

export const PROJECT_STATUS_VALUES = [
  "on_track",
  "at_risk",
  "off_track",
  "on_hold",
  "complete",
  "none",
] as const;
export const SEVERITY_VALUES = ["high", "medium", "low"] as const;

/** The filter value that asks for projects without a responsable or a vertical. */
export const NONE_VALUE = "~none";
const MAX_TEXT = 100;

export type PortfolioFilters = {
  status: (typeof PROJECT_STATUS_VALUES)[number] | null;
  pmo: string;
  resp: string | null;
  vertical: string | null;
  sev: (typeof SEVERITY_VALUES)[number] | null;
  q: string;
  sort: PortfolioColumn;
  dir: "asc" | "desc";
};

export const DEFAULT_FILTERS: PortfolioFilters = {
  status: null,
  pmo: "",
  resp: null,
  vertical: null,
  sev: null,
  q: "",
  sort: "pmo",
  dir: "asc",
};

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;

const text = (value: string | null): string => (value ?? "").trim().slice(0, MAX_TEXT);

/** The filters a query string asks for; anything not understood is left at its default. */
export function parsePortfolioQuery(params: URLSearchParams): PortfolioFilters {
  const name = (key: string): string | null => {
    const value = text(params.get(key));
    return value === "" ? null : value;
  };
  return {
    status: oneOf(PROJECT_STATUS_VALUES, params.get("status")),
    pmo: text(params.get("pmo")),
    resp: name("resp"),
    vertical: name("vertical"),
    sev: oneOf(SEVERITY_VALUES, params.get("sev")),
    q: text(params.get("q")),
    sort: oneOf(PORTFOLIO_COLUMNS, params.get("sort")) ?? DEFAULT_FILTERS.sort,
    dir: params.get("dir") === "desc" ? "desc" : "asc",
  };
}

/** The query string of these filters, defaults left out ("" when all are defaults). */
export function portfolioQuery(filters: PortfolioFilters): string {
  const params = new URLSearchParams();
  if (filters.status !== null) params.set("status", filters.status);
  if (filters.pmo !== "") params.set("pmo", filters.pmo);
  if (filters.resp !== null) params.set("resp", filters.resp);
  if (filters.vertical !== null) params.set("vertical", filters.vertical);
  if (filters.sev !== null) params.set("sev", filters.sev);
  if (filters.q !== "") params.set("q", filters.q);
  if (filters.sort !== DEFAULT_FILTERS.sort) params.set("sort", filters.sort);
  if (filters.dir !== DEFAULT_FILTERS.dir) params.set("dir", filters.dir);
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

/** Lower case, accents removed, spaces collapsed: how free text is compared. */
export function fold(value: string): string {
  return value.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** What a row is filtered on. */
export type RowKeys = {
  status: string;
  /** The PMO ID, folded. */
  pmo: string;
  /** The responsable's name as stored ("" when none). */
  resp: string;
  vertical: string;
  /** Severities of its open findings. */
  sevs: readonly string[];
  /** Name, PMO ID, responsable and vertical, folded. */
  text: string;
};

export function searchText(parts: readonly (string | null)[]): string {
  return fold(parts.filter((p) => p !== null).join(" "));
}

function matchesName(value: string, wanted: string | null): boolean {
  if (wanted === null) return true;
  return wanted === NONE_VALUE ? value === "" : value === wanted;
}

export function rowMatches(row: RowKeys, filters: PortfolioFilters): boolean {
  if (filters.status !== null && row.status !== filters.status) return false;
  if (filters.pmo !== "" && !row.pmo.includes(fold(filters.pmo))) return false;
  if (!matchesName(row.resp, filters.resp)) return false;
  if (!matchesName(row.vertical, filters.vertical)) return false;
  if (filters.sev !== null && !row.sevs.includes(filters.sev)) return false;
  if (filters.q !== "") {
    const words = fold(filters.q).split(" ");
    if (!words.every((word) => row.text.includes(word))) return false;
  }
  return true;
}

export type SortValue = string | number | null;

const collator = new Intl.Collator("es", { numeric: true, sensitivity: "base" });

/** Ascending order of two sort values; empty values always last, whatever the direction. */
export function compareSortValues(a: SortValue, b: SortValue, dir: "asc" | "desc"): number {
  const emptyA = a === null || a === "";
  const emptyB = b === null || b === "";
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  const order =
    typeof a === "number" && typeof b === "number" ? a - b : collator.compare(String(a), String(b));
  return dir === "asc" ? order : -order;
}

/** How many rows the page draws at first, and adds each time the reader nears the end. */
export const ROWS_PER_PAGE = 60;

/**
 * One project as the portfolio page ships it to its browser script (a JSON data block): the raw
 * values filtered and sorted on, and the texts shown, already in the reader's language. Short keys:
 * 1,400 of them travel with every load.
 */
export type PortfolioRecord = {
  /** The Asana gid. */
  g: string;
  /** The Asana link (http or https only), or null. */
  a: string | null;
  s: (typeof PROJECT_STATUS_VALUES)[number];
  /** PMO ID, name, responsable, vertical, as stored. */
  r: [string | null, string, string | null, string | null];
  /** Progress, due date, last status update (ISO), whole days since it. */
  v: [number | null, string | null, string | null, number | null];
  /** Open findings: high, medium, low. */
  n: [number, number, number];
  /** Shown texts: status, progress, due date, last status update, freshness. */
  t: [string, string, string, string, string];
  /** Whether the last status update is fresh. */
  f: boolean;
};

const isText = (value: unknown): value is string => typeof value === "string";
const isTextOrNull = (value: unknown): value is string | null => value === null || typeof value === "string";
const isNumberOrNull = (value: unknown): value is number | null =>
  value === null || (typeof value === "number" && Number.isFinite(value));

/** A record as the browser reads it back from the page (a guard: the data is checked, not trusted). */
export function isPortfolioRecord(value: unknown): value is PortfolioRecord {
  if (typeof value !== "object" || value === null) return false;
  if (!("g" in value && "a" in value && "s" in value && "r" in value)) return false;
  if (!("v" in value && "n" in value && "t" in value && "f" in value)) return false;
  const { g, a, s, r, v, n, t, f } = value;
  return (
    isText(g) &&
    isTextOrNull(a) &&
    oneOf(PROJECT_STATUS_VALUES, isText(s) ? s : null) !== null &&
    Array.isArray(r) &&
    r.length === 4 &&
    isTextOrNull(r[0]) &&
    isText(r[1]) &&
    isTextOrNull(r[2]) &&
    isTextOrNull(r[3]) &&
    Array.isArray(v) &&
    v.length === 4 &&
    isNumberOrNull(v[0]) &&
    isTextOrNull(v[1]) &&
    isTextOrNull(v[2]) &&
    isNumberOrNull(v[3]) &&
    Array.isArray(n) &&
    n.length === 3 &&
    n.every((count) => typeof count === "number") &&
    Array.isArray(t) &&
    t.length === 5 &&
    t.every(isText) &&
    typeof f === "boolean"
  );
}

/** What a record is filtered on. */
export function recordKeys(record: PortfolioRecord): RowKeys {
  const [pmoId, name, responsable, vertical] = record.r;
  return {
    status: record.s,
    pmo: fold(pmoId ?? ""),
    resp: responsable ?? "",
    vertical: vertical ?? "",
    sevs: SEVERITY_VALUES.filter((_, i) => (record.n[i] ?? 0) > 0),
    text: searchText([name, pmoId, responsable, vertical]),
  };
}

export function recordSortValue(record: PortfolioRecord, column: PortfolioColumn): SortValue {
  switch (column) {
    case "pmo":
      return record.r[0];
    case "name":
      return record.r[1];
    case "resp":
      return record.r[2];
    case "vertical":
      return record.r[3];
    case "status":
      return record.s === "none" ? null : record.s;
    case "progress":
      return record.v[0];
    case "due":
      return record.v[1];
    case "high":
      return record.n[0];
    case "medium":
      return record.n[1];
    case "low":
      return record.n[2];
    case "update":
      return record.v[2];
    case "fresh":
      return record.v[3];
  }
}

/** Sorts in place by the filters' column, then PMO ID, then name (server and browser alike). */
export function sortRecords<T>(
  items: T[],
  recordOf: (item: T) => PortfolioRecord,
  sort: Pick<PortfolioFilters, "sort" | "dir">,
): T[] {
  return items.sort((x, y) => {
    const a = recordOf(x);
    const b = recordOf(y);
    return (
      compareSortValues(recordSortValue(a, sort.sort), recordSortValue(b, sort.sort), sort.dir) ||
      compareSortValues(a.r[0], b.r[0], "asc") ||
      compareSortValues(a.r[1], b.r[1], "asc")
    );
  });
}

/** The name a row shows: the project's, or its gid when it has none. */
export function shownName(record: PortfolioRecord): string {
  return record.r[1].trim() === "" ? record.g : record.r[1];
}
