import { TZDate } from "@date-fns/tz";
import { type ChangeEntry, SEVERITIES, type Severity, type SyncRun } from "../services/model.ts";
import { decodeFindingChange } from "../services/rules/finding-state-codec.ts";
import type { FindingWithProject } from "../services/slack/blocks/finding-parts.ts";
import type { PortfolioRow } from "./portfolio-page.ts";

/** The figures behind the charts page, pure: the page sends them as JSON and Chart.js draws them. */

export type SeverityCounts = { readonly [S in Severity]: number[] };
export type SeriesBySeverity = { labels: string[] } & SeverityCounts;
export type Share = { labels: string[]; percent: number[]; projects: number[] };
export type SyncPoints = { labels: string[]; seconds: number[]; kinds: string[] };

export type ChartsData = {
  overTime: SeriesBySeverity;
  byVertical: SeriesBySeverity;
  complianceByResponsable: Share;
  complianceByVertical: Share;
  syncDurations: SyncPoints;
};

const DAY_MS = 86_400_000;

function dayKey(instant: number, timeZone: string): string {
  const d = new TZDate(instant, timeZone);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/**
 * Open findings (open, acknowledged or snoozed) by severity at the end of each of the last `days`
 * days, replayed from the rules' changelog entries (`finding:<ruleId>`, one per change of state).
 */
export function severityOverTime(
  changes: readonly ChangeEntry[],
  now: Date,
  days: number,
  timeZone: string,
): SeriesBySeverity {
  const events = changes
    .map((entry) => ({ entry, change: decodeFindingChange(entry) }))
    .filter((e) => e.change !== null)
    .sort((a, b) => a.entry.detectedAt.localeCompare(b.entry.detectedAt));
  const state = new Map<string, { active: boolean; severity: Severity }>();
  const out: SeriesBySeverity = { labels: [], high: [], medium: [], low: [] };
  let next = 0;
  for (let i = days - 1; i >= 0; i--) {
    const endOfDay = now.getTime() - i * DAY_MS;
    while (next < events.length) {
      const event = events[next];
      if (event === undefined || Date.parse(event.entry.detectedAt) > endOfDay || event.change === null)
        break;
      state.set(`${event.entry.projectGid}#${event.change.ruleId}`, {
        active: event.change.to.status !== "resolved",
        severity: event.change.to.severity,
      });
      next++;
    }
    const counts = { high: 0, medium: 0, low: 0 };
    for (const s of state.values()) if (s.active) counts[s.severity]++;
    out.labels.push(dayKey(endOfDay, timeZone));
    for (const severity of SEVERITIES) out[severity].push(counts[severity]);
  }
  return out;
}

export function findingsByVertical(
  entries: readonly FindingWithProject[],
  noVertical: string,
): SeriesBySeverity {
  const byVertical = new Map<string, { high: number; medium: number; low: number }>();
  for (const { finding, project } of entries) {
    const key = project?.businessVertical ?? noVertical;
    const counts = byVertical.get(key) ?? { high: 0, medium: 0, low: 0 };
    counts[finding.severity]++;
    byVertical.set(key, counts);
  }
  const sorted = [...byVertical.entries()].sort(
    (a, b) => b[1].high + b[1].medium + b[1].low - (a[1].high + a[1].medium + a[1].low),
  );
  return {
    labels: sorted.map(([label]) => label),
    high: sorted.map(([, c]) => c.high),
    medium: sorted.map(([, c]) => c.medium),
    low: sorted.map(([, c]) => c.low),
  };
}

/** The share of active projects with a fresh status update, per group, the least compliant first. */
export function compliance(
  rows: readonly PortfolioRow[],
  groupOf: (row: PortfolioRow) => string,
  limit: number,
): Share {
  const groups = new Map<string, { fresh: number; total: number }>();
  for (const row of rows) {
    if (row.project.removedAt !== null) continue;
    const key = groupOf(row);
    const g = groups.get(key) ?? { fresh: 0, total: 0 };
    g.total++;
    if (row.fresh) g.fresh++;
    groups.set(key, g);
  }
  const sorted = [...groups.entries()]
    .map(([label, g]) => ({ label, percent: Math.round((100 * g.fresh) / g.total), total: g.total }))
    .sort((a, b) => a.percent - b.percent || b.total - a.total)
    .slice(0, limit);
  return {
    labels: sorted.map((s) => s.label),
    percent: sorted.map((s) => s.percent),
    projects: sorted.map((s) => s.total),
  };
}

export function syncDurations(runs: readonly SyncRun[], timeZone: string): SyncPoints {
  const done = runs.filter((r) => r.status === "completed").reverse();
  return {
    labels: done.map((r) => {
      const d = new TZDate(Date.parse(r.startedAt), timeZone);
      return `${dayKey(d.getTime(), timeZone)} ${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
    }),
    seconds: done.map((r) => Math.round(r.durationMs / 100) / 10),
    kinds: done.map((r) => r.kind),
  };
}
