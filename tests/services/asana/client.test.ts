import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AsanaClientOptions,
  AsanaError,
  buildUrl,
  createAsanaClient,
  INTERACTIVE_SLOTS,
  retryAfterMs,
} from "../../../services/asana/client.ts";
import type { AsanaProjectRecord } from "../../../services/asana/schemas.ts";

const ORIGIN = "https://app.asana.com";
const BASE = "/api/1.0";
const TOKEN = "2/1204000000/1205000000:secret-token-value";

/** A clock that jumps forward when slept on, so nothing really waits. */
function fakeClock(start = 1_750_000_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t = Math.max(t, t + ms);
    },
  };
}

/** A clock the test moves by hand, once every request of the moment has reached the server. */
function manualClock(start = 1_750_000_000_000) {
  let t = start;
  const waiters: { at: number; wake: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => waiters.push({ at: t + ms, wake })),
    /** Moves time to the earliest sleeper each time real I/O has settled, until `work` ends. */
    async drive<T>(work: Promise<T>): Promise<T> {
      let finished = false;
      const settled = work.finally(() => {
        finished = true;
      });
      // Time moves only once nothing has changed for a while: on a loaded machine requests still
      // in flight must land before the clock jumps past their window.
      let quiet = 0;
      let seen = -1;
      while (!finished) {
        await new Promise((done) => setTimeout(done, 20));
        if (waiters.length === 0 || waiters.length !== seen) {
          seen = waiters.length;
          quiet = 0;
          continue;
        }
        if (++quiet < 5) continue;
        quiet = 0;
        seen = -1;
        waiters.sort((a, b) => a.at - b.at);
        t = Math.max(t, waiters[0]?.at ?? t);
        for (const waiter of waiters.splice(0, waiters.filter((w) => w.at <= t).length)) waiter.wake();
      }
      return settled;
    },
  };
}

function client(overrides: Partial<AsanaClientOptions> = {}) {
  const clock = fakeClock();
  const asana = createAsanaClient({
    baseUrl: `${ORIGIN}${BASE}`,
    token: TOKEN,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    timeoutMs: 1_000,
    maxRetries: 3,
    ...overrides,
  });
  return { asana, clock };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
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

const projects = (from: number, to: number): AsanaProjectRecord[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    gid: String(from + i),
    resource_type: "project",
    name: `Proyecto ${from + i}`,
  }));

const nextPage = (offset: string, path: string) => ({ offset, path: `${path}?offset=${offset}`, uri: "x" });

afterEach(() => {
  nock.cleanAll();
});

describe("pagination", () => {
  it("follows next_page.offset to the end, 100 at a time, with the opt_fields asked", async () => {
    const seen: unknown[] = [];
    const record = (query: unknown) => {
      seen.push(query);
      return true;
    };
    nock(ORIGIN)
      .get(`${BASE}/teams/11/projects`)
      .query((q) => record(q) && q.offset === undefined)
      .reply(200, { data: projects(1, 100), next_page: nextPage("o1", "/teams/11/projects") })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === "o1" && record(q))
      .reply(200, { data: projects(101, 200), next_page: nextPage("o2", "/teams/11/projects") })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === "o2" && record(q))
      .reply(200, { data: projects(201, 230), next_page: null });
    const { asana } = client();

    const pages = await collect(
      asana.listProjects({ workspaceGid: "1", teamGids: ["11"] }, ["name", "owner.name"]),
    );

    expect(pages.map((p) => p.length)).toEqual([100, 100, 30]);
    expect(pages.flat().map((p) => p.gid)).toEqual(projects(1, 230).map((p) => p.gid));
    const asked = expect.objectContaining({ limit: "100", opt_fields: "name,owner.name" });
    expect(seen).toEqual([asked, asked, asked]);
    expect(asana.stats.calls).toBe(3);
  });

  it("lists the workspace when no team is configured, passing the archived filter", async () => {
    nock(ORIGIN)
      .get(`${BASE}/workspaces/9/projects`)
      .query((q) => q.archived === "false" && q.limit === "100")
      .reply(200, { data: projects(1, 2) });
    const { asana } = client();
    const pages = await collect(
      asana.listProjects({ workspaceGid: "9", teamGids: [] }, ["name"], { archived: false }),
    );
    expect(pages.flat().map((p) => p.gid)).toEqual(["1", "2"]);
  });

  it("walks nested portfolios once each and yields every project once", async () => {
    nock(ORIGIN)
      .get(`${BASE}/portfolios/P1/items`)
      .query(true)
      .reply(200, {
        data: [
          { gid: "P2", resource_type: "portfolio", name: "Banca" },
          { gid: "1", resource_type: "project", name: "Uno" },
          { gid: "2", resource_type: "project", name: "Dos" },
        ],
        next_page: null,
      })
      .get(`${BASE}/portfolios/P2/items`)
      .query(true)
      .reply(200, {
        data: [
          { gid: "2", resource_type: "project", name: "Dos" },
          { gid: "3", resource_type: "project", name: "Tres" },
          { gid: "P1", resource_type: "portfolio", name: "ciclo" },
        ],
      });
    const { asana } = client();
    const pages = await collect(asana.listProjects({ portfolioGid: "P1" }, ["name"]));
    expect(pages.flat().map((p) => p.gid)).toEqual(["1", "2", "3"]);
    expect(asana.stats.calls).toBe(2);
  });

  it("filters portfolio items by archived itself, since that endpoint has no such filter", async () => {
    nock(ORIGIN)
      .get(`${BASE}/portfolios/P1/items`)
      .query((q) => q.archived === undefined && String(q.opt_fields).split(",").includes("archived"))
      .reply(200, {
        data: [
          { gid: "1", resource_type: "project", archived: false },
          { gid: "2", resource_type: "project", archived: true },
        ],
      });
    const { asana } = client();
    const pages = await collect(asana.listProjects({ portfolioGid: "P1" }, ["name"], { archived: false }));
    expect(pages.flat().map((p) => p.gid)).toEqual(["1"]);
  });

  it("starts a listing over once when an offset has expired, without yielding anything twice", async () => {
    nock(ORIGIN)
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === undefined)
      .reply(200, { data: projects(1, 100), next_page: nextPage("old", "/teams/11/projects") })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === "old")
      .reply(400, { errors: [{ message: "offset: Your pagination token has expired" }] })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === undefined)
      .reply(200, { data: projects(1, 100), next_page: nextPage("new", "/teams/11/projects") })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === "new")
      .reply(200, { data: projects(101, 150) });
    const { asana } = client();
    const pages = await collect(asana.listProjects({ workspaceGid: "1", teamGids: ["11"] }));
    expect(pages.flat().map((p) => p.gid)).toEqual(projects(1, 150).map((p) => p.gid));
  });

  it("gives up with asana_bad_request when the offset expires again", async () => {
    nock(ORIGIN)
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === undefined)
      .times(2)
      .reply(200, { data: projects(1, 100), next_page: nextPage("old", "/teams/11/projects") })
      .get(`${BASE}/teams/11/projects`)
      .query((q) => q.offset === "old")
      .times(2)
      .reply(400, { errors: [{ message: "offset: Your pagination token has expired" }] });
    const { asana } = client();
    const error = await caught(collect(asana.listProjects({ workspaceGid: "1", teamGids: ["11"] })));
    expect(error.code).toBe("asana_bad_request");
    expect(error.message).toContain("pagination token has expired");
  });
});

describe("rate limits and retries", () => {
  it("honours Retry-After on 429 without really waiting", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1/task_counts`)
      .query(true)
      .reply(
        429,
        { errors: [{ message: "You have made too many requests recently." }] },
        { "Retry-After": "7" },
      )
      .get(`${BASE}/projects/1/task_counts`)
      .query(true)
      .reply(200, { data: { num_tasks: 3, num_completed_tasks: 1, num_incomplete_tasks: 2 } });
    const { asana, clock } = client();

    const started = Date.now();
    const counts = await asana.getTaskCounts("1");

    expect(counts).toEqual({ num_tasks: 3, num_completed_tasks: 1, num_incomplete_tasks: 2 });
    expect(clock.sleeps).toEqual([7_000]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(asana.stats).toEqual({ calls: 2, throttled: 1, retries: 1 });
  });

  it("holds every other request back while a Retry-After runs", async () => {
    const arrivals: number[] = [];
    const { asana, clock } = client();
    nock(ORIGIN)
      .get(`${BASE}/users/a`)
      .query(true)
      .reply(429, {}, { "Retry-After": "30" })
      .get(/\/api\/1\.0\/users\/[ab]/)
      .query(true)
      .times(2)
      .reply(() => {
        arrivals.push(clock.now());
        return [200, { data: { gid: "1", name: "Ana", email: "ana@x.example" } }];
      });
    const start = clock.now();
    await asana.getUser("a");
    await asana.getUser("b");
    expect(arrivals.every((t) => t >= start + 30_000)).toBe(true);
  });

  it("reports asana_rate_limited when 429s outlast the retries", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1/task_counts`)
      .query(true)
      .times(4)
      .reply(429, {}, { "Retry-After": "1" });
    const { asana } = client({ maxRetries: 3 });
    const error = await caught(asana.getTaskCounts("1"));
    expect(error.code).toBe("asana_rate_limited");
    expect(error.status).toBe(429);
    expect(asana.stats).toEqual({ calls: 4, throttled: 4, retries: 3 });
  });

  it("retries a 5xx with jittered exponential backoff, then succeeds", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(503, { errors: [{ message: "Service Unavailable" }] })
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(500, { errors: [{ message: "Server Error", phrase: "6 sad squid snuggle softly" }] })
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(200, { data: { gid: "1", resource_type: "project", name: "Uno" } });
    const { asana, clock } = client();
    const project = await asana.getProject("1");
    expect(project.gid).toBe("1");
    // random() = 0.5: half the ceiling plus a quarter of it, ceilings 500 ms then 1 s.
    expect(clock.sleeps).toEqual([375, 750]);
    expect(asana.stats).toEqual({ calls: 3, throttled: 0, retries: 2 });
  });

  it("reports asana_unavailable when 5xx outlasts the retries", async () => {
    nock(ORIGIN).get(`${BASE}/projects/1`).query(true).times(3).reply(502, "Bad Gateway");
    const { asana } = client({ maxRetries: 2 });
    const error = await caught(asana.getProject("1"));
    expect(error.code).toBe("asana_unavailable");
    expect(error.status).toBe(502);
    expect(error.message).toContain("3 attempts");
    expect(asana.stats.calls).toBe(3);
  });

  it("retries a timeout, then succeeds", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1`)
      .query(true)
      .delay(500)
      .reply(200, { data: { gid: "1", name: "tarde" } })
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(200, { data: { gid: "1", name: "a tiempo" } });
    const { asana } = client({ timeoutMs: 50 });
    const project = await asana.getProject("1");
    expect(project.name).toBe("a tiempo");
    expect(asana.stats).toEqual({ calls: 2, throttled: 0, retries: 1 });
  });

  it("gives up after timing out on every attempt", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1`)
      .query(true)
      .times(3)
      .delay(400)
      .reply(200, { data: { gid: "1" } });
    const { asana } = client({ timeoutMs: 40, maxRetries: 2 });
    const error = await caught(asana.getProject("1"));
    expect(error.code).toBe("asana_unavailable");
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/did not answer within 40 ms after 3 attempts/);
    expect(asana.stats.calls).toBe(3);
  });

  it("retries a connection reset", async () => {
    nock(ORIGIN)
      .get(`${BASE}/users/7`)
      .query(true)
      .replyWithError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))
      .get(`${BASE}/users/7`)
      .query(true)
      .reply(200, { data: { gid: "7", name: "Ana", email: "ana@x.example" } });
    const { asana } = client();
    expect((await asana.getUser("7")).email).toBe("ana@x.example");
    expect(asana.stats.retries).toBe(1);
  });

  it("does not repeat a status update after a 5xx, since Asana may have saved it", async () => {
    nock(ORIGIN).post(`${BASE}/status_updates`).query(true).reply(500, {});
    const { asana } = client();
    const error = await caught(
      asana.createStatusUpdate("1", { status_type: "at_risk", title: "t", text: "x" }),
    );
    expect(error.code).toBe("asana_unavailable");
    expect(asana.stats.calls).toBe(1);
  });

  it("does repeat a status update refused with 429", async () => {
    nock(ORIGIN)
      .post(`${BASE}/status_updates`)
      .query(true)
      .reply(429, {}, { "Retry-After": "2" })
      .post(`${BASE}/status_updates`, {
        data: { parent: "1", status_type: "at_risk", title: "t", text: "x" },
      })
      .query((q) => String(q.opt_fields).includes("status_type"))
      .reply(201, {
        data: { gid: "55", resource_type: "status_update", status_type: "at_risk", title: "t", text: "x" },
      });
    const { asana, clock } = client();
    const created = await asana.createStatusUpdate("1", { status_type: "at_risk", title: "t", text: "x" });
    expect(created.gid).toBe("55");
    expect(clock.sleeps).toEqual([2_000]);
  });
});

describe("the interactive lane", () => {
  const user = { data: { gid: "77", name: "Ana" } };
  const counts = { data: { num_tasks: 1, num_completed_tasks: 0, num_incomplete_tasks: 1 } };

  it("sends a person's call before a paused bulk backlog of 500", async () => {
    const clock = manualClock();
    const { asana } = client({ maxConcurrentReads: 4, now: clock.now, sleep: clock.sleep });
    const order: string[] = [];
    nock(ORIGIN)
      .get(/\/api\/1\.0\/projects\/\d+\/task_counts/)
      .query(true)
      .reply(() => {
        order.push("bulk");
        return [429, {}, { "Retry-After": "30" }];
      })
      .get(/\/api\/1\.0\/projects\/\d+\/task_counts/)
      .query(true)
      .times(600)
      .reply(() => {
        order.push("bulk");
        return [200, counts];
      })
      .get(`${BASE}/users/ana%40x.example`)
      .query(true)
      .reply(() => {
        order.push("interactive");
        return [200, user];
      });
    const start = clock.now();
    const bulk = Promise.all(Array.from({ length: 500 }, (_, i) => asana.getTaskCounts(String(i))));
    while (asana.stats.throttled === 0) await new Promise((done) => setTimeout(done, 5));

    let sentAt = 0;
    const found = asana.findUserByEmail("1", "ana@x.example").then((u) => {
      sentAt = clock.now();
      return u;
    });
    expect((await clock.drive(found))?.gid).toBe("77");
    // Sent during the bulk lane's Retry-After, ahead of all but the calls already under way.
    expect(sentAt).toBeLessThan(start + 30_000);
    expect(order.indexOf("interactive")).toBeLessThanOrEqual(3);
    await clock.drive(bulk);
    expect(order.filter((o) => o === "bulk")).toHaveLength(501);
  });

  it("pauses only itself on its own 429, leaving the bulk lane going", async () => {
    const clock = manualClock();
    const { asana } = client({ now: clock.now, sleep: clock.sleep });
    nock(ORIGIN)
      .get(`${BASE}/users/ana%40x.example`)
      .query(true)
      .reply(429, {}, { "Retry-After": "20" })
      .get(`${BASE}/users/ana%40x.example`)
      .query(true)
      .reply(200, user)
      .get(`${BASE}/projects/1/task_counts`)
      .query(true)
      .reply(200, counts);
    const start = clock.now();
    const found = asana.findUserByEmail("1", "ana@x.example");
    while (asana.stats.throttled === 0) await new Promise((done) => setTimeout(done, 5));
    await asana.getTaskCounts("1");
    expect(clock.now()).toBe(start);
    expect((await clock.drive(found))?.gid).toBe("77");
    expect(clock.now()).toBe(start + 20_000);
  });
});

describe("typed errors", () => {
  it("turns 401 into one asana_auth error naming ASANA_TOKEN, without retrying", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(401, { errors: [{ message: "Not Authorized" }] });
    const { asana } = client();
    const error = await caught(asana.getProject("1"));
    expect(error.code).toBe("asana_auth");
    expect(error.message).toContain("ASANA_TOKEN");
    expect(error.method).toBe("GET");
    expect(error.path).toBe("/projects/1");
    expect(asana.stats.calls).toBe(1);
    expect(`${error.message} ${JSON.stringify(error)} ${String(error.stack)}`).not.toContain(TOKEN);
  });

  it("turns 403 into asana_auth too", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/1`)
      .query(true)
      .reply(403, { errors: [{ message: "Forbidden" }] });
    const error = await caught(client().asana.getProject("1"));
    expect(error.code).toBe("asana_auth");
    expect(error.status).toBe(403);
  });

  it("turns 404 into asana_not_found, and findUserByEmail into null", async () => {
    nock(ORIGIN)
      .get(`${BASE}/projects/404`)
      .query(true)
      .reply(404, { errors: [{ message: "project: Unknown object: 404" }] })
      .get(`${BASE}/users/nadie%40empresa.example`)
      .query((q) => q.workspace === "9")
      .reply(404, { errors: [{ message: "user: Unknown object" }] });
    const { asana } = client();
    const error = await caught(asana.getProject("404"));
    expect(error.code).toBe("asana_not_found");
    expect(error.message).toContain("Unknown object");
    expect(await asana.findUserByEmail("9", "nadie@empresa.example")).toBeNull();
  });

  it("finds a user by email through GET /users/{email}", async () => {
    nock(ORIGIN)
      .get(`${BASE}/users/ana%40empresa.example`)
      .query({ workspace: "9", opt_fields: "name,email" })
      .reply(200, { data: { gid: "7", resource_type: "user", name: "Ana", email: "ana@empresa.example" } });
    expect(await client().asana.findUserByEmail("9", "ana@empresa.example")).toEqual({
      gid: "7",
      resource_type: "user",
      name: "Ana",
      email: "ana@empresa.example",
    });
  });

  it.each([
    ["a field of the wrong type", { data: { num_tasks: "muchas" } }],
    ["no data", { nothing: true }],
    ["a body that is not JSON", "<html>oops</html>"],
  ])("turns %s into asana_invalid_response instead of crashing", async (_case, body) => {
    nock(ORIGIN).get(`${BASE}/projects/1/task_counts`).query(true).reply(200, body);
    const { asana } = client();
    const error = await caught(asana.getTaskCounts("1"));
    expect(error.code).toBe("asana_invalid_response");
    expect(error.path).toBe("/projects/1/task_counts");
    expect(asana.stats.calls).toBe(1);
  });

  it("turns other 4xx into asana_bad_request with Asana's message", async () => {
    nock(ORIGIN)
      .get(`${BASE}/tasks`)
      .query(true)
      .reply(400, { errors: [{ message: "modified_since: Not a valid date-time" }] });
    const error = await caught(client().asana.taskModifiedSince("1", "ayer"));
    expect(error.code).toBe("asana_bad_request");
    expect(error.message).toContain("modified_since: Not a valid date-time");
  });
});

describe("events", () => {
  it("surfaces the fresh sync token of a 412", async () => {
    nock(ORIGIN)
      .get(`${BASE}/events`)
      .query({ resource: "1", sync: "viejo" })
      .reply(412, { errors: [{ message: "Sync token invalid or too old." }], sync: "nuevo" });
    const error = await caught(client().asana.getEvents("1", "viejo"));
    expect(error.code).toBe("asana_sync_token_expired");
    expect(error.syncToken).toBe("nuevo");
  });

  it("gets a first token from the 412 of a call without one", async () => {
    nock(ORIGIN)
      .get(`${BASE}/events`)
      .query({ resource: "1" })
      .reply(412, { errors: [{ message: "Sync token invalid or too old." }], sync: "primero" });
    expect(await client().asana.freshSyncToken("1")).toBe("primero");
  });

  it("follows has_more and returns the last token", async () => {
    const event = (gid: string) => ({
      user: { gid: "7", resource_type: "user", name: "Ana" },
      resource: { gid, resource_type: "task", name: `t${gid}` },
      type: "task",
      action: "changed",
      parent: null,
      created_at: "2025-06-01T10:00:00.000Z",
      change: { field: "completed", action: "changed" },
    });
    nock(ORIGIN)
      .get(`${BASE}/events`)
      .query({ resource: "1", sync: "s0" })
      .reply(200, { data: [event("a")], sync: "s1", has_more: true })
      .get(`${BASE}/events`)
      .query({ resource: "1", sync: "s1" })
      .reply(200, { data: [event("b")], sync: "s2", has_more: false });
    const result = await client().asana.getEvents("1", "s0");
    expect(result.events.map((e) => e.resource.gid)).toEqual(["a", "b"]);
    expect(result.syncToken).toBe("s2");
    expect(result.hasMore).toBe(false);
  });

  it("calls a 412 without a token invalid", async () => {
    nock(ORIGIN).get(`${BASE}/events`).query(true).reply(412, { errors: [] });
    const error = await caught(client().asana.getEvents("1", "x"));
    expect(error.code).toBe("asana_invalid_response");
  });
});

describe("tasks", () => {
  it("asks for one task modified since a date", async () => {
    nock(ORIGIN)
      .get(`${BASE}/tasks`)
      .query({
        project: "1",
        modified_since: "2025-06-01T00:00:00.000Z",
        limit: "1",
        opt_fields: "modified_at",
      })
      .reply(200, { data: [{ gid: "t1", modified_at: "2025-06-02T00:00:00.000Z" }], next_page: null })
      .get(`${BASE}/tasks`)
      .query((q) => q.project === "2")
      .reply(200, { data: [], next_page: null });
    const { asana } = client();
    expect(await asana.taskModifiedSince("1", "2025-06-01T00:00:00.000Z")).toBe("2025-06-02T00:00:00.000Z");
    expect(await asana.taskModifiedSince("2", "2025-06-01T00:00:00.000Z")).toBeNull();
    expect(asana.stats.calls).toBe(2);
  });
});

describe("pacing", () => {
  it("never has more GETs in flight than allowed", async () => {
    let inFlight = 0;
    let most = 0;
    nock(ORIGIN)
      .get(/\/api\/1\.0\/projects\/\d+\/task_counts/)
      .query(true)
      .times(24)
      .reply(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((done) => setTimeout(done, 5));
        inFlight--;
        return [200, { data: { num_tasks: 1 } }];
      });
    const { asana } = client({ maxConcurrentReads: 6 });
    await Promise.all(Array.from({ length: 24 }, (_, i) => asana.getTaskCounts(String(i))));
    // The bulk lane leaves INTERACTIVE_SLOTS of the limit to the calls a person waits on.
    expect(most).toBe(6 - INTERACTIVE_SLOTS);
    expect(asana.stats.calls).toBe(24);
  });

  it("never has more writes in flight than allowed", async () => {
    let inFlight = 0;
    let most = 0;
    nock(ORIGIN)
      .post(`${BASE}/status_updates`)
      .query(true)
      .times(9)
      .reply(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((done) => setTimeout(done, 5));
        inFlight--;
        return [201, { data: { gid: "1", status_type: "on_track" } }];
      });
    const { asana } = client({ maxConcurrentWrites: 2 });
    await Promise.all(
      Array.from({ length: 9 }, () =>
        asana.createStatusUpdate("1", { status_type: "on_track", title: "", text: "" }),
      ),
    );
    expect(most).toBe(2);
  });

  it("keeps within the per-minute budget in every 60 s window, with no 429", async () => {
    const clock = manualClock();
    const { asana } = client({ requestsPerMinute: 5, now: clock.now, sleep: clock.sleep });
    const arrivals: number[] = [];
    nock(ORIGIN)
      .get(/\/api\/1\.0\/users\/\d+/)
      .query(true)
      .times(17)
      .reply(() => {
        arrivals.push(clock.now());
        return [200, { data: { gid: "1", name: "Ana" } }];
      });
    await clock.drive(Promise.all(Array.from({ length: 17 }, (_, i) => asana.getUser(String(i)))));

    expect(arrivals).toHaveLength(17);
    for (const start of arrivals) {
      expect(arrivals.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(5);
    }
    const first = arrivals[0] ?? 0;
    // Three full windows of 60 s plus the client's 500 ms margin each.
    expect(Math.max(...arrivals) - first).toBe(3 * 60_500);
    expect(asana.stats.throttled).toBe(0);
  });

  /** When each of `calls` bulk reads reached Asana, on a manual clock. */
  async function bulkArrivals(plan: "free" | "paid", calls: number): Promise<number[]> {
    const clock = manualClock();
    const { asana } = client({ plan, now: clock.now, sleep: clock.sleep });
    const arrivals: number[] = [];
    nock(ORIGIN)
      .get(/\/api\/1\.0\/users\/\d+/)
      .query(true)
      .times(calls)
      .reply(() => {
        arrivals.push(clock.now());
        return [200, { data: { gid: "1" } }];
      });
    await clock.drive(Promise.all(Array.from({ length: calls }, (_, i) => asana.getUser(String(i)))));
    return arrivals;
  }

  it("uses the plan's budget: 150 a minute on free, 135 of them for the bulk lane", async () => {
    const arrivals = await bulkArrivals("free", 151);
    const first = arrivals[0] ?? 0;
    // 15 a minute are left to the interactive lane.
    expect(arrivals.filter((t) => t < first + 60_000)).toHaveLength(135);
    expect(Math.max(...arrivals)).toBe(first + 60_500);
  });

  it("on the paid plan leaves 2 % to the interactive lane: a partial sync of 1,400 projects fits a minute", async () => {
    const arrivals = await bulkArrivals("paid", 1471);
    const first = arrivals[0] ?? 0;
    expect(arrivals.filter((t) => t < first + 60_000)).toHaveLength(1470);
    expect(Math.max(...arrivals)).toBe(first + 60_500);
  });
});

describe("helpers", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2025-06-01T10:00:00.000Z");
    expect(retryAfterMs("30", now)).toBe(30_000);
    expect(retryAfterMs("Sun, 01 Jun 2025 10:00:45 GMT", now)).toBe(45_000);
    expect(retryAfterMs(null, now)).toBeNull();
    expect(retryAfterMs("soon", now)).toBeNull();
  });

  it("builds URLs with comma-joined lists and no empty parameters", () => {
    expect(
      buildUrl("https://x/api/1.0", "/p", { opt_fields: ["a", "b.c"], archived: false, offset: null }),
    ).toBe("https://x/api/1.0/p?opt_fields=a%2Cb.c&archived=false");
  });
});
