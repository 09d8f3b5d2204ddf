import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

/** Draws the charts page from its JSON data blocks (never executed as script under the CSP). */

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

type Series = { labels: string[]; high: number[]; medium: number[]; low: number[] };
type Share = { labels: string[]; percent: number[]; projects: number[] };
type Data = {
  overTime: Series;
  byVertical: Series;
  complianceByResponsable: Share;
  complianceByVertical: Share;
  syncDurations: { labels: string[]; seconds: number[]; kinds: string[] };
};
type Labels = Record<"high" | "medium" | "low" | "percent" | "seconds" | "full" | "partial", string>;

const COLORS = { high: "#d93025", medium: "#f9ab00", low: "#188038", bar: "#1a73e8" };

function readJson(id: string): unknown {
  const text = document.getElementById(id)?.textContent;
  return text === undefined || text === null ? null : JSON.parse(text);
}

function canvas(id: string): HTMLCanvasElement | null {
  const element = document.getElementById(id);
  return element instanceof HTMLCanvasElement ? element : null;
}

function severityDatasets(series: Series, labels: Labels, fill: boolean) {
  return (["high", "medium", "low"] as const).map((s) => ({
    label: labels[s],
    data: series[s],
    backgroundColor: COLORS[s],
    borderColor: COLORS[s],
    fill,
    pointRadius: 0,
  }));
}

function draw(data: Data, labels: Labels): void {
  const animation = false as const;
  const overTime = canvas("chart-over-time");
  if (overTime !== null)
    new Chart(overTime, {
      type: "line",
      data: { labels: data.overTime.labels, datasets: severityDatasets(data.overTime, labels, false) },
      options: { animation, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  const byVertical = canvas("chart-by-vertical");
  if (byVertical !== null)
    new Chart(byVertical, {
      type: "bar",
      data: { labels: data.byVertical.labels, datasets: severityDatasets(data.byVertical, labels, true) },
      options: {
        animation,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true } },
      },
    });
  for (const [id, share] of [
    ["chart-compliance-responsable", data.complianceByResponsable],
    ["chart-compliance-vertical", data.complianceByVertical],
  ] as const) {
    const element = canvas(id);
    if (element === null) continue;
    new Chart(element, {
      type: "bar",
      data: {
        labels: share.labels,
        datasets: [{ label: labels.percent, data: share.percent, backgroundColor: COLORS.bar }],
      },
      options: {
        animation,
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: { min: 0, max: 100 } },
        plugins: { legend: { display: false } },
      },
    });
  }
  const sync = canvas("chart-sync-duration");
  if (sync !== null)
    new Chart(sync, {
      type: "line",
      data: {
        labels: data.syncDurations.labels,
        datasets: [
          {
            label: labels.seconds,
            data: data.syncDurations.seconds,
            borderColor: COLORS.bar,
            backgroundColor: COLORS.bar,
          },
        ],
      },
      options: { animation, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  document.body.dataset.charts = "drawn";
}

const data = readJson("chart-data");
const labels = readJson("chart-labels");
if (data !== null && labels !== null) draw(data as Data, labels as Labels);
