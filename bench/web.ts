import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { BrowserContext, Page } from "playwright-core";
import { z } from "zod";
import { nextMessage } from "./child-process.ts";
import { launchChromium } from "./chromium.ts";

/**
 * `npm run bench -- web [--projects 1400] [--findings 5000] [--rounds 20] [--json]`: the web
 * dashboard in a real headless Chromium against its server in another process. Times are
 * milliseconds until the content is there: the portfolio's table with its script ready (each load
 * in a fresh browser context: nothing cached), a filter change until the next frame is painted
 * (measured in the page), a project page until its heading shows. pageKb is what the portfolio
 * load transferred (compressed, with its assets); rssGrowthMb the server's resident memory after
 * the rounds minus after the first load.
 */

const ready = z.object({ type: z.literal("ready"), url: z.string(), projectGids: z.array(z.string()) });
const linkMessage = z.object({ type: z.literal("link"), url: z.string() });

const round1 = (value: number) => Math.round(value * 10) / 10;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round1(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
}

const summary = (values: readonly number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95) });

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return round1(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "0") / 1024);
}

export type WebBenchResult = {
  portfolio: { p50: number; p95: number };
  filter: { p50: number; p95: number };
  project: { p50: number; p95: number };
  pageKb: number;
  rssGrowthMb: number;
  settings: { projects: number; findings: number; rounds: number };
};

const FILTER_SCRIPT = (value: string) => `new Promise((done) => {
  const select = document.querySelector("select[name=vertical]");
  const started = performance.now();
  select.value = ${JSON.stringify(value)};
  select.dispatchEvent(new Event("change", { bubbles: true }));
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - started), 0));
})`;

export async function benchWeb(args: string[]): Promise<WebBenchResult> {
  const { values } = parseArgs({
    args,
    options: {
      projects: { type: "string", default: "1400" },
      findings: { type: "string", default: "5000" },
      rounds: { type: "string", default: "20" },
    },
    strict: true,
  });
  const projects = z.coerce.number().int().min(1).parse(values.projects);
  const findings = z.coerce.number().int().min(0).parse(values.findings);
  const rounds = z.coerce.number().int().min(2).parse(values.rounds);
  const server = fork(
    join(import.meta.dirname, "web-server-child.ts"),
    [JSON.stringify({ projects, findings })],
    {
      execArgv: ["--optimize-for-size", "--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const browser = await launchChromium();
  try {
    const { url, projectGids } = await nextMessage(server, ready);
    const signInLink = async (): Promise<string> => {
      const answer = nextMessage(server, linkMessage);
      server.send("link");
      return (await answer).url;
    };
    const newSession = async (): Promise<BrowserContext> => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "es-ES" });
      const page = await context.newPage();
      await page.goto(await signInLink());
      await page.click("#continue");
      await page.waitForURL(`${url}/`);
      await page.close();
      await context.clearCookies({ name: "pmo_lang" });
      return context;
    };
    const session = await newSession();
    const cookies = await session.cookies();
    const loadPortfolio = async (): Promise<{ ms: number; kb: number }> => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "es-ES" });
      await context.addCookies(cookies);
      const page = await context.newPage();
      const responses: Promise<number>[] = [];
      page.on("response", (response) => {
        responses.push(
          response
            .request()
            .sizes()
            .then((s) => s.responseBodySize + s.responseHeadersSize)
            .catch(() => 0),
        );
      });
      const started = performance.now();
      await page.goto(`${url}/`, { waitUntil: "commit" });
      await page.waitForSelector("#portfolio[data-enhanced=true] tbody tr");
      const ms = performance.now() - started;
      await page.waitForLoadState("load");
      const bytes = (await Promise.all(responses)).reduce((a, b) => a + b, 0);
      await context.close();
      return { ms, kb: bytes / 1024 };
    };

    const first = await loadPortfolio();
    const rssBefore = rssMb(server.pid ?? 0);
    const portfolio: number[] = [];
    for (let i = 0; i < rounds; i++) portfolio.push((await loadPortfolio()).ms);

    const page: Page = await session.newPage();
    await page.goto(`${url}/`);
    await page.waitForSelector("#portfolio[data-enhanced=true]");
    const verticals = await page
      .locator("select[name=vertical] option")
      .evaluateAll((options) => options.map((o) => o.getAttribute("value") ?? ""));
    const filter: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const value = verticals[i % verticals.length] ?? "";
      filter.push(Number(await page.evaluate(FILTER_SCRIPT(value))));
    }

    const project: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const gid = projectGids[i % projectGids.length] ?? "";
      const started = performance.now();
      await page.goto(`${url}/projects/${gid}`, { waitUntil: "commit" });
      await page.waitForSelector("h1.project-name");
      project.push(performance.now() - started);
    }
    const rssAfter = rssMb(server.pid ?? 0);
    return {
      portfolio: summary(portfolio),
      filter: summary(filter),
      project: summary(project),
      pageKb: round1(first.kb),
      rssGrowthMb: round1(rssAfter - rssBefore),
      settings: { projects, findings, rounds },
    };
  } finally {
    await browser.close();
    server.send("stop");
  }
}

export function describeWebBench(result: WebBenchResult): string {
  const { settings: s } = result;
  return [
    `web dashboard: ${s.projects} projects, ${s.findings} findings, ${s.rounds} rounds (headless Chromium)`,
    `portfolio first load: p50 ${result.portfolio.p50} ms, p95 ${result.portfolio.p95} ms (target p95 < 1000)`,
    `filter change: p50 ${result.filter.p50} ms, p95 ${result.filter.p95} ms (target p95 < 200)`,
    `project page: p50 ${result.project.p50} ms, p95 ${result.project.p95} ms (target p95 < 500)`,
    `portfolio page transferred: ${result.pageKb} KB (target < 500)`,
    `server RSS growth: ${result.rssGrowthMb} MB (target < 30)`,
  ].join("\n");
}
