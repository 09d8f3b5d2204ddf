import { t } from "../services/i18n/index.ts";
import type { ChartsData } from "./charts-data.ts";
import { type Html, html, jsonBlock } from "./html.ts";
import { tw } from "./i18n.ts";
import { type AssetUrls, type PageContext, page } from "./layout.ts";

/** Charts where a person would rather look than read; the figures travel as a JSON data block. */

export const OVER_TIME_DAYS = 90;

export function chartsPage(ctx: PageContext, assets: AssetUrls, data: ChartsData): Html {
  const l = ctx.locale;
  const chart = (id: string, title: string) =>
    html`<figure class="chart"><figcaption>${title}</figcaption><div class="canvas"><canvas id="${id}" role="img" aria-label="${title}"></canvas></div></figure>`;
  const labels = {
    high: t(l, "severity.high"),
    medium: t(l, "severity.medium"),
    low: t(l, "severity.low"),
    percent: "%",
    seconds: tw(l, "charts.syncDuration"),
    full: tw(l, "sync.kind.full"),
    partial: tw(l, "sync.kind.partial"),
  };
  const body = html`<h1>${tw(l, "charts.title")}</h1>
<div class="charts">
${chart("chart-over-time", tw(l, "charts.severityOverTime", { days: OVER_TIME_DAYS }))}
${chart("chart-by-vertical", tw(l, "charts.byVertical"))}
${chart("chart-compliance-responsable", tw(l, "charts.complianceByResponsable"))}
${chart("chart-compliance-vertical", tw(l, "charts.complianceByVertical"))}
${chart("chart-sync-duration", tw(l, "charts.syncDuration"))}
</div>
${jsonBlock("chart-data", data)}
${jsonBlock("chart-labels", labels)}`;
  return page(ctx, assets, { title: tw(l, "charts.title"), active: "charts", body, scripts: ["charts"] });
}
