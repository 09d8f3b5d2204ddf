import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../app/config.ts";
import { startApp } from "../../app/start.ts";
import { startSandboxAsana } from "../../sandbox/asana/server.ts";
import { startSandboxSlack } from "../../sandbox/slack/server.ts";
import { buildApp } from "../fixtures/built-app.ts";
import { freePort } from "../fixtures/local-server.ts";
import { runNode } from "../fixtures/node-script.ts";
import { startSilentEndpoint } from "../fixtures/silent-endpoint.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

let mainJs = "";
beforeAll(() => {
  const build = buildApp();
  mainJs = build.mainJs;
  cleanups.push(build.remove);
});

async function sandboxes() {
  const slack = await startSandboxSlack();
  const asana = await startSandboxAsana({ projects: 3 });
  cleanups.push(
    () => asana.stop(),
    () => slack.stop(),
  );
  return { slack, asana };
}

describe("npm start with a token Slack refuses", () => {
  for (const variable of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"] as const) {
    it(`${variable} refused (invalid_auth): exit 2, one line naming it, no stack, no unhandled rejection`, async () => {
      const { slack, asana } = await sandboxes();
      const wrong = variable === "SLACK_BOT_TOKEN" ? "xoxb-1-2-revoked" : "xapp-1-A1-2-revoked";
      const { done, output } = runNode(["--optimize-for-size", mainJs], {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        [variable]: wrong,
        SLACK_API_URL: slack.apiUrl,
        PMO_CHANNEL_ID: "C0SBXPMO01",
        ASANA_TOKEN: asana.token,
        ASANA_BASE_URL: asana.baseUrl,
        ASANA_WORKSPACE_GID: asana.workspaceGid,
        DATA_DIR: `/tmp/pmo-${randomUUID()}`,
        HEALTH_PORT: String(await freePort()),
        WEB_PORT: "0",
        LOG_LEVEL: "silent",
      });
      const result = await done;
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(
        `PMO Pulse cannot start: Slack refused ${variable} (invalid_auth); set a valid token in the environment or in .env`,
      );
      expect(output()).not.toMatch(/\n\s+at |Unhandled|UnhandledPromiseRejection|node:internal/);
      expect(output()).not.toContain(wrong);
    }, 30_000);
  }
});

describe("Asana refusing ASANA_TOKEN (401)", () => {
  it("the app keeps serving Slack; /readyz and /pmo estado say the token is refused", async () => {
    const { slack, asana } = await sandboxes();
    const port = await freePort();
    const config = parseConfig(
      {
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        PMO_CHANNEL_ID: "C0SBXPMO01",
        PMO_ADMIN_USER_IDS: "U0SBXADM01",
        ASANA_TOKEN: "2/1/2:revoked-token",
        ASANA_BASE_URL: asana.baseUrl,
        ASANA_WORKSPACE_GID: asana.workspaceGid,
        HEALTH_PORT: String(port),
        WEB_PORT: "0",
        LOG_LEVEL: "silent",
        TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
      },
      "app",
    );
    const app = await startApp(config, { inMemoryStore: true, schedules: false });
    cleanups.push(() => app.stop());
    const readyz = async () => {
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: answer.status, body: await answer.json() };
    };
    expect((await readyz()).status).toBe(200);
    const run = await app.runPipeline("full");
    expect(run.sync.status).toBe("failed");
    const red = await readyz();
    expect(red.status).toBe(503);
    expect(red.body).toMatchObject({
      ok: false,
      problems: ["asana_token_refused"],
      socket: "connected",
      asana: "token_refused",
    });
    expect(app.isConnected()).toBe(true);
    const before = slack.responses().length;
    await slack.sendCommand("U0SBXADM01", "/pmo", "estado");
    await slack.waitFor(() => slack.responses().length > before, 10_000, "the answer to /pmo estado");
    const answer = JSON.stringify(
      slack
        .responses()
        .slice(before)
        .map((r) => r.body),
    );
    expect(answer).toContain("ASANA_TOKEN");
  }, 30_000);
});

describe("SIGTERM while a call hangs", () => {
  it("exits after SHUTDOWN_GRACE_MS with one log line instead of waiting for the call", async () => {
    const { slack } = await sandboxes();
    const asana = await startSilentEndpoint();
    cleanups.push(() => asana.stop());
    const { child, done, output } = runNode(["--optimize-for-size", mainJs], {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      PMO_CHANNEL_ID: "C0SBXPMO01",
      PMO_ADMIN_USER_IDS: "U0SBXADM01",
      ASANA_TOKEN: "2/1/2:abcdefghij",
      ASANA_BASE_URL: `${asana.url}/api/1.0`,
      ASANA_WORKSPACE_GID: "1",
      ASANA_TIMEOUT_MS: "120000",
      SHUTDOWN_GRACE_MS: "700",
      DATA_DIR: `/tmp/pmo-${randomUUID()}`,
      HEALTH_PORT: String(await freePort()),
      WEB_PORT: "0",
      LOG_LEVEL: "warn",
    });
    cleanups.push(async () => child.kill("SIGKILL"));
    await slack.waitForConnections(1, 20_000);
    await slack.sendCommand("U0SBXADM01", "/pmo", "sync full");
    for (let i = 0; i < 200 && asana.connections() === 0; i++) await new Promise((ok) => setTimeout(ok, 25));
    expect(asana.connections()).toBeGreaterThan(0);
    const signalled = Date.now();
    child.kill("SIGTERM");
    const result = await done;
    expect(Date.now() - signalled).toBeLessThan(700 + 3_000);
    expect(result.code).toBe(1);
    expect(output()).toContain("stopping took longer than SHUTDOWN_GRACE_MS");
  }, 40_000);
});
