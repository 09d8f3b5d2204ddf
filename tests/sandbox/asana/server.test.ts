import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SandboxAsana, startSandboxAsana } from "../../../sandbox/asana/server.ts";
import { createWorkspace, HOSTILE_NAMES, VERTICALS } from "../../../sandbox/asana/workspace.ts";
import { type AsanaClientOptions, AsanaError, createAsanaClient } from "../../../services/asana/client.ts";
import { mapAsanaProject } from "../../../services/asana/mapper.ts";
import {
  type AsanaProjectRecord,
  errorBodySchema,
  eventsResponseSchema,
  PROJECT_OPT_FIELDS,
  projectPageSchema,
  syncTokenExpiredBodySchema,
} from "../../../services/asana/schemas.ts";

type Json = { [key: string]: unknown };
const isJson = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

async function get(sandbox: SandboxAsana, path: string, token: string = sandbox.token) {
  const response = await fetch(`${sandbox.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body: unknown = await response.json();
  return { status: response.status, headers: response.headers, body };
}

function clientFor(sandbox: SandboxAsana, overrides: Partial<AsanaClientOptions> = {}) {
  let t = Date.now();
  const sleeps: number[] = [];
  const asana = createAsanaClient({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    now: () => t,
    random: () => 0.5,
    timeoutMs: 2_000,
    maxRetries: 3,
    ...overrides,
  });
  return { asana, sleeps };
}

async function allProjects(pages: AsyncIterable<AsanaProjectRecord[]>): Promise<AsanaProjectRecord[]> {
  const out: AsanaProjectRecord[] = [];
  for await (const page of pages) out.push(...page);
  return out;
}

async function caught(promise: Promise<unknown>): Promise<AsanaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AsanaError) return error;
    throw error;
  }
  throw new Error("expected an AsanaError");
}

describe("the generated workspace", () => {
  it("is the same for the same seed and differs for another", () => {
    const now = () => new Date("2025-06-01T12:00:00.000Z");
    const a = createWorkspace({ seed: 7, projects: 80, now });
    const b = createWorkspace({ seed: 7, projects: 80, now });
    const c = createWorkspace({ seed: 8, projects: 80, now });
    expect(JSON.stringify(a.projects())).toBe(JSON.stringify(b.projects()));
    expect(JSON.stringify(a.users)).toBe(JSON.stringify(b.users));
    expect(JSON.stringify(a.projects())).not.toBe(JSON.stringify(c.projects()));
  });

  it("looks like a PMO's workspace, gaps and hostile names included", () => {
    const now = new Date("2025-06-01T12:00:00.000Z");
    const ws = createWorkspace({ seed: 1, projects: 120, now: () => now });
    const projects = ws.projects();
    const owners = new Set(projects.map((p) => p.ownerGid).filter((g) => g !== null));
    expect(projects).toHaveLength(120);
    expect(owners.size).toBeGreaterThanOrEqual(20);
    expect(owners.size).toBeLessThanOrEqual(60);
    expect(ws.users.every((u) => /^[a-z.]+\d*@empresa\.example$/.test(u.email))).toBe(true);
    expect(projects.filter((p) => /^PMO-\d+$/.test(p.pmoId ?? "")).length).toBeGreaterThan(90);
    expect(projects.some((p) => !p.hasPmoIdField || p.pmoId === null)).toBe(true);
    expect(projects.some((p) => p.pmoId !== null && /^pmo \d+$|^\d+$/.test(p.pmoId))).toBe(true);
    expect(projects.some((p) => !p.hasVerticalField || p.vertical === null)).toBe(true);
    expect(projects.some((p) => p.dueOn === null)).toBe(true);
    expect(projects.some((p) => p.ownerGid === null)).toBe(true);
    expect(new Set(projects.map((p) => p.vertical).filter((v) => v !== null))).toEqual(new Set(VERTICALS));
    expect(projects.map((p) => p.name)).toEqual(expect.arrayContaining(HOSTILE_NAMES));
    const dueDays = projects
      .filter((p) => p.dueOn !== null)
      .map((p) => (Date.parse(p.dueOn ?? "") - now.getTime()) / 86_400_000);
    expect(Math.min(...dueDays)).toBeLessThan(0);
    expect(Math.max(...dueDays)).toBeGreaterThan(60);
    expect(Math.max(...dueDays)).toBeLessThanOrEqual(121);
    const statusTypes = new Set(projects.flatMap((p) => p.statusUpdates.map((u) => u.statusType)));
    expect(statusTypes.size).toBeGreaterThanOrEqual(5);
    expect(projects.some((p) => p.statusUpdates.length === 0)).toBe(true);
    expect(projects.some((p) => p.tasks.length <= 3)).toBe(true);
    expect(projects.some((p) => p.archived)).toBe(true);
    expect(new Set(projects.map((p) => p.name)).size).toBe(120);
  });
});

describe("the Asana sandbox", () => {
  let sandbox: SandboxAsana;

  beforeAll(async () => {
    sandbox = await startSandboxAsana({ projects: 250, seed: 3 });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it("wants the bearer token", async () => {
    const answer = await get(sandbox, `/workspaces/${sandbox.workspaceGid}/projects`, "2/other:token");
    expect(answer.status).toBe(401);
    expect(errorBodySchema.parse(answer.body).errors?.[0]?.message).toBe("Not Authorized");
    const { asana } = clientFor({ ...sandbox, token: "2/other:token" });
    const error = await caught(asana.getProject(sandbox.workspace.projects()[0]?.gid ?? ""));
    expect(error.code).toBe("asana_auth");
    expect(error.message).toContain("ASANA_TOKEN");
  });

  it("returns only the asked fields, plus gid and resource_type, nested ones included", async () => {
    const gid = sandbox.workspace.projects()[0]?.gid;
    const answer = await get(
      sandbox,
      `/projects/${gid}?opt_fields=name,owner.email,custom_fields.display_value`,
    );
    expect(answer.status).toBe(200);
    const data = isJson(answer.body) ? answer.body.data : undefined;
    if (!isJson(data)) throw new Error("no data");
    expect(Object.keys(data).sort()).toEqual(["custom_fields", "gid", "name", "owner", "resource_type"]);
    expect(Object.keys(isJson(data.owner) ? data.owner : {}).sort()).toEqual([
      "email",
      "gid",
      "resource_type",
    ]);
    const fields = Array.isArray(data.custom_fields) ? data.custom_fields : [];
    for (const field of fields) {
      expect(Object.keys(isJson(field) ? field : {}).sort()).toEqual([
        "display_value",
        "gid",
        "resource_type",
      ]);
    }
  });

  it("shows a nested resource asked without sub-fields as its identity", async () => {
    const gid = sandbox.workspace.projects().find((p) => p.ownerGid !== null)?.gid;
    const answer = await get(sandbox, `/projects/${gid}?opt_fields=owner`);
    const data = isJson(answer.body) ? answer.body.data : undefined;
    expect(isJson(data) ? data.owner : undefined).toEqual({ gid: expect.any(String), resource_type: "user" });
  });

  it("answers task counts only for the fields opted in", async () => {
    const gid = sandbox.workspace.projects()[0]?.gid;
    expect((await get(sandbox, `/projects/${gid}/task_counts`)).body).toEqual({ data: {} });
    const answer = await get(sandbox, `/projects/${gid}/task_counts?opt_fields=num_tasks`);
    expect(answer.body).toEqual({ data: { num_tasks: expect.any(Number) } });
  });

  it("rejects a field it does not know with 400", async () => {
    const answer = await get(sandbox, `/workspaces/${sandbox.workspaceGid}/projects?opt_fields=name,pmo_id`);
    expect(answer.status).toBe(400);
    expect(errorBodySchema.parse(answer.body).errors?.[0]?.message).toContain("pmo_id");
  });

  it("paginates with opaque offsets and next_page, 100 at most", async () => {
    const path = `/workspaces/${sandbox.workspaceGid}/projects`;
    expect((await get(sandbox, `${path}?limit=101`)).status).toBe(400);
    expect((await get(sandbox, `${path}?limit=100&offset=made-up`)).status).toBe(400);
    const gids: string[] = [];
    let next: string | null = `${path}?limit=100&opt_fields=name`;
    let pages = 0;
    while (next !== null) {
      const answer = await get(sandbox, next);
      const page = projectPageSchema.parse(answer.body);
      pages++;
      gids.push(...page.data.map((p) => p.gid));
      next = page.next_page?.path ?? null;
      if (page.next_page) {
        expect(page.next_page.uri).toBe(`${sandbox.baseUrl}${page.next_page.path}`);
        expect(page.next_page.path).toContain(`offset=${encodeURIComponent(page.next_page.offset)}`);
      }
    }
    expect(pages).toBe(3);
    expect(gids).toEqual(sandbox.workspace.projects().map((p) => p.gid));
  });

  it("serves every listing through the client to the end, each project readable by the mapper", async () => {
    const { asana } = clientFor(sandbox);
    const workspace = await allProjects(
      asana.listProjects({ workspaceGid: sandbox.workspaceGid, teamGids: [] }),
    );
    const teams = await allProjects(
      asana.listProjects({ workspaceGid: sandbox.workspaceGid, teamGids: sandbox.teamGids }),
    );
    const active = await allProjects(
      asana.listProjects(
        { workspaceGid: sandbox.workspaceGid, teamGids: sandbox.teamGids },
        PROJECT_OPT_FIELDS,
        {
          archived: false,
        },
      ),
    );
    expect(workspace).toHaveLength(250);
    expect(new Set(teams.map((p) => p.gid))).toEqual(new Set(workspace.map((p) => p.gid)));
    expect(active.length).toBe(sandbox.workspace.projects().filter((p) => !p.archived).length);
    const unreadable = workspace.map((p) => mapAsanaProject(p)).filter((r) => !r.ok);
    expect(unreadable).toEqual([]);
    const names = workspace.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(HOSTILE_NAMES));
  });

  it("lists a portfolio with its nested portfolios, each project once", async () => {
    const { asana } = clientFor(sandbox);
    const projects = await allProjects(asana.listProjects({ portfolioGid: sandbox.portfolioGid }));
    const gids = projects.map((p) => p.gid);
    expect(new Set(gids).size).toBe(gids.length);
    const inPortfolios = new Set(
      sandbox.workspace.portfolios.flatMap((p) => p.itemGids).filter((gid) => sandbox.workspace.project(gid)),
    );
    expect(new Set(gids)).toEqual(inPortfolios);
    expect(gids.length).toBeLessThan(250);
    const nested = sandbox.workspace.portfolios.find((p) => p.name.startsWith("Banca —"));
    expect(nested?.itemGids.every((gid) => gids.includes(gid))).toBe(true);
  });

  it("finds users by gid, email and me", async () => {
    const { asana } = clientFor(sandbox);
    const someone = sandbox.workspace.users[3];
    if (someone === undefined) throw new Error("no user");
    expect(await asana.getUser(someone.gid)).toMatchObject({ name: someone.name, email: someone.email });
    expect(await asana.findUserByEmail(sandbox.workspaceGid, someone.email.toUpperCase())).toMatchObject({
      gid: someone.gid,
    });
    expect(await asana.findUserByEmail(sandbox.workspaceGid, "nadie@empresa.example")).toBeNull();
    expect((await asana.getUser("me")).gid).toBe(sandbox.workspace.me.gid);
  });

  it("records every call with method, path and query", async () => {
    const before = sandbox.calls.length;
    await get(sandbox, `/teams/${sandbox.teamGids[0]}/projects?limit=2&archived=false`);
    expect(sandbox.calls.slice(before)).toEqual([
      {
        method: "GET",
        path: `/teams/${sandbox.teamGids[0]}/projects`,
        query: { limit: "2", archived: "false" },
        status: 200,
        at: expect.any(Number),
      },
    ]);
  });
});

describe("events and mutations", () => {
  let sandbox: SandboxAsana;

  beforeAll(async () => {
    sandbox = await startSandboxAsana({ projects: 30, seed: 11 });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  const projectWithOpenTasks = () => {
    const project = sandbox.workspace.projects().find((p) => p.tasks.filter((t) => !t.completed).length >= 3);
    if (project === undefined) throw new Error("no project with open tasks");
    return project;
  };

  it("answers 412 with a fresh token when there is none, then events since that token", async () => {
    const project = projectWithOpenTasks();
    const first = await get(sandbox, `/events?resource=${project.gid}`);
    expect(first.status).toBe(412);
    const fresh = syncTokenExpiredBodySchema.parse(first.body).sync;

    const quiet = eventsResponseSchema.parse(
      (await get(sandbox, `/events?resource=${project.gid}&sync=${fresh}`)).body,
    );
    expect(quiet.data).toEqual([]);
    sandbox.workspace.completeTasks(project.gid, 2);
    const busy = eventsResponseSchema.parse(
      (await get(sandbox, `/events?resource=${project.gid}&sync=${quiet.sync}`)).body,
    );
    expect(busy.data.map((e) => [e.resource.resource_type, e.action, e.change?.field])).toEqual([
      ["task", "changed", "completed"],
      ["task", "changed", "completed"],
    ]);
    expect(busy.has_more).toBe(false);
  });

  it("answers 412 for an unknown or expired token, through the client too", async () => {
    const project = projectWithOpenTasks();
    const { asana } = clientFor(sandbox);
    const unknown = await caught(asana.getEvents(project.gid, "not-a-token"));
    expect(unknown.code).toBe("asana_sync_token_expired");
    const token = unknown.syncToken ?? "";
    expect((await asana.getEvents(project.gid, token)).events).toEqual([]);
    sandbox.expireSyncTokens();
    const expired = await caught(asana.getEvents(project.gid, token));
    expect(expired.code).toBe("asana_sync_token_expired");
    expect(expired.syncToken).not.toBe(token);
  });

  it("pages events 100 at a time with has_more, which the client follows", async () => {
    const project = sandbox.workspace.projects()[4];
    if (project === undefined) throw new Error("no project");
    const { asana } = clientFor(sandbox);
    const token = await asana.freshSyncToken(project.gid);
    sandbox.workspace.addTasks(project.gid, 150);
    const raw = eventsResponseSchema.parse(
      (await get(sandbox, `/events?resource=${project.gid}&sync=${token}`)).body,
    );
    expect(raw.data).toHaveLength(100);
    expect(raw.has_more).toBe(true);
    const followed = await asana.getEvents(project.gid, token);
    expect(followed.events).toHaveLength(150);
    expect(followed.hasMore).toBe(false);
  });

  it("shows each mutation in the next listing and in events", async () => {
    const { asana } = clientFor(sandbox);
    const scope = { workspaceGid: sandbox.workspaceGid, teamGids: [] };
    const [renamed, moved, reowned, archived, deleted, updated, retagged] = sandbox.workspace.projects();
    if (!renamed || !moved || !reowned || !archived || !deleted || !updated || !retagged)
      throw new Error("few projects");
    const tokens = new Map<string, string>();
    for (const p of [renamed, moved, reowned, archived, updated, retagged]) {
      tokens.set(p.gid, await asana.freshSyncToken(p.gid));
    }
    const newOwner = sandbox.workspace.users.find(
      (u) => u.gid !== reowned.ownerGid && u !== sandbox.workspace.me,
    );
    if (newOwner === undefined) throw new Error("no other user");

    sandbox.workspace.renameProject(renamed.gid, "<!here> renombrado & listo");
    sandbox.workspace.setDueOn(moved.gid, "2031-03-15");
    sandbox.workspace.setOwner(reowned.gid, newOwner.gid);
    sandbox.workspace.archiveProject(archived.gid);
    sandbox.workspace.deleteProject(deleted.gid);
    await asana.createStatusUpdate(updated.gid, {
      status_type: "off_track",
      title: "Semana 9",
      text: "Bloqueado",
    });
    sandbox.workspace.setPmoId(retagged.gid, "pmo 900");
    sandbox.workspace.setVertical(retagged.gid, "Salud");

    const listed = new Map(
      (await allProjects(asana.listProjects(scope))).map((p) => {
        const mapped = mapAsanaProject(p);
        if (!mapped.ok) throw new Error(mapped.reason);
        return [p.gid, mapped.project];
      }),
    );
    expect(listed.get(renamed.gid)?.name).toBe("<!here> renombrado & listo");
    expect(listed.get(moved.gid)?.dueOn).toBe("2031-03-15");
    expect(listed.get(reowned.gid)).toMatchObject({
      responsable: newOwner.name,
      responsableKey: newOwner.gid,
      ownerEmail: newOwner.email,
    });
    expect(listed.get(archived.gid)?.archived).toBe(true);
    expect(listed.has(deleted.gid)).toBe(false);
    expect(listed.get(updated.gid)).toMatchObject({ status: "off_track", statusText: "Bloqueado" });
    expect(listed.get(retagged.gid)).toMatchObject({ pmoId: "PMO-900", businessVertical: "Salud" });
    expect((await caught(asana.getProject(deleted.gid))).code).toBe("asana_not_found");

    const changedField = async (gid: string) => {
      const answer = await asana.getEvents(gid, tokens.get(gid) ?? null);
      return answer.events.map((e) => e.change?.field ?? `${e.resource.resource_type}:${e.action}`);
    };
    expect(await changedField(renamed.gid)).toEqual(["name"]);
    expect(await changedField(moved.gid)).toEqual(["due_on"]);
    expect(await changedField(reowned.gid)).toEqual(["owner"]);
    expect(await changedField(archived.gid)).toEqual(["archived"]);
    expect(await changedField(updated.gid)).toEqual(["status_update:added"]);
    expect(await changedField(retagged.gid)).toEqual(["custom_fields", "custom_fields"]);
  });

  it("reports task activity through tasks?modified_since and task counts", async () => {
    const project = projectWithOpenTasks();
    const { asana } = clientFor(sandbox);
    const before = await asana.getTaskCounts(project.gid);
    const since = new Date(Date.now() - 1_000).toISOString();
    const quietBefore = await asana.taskModifiedSince(
      project.gid,
      new Date(Date.now() + 60_000).toISOString(),
    );
    sandbox.workspace.completeTasks(project.gid, 1);
    const after = await asana.getTaskCounts(project.gid);
    expect(quietBefore).toBeNull();
    expect(await asana.taskModifiedSince(project.gid, since)).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(after.num_completed_tasks).toBe((before.num_completed_tasks ?? 0) + 1);
    expect(after.num_incomplete_tasks).toBe((before.num_incomplete_tasks ?? 0) - 1);
    expect(after.num_tasks).toBe(before.num_tasks);
  });
});

describe("rate limits", () => {
  let sandbox: SandboxAsana | undefined;

  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it("answers 429 with Retry-After beyond the free plan's 150 requests a minute", async () => {
    const started = await startSandboxAsana({ projects: 3, plan: "free" });
    sandbox = started;
    const path = `/users/${started.workspace.me.gid}`;
    for (let batch = 0; batch < 15; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, async () => (await get(started, path)).status),
      );
      expect(statuses.every((s) => s === 200)).toBe(true);
    }
    const over = await get(started, path);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(errorBodySchema.safeParse(over.body).success).toBe(true);
  });

  it("answers 429 beyond 50 concurrent GETs", async () => {
    const started = await startSandboxAsana({ projects: 3, latencyMs: 400 });
    sandbox = started;
    const statuses = await Promise.all(
      Array.from({ length: 60 }, async () => (await get(started, "/users/me")).status),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });

  it("is never pushed to a 429 by a client paced to the same limits", async () => {
    const started = await startSandboxAsana({ projects: 3, latencyMs: 20, maxConcurrentReads: 5 });
    sandbox = started;
    const { asana } = clientFor(started, { maxConcurrentReads: 5 });
    await Promise.all(Array.from({ length: 40 }, () => asana.getUser("me")));
    expect(asana.stats.throttled).toBe(0);
    expect(started.calls.filter((c) => c.status === 429)).toEqual([]);
  });
});

describe("faults", () => {
  let sandbox: SandboxAsana | undefined;

  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it("answers 5xx at the asked rate, which the client retries through", async () => {
    const started = await startSandboxAsana({ projects: 5, seed: 2, faults: { serverErrorRate: 0.3 } });
    sandbox = started;
    const { asana } = clientFor(started, { maxRetries: 8 });
    for (let i = 0; i < 20; i++) await asana.getUser("me");
    const errors = started.calls.filter((c) => c.status === 500).length;
    expect(errors).toBeGreaterThan(0);
    expect(asana.stats.retries).toBe(errors);
    expect(asana.stats.calls).toBe(20 + errors);
  });

  it("holds requests past the client's timeout at the asked rate", async () => {
    const started = await startSandboxAsana({
      projects: 5,
      seed: 4,
      faults: { timeoutRate: 0.3, hangMs: 5_000 },
    });
    sandbox = started;
    const { asana } = clientFor(started, { timeoutMs: 150, maxRetries: 8 });
    for (let i = 0; i < 10; i++) await asana.getUser("me");
    expect(asana.stats.retries).toBeGreaterThan(0);
    expect(asana.stats.calls).toBe(10 + asana.stats.retries);

    started.setFaults({ timeoutRate: 1, hangMs: 5_000 });
    const { asana: patient } = clientFor(started, { timeoutMs: 100, maxRetries: 1 });
    const error = await caught(patient.getUser("me"));
    expect(error.code).toBe("asana_unavailable");
    expect(error.status).toBeNull();
  });

  it("fails task counts for the same share of projects every time", async () => {
    const started = await startSandboxAsana({
      projects: 60,
      seed: 6,
      faults: { taskCountsFailureShare: 0.25 },
    });
    sandbox = started;
    const { asana } = clientFor(started, { maxRetries: 1 });
    const failing = async () => {
      const failed: string[] = [];
      for (const project of started.workspace.projects()) {
        try {
          await asana.getTaskCounts(project.gid);
        } catch (error) {
          if (!(error instanceof AsanaError) || error.code !== "asana_unavailable") throw error;
          failed.push(project.gid);
        }
      }
      return failed;
    };
    const first = await failing();
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(30);
    expect(await failing()).toEqual(first);
    const healthy = started.workspace.projects().find((p) => !first.includes(p.gid));
    expect((await get(started, `/projects/${healthy?.gid}`)).status).toBe(200);
  });

  it("expires the offset of page K once, like Asana's 400, and the client starts over", async () => {
    const started = await startSandboxAsana({ projects: 350, seed: 9, faults: { expiredOffsetAtPage: 3 } });
    sandbox = started;
    const { asana } = clientFor(started);
    const projects = await allProjects(
      asana.listProjects({ workspaceGid: started.workspaceGid, teamGids: [] }),
    );
    expect(projects.map((p) => p.gid)).toEqual(started.workspace.projects().map((p) => p.gid));
    const listing = started.calls.filter((c) => c.path.endsWith("/projects"));
    expect(listing.map((c) => c.status)).toEqual([200, 200, 400, 200, 200, 200, 200]);
  });
});
