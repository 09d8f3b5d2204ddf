import { parseArgs } from "node:util";
import { type ConfigMode, loadConfig, quietAwsSdkOnNode20 } from "../app/config.ts";
import { type Container, createContainer } from "../app/container.ts";
import { type AppServices, buildServices, slackPortsOf, slackPortsWithoutSlack } from "../app/services.ts";
import { PmoError } from "../services/errors.ts";
import type { PushAlertsSummary, RulesSummary, SyncKind, SyncSummary } from "../services/model.ts";
import { TEXT_CHANNEL } from "../services/slack/notifier.ts";
import {
  describeInterpreterReport,
  emptyTally,
  interpreterReport,
  tallyUpdate,
} from "../services/updates/interpreter-report.ts";
import { runCommand } from "./run-command.ts";

/**
 * `npm run job -- <name> [options]`: runs one job once and prints its summary; with --json the
 * last line is one JSON object with the run's counts. Logs go to stderr, the summary to stdout.
 */

const USAGE = `usage: npm run job -- <job> [options]
  sync --full|--partial [--json]   one Asana sync (full: every project; partial: what changed),
                                   then the rules over the synced projects
  rules [--json]                   evaluates the rules over every stored project once
  digest [--json]                  sends today's PMO digest (once a day; to stdout without Slack)
  alerts [--json]                  posts new findings to the findings channel (to stdout as text
                                   when SLACK_BOT_TOKEN is not set)
  interpreter-report [--since YYYY-MM-DD] [--json]
                                   per field, how often PMs kept the interpreter's reading of
                                   their DM unchanged; --json prints only one JSON object`;

/** `jsonOnly`: with --json, the JSON object is all the job prints. */
type JobResult = { exitCode: number; text: string; json: unknown; jsonOnly?: boolean };

async function main(argv: string[]): Promise<number> {
  const [job, ...rest] = argv;
  if (job === undefined || job === "--help" || job === "help") {
    process.stdout.write(`${USAGE}\n`);
    return job === undefined ? 2 : 0;
  }
  // The config mode says which variables the job needs: only the sync needs Asana.
  const jobs: Record<
    string,
    { mode: ConfigMode; run: (job: JobParts, args: string[]) => Promise<JobResult> }
  > = {
    sync: { mode: "sync", run: syncJob },
    rules: { mode: "store", run: rulesJob },
    alerts: { mode: "store", run: alertsJob },
    digest: { mode: "store", run: digestJob },
    "interpreter-report": { mode: "store", run: interpreterReportJob },
  };
  const chosen = jobs[job];
  if (chosen === undefined) {
    process.stderr.write(`unknown job "${job}"\n${USAGE}\n`);
    return 2;
  }
  const options = { json: rest.includes("--json"), args: rest.filter((a) => a !== "--json") };
  const result = await withServices(chosen.mode, (parts) => chosen.run(parts, options.args));
  if (!(options.json && result.jsonOnly === true)) process.stdout.write(`${result.text}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result.json)}\n`);
  return result.exitCode;
}

/** What a job runs with: the container's parts and the same services the app builds. */
type JobParts = { container: Container; services: AppServices };

async function withServices(
  mode: ConfigMode,
  job: (parts: JobParts) => Promise<JobResult>,
): Promise<JobResult> {
  quietAwsSdkOnNode20();
  const config = loadConfig(mode);
  const container = await createContainer(config, { logDestination: process.stderr });
  try {
    const slack =
      container.slack === null ? slackPortsWithoutSlack(container) : slackPortsOf(container.slack);
    return await job({ container, services: buildServices(container, slack, { schedulesOn: false }) });
  } finally {
    await container.close();
  }
}

async function syncJob({ container, services }: JobParts, args: string[]): Promise<JobResult> {
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
  const { sync, rules } = await services.pipeline.syncThenRules(
    kind,
    progress ? { onProgress: progress } : {},
  );
  if (process.stderr.isTTY) process.stderr.write("\n");
  return {
    exitCode: sync.status === "failed" || rules?.status === "failed" ? 1 : 0,
    text: rules === null ? describeSync(sync) : `${describeSync(sync)}\n${describeRules(rules)}`,
    json: { job: "sync", ...sync, rules: rules === null ? null : rulesJson(rules) },
  };
}

async function rulesJob({ services }: JobParts, args: string[]): Promise<JobResult> {
  if (args.length > 0) {
    return { exitCode: 2, text: `unknown option ${args[0]}\n${USAGE}`, json: { error: "usage" } };
  }
  const summary = await services.pipeline.evaluateRules();
  return {
    exitCode: summary.status === "failed" ? 1 : 0,
    text: describeRules(summary),
    json: { job: "rules", ...rulesJson(summary) },
  };
}

/** The summary without the list of findings to alert (hundreds on a first run), only its length. */
function rulesJson(summary: RulesSummary) {
  const { alerts, ...rest } = summary;
  return { ...rest, alertsNeeded: alerts.length };
}

export function describeRules(summary: RulesSummary): string {
  if (summary.status === "skipped") return `Rules skipped: ${summary.reason}`;
  const c = summary.counts;
  const lines = [
    `Rules ${summary.status} over ${summary.evaluatedProjects} projects in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  findings opened    ${c.opened} (reopened ${c.reopened})`,
    `  escalated          ${c.escalated} (de-escalated ${c.deescalated})`,
    `  woken from snooze  ${c.woken}`,
    `  resolved           ${c.resolved}`,
    `  numbers refreshed  ${c.refreshed}`,
    `  unchanged          ${c.unchanged}`,
  ];
  if (c.keptOnStaleData > 0) lines.push(`  kept (stale data)  ${c.keptOnStaleData}`);
  if (c.conflicts > 0)
    lines.push(`  conflicts          ${c.conflicts} (changed by someone meanwhile; next run)`);
  if (summary.reason !== null) lines.push(`  error: ${summary.reason}`);
  return lines.join("\n");
}

async function alertsJob({ container, services }: JobParts, args: string[]): Promise<JobResult> {
  if (args.length > 0) {
    return { exitCode: 2, text: `unknown option ${args[0]}\n${USAGE}`, json: { error: "usage" } };
  }
  const notifier = container.findingsNotifier;
  const summary = await services.pipeline.pushAlerts();
  return {
    exitCode: summary.status === "failed" ? 1 : 0,
    text: describeAlerts(summary, notifier.channel),
    json: { job: "alerts", channel: notifier.channel, ...summary },
  };
}

async function digestJob({ container, services }: JobParts, args: string[]): Promise<JobResult> {
  if (args.length > 0) {
    return { exitCode: 2, text: `unknown option ${args[0]}\n${USAGE}`, json: { error: "usage" } };
  }
  const summary = await services.digest.send();
  const text =
    summary.status === "sent"
      ? `Daily digest for ${summary.day} sent to ${container.notifier.channel === TEXT_CHANNEL ? "stdout" : container.notifier.channel}`
      : `Daily digest for ${summary.day} ${summary.status}: ${summary.reason}`;
  return {
    exitCode: summary.status === "failed" ? 1 : 0,
    text,
    json: {
      job: "digest",
      status: summary.status,
      day: summary.day,
      reason: summary.reason,
      open: summary.facts?.openBySeverity ?? null,
    },
  };
}

async function interpreterReportJob({ container }: JobParts, args: string[]): Promise<JobResult> {
  let since: string | null;
  try {
    since = parseArgs({ args, options: { since: { type: "string" } }, strict: true }).values.since ?? null;
  } catch (error) {
    const message = error instanceof Error ? error.message : "";
    return { exitCode: 2, text: `${message}\n${USAGE}`, json: { error: "usage" }, jsonOnly: true };
  }
  if (since !== null && (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since))))
    return {
      exitCode: 2,
      text: `--since takes a date, YYYY-MM-DD\n${USAGE}`,
      json: { error: "usage" },
      jsonOnly: true,
    };
  const tally = emptyTally();
  for await (const page of container.repos.updates.iterateAll())
    for (const update of page) if (since === null || update.submittedAt >= since) tallyUpdate(tally, update);
  const report = interpreterReport(tally);
  return {
    exitCode: 0,
    text: describeInterpreterReport(report, since),
    json: { job: "interpreter-report", since, ...report },
    jsonOnly: true,
  };
}

export function describeAlerts(summary: PushAlertsSummary, channel: string): string {
  if (summary.status === "skipped") return `Alerts skipped: ${summary.reason}`;
  const c = summary.counts;
  const lines = [
    `Alerts ${summary.status} to ${channel === TEXT_CHANNEL ? "stdout (no SLACK_BOT_TOKEN)" : channel} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  single messages    ${c.posted}`,
    `  digest messages    ${c.digests}${summary.openingSummary ? " (after the opening summary)" : ""}`,
    `  updated in place   ${c.updated}`,
    `  reconciled         ${c.reconciled}`,
    `  skipped            ${c.skipped}`,
  ];
  if (c.failed > 0) lines.push(`  failed             ${c.failed} (next run)`);
  if (summary.reason !== null) lines.push(`  error: ${summary.reason}`);
  return lines.join("\n");
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
  if (summary.heldRemovals !== undefined)
    lines.push(
      `  removals HELD     ${summary.heldRemovals.count} vanished at once (limit ${summary.heldRemovals.limit}); none marked. Apply with /pmo sync confirmar-bajas`,
    );
  if (summary.reason !== null) lines.push(`  error: ${summary.reason}`);
  return lines.join("\n");
}

runCommand(main);
