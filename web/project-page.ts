import type { Actor, Authorization } from "../services/authorization/authorization.ts";
import { t } from "../services/i18n/index.ts";
import {
  type ChangeEntry,
  type ChangeValue,
  CRITICAL_FIELDS,
  type Finding,
  PROJECT_STATUSES,
  type Project,
  type StatusUpdate,
} from "../services/model.ts";
import { decodeFindingChange } from "../services/rules/finding-state-codec.ts";
import { findingForms, findingState, findingText, severityBadge } from "./finding-view.ts";
import { type Html, html, safeHref } from "./html.ts";
import { tw } from "./i18n.ts";
import { type AssetUrls, calendarDate, dateTime, type PageContext, page } from "./layout.ts";

/**
 * A project: its fields, its open and past findings, its changelog as a timeline (before -> after,
 * and where the change came from), the status updates received from Slack with the interpreter's
 * reading, and how fresh its last update is.
 */

export type ProjectPageInput = {
  project: Project;
  findings: readonly Finding[];
  changes: readonly ChangeEntry[];
  updates: readonly StatusUpdate[];
  actor: Actor;
  authorization: Pick<Authorization, "decide">;
  freshUpdateDays: number;
};

const isCritical = (field: string): field is (typeof CRITICAL_FIELDS)[number] =>
  (CRITICAL_FIELDS as readonly string[]).includes(field);
const isStatus = (value: string): value is (typeof PROJECT_STATUSES)[number] =>
  (PROJECT_STATUSES as readonly string[]).includes(value);

function valueText(ctx: PageContext, field: string, value: ChangeValue): string {
  if (value === null || value === "") return tw(ctx.locale, "value.none");
  if (field === "status" && typeof value === "string" && isStatus(value))
    return t(ctx.locale, `projectStatus.${value}`);
  if (field === "dueOn" && typeof value === "string") return calendarDate(ctx.locale, value);
  if (field === "progressPercent" && typeof value === "number") return `${value} %`;
  return String(value);
}

function changeItem(ctx: PageContext, entry: ChangeEntry): Html {
  const finding = decodeFindingChange(entry);
  let what: Html;
  if (finding !== null) {
    const state = (s: { status: Finding["status"]; severity: Finding["severity"] } | null) =>
      s === null
        ? tw(ctx.locale, "value.none")
        : `${tw(ctx.locale, `findingStatus.${s.status}`)} · ${t(ctx.locale, `severity.${s.severity}`)}`;
    what = html`<b>${tw(ctx.locale, "change.finding", { rule: finding.ruleId })}</b>: ${state(finding.from)} → ${state(finding.to)}`;
  } else {
    const field = isCritical(entry.fieldName) ? t(ctx.locale, `field.${entry.fieldName}`) : entry.fieldName;
    what = html`<b>${field}</b>: <del>${valueText(ctx, entry.fieldName, entry.oldValue)}</del> → <ins>${valueText(ctx, entry.fieldName, entry.newValue)}</ins>`;
  }
  return html`<li><time datetime="${entry.detectedAt}">${dateTime(ctx, entry.detectedAt)}</time> <span class="source ${entry.source}">${tw(ctx.locale, `source.${entry.source}`)}</span> ${what}${entry.actor === null ? "" : html` <small>${tw(ctx.locale, "change.by", { user: entry.actor })}</small>`}</li>`;
}

function listOf(title: string, items: readonly string[]): Html {
  return items.length === 0
    ? html``
    : html`<div><b>${title}</b><ul>${items.map((i) => html`<li>${i}</li>`)}</ul></div>`;
}

function updateItem(ctx: PageContext, update: StatusUpdate): Html {
  const l = ctx.locale;
  const p = update.parsed;
  return html`<article class="update">
<p class="meta">${tw(l, "reading.by", { user: update.slackUserId, date: dateTime(ctx, update.submittedAt) })}</p>
<blockquote class="text">${update.text}</blockquote>
<div class="reading"><h4>${tw(l, "project.reading")}</h4>
${p.progress === null ? "" : html`<p>${tw(l, "reading.progress", { value: p.progress })}</p>`}
${p.health === null ? "" : html`<p>${tw(l, "reading.health", { value: t(l, `projectStatus.${p.health}`) })}</p>`}
${p.eta === null ? "" : html`<p>${tw(l, "reading.eta", { value: calendarDate(l, p.eta) })}</p>`}
${listOf(tw(l, "reading.risks"), p.risks)}${listOf(tw(l, "reading.blockers"), p.blockers)}${listOf(tw(l, "reading.nextSteps"), p.nextSteps)}
</div>
</article>`;
}

function field(label: string, value: Html | string): Html {
  return html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}

function freshness(ctx: PageContext, project: Project, freshUpdateDays: number): Html {
  if (project.lastStatusUpdateAt === null)
    return html`<span class="stale">${tw(ctx.locale, "freshness.none")}</span>`;
  const days = Math.floor((ctx.now.getTime() - Date.parse(project.lastStatusUpdateAt)) / 86_400_000);
  const fresh = ctx.now.getTime() - Date.parse(project.lastStatusUpdateAt) <= freshUpdateDays * 86_400_000;
  return html`<span class="${fresh ? "fresh" : "stale"}">${tw(ctx.locale, fresh ? "freshness.fresh" : "freshness.stale", { days: Math.max(0, days) })}</span> · ${dateTime(ctx, project.lastStatusUpdateAt)}`;
}

export function projectPage(ctx: PageContext, assets: AssetUrls, input: ProjectPageInput): Html {
  const { project: p } = input;
  const l = ctx.locale;
  const none = tw(l, "value.none");
  const name = p.name.trim() === "" ? p.gid : p.name;
  const asana = safeHref(p.permalinkUrl);
  const back = `/projects/${encodeURIComponent(p.gid)}`;
  const open = input.findings.filter((f) => f.status !== "resolved");
  const past = input.findings.filter((f) => f.status === "resolved");
  const findingRow = (f: Finding) =>
    html`<tr><td>${severityBadge(ctx, f)}</td><td>${findingText(ctx, f)}</td><td>${findingState(ctx, f)}</td><td>${dateTime(ctx, f.createdAt)}</td><td>${findingForms(ctx, f, p, input.actor, input.authorization, back)}</td></tr>`;
  const findingTable = (list: readonly Finding[], empty: string) =>
    list.length === 0
      ? html`<p class="empty">${empty}</p>`
      : html`<table class="grid findings"><thead><tr><th>${tw(l, "col.severity")}</th><th>${tw(l, "col.finding")}</th><th>${tw(l, "col.findingStatus")}</th><th>${tw(l, "col.detected")}</th><th>${tw(l, "col.actions")}</th></tr></thead><tbody>${list.map(findingRow)}</tbody></table>`;
  const body = html`<h1 class="project-name">${name}</h1>
${asana === null ? "" : html`<p><a href="${asana}" rel="noopener noreferrer" target="_blank">${tw(l, "asana.open")} ↗</a></p>`}
${p.removedAt === null ? "" : html`<p class="notice error">${tw(l, "project.removed", { date: dateTime(ctx, p.removedAt), reason: p.removedReason ?? "" })}</p>`}
${p.stale ? html`<p class="notice error">${tw(l, "project.stale")}</p>` : ""}
<section><h2>${tw(l, "project.fields")}</h2>
<table class="fields">
${field(t(l, "field.pmoId"), p.pmoId ?? none)}
${field(t(l, "field.responsable"), p.responsable ?? none)}
${field(t(l, "field.businessVertical"), p.businessVertical ?? none)}
${field(tw(l, "field.team"), p.team ?? none)}
${field(t(l, "field.status"), html`<span class="status ${p.status}">${t(l, `projectStatus.${p.status}`)}</span>`)}
${field(tw(l, "project.statusText"), p.statusText ?? none)}
${field(t(l, "field.progressPercent"), p.progressPercent === null ? none : `${p.progressPercent} %`)}
${field(tw(l, "field.reportedProgress"), p.reportedProgress === null ? none : `${p.reportedProgress} %`)}
${field(tw(l, "field.startOn"), calendarDate(l, p.startOn))}
${field(t(l, "field.dueOn"), calendarDate(l, p.dueOn))}
${field(t(l, "field.totalTasks"), tw(l, "project.tasks", { completed: p.completedTasks ?? "?", total: p.totalTasks ?? "?", pending: p.pendingTasks ?? "?" }))}
${field(tw(l, "project.lastActivity"), dateTime(ctx, p.lastActivityAt))}
${field(tw(l, "col.freshness"), freshness(ctx, p, input.freshUpdateDays))}
${field(tw(l, "project.lastSynced"), dateTime(ctx, p.lastSyncedAt))}
</table></section>
<section><h2>${tw(l, "project.openFindings")}</h2>${findingTable(open, tw(l, "project.noOpenFindings"))}</section>
<section><h2>${tw(l, "project.pastFindings")}</h2>${findingTable(past, tw(l, "project.noPastFindings"))}</section>
<section><h2>${tw(l, "project.updates")}</h2>${input.updates.length === 0 ? html`<p class="empty">${tw(l, "project.noUpdates")}</p>` : input.updates.map((u) => updateItem(ctx, u))}</section>
<section><h2>${tw(l, "project.changelog")}</h2>${input.changes.length === 0 ? html`<p class="empty">${tw(l, "project.noChanges")}</p>` : html`<ol class="timeline">${input.changes.map((c) => changeItem(ctx, c))}</ol>`}</section>`;
  return page(ctx, assets, { title: tw(l, "project.title", { name }), active: null, body });
}
