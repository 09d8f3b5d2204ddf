import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYNC_LEASE } from "../../jobs/asana-sync.ts";
import { type SandboxAsana, startSandboxAsana } from "../../sandbox/asana/server.ts";
import { type SandboxSlack, startSandboxSlack } from "../../sandbox/slack/server.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { type EndpointStore, endpointStore } from "../fixtures/endpoint-store.ts";

/**
 * Three instances of `app/main.ts` (separate processes) on one store and one sandbox Slack: a
 * scheduled sync runs once per tick, each Slack event is handled once, no alert is posted twice,
 * every instance answers from the store as it is now, and killing the instance holding the sync
 * lease lets another take the job over after expiry.
 */

const ADMIN = "U0SBXADM01";
const CHANNEL = "C0SBXPMO01";

let slack: SandboxSlack;
let asana: SandboxAsana;
let store: EndpointStore;
let repos: Repositories;
const instances: { child: ChildProcess; exited: Promise<number | null> }[] = [];

function startInstance(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "app/main.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  instances.push({ child, exited });
  return { child, exited };
}

async function until<T>(
  probe: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

beforeAll(async () => {
  slack = await startSandboxSlack();
  asana = await startSandboxAsana({ projects: 150, seed: 5, latencyMs: 15, requestsPerMinute: 1_000_000 });
  // The instances create the tables, racing each other as they do on a deployment.
  store = await endpointStore({ env: "dev", tables: false });
  repos = store.repos;
  const env = {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_APP_TOKEN: slack.appToken,
    SLACK_API_URL: slack.apiUrl,
    PMO_CHANNEL_ID: CHANNEL,
    PMO_ADMIN_USER_IDS: ADMIN,
    ASANA_TOKEN: asana.token,
    ASANA_BASE_URL: asana.baseUrl,
    ASANA_WORKSPACE_GID: asana.workspaceGid,
    ...store.env,
    HEALTH_PORT: "0",
    WEB_PORT: "0",
    LOG_LEVEL: "error",
    // A full sync every 4 seconds on every instance; a dead holder's lease runs out after 6.
    SYNC_FULL_CRON: "*/4 * * * * *",
    SYNC_PARTIAL_CRON: "0 0 1 1 *",
    JOB_LEASE_TTL_SECONDS: "6",
  };
  for (let i = 0; i < 3; i++) startInstance(env);
  await slack.waitForConnections(3, 60_000);
}, 90_000);

afterAll(async () => {
  for (const instance of instances) instance.child.kill("SIGKILL");
  await Promise.all(instances.map((i) => i.exited));
  await slack?.stop();
  await asana?.stop();
  await store?.close();
});

describe("three instances on one store", () => {
  it("each scheduled tick runs one sync, whichever instance takes it", async () => {
    const runs = await until(async () => {
      const recent = await repos.syncLog.recent(20);
      return recent.filter((r) => r.status === "completed").length >= 2 ? recent : null;
    }, "two completed scheduled syncs");
    // Runs start on 4-second ticks; two runs never start in the same tick.
    const ticks = runs.map((r) => Math.floor(Date.parse(r.startedAt) / 4_000));
    expect(new Set(ticks).size).toBe(ticks.length);
    const running = runs.filter((r) => r.status === "running");
    expect(running.length).toBeLessThanOrEqual(1);
  });

  it("no alert is posted twice, however many instances ran the pipeline", async () => {
    await until(async () => slack.messages(CHANNEL).length > 0 || null, "alerts in the channel");
    // Let every instance's alert job run a few more ticks, then count messages by their key.
    await new Promise((ok) => setTimeout(ok, 5_000));
    const keys = slack
      .messages(CHANNEL)
      .map((m) => JSON.stringify(m.metadata ?? null))
      .filter((k) => k !== "null");
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("each Slack event is handled once", async () => {
    const before = slack.responses().length;
    for (let i = 0; i < 6; i++) await slack.sendCommand(ADMIN, "/pmo", "estado");
    await until(async () => slack.responses().length >= before + 6 || null, "six answers");
    await new Promise((ok) => setTimeout(ok, 1_000));
    expect(slack.responses().length).toBe(before + 6);
  });

  it("one envelope delivered to two instances (as Slack does) is handled once and answered once", async () => {
    // Only the answer to this DM: reminders may DM the admin too while the schedules run.
    const helpAnswers = () =>
      slack
        .messages(ADMIN)
        .filter((m) => m.botId !== null && m.text.includes("Cómo enviarme una actualización"));
    const before = helpAnswers().length;
    const dm = await slack.sendDm(ADMIN, "ayuda", { duplicate: true });
    expect(dm.acks).toHaveLength(2);
    expect(new Set(dm.connectionIds).size).toBe(2);
    await until(async () => helpAnswers().length > before || null, "the answer to the DM");
    // Long enough for the second instance to have answered too, had it processed the copy.
    await new Promise((ok) => setTimeout(ok, 3_000));
    expect(helpAnswers()).toHaveLength(before + 1);
  });

  it("one App Home event delivered to two instances is published once (no inbox behind it to dedupe)", async () => {
    const publishes = () => slack.calls("views.publish").filter((call) => call.args.user_id === ADMIN);
    const before = publishes().length;
    const home = await slack.openHome(ADMIN, { duplicate: true });
    expect(home.acks).toHaveLength(2);
    expect(new Set(home.connectionIds).size).toBe(2);
    await until(async () => publishes().length > before || null, "the Home published");
    await new Promise((ok) => setTimeout(ok, 3_000));
    expect(publishes()).toHaveLength(before + 1);
  });

  it("every instance answers from the store as it is now, whichever instance wrote it", async () => {
    const search = async () => {
      const before = slack.responses().length;
      // Round-robin over the three connections: each instance answers one.
      for (let i = 0; i < 3; i++) await slack.sendCommand(ADMIN, "/pmo", "buscar zafiro");
      await until(async () => slack.responses().length >= before + 3 || null, "three answers");
      return slack
        .responses()
        .slice(before)
        .map((r) => JSON.stringify(r.body));
    };
    // Every instance has read the portfolio, without that name in it.
    expect((await search()).filter((answer) => answer.includes("Zafiro"))).toEqual([]);
    const target = asana.workspace.projects().find((p) => !p.archived);
    if (target === undefined) throw new Error("no project to rename");
    asana.workspace.renameProject(target.gid, "Zafiro Único");
    await until(
      async () => (await repos.projects.get(target.gid))?.name === "Zafiro Único" || null,
      "a sync to store the new name",
    );
    const answers = await search();
    expect(answers.filter((answer) => answer.includes("Zafiro Único"))).toHaveLength(3);
    // A full sync every 4 s stores the name: 3 s alone, over 20 s beside the suite and benchmarks.
  }, 90_000);

  it("killing the instance that holds the sync lease lets another take over after expiry", async () => {
    const lease = await until(() => repos.meta.leases.get(SYNC_LEASE), "a sync in progress");
    const pid = Number(lease.owner.split(":")[1]);
    const holder = instances.find((i) => i.child.pid === pid);
    expect(holder).toBeDefined();
    holder?.child.kill("SIGKILL");
    await holder?.exited;
    const taken = await until(
      async () => {
        const now = await repos.meta.leases.get(SYNC_LEASE);
        return now !== null && now.owner !== lease.owner ? now : null;
      },
      "another instance to take the lease",
      150_000,
    );
    expect(Number(taken.owner.split(":")[1])).not.toBe(pid);
    const recent = await until(
      async () => {
        const runs = await repos.syncLog.recent(20);
        return runs.some((r) => r.status === "abandoned") &&
          runs.some((r) => r.status === "completed" && r.owner === taken.owner)
          ? runs
          : null;
      },
      "the dead run marked abandoned and a new run completed",
      150_000,
    );
    expect(recent.find((r) => r.status === "abandoned")?.owner).toBe(lease.owner);
    // As long as its two waits may take (the lease's expiry, then a whole sync by the taker): about
    // 10 s alone, but over 70 s beside the rest of the suite on two cores.
  }, 330_000);
});
