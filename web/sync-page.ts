import type { SyncRun } from "../services/model.ts";
import { ageText } from "../services/slack/blocks/home/home-view.ts";
import { type Html, html } from "./html.ts";
import { tw } from "./i18n.ts";
import { type AssetUrls, dateTime, type PageContext, page } from "./layout.ts";

/** The sync log: recent runs with their figures, and how old the last good one is. */

export function lastGoodSync(runs: readonly SyncRun[]): SyncRun | null {
  return runs.find((run) => run.status === "completed" && run.completedAt !== null) ?? null;
}

export function freshnessLine(ctx: PageContext, runs: readonly SyncRun[]): Html {
  const last = lastGoodSync(runs);
  if (last === null || last.completedAt === null)
    return html`<p class="freshness stale">${tw(ctx.locale, "freshness.never")}</p>`;
  return html`<p class="freshness">${tw(ctx.locale, "freshness.lastSync", {
    date: dateTime(ctx, last.completedAt),
    age: ageText(ctx.locale, last.completedAt, ctx.now),
  })}</p>`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export function syncPage(ctx: PageContext, assets: AssetUrls, runs: readonly SyncRun[]): Html {
  const l = ctx.locale;
  const row = (run: SyncRun) => {
    const failures = [
      run.errorMessage,
      run.warning,
      run.staleProjects > 0 ? tw(l, "sync.stale", { count: run.staleProjects }) : null,
    ].filter((x) => x !== null);
    return html`<tr class="${run.status}"><td>${dateTime(ctx, run.startedAt)}</td><td>${tw(l, `sync.kind.${run.kind}`)}</td><td>${tw(l, `sync.status.${run.status}`)}</td><td class="n">${seconds(run.durationMs)}</td><td class="n">${run.projectsSynced}</td><td class="n">${run.changesDetected}</td><td class="n">${run.asanaCalls}</td><td class="n">${run.throttled}</td><td>${failures.join(" · ")}</td></tr>`;
  };
  const body = html`<h1>${tw(l, "sync.title")}</h1>
${freshnessLine(ctx, runs)}
${runs.length === 0 ? html`<p class="empty">${tw(l, "sync.none")}</p>` : html`<div class="scroll"><table class="grid" id="syncs"><thead><tr><th>${tw(l, "sync.col.started")}</th><th>${tw(l, "sync.col.kind")}</th><th>${tw(l, "sync.col.status")}</th><th>${tw(l, "sync.col.duration")}</th><th>${tw(l, "sync.col.projects")}</th><th>${tw(l, "sync.col.changes")}</th><th>${tw(l, "sync.col.calls")}</th><th>${tw(l, "sync.col.throttled")}</th><th>${tw(l, "sync.col.failures")}</th></tr></thead><tbody>${runs.map(row)}</tbody></table></div>`}`;
  return page(ctx, assets, { title: tw(l, "sync.title"), active: "sync", body });
}
