import { execFileSync, fork, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import dynalite from "dynalite";
import { z } from "zod";
import { parseConfig } from "../app/config.ts";
import { createContainer } from "../app/container.ts";
import { buildServices, slackPortsWithoutSlack } from "../app/services.ts";
import { startSandboxSlack } from "../sandbox/slack/server.ts";
import { SEVERITIES } from "../services/model.ts";
import { RULES } from "../services/rules/rules.ts";
import { FINDING_ACK } from "../services/slack/action-ids.ts";
import { closeIteratorsOnReturn } from "../services/store/embedded-engine.ts";
import { asanaSandboxReady, nextMessage } from "./child-process.ts";

/**
 * `npm run bench -- slack [--projects 1400] [--findings 5000] [--rounds 40]
 * [--store endpoint|embedded] [--sync partial|full|none] [--during-sync] [--keep-store DIR]
 * [--cpu-prof DIR] [--json]`: the app started as `npm start` starts it, in its own process, against sandbox Slack
 * (this process) and sandbox Asana (a process of its own). Prints p50/p95/p99 of the time from
 * sending a `/pmo` envelope to its ack and to its answer, per subcommand, and of the time from
 * `app_home_opened` to the `views.publish` for an admin, and from acknowledging a finding in the
 * Home's modal to the Home published again; the app process's RSS (idle, peak while
 * serving, peak including a closing `/pmo sync`). With `--during-sync`, a second admin keeps
 * sending `/pmo` and opening the Home while that sync runs in the app: their ack and publish
 * percentiles next to the same without a sync.
 *
 * The store is prepared here first (a full sync, then findings topped up to the number asked
 * for). `--store endpoint` (the default) keeps it in a DynamoDB engine outside the app, as on AWS;
 * `--store embedded` has the app open it in-process under DATA_DIR, as `npm start` does without
 * AWS settings.
 */

const ADMIN = "U0SBXADM01";
/** Uses the app while ADMIN's sync runs (`--during-sync`). */
const OTHER_ADMIN = "U0SBXADM02";
const REPO = resolve(import.meta.dirname, "..");

export type Percentiles = { p50: number; p95: number; p99: number; n: number };

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), n: sorted.length };
}

/**
 * `npm start`'s own steps (package.json), each a `node …` command run from the repo, so the
 * benchmark runs what users run: every step but the last runs to its end, the last is the app.
 */
function startSteps(): string[][] {
  const scripts = z
    .object({ scripts: z.object({ start: z.string() }) })
    .parse(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")));
  return scripts.scripts.start.split("&&").map((step) => {
    const [program, ...args] = step.trim().split(/\s+/);
    if (program !== "node") throw new Error(`npm start runs ${program}, not node`);
    return args;
  });
}

/**
 * Another process's memory in MB (Linux /proc): resident, peak resident, and the resident part
 * that is anonymous (heap, stacks: what the process itself holds) rather than file pages it maps
 * (code, and the embedded engine's LevelDB tables, which the kernel can reclaim).
 */
function memoryOf(pid: number): { rssMb: number; peakMb: number; anonMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? "0");
  return {
    rssMb: round(kb("VmRSS") / 1024),
    peakMb: round(kb("VmHWM") / 1024),
    anonMb: round(kb("RssAnon") / 1024),
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

const preparedStore = z.object({ findings: z.number(), pmoId: z.string() });

/** Findings the admin acknowledges from the Home, one after the other. */
const ACKNOWLEDGEMENTS = 10;

/** The value of the first button with this action_id anywhere in a view or message. */
function firstButtonValue(node: unknown, actionId: string): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = firstButtonValue(item, actionId);
      if (found !== null) return found;
    }
    return null;
  }
  if (node === null || typeof node !== "object") return null;
  const record = Object.fromEntries(Object.entries(node));
  if (record.action_id === actionId && typeof record.value === "string") return record.value;
  return firstButtonValue(Object.values(record), actionId);
}

export async function benchSlack(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      projects: { type: "string", default: "1400" },
      findings: { type: "string", default: "5000" },
      rounds: { type: "string", default: "40" },
      store: { type: "string", default: "endpoint" },
      /** A folder for a CPU profile of the app process (node --cpu-prof), to see where time goes. */
      "cpu-prof": { type: "string" },
      /** Keep the prepared store in this folder and reuse it next time (same --projects and --findings). */
      "keep-store": { type: "string" },
      /** The closing `/pmo sync` the admin asks for: partial (the default), full, or none. */
      sync: { type: "string", default: "partial" },
      /** Keep sending `/pmo` and opening the Home while that sync runs, and time them. */
      "during-sync": { type: "boolean", default: false },
    },
    strict: true,
  });
  const projects = z.coerce.number().int().min(1).parse(values.projects);
  const findings = z.coerce.number().int().min(0).parse(values.findings);
  const rounds = z.coerce.number().int().min(1).parse(values.rounds);
  const storeMode = z.enum(["endpoint", "embedded"]).parse(values.store);
  const closingSync = z.enum(["partial", "full", "none"]).parse(values.sync);
  const measureDuringSync = values["during-sync"] === true && closingSync !== "none";

  const asanaChild = fork(
    join(import.meta.dirname, "asana-sandbox-child.ts"),
    [JSON.stringify({ projects, seed: 3, latencyMs: 0, plan: "paid", requestsPerMinute: 1_000_000 })],
    { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const cleanups: (() => Promise<void> | void)[] = [
    () => {
      asanaChild.send({ type: "stop" });
    },
  ];
  try {
    const asana = await nextMessage(asanaChild, asanaSandboxReady);
    const slack = await startSandboxSlack({
      users: [
        {
          id: ADMIN,
          name: "ana",
          realName: "Ana Torres",
          // The admin owns projects too: her Home has both parts.
          email: asana.ownerEmail ?? "nadie@empresa.example",
          locale: "es-LA",
          tz: "America/Bogota",
          isAdmin: true,
        },
        {
          id: OTHER_ADMIN,
          name: "luis",
          realName: "Luis Pardo",
          email: "luis.pardo@empresa.example",
          locale: "es-LA",
          tz: "America/Bogota",
          isAdmin: true,
        },
      ],
    });
    cleanups.push(() => slack.stop());

    const kept = values["keep-store"] === undefined ? null : resolve(values["keep-store"]);
    const dataDir = kept ?? mkdtempSync(join(tmpdir(), "pmo-bench-slack-"));
    mkdirSync(dataDir, { recursive: true });
    if (kept === null) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let endpoint: string | null = null;
    if (storeMode === "endpoint") {
      closeIteratorsOnReturn();
      const engine = dynalite({
        ...(kept === null ? {} : { path: join(dataDir, "endpoint-store") }),
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
      });
      await new Promise<void>((ok) => engine.listen(0, "127.0.0.1", () => ok()));
      endpoint = `http://127.0.0.1:${(engine.address() as AddressInfo).port}`;
      cleanups.push(
        () =>
          new Promise<void>((ok) => {
            engine.closeAllConnections();
            engine.close(() => ok());
          }),
      );
    }
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      PMO_CHANNEL_ID: "C0SBXPMO01",
      PMO_ADMIN_USER_IDS: `${ADMIN},${OTHER_ADMIN}`,
      ASANA_TOKEN: asana.token,
      ASANA_BASE_URL: asana.baseUrl,
      ASANA_WORKSPACE_GID: asana.workspaceGid,
      DATA_DIR: dataDir,
      HEALTH_PORT: "0",
      WEB_PORT: "0",
      LOG_LEVEL: "warn",
      ...(endpoint === null ? {} : { DYNAMODB_ENDPOINT: endpoint }),
    };

    const preparedFile = join(dataDir, `prepared-${storeMode}-${projects}-${findings}.json`);
    const seeded = existsSync(preparedFile)
      ? preparedStore.parse(JSON.parse(readFileSync(preparedFile, "utf8")))
      : await prepareStore(env, findings);
    if (kept !== null) writeFileSync(preparedFile, JSON.stringify(seeded));

    const steps = startSteps();
    const appArgs = steps.pop() ?? [];
    for (const step of steps) execFileSync(process.execPath, step, { cwd: REPO, stdio: "inherit" });
    const profile =
      values["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", resolve(values["cpu-prof"])];
    const app = spawn(process.execPath, [...profile, ...appArgs], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = new Promise<number | null>((ok) => app.once("exit", (code) => ok(code)));
    cleanups.push(async () => {
      app.kill("SIGTERM");
      await exited;
    });
    const pid = app.pid;
    if (pid === undefined) throw new Error("the app did not start");
    await Promise.race([
      slack.waitForConnections(1, 120_000),
      exited.then((code) => Promise.reject(new Error(`the app exited with ${code} before connecting`))),
    ]);
    const idle = memoryOf(pid);
    let servingPeakMb = idle.rssMb;
    let anonPeakMb = idle.anonMb;
    const sample = () => {
      const now = memoryOf(pid);
      servingPeakMb = Math.max(servingPeakMb, now.rssMb);
      anonPeakMb = Math.max(anonPeakMb, now.anonMb);
    };
    const sampler = setInterval(sample, 50);
    cleanups.push(() => clearInterval(sampler));

    const subcommands = [
      "ayuda",
      "mis-proyectos",
      seeded.pmoId,
      "buscar migración",
      "hallazgos alta",
      "estado",
    ];
    const ack: Record<string, Percentiles> = {};
    const ackSamples: Record<string, number[]> = {};
    const answer: Record<string, Percentiles> = {};
    for (const text of subcommands) {
      const acked: number[] = [];
      const answered: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const before = slack.responseCount();
        const started = performance.now();
        await slack.sendCommand(ADMIN, "/pmo", text);
        acked.push(performance.now() - started);
        // One person at a time: the next command goes once this one is answered.
        await slack.waitFor(() => slack.responseCount() > before, 30_000, "the answer");
        answered.push(performance.now() - started);
      }
      const name = text === seeded.pmoId ? "PMO-…" : text;
      ack[name] = percentiles(acked);
      ackSamples[name] = acked;
      answer[name] = percentiles(answered);
    }
    const home: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const before = slack.callCount("views.publish");
      const started = performance.now();
      await slack.openHome(ADMIN);
      await slack.waitFor(() => slack.callCount("views.publish") > before, 30_000, "views.publish");
      home.push(performance.now() - started);
    }
    // An admin acknowledges findings from the Home: from the modal's submission to the Home
    // published again with the change (the snapshot is loaded again after a write).
    const homeAfterAction: number[] = [];
    for (let i = 0; i < ACKNOWLEDGEMENTS; i++) {
      const home = slack.views(ADMIN).find((v) => v.type === "home");
      const value = home === undefined ? null : firstButtonValue(home.view, FINDING_ACK);
      if (home === undefined || value === null) break;
      await slack.clickButton(ADMIN, { view_id: home.id }, FINDING_ACK, value);
      const modal = await slack.waitFor(
        () => slack.views(ADMIN).find((v) => v.type === "modal" && v.open),
        30_000,
        "the acknowledge modal",
      );
      const before = slack.callCount("views.publish");
      const started = performance.now();
      await slack.submitView(ADMIN, modal.id, { comment: "Revisado con el equipo" });
      await slack.waitFor(() => slack.callCount("views.publish") > before, 30_000, "views.publish");
      homeAfterAction.push(performance.now() - started);
    }
    sample();
    const servedPeakMb = servingPeakMb;

    const duringAck: number[] = [];
    const duringHome: number[] = [];
    let syncWallS = 0;
    if (closingSync !== "none") {
      // A sync asked for by the admin: sync, rules, alerts, then the portfolio reloaded.
      const adminResponses = () => slack.responseCount(ADMIN);
      const beforeSync = adminResponses();
      const syncStarted = performance.now();
      await slack.sendCommand(ADMIN, "/pmo", closingSync === "full" ? "sync full" : "sync");
      const syncDone = () => adminResponses() >= beforeSync + 2;
      // Meanwhile another person uses the app: a lookup, then the Home, again and again.
      await slack.waitFor(() => adminResponses() > beforeSync, 30_000, "the sync's first answer");
      for (let i = 0; measureDuringSync && !syncDone(); i++) {
        const text = subcommands[i % subcommands.length] ?? "ayuda";
        const answered = () => slack.responseCount(OTHER_ADMIN);
        const before = answered();
        const started = performance.now();
        await slack.sendCommand(OTHER_ADMIN, "/pmo", text);
        duringAck.push(performance.now() - started);
        await slack.waitFor(() => answered() > before, 120_000, "the answer during the sync");
        const published = slack.callCount("views.publish");
        const opened = performance.now();
        await slack.openHome(OTHER_ADMIN);
        await slack.waitFor(() => slack.callCount("views.publish") > published, 120_000, "views.publish");
        duringHome.push(performance.now() - opened);
      }
      await slack.waitFor(syncDone, 600_000, "the sync's outcome");
      syncWallS = Math.round((performance.now() - syncStarted) / 100) / 10;
    }
    sample();
    const afterSync = memoryOf(pid);
    return {
      settings: { projects, findings: seeded.findings, rounds, store: storeMode, sync: closingSync },
      ack,
      answer,
      homePublish: percentiles(home),
      homeAfterAcknowledge: percentiles(homeAfterAction),
      /** The same person's `/pmo` acks (every subcommand) and Home publishes, without a sync running. */
      withoutSync: { ack: percentiles(Object.values(ackSamples).flat()), homePublish: percentiles(home) },
      /** While the closing sync ran in the app (`--during-sync`): another admin's acks and Homes. */
      duringSync: measureDuringSync
        ? { ack: percentiles(duringAck), homePublish: percentiles(duringHome), syncWallS }
        : null,
      rss: {
        idleMb: idle.rssMb,
        servingPeakMb: servedPeakMb,
        peakWithSyncMb: Math.max(servingPeakMb, afterSync.peakMb),
        /** The largest anonymous part seen (sampled every 50 ms), sync included. */
        anonPeakMb,
      },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** A full sync as the app runs it, then findings topped up to `wanted`, spread over projects and rules. */
async function prepareStore(
  env: Record<string, string>,
  wanted: number,
): Promise<{ findings: number; pmoId: string }> {
  // Above the plan's budget: the sandbox allows it, and preparing is not what is measured.
  const container = await createContainer(parseConfig(env, "app"), { asanaRequestsPerMinute: 1_000_000 });
  try {
    const services = buildServices(container, slackPortsWithoutSlack(container), { schedulesOn: false });
    const synced = await services.pipeline.run("full");
    if (synced.sync.status !== "completed")
      throw new Error(`the sync ${synced.sync.status}: ${synced.sync.reason}`);
    const { repos } = container;
    const gids: string[] = [];
    let pmoId: string | null = null;
    for await (const page of repos.projects.iterateAll()) {
      for (const project of page) {
        gids.push(project.gid);
        pmoId ??= project.pmoId;
      }
    }
    let made = (await repos.findings.listOpen()).length;
    for (let i = 0; made < wanted && i < gids.length * RULES.length; i++) {
      const gid = gids[i % gids.length] ?? "";
      const rule = RULES[Math.floor(i / gids.length) % RULES.length];
      if (rule === undefined) break;
      if ((await repos.findings.get(gid, rule.id)) !== null) continue;
      await repos.findings.open({
        projectGid: gid,
        ruleId: rule.id,
        severity: SEVERITIES[i % 3] ?? "low",
        details: { seeded: true },
      });
      made++;
    }
    return { findings: made, pmoId: pmoId ?? "PMO-1" };
  } finally {
    await container.close();
  }
}

export function describeSlackBench(result: Awaited<ReturnType<typeof benchSlack>>): string {
  const row = (name: string, p: Percentiles) =>
    `${name.padEnd(20)} ${p.p50.toFixed(1).padStart(8)} ${p.p95.toFixed(1).padStart(8)} ${p.p99.toFixed(1).padStart(8)} ${String(p.n).padStart(5)}`;
  return [
    `slack benchmark: ${JSON.stringify(result.settings)}`,
    `${"".padEnd(20)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"n".padStart(5)}`,
    ...Object.entries(result.ack).map(([name, p]) => row(`ack /pmo ${name}`.slice(0, 20), p)),
    ...Object.entries(result.answer).map(([name, p]) => row(`answer ${name}`.slice(0, 20), p)),
    row("home publish", result.homePublish),
    row("home after ack", result.homeAfterAcknowledge),
    row("ack, all /pmo", result.withoutSync.ack),
    ...(result.duringSync === null
      ? []
      : [
          row("ack during sync", result.duringSync.ack),
          row("home during sync", result.duringSync.homePublish),
          `the ${result.settings.sync} sync, asked by /pmo, took ${result.duringSync.syncWallS} s to its outcome (targets during it: ack p99 < 100 ms, home publish p95 < 300 ms)`,
        ]),
    `app RSS: idle ${result.rss.idleMb} MB, peak while serving ${result.rss.servingPeakMb} MB, peak including the /pmo sync (${result.settings.sync}) ${result.rss.peakWithSyncMb} MB, of which anonymous at most ${result.rss.anonPeakMb} MB`,
  ].join("\n");
}
