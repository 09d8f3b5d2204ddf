import { parseArgs } from "node:util";
import { type ConfigMode, loadConfig, quietAwsSdkOnNode20 } from "../app/config.ts";
import { type Container, createContainer } from "../app/container.ts";
import { PmoError } from "../services/errors.ts";
import type { SyncKind } from "../services/model.ts";
import { runSync, type SyncSummary } from "./asana-sync.ts";

/**
 * `npm run job -- <name> [options]`: runs one job once and prints its summary; with --json the
 * last line is one JSON object with the run's counts. Logs go to stderr, the summary to stdout.
 */

const USAGE = `usage: npm run job -- <job> [options]
  sync --full|--partial [--json]   one Asana sync (full: every project; partial: what changed)`;

type JobResult = { exitCode: number; text: string; json: unknown };

async function main(argv: string[]): Promise<number> {
  const [job, ...rest] = argv;
  if (job === undefined || job === "--help" || job === "help") {
    process.stdout.write(`${USAGE}\n`);
    return job === undefined ? 2 : 0;
  }
  const jobs: Record<string, { mode: ConfigMode; run: (args: string[]) => Promise<JobResult> }> = {
    sync: { mode: "sync", run: (args) => withContainer("sync", (c) => syncJob(c, args)) },
  };
  const chosen = jobs[job];
  if (chosen === undefined) {
    process.stderr.write(`unknown job "${job}"\n${USAGE}\n`);
    return 2;
  }
  const options = { json: rest.includes("--json"), args: rest.filter((a) => a !== "--json") };
  const result = await chosen.run(options.args);
  process.stdout.write(`${result.text}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result.json)}\n`);
  return result.exitCode;
}

async function withContainer(
  mode: ConfigMode,
  job: (container: Container) => Promise<JobResult>,
): Promise<JobResult> {
  quietAwsSdkOnNode20();
  const config = loadConfig(mode);
  const container = await createContainer(config, { logDestination: process.stderr });
  try {
    return await job(container);
  } finally {
    await container.close();
  }
}

async function syncJob(container: Container, args: string[]): Promise<JobResult> {
  let values: { full?: boolean; partial?: boolean };
  try {
    values = parseArgs({
      args,
      options: { full: { type: "boolean" }, partial: { type: "boolean" } },
      strict: true,
    }).values;
  } catch (error) {
    return {
      exitCode: 2,
      text: `${error instanceof Error ? error.message : ""}\n${USAGE}`,
      json: { error: "usage" },
    };
  }
  if (values.full === values.partial) {
    return { exitCode: 2, text: `choose one of --full or --partial\n${USAGE}`, json: { error: "usage" } };
  }
  const kind: SyncKind = values.full ? "full" : "partial";
  if (container.asana === null) throw new PmoError("config_invalid", "ASANA_TOKEN is missing");
  const expected =
    (await container.repos.syncLog.recent(5)).find((r) => r.status === "completed")?.projectsSynced ?? null;
  const progress = process.stderr.isTTY ? terminalProgress(expected) : undefined;
  const summary = await runSync(kind, {
    asana: container.asana,
    repos: container.repos,
    settings: container.syncSettings,
    clock: container.clock,
    logger: container.logger,
    owner: container.owner,
    ...(progress ? { onProgress: progress } : {}),
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  return {
    exitCode: summary.status === "failed" ? 1 : 0,
    text: describeSync(summary),
    json: { job: "sync", ...summary },
  };
}

function terminalProgress(expected: number | null) {
  return (p: { done: number; listingComplete: boolean }) => {
    const total = p.listingComplete ? String(p.done) : expected === null ? "?" : `~${expected}`;
    process.stderr.write(`\r  ${p.done} / ${total} projects`);
  };
}

export function describeSync(summary: SyncSummary): string {
  if (summary.status === "skipped") return `Sync ${summary.kind} skipped: ${summary.reason}`;
  const s = summary.stats;
  const lines = [
    `Sync ${summary.kind} ${summary.status} (${summary.syncId}) in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  projects synced   ${s.projectsSynced}`,
    `  projects written  ${s.projectsWritten}`,
    `  changes recorded  ${s.changesDetected}`,
    `  left the scope    ${s.projectsRemoved}`,
    `  stale projects    ${s.staleProjects}`,
    `  Asana calls       ${s.asanaCalls} (429s: ${s.throttled})`,
  ];
  if (s.listingRestarts > 0) lines.push(`  listing restarts  ${s.listingRestarts}`);
  if (s.abandonedRuns > 0) lines.push(`  abandoned runs    ${s.abandonedRuns} (marked)`);
  if (summary.reason !== null) lines.push(`  error: ${summary.reason}`);
  return lines.join("\n");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Expected failures (bad config, a locked store, Asana refusing the token) get one clear
    // message and no stack trace.
    if (error instanceof PmoError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.code === "config_invalid" ? 2 : 1;
      return;
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
