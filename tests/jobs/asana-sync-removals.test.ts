import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../app/config.ts";
import { type Container, createContainer } from "../../app/container.ts";
import { type AppServices, buildServices, type SlackPorts } from "../../app/services.ts";
import { type SandboxAsana, startSandboxAsana } from "../../sandbox/asana/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import type { Finding, Project } from "../../services/model.ts";
import type { MessageRef, Notifier, OutgoingMessage } from "../../services/slack/notifier.ts";

/**
 * Item 1 of issue #12: a listing that briefly omits most of the portfolio marks nothing removed;
 * the run says so in the sync log and once in the PMO channel; an admin's confirmation applies it.
 * Through the composition root, as the schedule and `/pmo sync` run it.
 */

type World = {
  sandbox: SandboxAsana;
  container: Container;
  services: AppServices;
  channel: OutgoingMessage[];
};
const worlds: World[] = [];

afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => Promise.allSettled([w.container.close(), w.sandbox.stop()])));
});

function recordingNotifier(channel: OutgoingMessage[]): Notifier {
  return {
    channel: "CPMO000001",
    post: async (message): Promise<MessageRef> => {
      channel.push(message);
      return { channel: "CPMO000001", ts: `${channel.length}.000000` };
    },
    update: async () => undefined,
    findPosted: async () => new Map(),
  };
}

async function world(projects: number, seed: number): Promise<World> {
  const sandbox = await startSandboxAsana({ projects, seed, requestsPerMinute: 1_000_000 });
  const config = parseConfig(
    {
      PMO_ADMIN_USER_IDS: "UADMIN0001",
      LOG_LEVEL: "silent",
      TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
      ASANA_TOKEN: sandbox.token,
      ASANA_BASE_URL: sandbox.baseUrl,
      ASANA_PORTFOLIO_GID: sandbox.portfolioGid,
      ASANA_WORKSPACE_GID: sandbox.workspaceGid,
    },
    "store",
  );
  const channel: OutgoingMessage[] = [];
  const silentDms = {
    post: async (ch: string) => ({ channel: ch, ts: "1.000000" }),
    update: async () => undefined,
  };
  const container = await createContainer(
    { ...config, store: { ...config.store, engine: "embedded" } },
    {
      inMemoryStore: true,
      notifier: recordingNotifier(channel),
      messenger: silentDms,
      asana: createAsanaClient({
        baseUrl: sandbox.baseUrl,
        token: sandbox.token,
        requestsPerMinute: 1_000_000,
        sleep: async () => {},
        timeoutMs: 2_000,
      }),
    },
  );
  const slack: SlackPorts = {
    userLookup: { info: async () => ({ email: null, name: null, locale: null }) },
    messenger: silentDms,
  };
  const services = buildServices(container, slack, { schedulesOn: false });
  const built = { sandbox, container, services, channel };
  worlds.push(built);
  return built;
}

async function allProjects(w: World): Promise<Project[]> {
  const out: Project[] = [];
  for await (const page of w.container.repos.projects.iterateAll()) out.push(...page);
  return out;
}

async function findingsOf(w: World, gids: readonly string[]): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const gid of gids) out.push(...(await w.container.repos.findings.listForProject(gid)));
  return out;
}

const notices = (w: World) =>
  w.channel.filter((m) => m.blocks.some((b) => "block_id" in b && b.block_id === "pmo-mass-removal"));

describe("a mass disappearance from the listing", () => {
  it("marks nothing removed, keeps the findings, warns once; the admin's confirmation applies it", async () => {
    const w = await world(160, 21);
    expect((await w.services.pipeline.run("full")).sync.status).toBe("completed");
    const active = (await allProjects(w)).filter((p) => p.removedAt === null);
    const hidden = active.slice(0, Math.ceil(active.length * 0.9)).map((p) => p.gid);
    const findingsBefore = await findingsOf(w, hidden);
    expect(findingsBefore.length).toBeGreaterThan(0);

    w.sandbox.setFaults({ hiddenFromListings: hidden });
    const held = await w.services.pipeline.run("partial");
    expect(held.sync.status).toBe("completed");
    expect(held.sync.stats.projectsRemoved).toBe(0);
    expect(held.sync.heldRemovals).toMatchObject({ count: hidden.length, activeProjects: active.length });
    const after = await allProjects(w);
    expect(after.filter((p) => p.removedAt !== null && hidden.includes(p.gid))).toEqual([]);
    expect(await findingsOf(w, hidden)).toEqual(findingsBefore);
    const run = await w.container.repos.syncLog.get(held.sync.syncId ?? "");
    expect(run?.status).toBe("completed");
    expect(run?.warning).toContain(`mass removal held: ${hidden.length} of ${active.length}`);
    const firstHeld = held.sync.heldRemovals?.samples[0]?.gid ?? "";
    expect(hidden).toContain(firstHeld);
    expect(run?.warning).toContain(`${firstHeld} out_of_scope`);
    expect(notices(w)).toHaveLength(1);
    expect(notices(w)[0]?.text).toContain(String(hidden.length));

    // An admin confirms: the same listing is now applied.
    const confirmed = await w.services.lookups.runSync("full", { confirmRemovals: true });
    expect(confirmed).toMatchObject({
      kind: "completed",
      projectsRemoved: hidden.length,
    });
    const marked = (await allProjects(w)).filter((p) => hidden.includes(p.gid));
    expect(marked.every((p) => p.removedReason === "out_of_scope" && p.removedAt !== null)).toBe(true);
    expect(notices(w)).toHaveLength(1);
    // Two full syncs of 160 projects and the rules: about 11 s alone, far longer beside the suite.
  }, 90_000);

  it("a few projects leaving a portfolio of about a hundred are marked as before, without a notice", async () => {
    const w = await world(115, 8);
    await w.services.pipeline.run("full");
    const active = (await allProjects(w)).filter((p) => p.removedAt === null);
    expect(active.length).toBeGreaterThanOrEqual(90);
    const leaving = active.slice(0, 3).map((p) => p.gid);
    w.sandbox.setFaults({ hiddenFromListings: leaving });
    const summary = await w.services.pipeline.run("partial");
    expect(summary.sync.stats.projectsRemoved).toBe(3);
    expect(summary.sync.heldRemovals).toBeUndefined();
    expect((await w.container.repos.syncLog.get(summary.sync.syncId ?? ""))?.warning).toBeNull();
    const marked = (await allProjects(w)).filter((p) => leaving.includes(p.gid));
    expect(marked.map((p) => p.removedReason)).toEqual(["out_of_scope", "out_of_scope", "out_of_scope"]);
    expect(notices(w)).toEqual([]);
  }, 60_000);
});
