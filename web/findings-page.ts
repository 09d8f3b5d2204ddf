import type { Actor, Authorization } from "../services/authorization/authorization.ts";
import { t } from "../services/i18n/index.ts";
import { ACTIVE_FINDING_STATUSES, type Finding, type Project } from "../services/model.ts";
import type { FindingWithProject } from "../services/slack/blocks/finding-parts.ts";
import { findingForms, findingState, findingText, severityBadge } from "./finding-view.ts";
import { type Html, html } from "./html.ts";
import { tw } from "./i18n.ts";
import { type AssetUrls, dateTime, type PageContext, page } from "./layout.ts";
import { fold, NONE_VALUE, SEVERITY_VALUES, searchText } from "./portfolio-model.ts";

/** The findings still asking for attention (open, acknowledged, snoozed), filtered, a page at a time. */

export const FINDINGS_PAGE_SIZE = 100;

export type FindingsFilters = {
  status: (typeof ACTIVE_FINDING_STATUSES)[number] | null;
  sev: (typeof SEVERITY_VALUES)[number] | null;
  vertical: string | null;
  q: string;
  page: number;
};

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | null =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : null;

export function parseFindingsQuery(params: URLSearchParams): FindingsFilters {
  const vertical = (params.get("vertical") ?? "").trim().slice(0, 100);
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    status: oneOf(ACTIVE_FINDING_STATUSES, params.get("status")),
    sev: oneOf(SEVERITY_VALUES, params.get("sev")),
    vertical: vertical === "" ? null : vertical,
    q: (params.get("q") ?? "").trim().slice(0, 100),
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, 10_000) : 1,
  };
}

export function findingsQuery(filters: FindingsFilters, page = filters.page): string {
  const params = new URLSearchParams();
  if (filters.status !== null) params.set("status", filters.status);
  if (filters.sev !== null) params.set("sev", filters.sev);
  if (filters.vertical !== null) params.set("vertical", filters.vertical);
  if (filters.q !== "") params.set("q", filters.q);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  return query === "" ? "" : `?${query}`;
}

export function filterFindings(
  entries: readonly FindingWithProject[],
  filters: FindingsFilters,
): FindingWithProject[] {
  const words = filters.q === "" ? [] : fold(filters.q).split(" ");
  return entries.filter(({ finding, project }) => {
    if (filters.status !== null && finding.status !== filters.status) return false;
    if (filters.sev !== null && finding.severity !== filters.sev) return false;
    const vertical = project?.businessVertical ?? "";
    if (
      filters.vertical !== null &&
      (filters.vertical === NONE_VALUE ? vertical !== "" : vertical !== filters.vertical)
    )
      return false;
    if (words.length > 0) {
      const text = searchText([
        project?.name ?? null,
        project?.pmoId ?? null,
        project?.responsable ?? null,
        vertical,
        finding.ruleId,
      ]);
      if (!words.every((w) => text.includes(w))) return false;
    }
    return true;
  });
}

function select(
  name: string,
  label: string,
  values: readonly { value: string; label: string }[],
  selected: string | null,
): Html {
  return html`<label>${label} <select name="${name}">${values.map(
    (o) =>
      html`<option value="${o.value}"${o.value === (selected ?? "") ? html` selected` : ""}>${o.label}</option>`,
  )}</select></label>`;
}

export function findingsPage(
  ctx: PageContext,
  assets: AssetUrls,
  input: {
    entries: readonly FindingWithProject[];
    verticals: readonly string[];
    filters: FindingsFilters;
    actor: Actor;
    authorization: Pick<Authorization, "decide">;
  },
): Html {
  const l = ctx.locale;
  const { filters } = input;
  const matching = filterFindings(input.entries, filters);
  const pages = Math.max(1, Math.ceil(matching.length / FINDINGS_PAGE_SIZE));
  const current = Math.min(filters.page, pages);
  const shown = matching.slice((current - 1) * FINDINGS_PAGE_SIZE, current * FINDINGS_PAGE_SIZE);
  const any = { value: "", label: tw(l, "filter.any") };
  const back = `/findings${findingsQuery(filters, current)}`;
  const row = ({ finding, project }: { finding: Finding; project: Project | null }) => {
    const name = project === null || project.name.trim() === "" ? finding.projectGid : project.name;
    return html`<tr><td>${severityBadge(ctx, finding)}</td><td><a href="/projects/${encodeURIComponent(finding.projectGid)}">${name}</a><br><small>${project?.pmoId ?? ""}</small></td><td>${project?.responsable ?? tw(l, "value.none")}</td><td>${findingText(ctx, finding)}</td><td>${findingState(ctx, finding)}</td><td>${dateTime(ctx, finding.createdAt)}</td><td>${findingForms(ctx, finding, project, input.actor, input.authorization, back)}</td></tr>`;
  };
  const body = html`<h1>${tw(l, "findings.title")}</h1>
<form class="filters" method="get" action="/findings">
<label>${tw(l, "filter.text")} <input type="search" name="q" value="${filters.q}" maxlength="100"></label>
${select("status", tw(l, "filter.findingStatus"), [any, ...ACTIVE_FINDING_STATUSES.map((s) => ({ value: s, label: tw(l, `findingStatus.${s}`) }))], filters.status)}
${select("sev", tw(l, "filter.severity"), [any, ...SEVERITY_VALUES.map((s) => ({ value: s, label: t(l, `severity.${s}`) }))], filters.sev)}
${select("vertical", tw(l, "filter.vertical"), [any, { value: NONE_VALUE, label: tw(l, "filter.none") }, ...input.verticals.map((v) => ({ value: v, label: v }))], filters.vertical)}
<button type="submit">${tw(l, "filter.apply")}</button> <a href="/findings">${tw(l, "filter.clear")}</a>
</form>
<p class="toolbar">${tw(l, "findings.count", { shown: matching.length, total: input.entries.length })} · ${tw(l, "findings.page", { page: current, pages })}
${current > 1 ? html` · <a rel="prev" href="/findings${findingsQuery(filters, current - 1)}">${tw(l, "findings.previous")}</a>` : ""}
${current < pages ? html` · <a rel="next" href="/findings${findingsQuery(filters, current + 1)}">${tw(l, "findings.next")}</a>` : ""}</p>
${shown.length === 0 ? html`<p class="empty">${tw(l, "findings.empty")}</p>` : html`<div class="scroll"><table class="grid findings"><thead><tr><th>${tw(l, "col.severity")}</th><th>${tw(l, "col.name")}</th><th>${tw(l, "col.responsable")}</th><th>${tw(l, "col.finding")}</th><th>${tw(l, "col.findingStatus")}</th><th>${tw(l, "col.detected")}</th><th>${tw(l, "col.actions")}</th></tr></thead><tbody>${shown.map(row)}</tbody></table></div>`}`;
  return page(ctx, assets, { title: tw(l, "findings.title"), active: "findings", body });
}
