import { parseArgs } from "node:util";
import { z } from "zod";
import { parseConfig } from "../app/config.ts";
import { startApp } from "../app/start.ts";
import { startSandboxAsana } from "../sandbox/asana/server.ts";
import type { SandboxSlackUser } from "../sandbox/slack/directory.ts";
import { startSandboxSlack } from "../sandbox/slack/server.ts";
import { SEVERITIES } from "../services/model.ts";
import { RULES } from "../services/rules/rules.ts";

/**
 * `npm run bench -- slack [--projects 1400] [--findings 5000] [--rounds 40] [--json]`: the real
 * app against sandbox Slack and sandbox Asana. Prints p50/p95/p99 of the time from sending a
 * `/pmo` envelope to its ack, per subcommand, and of the time from `app_home_opened` to the
 * `views.publish` for an admin; peak RSS.
 */

const ADMIN = "U0SBXADM01";

export type Percentiles = { p50: number; p95: number; p99: number; n: number };

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), n: sorted.length };
}

export async function benchSlack(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      projects: { type: "string", default: "1400" },
      findings: { type: "string", default: "5000" },
      rounds: { type: "string", default: "40" },
    },
    strict: true,
  });
  const projects = z.coerce.number().int().min(1).parse(values.projects);
  const findings = z.coerce.number().int().min(0).parse(values.findings);
  const rounds = z.coerce.number().int().min(1).parse(values.rounds);

  const asana = await startSandboxAsana({ projects, seed: 3, requestsPerMinute: 1_000_000 });
  const owner = asana.workspace.projects().find((p) => p.ownerGid !== null)?.ownerGid ?? null;
  const ownerEmail = owner === null ? "nobody@empresa.example" : (asana.workspace.user(owner)?.email ?? "");
  const users: SandboxSlackUser[] = [
    {
      id: ADMIN,
      name: "ana",
      realName: "Ana Torres",
      email: ownerEmail,
      locale: "es-LA",
      tz: "America/Bogota",
      isAdmin: true,
    },
  ];
  const slack = await startSandboxSlack({ users });
  const config = parseConfig(
    {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      PMO_CHANNEL_ID: "C0SBXPMO01",
      PMO_ADMIN_USER_IDS: ADMIN,
      ASANA_TOKEN: asana.token,
      ASANA_BASE_URL: asana.baseUrl,
      ASANA_WORKSPACE_GID: asana.workspaceGid,
      HEALTH_PORT: "0",
      LOG_LEVEL: "warn",
    },
    "app",
  );
  const app = await startApp(config, {
    inMemoryStore: true,
    schedules: false,
    asanaRequestsPerMinute: 1_000_000,
  });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 50);
  try {
    await slack.waitForConnections(1);
    const { repos } = app.container;
    const synced = await app.runPipeline("full");
    if (synced.sync.status !== "completed")
      throw new Error(`the sync ${synced.sync.status}: ${synced.sync.reason}`);
    // Top the findings up to the asked number with synthetic ones spread over projects and rules.
    const existing = (await repos.findings.listOpen()).length;
    const gids: string[] = [];
    for await (const page of repos.projects.iterateAll()) gids.push(...page.map((p) => p.gid));
    let made = existing;
    for (let i = 0; made < findings && i < gids.length * RULES.length; i++) {
      const gid = gids[i % gids.length] ?? "";
      const rule = RULES[Math.floor(i / gids.length) % RULES.length];
      if (rule === undefined) break;
      const current = await repos.findings.get(gid, rule.id);
      if (current !== null) continue;
      await repos.findings.open({
        projectGid: gid,
        ruleId: rule.id,
        severity: SEVERITIES[i % 3] ?? "low",
        details: { seeded: true },
      });
      made++;
    }

    const pmoId = (await repos.projects.get(gids[0] ?? ""))?.pmoId ?? "PMO-1";
    const subcommands = ["ayuda", "mis-proyectos", pmoId, "buscar migración", "hallazgos alta", "estado"];
    const ack: Record<string, Percentiles> = {};
    const answer: Record<string, Percentiles> = {};
    for (const text of subcommands) {
      const acked: number[] = [];
      const answered: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const before = slack.responses().length;
        const started = performance.now();
        await slack.sendCommand(ADMIN, "/pmo", text);
        acked.push(performance.now() - started);
        // One person at a time: the next command goes once this one is answered.
        await slack.waitFor(() => slack.responses().length > before, 30_000, "the answer");
        answered.push(performance.now() - started);
      }
      const name = text === pmoId ? "PMO-…" : text;
      ack[name] = percentiles(acked);
      answer[name] = percentiles(answered);
    }
    const home: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const before = slack.calls("views.publish").length;
      const started = performance.now();
      await slack.openHome(ADMIN);
      await slack.waitFor(() => slack.calls("views.publish").length > before, 10_000, "views.publish");
      home.push(performance.now() - started);
    }
    return {
      settings: { projects: gids.length, findings: made, rounds },
      ack,
      answer,
      homePublish: percentiles(home),
      rssMb: Math.round((peakRss / 1024 / 1024) * 10) / 10,
    };
  } finally {
    clearInterval(sampler);
    await app.stop();
    await slack.stop();
    await asana.stop();
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
    `peak RSS ${result.rssMb} MB`,
  ].join("\n");
}
