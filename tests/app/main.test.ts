import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfig } from "../../app/config.ts";
import { startApp } from "../../app/start.ts";
import { SYNC_LEASE } from "../../jobs/asana-sync.ts";
import { startSandboxAsana } from "../../sandbox/asana/server.ts";
import { startSandboxSlack } from "../../sandbox/slack/server.ts";
import { buildApp } from "../fixtures/built-app.ts";
import { endpointStore } from "../fixtures/endpoint-store.ts";
import { freePort } from "../fixtures/local-server.ts";
import { runNode } from "../fixtures/node-script.ts";

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

function runMain(env: Record<string, string>) {
  const { child, done, output } = runNode(["--optimize-for-size", mainJs], {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    ...env,
  });
  return { child, exited: done.then((result) => result.code), output };
}

describe("npm start", () => {
  it("runs the built app: start's two steps are scripts/build.mjs and dist/main.js", async () => {
    const { scripts } = z
      .object({ scripts: z.object({ start: z.string() }) })
      .parse(JSON.parse(readFileSync("package.json", "utf8")));
    expect(scripts.start).toBe("node scripts/build.mjs && node --optimize-for-size dist/main.js");
  });

  it("without the Slack variables stops with the one-message config error, exit 2", async () => {
    const { exited, output } = runMain({
      ASANA_TOKEN: "2/1/2:abcdefghij",
      ASANA_WORKSPACE_GID: "1",
      DATA_DIR: `/tmp/pmo-${randomUUID()}`,
    });
    expect(await exited).toBe(2);
    expect(output()).toContain("PMO Pulse cannot start: 3 configuration problems");
    for (const variable of ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "PMO_CHANNEL_ID"])
      expect(output()).toContain(variable);
    expect(output()).not.toMatch(/\n\s+at /);
  });

  it("/readyz is red until the socket connects, green after", async () => {
    const slack = await startSandboxSlack();
    const asana = await startSandboxAsana({ projects: 3 });
    cleanups.push(
      () => asana.stop(),
      () => slack.stop(),
    );
    slack.fail("apps.connections.open", "internal_error", { times: 1_000 });
    const port = await freePort();
    const config = parseConfig(
      {
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        PMO_CHANNEL_ID: "C0SBXPMO01",
        ASANA_TOKEN: asana.token,
        ASANA_BASE_URL: asana.baseUrl,
        ASANA_WORKSPACE_GID: asana.workspaceGid,
        HEALTH_PORT: String(port),
        WEB_PORT: "0",
        LOG_LEVEL: "silent",
        TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
      },
      "app",
    );
    const starting = startApp(config, { inMemoryStore: true, schedules: false, clientPingTimeoutMs: 300 });
    const readyz = () =>
      fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.status)
        .catch(() => 0);
    let red = 0;
    for (let i = 0; i < 100 && red !== 503; i++) {
      red = await readyz();
      if (red !== 503) await new Promise((ok) => setTimeout(ok, 50));
    }
    expect(red).toBe(503);
    slack.clearFaults();
    const app = await starting;
    cleanups.push(() => app.stop());
    expect(await readyz()).toBe(200);
  });

  it("SIGTERM during a sync: the run is recorded as failed, the lease released, exit 0", async () => {
    const slack = await startSandboxSlack();
    const asana = await startSandboxAsana({ projects: 300, latencyMs: 40, requestsPerMinute: 1_000_000 });
    // The app creates its tables on start.
    const target = await endpointStore({ env: "dev", tables: false });
    cleanups.push(
      target.close,
      () => asana.stop(),
      () => slack.stop(),
    );
    const { child, exited } = runMain({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      PMO_CHANNEL_ID: "C0SBXPMO01",
      PMO_ADMIN_USER_IDS: "U0SBXADM01",
      ASANA_TOKEN: asana.token,
      ASANA_BASE_URL: asana.baseUrl,
      ASANA_WORKSPACE_GID: asana.workspaceGid,
      ...target.env,
      HEALTH_PORT: String(await freePort()),
      WEB_PORT: "0",
      LOG_LEVEL: "warn",
    });
    cleanups.push(async () => child.kill("SIGKILL"));
    await slack.waitForConnections(1, 20_000);
    const { repos } = target;
    await slack.sendCommand("U0SBXADM01", "/pmo", "sync full");
    for (let i = 0; i < 200 && (await repos.meta.leases.get(SYNC_LEASE)) === null; i++)
      await new Promise((ok) => setTimeout(ok, 50));
    expect(await repos.meta.leases.get(SYNC_LEASE)).not.toBeNull();
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await repos.meta.leases.get(SYNC_LEASE)).toBeNull();
    const [run] = await repos.syncLog.recent(1);
    expect(run).toMatchObject({ status: "failed", errorMessage: expect.stringContaining("stopping") });
  });
});
