import { type SandboxAsana, startSandboxAsana } from "../sandbox/asana/server.ts";
import { type DemoUser, demoUsers } from "../sandbox/demo/people.ts";
import { DEFAULT_CHANNELS, type SandboxSlack, startSandboxSlack } from "../sandbox/slack/server.ts";
import type { FullPipelineSummary } from "../services/model.ts";
import { type Config, parseConfig } from "./config.ts";
import { type RunningApp, startApp } from "./start.ts";

/**
 * The demo `npm start` runs with no accounts (DESIGN.md section 7): the sandbox Asana and Slack on
 * 127.0.0.1, the real app between them on an in-memory store, and the pipeline run once.
 */

export const DEMO_PROJECTS = 60;
/** Fixed, so every demo shows the same projects, owners and problems. */
export const DEMO_SEED = 7;

export type DemoOptions = {
  /** The environment as readEnvironment() gives it: tunes the rules, time zone, locale and logs. */
  env: Readonly<Record<string, string | undefined>>;
  projects?: number;
  seed?: number;
};

export type Demo = {
  asana: SandboxAsana;
  slack: SandboxSlack;
  app: RunningApp;
  config: Config;
  users: readonly DemoUser[];
  channel: { id: string; name: string };
  pipeline: FullPipelineSummary;
  /** The web dashboard and a one-time sign-in link for the demo's admin; null when WEB_ENABLED=false. */
  dashboard: DemoDashboard | null;
  /** Stops the app, then both sandboxes; safe to call twice. */
  stop(): Promise<void>;
};

export type DemoDashboard = { url: string; admin: string; signInLink: string };

/** Variables the demo sets itself: a real workspace's values would point it away from the sandboxes. */
const OWNED_BY_THE_DEMO =
  /^(SLACK_|ASANA_|PMO_CHANNEL_ID$|PMO_FINDINGS_CHANNEL_ID$|PMO_ADMIN_USER_IDS$|PMO_STORE$|DYNAMODB_ENDPOINT$)/;

/** The environment the app is configured from: the sandboxes' endpoints and tokens, the rest as given. */
export function demoEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  sandboxes: {
    asana: Pick<SandboxAsana, "baseUrl" | "token" | "workspaceGid">;
    slack: Pick<SandboxSlack, "apiUrl" | "botToken" | "appToken">;
    channelId: string;
    adminIds: readonly string[];
  },
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !OWNED_BY_THE_DEMO.test(name)) kept[name] = value;
  }
  const given = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  return {
    ...kept,
    SLACK_BOT_TOKEN: sandboxes.slack.botToken,
    SLACK_APP_TOKEN: sandboxes.slack.appToken,
    SLACK_API_URL: sandboxes.slack.apiUrl,
    PMO_CHANNEL_ID: sandboxes.channelId,
    PMO_ADMIN_USER_IDS: sandboxes.adminIds.join(","),
    ASANA_TOKEN: sandboxes.asana.token,
    ASANA_BASE_URL: sandboxes.asana.baseUrl,
    ASANA_WORKSPACE_GID: sandboxes.asana.workspaceGid,
    ASANA_WRITE_BACK: "true",
    PMO_STORE: "embedded",
    LOG_LEVEL: given("LOG_LEVEL") ?? "warn",
    HEALTH_PORT: given("HEALTH_PORT") ?? "0",
    WEB_PORT: given("WEB_PORT") ?? "0",
  };
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const asana = await startSandboxAsana({
    projects: options.projects ?? DEMO_PROJECTS,
    seed: options.seed ?? DEMO_SEED,
    requestsPerMinute: 1_000_000,
  });
  const cleanups: (() => Promise<void>)[] = [() => asana.stop()];
  const unwind = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const users = demoUsers(asana.workspace);
    const slack = await startSandboxSlack({ users, channels: DEFAULT_CHANNELS });
    cleanups.push(() => slack.stop());
    const [channel] = slack.channels;
    if (channel === undefined) throw new Error("the sandbox Slack has no channel");
    const config = parseConfig(
      demoEnvironment(options.env, {
        asana,
        slack,
        channelId: channel.id,
        adminIds: users.filter((u) => u.role === "admin").map((u) => u.id),
      }),
      "app",
    );
    const app = await startApp(config, { inMemoryStore: true, asanaRequestsPerMinute: 1_000_000 });
    cleanups.push(() => {
      // Stopping closes the socket on purpose; its "disconnected" warning would only clutter the prompt.
      if (app.container.logger.level === "warn") app.container.logger.level = "error";
      return app.stop();
    });
    await slack.waitForConnections(1);
    await introduce(slack, users);
    const pipeline = await app.runPipeline("full");
    const dashboard = await demoDashboard(app, users);
    let stopped: Promise<void> | null = null;
    return {
      asana,
      slack,
      app,
      config,
      users,
      channel,
      pipeline,
      dashboard,
      stop: () => {
        stopped ??= unwind();
        return stopped;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}

/** Where the dashboard listens and a sign-in link (single use, 10 minutes) for the first admin. */
async function demoDashboard(app: RunningApp, users: readonly DemoUser[]): Promise<DemoDashboard | null> {
  const admin = users.find((u) => u.role === "admin");
  if (app.webUrl === null || app.services.web === null || admin === undefined) return null;
  const link = await app.services.web.links.issue(admin.id);
  return link.kind === "link" ? { url: app.webUrl, admin: admin.realName, signInLink: link.url } : null;
}

/**
 * Everyone opens the app's Home once, as people who have used it would have: the app then knows
 * their Asana account (by email), so the first run mentions the owners and reminds them by DM.
 */
async function introduce(slack: SandboxSlack, users: readonly DemoUser[]): Promise<void> {
  const published = slack.calls("views.publish").length;
  for (const user of users) await slack.openHome(user.id);
  await slack.waitFor(
    () => slack.calls("views.publish").length >= published + users.length,
    10_000,
    "every demo user's first Home",
  );
}

export type PipelineCounts = {
  synced: number;
  evaluated: number;
  findingsOpened: number;
  /** Findings the channel heard about: one message each for the severe ones, the rest in digests. */
  alerted: number;
  messages: number;
};

export function pipelineCounts(summary: FullPipelineSummary): PipelineCounts {
  return {
    synced: summary.sync.stats.projectsSynced,
    evaluated: summary.rules?.evaluatedProjects ?? 0,
    findingsOpened: summary.sync.stats.findingsOpened,
    alerted: summary.rules?.alerts.length ?? 0,
    messages: (summary.alerts?.counts.posted ?? 0) + (summary.alerts?.counts.digests ?? 0),
  };
}

/** One line per step; the demo's tests read these numbers. */
export function pipelineSummaryText(summary: FullPipelineSummary): string {
  const counts = pipelineCounts(summary);
  const lines = [
    `synced: ${counts.synced} projects (sync ${summary.sync.status})`,
    `evaluated: ${counts.evaluated} projects, ${counts.findingsOpened} findings opened (rules ${summary.rules?.status ?? "not run"})`,
    `alerted: ${counts.alerted} findings in ${counts.messages} messages to the PMO channel (alerts ${summary.alerts?.status ?? "not run"})`,
  ];
  if (summary.sync.reason !== null) lines.push(`sync: ${summary.sync.reason}`);
  return lines.join("\n");
}

export function demoBanner(
  demo: Pick<Demo, "asana" | "slack" | "users" | "channel" | "app"> & Partial<Pick<Demo, "dashboard">>,
): string {
  const projects = demo.asana.workspace.projects().length;
  return [
    "PMO Pulse — DEMO",
    "No real Slack or Asana is touched and nothing leaves this machine: a sandbox Asana",
    `(${projects} generated projects, ${demo.asana.baseUrl}) and a sandbox Slack (${demo.slack.origin})`,
    `run on 127.0.0.1, and the store is in memory (it starts empty every time; DATA_DIR is not used).`,
    `PMO channel: #${demo.channel.name} (${demo.channel.id}). Health: http://127.0.0.1:${demo.app.healthPort}/healthz`,
    `People: ${demo.users.map((u) => `${u.realName}${u.role === "admin" ? " (admin)" : ""}`).join(", ")}`,
    ...(demo.dashboard === undefined || demo.dashboard === null
      ? []
      : [
          `Web dashboard: ${demo.dashboard.url}`,
          `  Sign in as ${demo.dashboard.admin} (single use, valid 10 minutes; \`/pmo panel\` gives a new one):`,
          `  ${demo.dashboard.signInLink}`,
        ]),
    "To connect a real workspace, set the variables of .env.example (SLACK_BOT_TOKEN, SLACK_APP_TOKEN,",
    "PMO_CHANNEL_ID, ASANA_TOKEN, ASANA_WORKSPACE_GID) in .env or the environment; see README.",
  ].join("\n");
}
