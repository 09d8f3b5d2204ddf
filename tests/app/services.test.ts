import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { parseConfig } from "../../app/config.ts";
import { type Container, createContainer } from "../../app/container.ts";
import {
  type AppServices,
  buildServices,
  PENDING_UPDATES_CRON,
  type SlackPorts,
} from "../../app/services.ts";
import { PmoError } from "../../services/errors.ts";
import type { SlackMessage } from "../../services/slack/blocks/finding-parts.ts";
import { TextNotifier } from "../../services/slack/notifier.ts";
import { type FakeSlack, startFakeSlack } from "../fixtures/fake-slack.ts";
import { jsonAnswer, startLlmEndpoint } from "../fixtures/llm-endpoint.ts";
import { ASANA_USERS, P1, PM, PM_DM, SLACK_USERS, START, seedProjects } from "../fixtures/update-world.ts";

/**
 * The composition root: every use case built once from the container, and the schedules, `/pmo
 * sync` and the listeners calling those same instances (never a copy, never a silent no-op).
 */

type World = { container: Container; services: AppServices; dms: SlackMessage[]; slackDown: { on: boolean } };
const worlds: World[] = [];

afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.container.close()));
});

async function world(options: { schedulesOn?: boolean; env?: Record<string, string> } = {}): Promise<World> {
  const config = parseConfig(
    {
      PMO_ADMIN_USER_IDS: "UADMIN0001",
      LOG_LEVEL: "silent",
      TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
      PMO_TIMEZONE: "America/Bogota",
      ...options.env,
    },
    "store",
  );
  const container = await createContainer(
    { ...config, store: { ...config.store, engine: "embedded" } },
    {
      inMemoryStore: true,
      clock: () => START,
      notifier: new TextNotifier({ write: () => true }),
    },
  );
  const dms: SlackMessage[] = [];
  const slackDown = { on: false };
  const slack: SlackPorts = {
    userLookup: { info: async (id) => SLACK_USERS[id] ?? { email: null, name: null, locale: null } },
    messenger: {
      post: async (channel, message) => {
        if (slackDown.on) throw new Error("Slack is down");
        dms.push(message);
        return { channel, ts: `${dms.length}.000000` };
      },
      update: async () => undefined,
    },
  };
  const services = buildServices(container, slack, {
    ...(options.schedulesOn === undefined ? {} : { schedulesOn: options.schedulesOn }),
    updates: { retryDelayMs: 1 },
  });
  const built = { container, services, dms, slackDown };
  worlds.push(built);
  return built;
}

/** The projects, and the PM mapped to Asana already (no Asana client here): the PM owns PMO-101. */
async function seedProjectsAndPm(repos: Container["repos"]): Promise<void> {
  await seedProjects(repos);
  const email = SLACK_USERS[PM]?.email ?? "";
  await repos.users.upsert({
    slackUserId: PM,
    email,
    name: "PM",
    asanaUserGid: ASANA_USERS[email] ?? null,
    locale: "es",
    refreshedAt: START.toISOString(),
  });
}

describe("buildServices", () => {
  it("schedules every job, once each, on the services it built", async () => {
    const { services } = await world();
    expect(services.schedules.jobs.map((job) => job.name)).toEqual([
      "sync-full",
      "sync-partial",
      "daily-digest",
      "owner-reminders",
      "pending-updates",
    ]);
    expect(services.schedules.jobs.find((job) => job.name === "pending-updates")?.cron).toBe(
      PENDING_UPDATES_CRON,
    );
  });

  it("tells /pmo estado the next run of each schedule, or none when the schedules are off", async () => {
    const on = await world();
    const runs = on.services.schedules.nextRuns();
    expect(runs).toHaveLength(5);
    for (const run of runs) expect(run.next?.getTime()).toBeGreaterThan(START.getTime());
    const partial = runs.find((run) => run.name === "sync-partial");
    // Every 30 minutes by default: the next one within half an hour of now.
    expect((partial?.next?.getTime() ?? 0) - START.getTime()).toBeLessThanOrEqual(30 * 60_000);
    const off = await world({ schedulesOn: false });
    expect(off.services.schedules.nextRuns().every((run) => run.next === null)).toBe(true);
    const status = await off.services.lookups.status([]);
    expect(status.kind === "status" && status.nextRuns).toEqual(off.services.schedules.nextRuns());
  });

  it("the pending-updates schedule retries, on the same inbox, a DM that could not be answered", async () => {
    const w = await world();
    await seedProjectsAndPm(w.container.repos);
    w.slackDown.on = true;
    const dm = {
      kind: "dm",
      eventId: "EvPending1",
      userId: PM,
      channel: PM_DM,
      text: "PMO-101 avance 70%",
      ts: "1772636000.000100",
      receivedAt: START.toISOString(),
    };
    expect(await w.services.updates.inbox.receive(dm.eventId, dm)).toBe("pending");
    await w.services.updates.inbox.idle();
    expect(w.dms).toEqual([]);

    w.slackDown.on = false;
    const job = w.services.schedules.jobs.find((j) => j.name === "pending-updates");
    if (job === undefined) throw new Error("no pending-updates schedule");
    expect(await job.run()).toMatchObject({ inbound: { pending: 1, done: 1 } });
    expect(w.dms.map((m) => m.text).join("\n")).toContain("Entendí");
    expect(await job.run()).toMatchObject({ inbound: { pending: 0 } });
  });

  it("with LLM_BASE_URL and LLM_MODEL, a language model reads the DMs and writes the digest's paragraph", async () => {
    const endpoint = await startLlmEndpoint();
    try {
      const schemaName = z.object({
        response_format: z.object({ json_schema: z.object({ name: z.string() }) }),
      });
      endpoint.reply((request) =>
        schemaName.parse(request.body).response_format.json_schema.name === "digest_paragraph"
          ? jsonAnswer({ paragraph: "Un día tranquilo." })
          : jsonAnswer({
              language: "es",
              confidence: 0.9,
              updates: [
                {
                  projectGid: P1,
                  pmoId: null,
                  progress: 42,
                  health: "on_track",
                  risks: [],
                  blockers: [],
                  nextSteps: [],
                  eta: null,
                  etaUncertain: false,
                },
              ],
            }),
      );
      const w = await world({ env: { LLM_BASE_URL: endpoint.baseUrl, LLM_MODEL: "standin-model" } });
      await seedProjectsAndPm(w.container.repos);
      const dm = {
        kind: "dm",
        eventId: "EvLlm1",
        userId: PM,
        channel: PM_DM,
        text: "Portal de clientes avance 70%",
        ts: "1772636000.000200",
        receivedAt: START.toISOString(),
      };
      await w.services.updates.inbox.receive(dm.eventId, dm);
      await w.services.updates.inbox.idle();
      const card = JSON.stringify(w.dms);
      expect(card).toContain("avance 42 %");
      expect(card).not.toContain("avance 70");
      expect(endpoint.requests[0]?.raw).toContain("Portal de clientes avance 70%");

      expect((await w.services.digest.send()).status).toBe("sent");
      expect(endpoint.requests.map((r) => schemaName.parse(r.body).response_format.json_schema.name)).toEqual(
        ["status_update_reading", "digest_paragraph"],
      );
    } finally {
      await endpoint.stop();
    }
  });

  it("runs /pmo sync and the scheduled sync through the one pipeline (here: no Asana token, said plainly)", async () => {
    const { services } = await world();
    const outcome = await services.lookups.runSync("partial");
    expect(outcome).toMatchObject({ kind: "failed", syncKind: "partial" });
    expect(outcome.kind === "failed" && outcome.cause instanceof PmoError && outcome.cause.code).toBe(
      "config_invalid",
    );
    const job = services.schedules.jobs.find((j) => j.name === "sync-partial");
    await expect(job?.run()).rejects.toThrow("ASANA_TOKEN is missing");
  });

  it("one authorization service for every surface: the export, the sync and the finding actions agree", async () => {
    const { services } = await world();
    expect(await services.lookups.mayRunSync("UADMIN0001")).toBe(true);
    expect(await services.lookups.mayRunSync(PM)).toBe(false);
    const filters = { severities: [], vertical: null, responsable: null };
    expect((await services.export.exportFor(PM, filters)).kind).toBe("denied");
    expect(services.authorization.isAdmin("UADMIN0001")).toBe(true);
  });
});

describe("channels", () => {
  const slackWorlds: { container: Container; slack: FakeSlack }[] = [];
  afterEach(async () => {
    for (const w of slackWorlds.splice(0)) {
      w.slack.stop();
      await w.container.close();
    }
  });

  async function slackWorld(env: Record<string, string>) {
    const slack = startFakeSlack();
    const config = parseConfig(
      {
        SLACK_BOT_TOKEN: "xoxb-test",
        SLACK_API_URL: slack.apiUrl,
        PMO_CHANNEL_ID: "C0PMO",
        LOG_LEVEL: "silent",
        TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
        ...env,
      },
      "store",
    );
    const container = await createContainer(
      { ...config, store: { ...config.store, engine: "embedded" } },
      { inMemoryStore: true, clock: () => START },
    );
    slackWorlds.push({ container, slack });
    const ports: SlackPorts = {
      userLookup: { info: async () => ({ email: null, name: null, locale: null }) },
      messenger: { post: async (channel) => ({ channel, ts: "1.000000" }), update: async () => undefined },
    };
    return { container, slack, services: buildServices(container, ports, { schedulesOn: false }) };
  }

  it("posts findings alerts to PMO_FINDINGS_CHANNEL_ID and the daily digest to PMO_CHANNEL_ID", async () => {
    const { container, slack, services } = await slackWorld({ PMO_FINDINGS_CHANNEL_ID: "C0FINDINGS" });
    await container.repos.projects.upsert({ gid: "1", name: "Proyecto 1", pmoId: "PMO-1" }, 0);
    await container.repos.findings.open({
      projectGid: "1",
      ruleId: "schedule_risk",
      severity: "high",
      details: { daysToDue: 5, progress: 40 },
    });
    expect((await services.pipeline.pushAlerts()).counts.posted).toBe(1);
    expect((await services.digest.send()).status).toBe("sent");
    expect(slack.messages.map((m) => [m.channel, m.metadata?.event_type])).toEqual([
      ["C0FINDINGS", "pmo_finding_alert"],
      ["C0PMO", "pmo_daily_digest"],
    ]);
  });

  it("without PMO_FINDINGS_CHANNEL_ID, findings alerts share the PMO channel and its pacing", async () => {
    const { container } = await slackWorld({});
    expect(container.findingsNotifier).toBe(container.notifier);
    expect(container.findingsNotifier.channel).toBe("C0PMO");
  });
});
