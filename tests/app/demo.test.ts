import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { hasAnyCredentials, parseConfig } from "../../app/config.ts";
import { demoEnvironment } from "../../app/demo.ts";

const children: { kill(signal: NodeJS.Signals): boolean }[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** `npm start` as a child process, without a terminal and without any Slack or Asana variable. */
function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      DATA_DIR: `/tmp/pmo-demo-${randomUUID()}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  return { child, exited, stdout: () => stdout, output: () => `${stdout}${stderr}` };
}

function summaryCounts(output: string) {
  const synced = /synced: (\d+) projects/.exec(output);
  const evaluated = /evaluated: (\d+) projects, (\d+) findings opened/.exec(output);
  const alerted = /alerted: (\d+) findings in (\d+) messages/.exec(output);
  if (synced === null || evaluated === null || alerted === null) return null;
  return {
    synced: Number(synced[1]),
    evaluated: Number(evaluated[1]),
    findingsOpened: Number(evaluated[2]),
    alerted: Number(alerted[1]),
    messages: Number(alerted[2]),
  };
}

async function until<T>(probe: () => T | null, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

describe("npm start -- --demo", () => {
  it("--once: syncs the sandbox, evaluates, alerts, prints the counts and exits 0", async () => {
    const { exited, output, stdout } = start(["--demo", "--once"]);
    expect(await exited).toBe(0);
    expect(stdout()).toContain("PMO Pulse — DEMO");
    expect(stdout()).toMatch(/nothing leaves this machine/);
    expect(stdout()).toContain("SLACK_BOT_TOKEN, SLACK_APP_TOKEN");
    const counts = summaryCounts(stdout());
    expect(counts, output()).not.toBeNull();
    expect(counts?.synced).toBeGreaterThanOrEqual(50);
    expect(counts?.evaluated).toBe(counts?.synced);
    expect(counts?.findingsOpened).toBeGreaterThan(0);
    expect(counts?.alerted).toBeGreaterThan(0);
    expect(counts?.messages).toBeGreaterThan(0);
    expect(output()).not.toMatch(/\n\s+at /);
  }, 90_000);

  it("with no credentials and no terminal: serves after the summary until SIGTERM, then exits 0", async () => {
    // Empty values win over a developer's .env, so no real workspace is ever reached from here.
    const { child, exited, stdout, output } = start([], {
      SLACK_BOT_TOKEN: "",
      SLACK_APP_TOKEN: "",
      ASANA_TOKEN: "",
    });
    await until(() => summaryCounts(stdout()), 60_000).catch((error: unknown) => {
      throw new Error(`no summary: ${output()}`, { cause: error });
    });
    await until(() => (stdout().includes("keeps serving") ? true : null), 5_000);
    await new Promise((ok) => setTimeout(ok, 300));
    expect(child.exitCode).toBeNull();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output()).not.toMatch(/\n\s+at /);
  }, 90_000);
});

describe("choosing the demo", () => {
  it("is the demo only when no credential is set at all (blank counts as unset)", () => {
    expect(hasAnyCredentials({})).toBe(false);
    expect(hasAnyCredentials({ SLACK_BOT_TOKEN: " ", SLACK_APP_TOKEN: "", PMO_CHANNEL_ID: "C1" })).toBe(
      false,
    );
    expect(hasAnyCredentials({ ASANA_TOKEN: "2/1/2:abc" })).toBe(true);
    expect(hasAnyCredentials({ SLACK_APP_TOKEN: "xapp-1" })).toBe(true);
  });

  const sandboxes = {
    asana: {
      baseUrl: "http://127.0.0.1:4010/api/1.0",
      token: "2/sandbox7/pmo-pulse:abc",
      workspaceGid: "1200000000000001",
    },
    slack: { apiUrl: "http://127.0.0.1:4020/api/", botToken: "xoxb-1-2-abc", appToken: "xapp-1-A1-2-abc" },
    channelId: "C0SBXPMO01",
    adminIds: ["U0DEMOADM1"],
  };

  it("points every Slack and Asana variable at the sandboxes, whatever a real .env says", () => {
    const env = demoEnvironment(
      {
        SLACK_BOT_TOKEN: "xoxb-real",
        SLACK_API_URL: "https://slack.com/api",
        PMO_CHANNEL_ID: "CREAL0001",
        ASANA_TOKEN: "real-asana-token",
        ASANA_TEAM_GIDS: "999",
        ASANA_PMO_ID_FIELD: "Código",
        DYNAMODB_ENDPOINT: "http://db:8000",
        PMO_STORE: "aws",
        RULE_MIN_TASKS: "5",
        PMO_TIMEZONE: "America/Lima",
      },
      sandboxes,
    );
    const config = parseConfig(env, "app");
    expect(config.slack).toMatchObject({
      botToken: "xoxb-1-2-abc",
      apiUrl: "http://127.0.0.1:4020/api",
      channelId: "C0SBXPMO01",
      adminUserIds: ["U0DEMOADM1"],
    });
    expect(config.asana).toMatchObject({
      token: "2/sandbox7/pmo-pulse:abc",
      teamGids: [],
      pmoIdField: "PMO ID",
      baseUrl: "http://127.0.0.1:4010/api/1.0",
    });
    expect(config.store).toMatchObject({ engine: "embedded", endpoint: null });
    expect(config.rules.minTasks).toBe(5);
    expect(config.timezone).toBe("America/Lima");
    expect(config.logLevel).toBe("warn");
    expect(config.healthPort).toBe(0);
  });

  it("keeps LOG_LEVEL and HEALTH_PORT when they are set", () => {
    const config = parseConfig(
      demoEnvironment({ LOG_LEVEL: "debug", HEALTH_PORT: "9090" }, sandboxes),
      "app",
    );
    expect(config.logLevel).toBe("debug");
    expect(config.healthPort).toBe(9090);
  });
});
