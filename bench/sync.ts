import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { z } from "zod";
import { createLogger } from "../app/logger.ts";
import { runSync } from "../jobs/asana-sync.ts";
import { createAsanaClient, REQUESTS_PER_MINUTE } from "../services/asana/client.ts";
import { DEFAULT_CUSTOM_FIELD_NAMES } from "../services/asana/mapper.ts";
import type { SyncSummary } from "../services/model.ts";
import { openStore } from "../services/store/client.ts";
import { ensureTables } from "../services/store/ensure-tables.ts";
import { createRepositories } from "../services/store/repositories.ts";
import { asanaSandboxMutated, asanaSandboxReady, nextMessage } from "./child-process.ts";

/**
 * `npm run bench -- sync [--projects 1400] [--changed 0.05] [--latency-ms 150] [--plan paid|free]
 * [--rpm N] [--store embedded|endpoint] [--json]`: sandbox Asana (its own process) + the
 * embedded store (in this process, as `npm start` keeps it) or a DynamoDB endpoint (dynalite in a
 * process of its own, as on AWS); one full sync on an empty store, a change to a share of the projects, one partial sync. Prints, per sync: wall
 * seconds, Asana calls and the fewest the design allows, the lower bound Asana's limits allow for
 * those calls, their ratio, 429s, DynamoDB reads and writes, peak RSS.
 */

const PAGE = 100;
const CONCURRENT_GETS = 50;
const READS = new Set([
  "GetItemCommand",
  "BatchGetItemCommand",
  "QueryCommand",
  "ScanCommand",
  "DescribeTableCommand",
  "DescribeTimeToLiveCommand",
]);
const WRITES = new Set([
  "PutItemCommand",
  "UpdateItemCommand",
  "DeleteItemCommand",
  "BatchWriteItemCommand",
  "CreateTableCommand",
]);

export type SyncFigures = {
  wallS: number;
  calls: number;
  minCalls: number;
  boundS: number;
  ratio: number;
  throttled: number;
  ddbReads: number;
  ddbWrites: number;
  rssMb: number;
  /** RSS when the sync started: the process with its modules, the embedded store and the client. */
  rssBaseMb: number;
  projects: number;
  changesDetected: number;
  /**
   * How late the event loop ran what was due during the sync (ms): what a Slack ack waits for when
   * the sync runs in the app's process.
   */
  loopDelayMs: { p50: number; p99: number; max: number };
};

const endpointReady = z.object({ type: z.literal("ready"), endpoint: z.string() });

/** Lower bound of a sync's wall time under Asana's limits (issue 3 item 7). */
export function boundSeconds(calls: number, pages: number, latencyMs: number, perMinute: number): number {
  const latencyBound = (pages * latencyMs + ((calls - pages) * latencyMs) / CONCURRENT_GETS) / 1000;
  const budgetBound = Math.floor(calls / perMinute) * 60;
  return Math.max(latencyBound, budgetBound);
}

export async function benchSync(
  args: string[],
): Promise<{ full: SyncFigures; partial: SyncFigures; settings: Record<string, unknown> }> {
  const { values } = parseArgs({
    args,
    options: {
      projects: { type: "string", default: "1400" },
      changed: { type: "string", default: "0.05" },
      "latency-ms": { type: "string", default: "150" },
      plan: { type: "string", default: "paid" },
      rpm: { type: "string" },
      seed: { type: "string", default: "1" },
      store: { type: "string", default: "embedded" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const plan = z.enum(["paid", "free"]).parse(values.plan);
  const storeMode = z.enum(["embedded", "endpoint"]).parse(values.store);
  const projects = z.coerce.number().int().min(1).parse(values.projects);
  const share = z.coerce.number().min(0).max(1).parse(values.changed);
  const latencyMs = z.coerce.number().int().min(0).parse(values["latency-ms"]);
  const perMinute =
    values.rpm === undefined ? REQUESTS_PER_MINUTE[plan] : z.coerce.number().int().min(1).parse(values.rpm);

  const child = fork(
    join(import.meta.dirname, "asana-sandbox-child.ts"),
    [JSON.stringify({ projects, seed: values.seed, latencyMs, plan, requestsPerMinute: perMinute })],
    { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const sandbox = await nextMessage(child, asanaSandboxReady);

  const engineChild =
    storeMode === "endpoint"
      ? fork(join(import.meta.dirname, "dynamodb-endpoint-child.ts"), [], {
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        })
      : null;
  const endpoint = engineChild === null ? null : (await nextMessage(engineChild, endpointReady)).endpoint;
  const dataDir = mkdtempSync(join(tmpdir(), "pmo-bench-"));
  const store = await openStore(
    {
      engine: endpoint === null ? "embedded" : "endpoint",
      endpoint,
      region: null,
      tablePrefix: "bench",
      env: "bench",
      dataDir,
    },
    {},
  );
  await ensureTables(store);
  const counts = { reads: 0, writes: 0 };
  store.client.middlewareStack.add(
    (next, context) => async (input) => {
      const name = String(context.commandName);
      if (READS.has(name)) counts.reads++;
      else if (WRITES.has(name)) counts.writes++;
      return next(input);
    },
    { step: "initialize", name: "benchCount" },
  );
  const repos = createRepositories(store, { changelogRetentionDays: 365, findingsRetentionDays: 365 });
  const asana = createAsanaClient({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    plan,
    requestsPerMinute: perMinute,
  });
  const logger = createLogger({ logLevel: "warn", secrets: [sandbox.token] });

  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);

  const measure = async (
    kind: "full" | "partial",
    minCalls: (listed: number) => number,
  ): Promise<SyncFigures> => {
    counts.reads = 0;
    counts.writes = 0;
    peakRss = process.memoryUsage.rss();
    const baseRss = peakRss;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    const summary: SyncSummary = await runSync(kind, {
      asana,
      repos,
      settings: {
        scope: { workspaceGid: sandbox.workspaceGid, teamGids: [] },
        fieldNames: DEFAULT_CUSTOM_FIELD_NAMES,
        activityLookbackDays: 7,
      },
      clock: () => new Date(),
      logger,
      owner: "bench",
    });
    const wallS = (performance.now() - started) / 1000;
    loopDelay.disable();
    const delayMs = (ns: number) => round(ns / 1e6, 1);
    if (summary.status !== "completed")
      throw new Error(`the ${kind} sync ${summary.status}: ${summary.reason}`);
    const calls = summary.stats.asanaCalls;
    const pages = Math.max(1, Math.ceil(sandbox.projects / PAGE));
    const boundS = boundSeconds(calls, pages, latencyMs, perMinute);
    return {
      wallS: round(wallS, 2),
      calls,
      minCalls: minCalls(sandbox.projects),
      boundS: round(boundS, 2),
      ratio: round(boundS > 0 ? wallS / boundS : 0, 3),
      throttled: summary.stats.throttled,
      ddbReads: counts.reads,
      ddbWrites: counts.writes,
      rssMb: round(peakRss / 1024 / 1024, 1),
      rssBaseMb: round(baseRss / 1024 / 1024, 1),
      projects: summary.stats.projectsSynced + summary.stats.staleProjects,
      changesDetected: summary.stats.changesDetected,
      loopDelayMs: {
        p50: delayMs(loopDelay.percentile(50)),
        p99: delayMs(loopDelay.percentile(99)),
        max: delayMs(loopDelay.max),
      },
    };
  };

  const pages = Math.max(1, Math.ceil(sandbox.projects / PAGE));
  try {
    // An empty store: every project needs its first events token and one activity probe.
    const full = await measure("full", (n) => pages + 3 * n);
    // Long runs (50,000 projects) report the full sync as soon as it is measured.
    console.error(`full sync measured: ${JSON.stringify(full)}`);
    // Partial syncs run every 30 minutes: the full sync's calls have long left Asana's minute by
    // then. Waiting the minute out here keeps the partial's figures its own.
    if (full.calls + sandbox.projects >= perMinute) await new Promise((ok) => setTimeout(ok, 61_000));
    child.send({ type: "mutate", share });
    const change = await nextMessage(child, asanaSandboxMutated);
    const partial = await measure("partial", (n) => pages + n + change.tasksChanged);
    return {
      full,
      partial,
      settings: {
        projects: sandbox.projects,
        changed: change.changed,
        tasksChanged: change.tasksChanged,
        latencyMs,
        plan,
        perMinute,
        store: storeMode,
      },
    };
  } finally {
    clearInterval(sampler);
    child.send({ type: "stop" });
    await store.close();
    engineChild?.send({ type: "stop" });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function describeSyncBench(result: Awaited<ReturnType<typeof benchSync>>): string {
  const row = (name: string, f: SyncFigures) =>
    `${name.padEnd(8)} ${f.wallS.toFixed(2).padStart(8)} ${String(f.calls).padStart(7)} ${String(f.minCalls).padStart(8)} ${f.boundS.toFixed(2).padStart(8)} ${f.ratio.toFixed(3).padStart(6)} ${String(f.throttled).padStart(4)} ${String(f.ddbReads).padStart(7)} ${String(f.ddbWrites).padStart(7)} ${f.rssMb.toFixed(1).padStart(7)} ${f.rssBaseMb.toFixed(1).padStart(8)} ${f.loopDelayMs.p99.toFixed(0).padStart(7)} ${f.loopDelayMs.max.toFixed(0).padStart(7)}`;
  return [
    `sync benchmark: ${JSON.stringify(result.settings)}`,
    "sync        wall s   calls minCalls  bound s  ratio  429  ddb rd  ddb wr  rss MB  base MB loop99ms loopmax",
    row("full", result.full),
    row("partial", result.partial),
  ].join("\n");
}
