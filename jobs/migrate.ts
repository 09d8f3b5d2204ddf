import { parseArgs } from "node:util";
import { loadConfig, quietAwsSdkOnNode20 } from "../app/config.ts";
import { instanceId } from "../app/instance.ts";
import { createLogger } from "../app/logger.ts";
import { SKIP_REASONS, skippedTotal, type TableCounts } from "../services/migration/botpmo.ts";
import { openStore } from "../services/store/client.ts";
import { ensureTables } from "../services/store/ensure-tables.ts";
import { createRepositories } from "../services/store/repositories.ts";
import { exitCodeOf, type MigrationSummary, migrateBotpmo } from "./migrate-botpmo.ts";
import { runCommand } from "./run-command.ts";

/**
 * `npm run migrate -- botpmo --prefix pmo-bot --env prod [--dry-run] [--json]`: BOTPMO's users and
 * status updates into PMO Pulse's store (the one app/config.ts describes). Prints the closing
 * verification; with --json, stdout is one JSON object (the text goes to stderr). Exit code 0
 * when every item read is accounted for, 1 when not (or interrupted), 2 for a usage, configuration
 * or source error.
 */

const USAGE = `usage: npm run migrate -- botpmo --env <env> [--prefix pmo-bot] [--dry-run] [--json]
  reads BOTPMO's tables <prefix>-users-<env>, <prefix>-updates-<env> and <prefix>-projects-<env>
  from the DynamoDB endpoint PMO Pulse is configured with, and writes its profiles and status
  updates into PMO Pulse's tables. Safe to run again: it writes only what is new; an interrupted
  run resumes where it stopped.
  --dry-run   reads and checks everything, writes nothing
  --json      prints one JSON object with the counts`;

const NAME = /^[a-zA-Z0-9_.-]+$/;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  quietAwsSdkOnNode20();
  const config = loadConfig("store");
  const logger = createLogger(config, process.stderr);
  const store = await openStore(config.store);
  try {
    const repos = createRepositories(store, {
      changelogRetentionDays: config.store.changelogRetentionDays,
      findingsRetentionDays: config.store.findingsRetentionDays,
    });
    const summary = await migrateBotpmo(
      {
        client: store.client,
        repos,
        targetTables: store.tables,
        clock: () => new Date(),
        logger,
        owner: instanceId(),
        prepareTarget: async () => {
          await ensureTables(store);
        },
      },
      { source: { prefix: parsed.prefix, env: parsed.env }, dryRun: parsed.dryRun },
    );
    const text = describeMigration(summary);
    if (parsed.json) {
      process.stderr.write(`${text}\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    return exitCodeOf(summary);
  } finally {
    await store.close();
  }
}

function parseCommand(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      prefix: { type: "string", default: "pmo-bot" },
      env: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return "help" as const;
  if (positionals.length !== 1 || positionals[0] !== "botpmo")
    throw new Error(
      `expected one source, botpmo; got ${positionals.length === 0 ? "none" : positionals.join(" ")}`,
    );
  if (values.env === undefined) throw new Error("--env is required (BOTPMO's environment, e.g. prod)");
  for (const [option, value] of [
    ["--prefix", values.prefix],
    ["--env", values.env],
  ] as const) {
    if (!NAME.test(value)) throw new Error(`${option} may hold only letters, digits, '.', '_' and '-'`);
  }
  return { prefix: values.prefix, env: values.env, dryRun: values["dry-run"], json: values.json };
}

function row(label: string, counts: TableCounts, dryRun: boolean): string {
  const cells = [
    counts.read,
    counts.written,
    dryRun ? "-" : counts.merged,
    counts.alreadyPresent,
    skippedTotal(counts),
  ].map((cell) => String(cell).padStart(9));
  return `  ${label.padEnd(10)}${cells.join("")}`;
}

function describeMigration(summary: MigrationSummary): string {
  const { tables } = summary.source;
  const header = `BOTPMO migration ${summary.dryRun ? "(dry run, nothing written) " : ""}${summary.status}${summary.resumed ? " (resumed)" : ""}`;
  if (summary.status === "refused" || summary.status === "skipped")
    return `${header}: ${summary.reason ?? ""}`;
  const lines = [
    `${header} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `  from ${tables.users}, ${tables.updates} (${tables.projects} for references)`,
    `  ${"".padEnd(10)}${["read", summary.dryRun ? "to write" : "written", "merged", "present", "skipped"].map((h) => h.padStart(9)).join("")}`,
    row("users", summary.users, summary.dryRun),
    row("updates", summary.updates, summary.dryRun),
    `  projects  ${summary.projects.read} read to resolve references${summary.projects.unusable > 0 ? ` (${summary.projects.unusable} unusable)` : ""}; the first full sync rebuilds them`,
    "  conversations not migrated (transient, 1 h TTL)",
    summary.projectDates.withoutSync
      ? "  project dates: no project synced yet; run the migration again after the first full sync"
      : `  project dates: ${summary.projectDates.updated} of ${summary.projectDates.checked} synced projects with updates ${summary.dryRun ? "would get" : "got"} the date of their latest update`,
  ];
  const skipped = summary.skips.length + summary.skipsNotListed;
  if (skipped > 0) {
    const reasons = SKIP_REASONS.flatMap((reason) => {
      const n = (summary.users.skipped[reason] ?? 0) + (summary.updates.skipped[reason] ?? 0);
      return n > 0 ? [`${reason} ${n}`] : [];
    });
    lines.push(`  skipped by reason: ${reasons.join(", ")}`);
    for (const skip of summary.skips)
      lines.push(`    ${skip.table.padEnd(8)} ${skip.key}  ${skip.reason}: ${skip.detail}`);
    if (summary.skipsNotListed > 0) lines.push(`    … and ${summary.skipsNotListed} more (counted above)`);
  }
  lines.push(
    summary.unaccounted === 0 && summary.status === "completed"
      ? "  verification: every item read is written, merged, present or skipped with its reason"
      : `  verification FAILED: ${summary.unaccounted} items unaccounted for${summary.reason === null ? "" : `; ${summary.reason}`}. Run it again: it resumes`,
  );
  return lines.join("\n");
}

runCommand(main);
