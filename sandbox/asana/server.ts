import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  compact,
  defaultView,
  eventRecord,
  type FieldShape,
  type FieldTree,
  type JsonRecord,
  PORTFOLIO_SHAPE,
  PROJECT_SHAPE,
  parseOptFields,
  portfolioRecord,
  projectFields,
  projectRecord,
  STATUS_UPDATE_SHAPE,
  statusUpdateRecord,
  TASK_COUNTS_SHAPE,
  TASK_SHAPE,
  TEAM_RECORD_SHAPE,
  taskCountsRecord,
  taskRecord,
  teamRecord,
  USER_SHAPE,
  userRecord,
  workspaceRecord,
} from "./resources.ts";
import {
  createWorkspace,
  SANDBOX_STATUS_TYPES,
  type SandboxProject,
  type SandboxStatusType,
  type SandboxWorkspace,
} from "./workspace.ts";

/**
 * A local stand-in for Asana's REST API on 127.0.0.1 (node:http only), for tests, benchmarks and
 * the demo: bearer token, opt_fields, offset pagination, teams, nested portfolios, task counts,
 * tasks, events with sync tokens, users and status updates, Asana's rate limits answered with 429
 * and Retry-After, latency, and injectable faults.
 */

export const API_PREFIX = "/api/1.0";
const WINDOW_MS = 60_000;
const MAX_LIMIT = 100;
const EVENTS_PER_PAGE = 100;
const DAY_MS = 86_400_000;

export type SandboxFaults = {
  /** Share (0..1) of requests answered 500. */
  serverErrorRate?: number;
  /** Share (0..1) of requests held for `hangMs` before an answer (longer than a client's timeout). */
  timeoutRate?: number;
  hangMs?: number;
  /** Share (0..1) of projects whose task_counts always answer 500; the same projects every time. */
  taskCountsFailureShare?: number;
  /** The K-th page (K >= 2) of the next listing answers 400 for its offset, once. */
  expiredOffsetAtPage?: number | null;
  /**
   * Projects left out of every listing (workspace, team, portfolio) while still readable by gid:
   * a listing that briefly omits part of the portfolio.
   */
  hiddenFromListings?: readonly string[];
};

export type RecordedCall = {
  method: string;
  /** Without the /api/1.0 prefix. */
  path: string;
  query: Record<string, string>;
  /** Null while the answer is pending. */
  status: number | null;
  at: number;
};

export type SandboxAsanaOptions = {
  projects?: number;
  seed?: number;
  port?: number;
  latencyMs?: number;
  plan?: "paid" | "free";
  faults?: SandboxFaults;
  /** Overrides the plan's per-minute budget (1,500 paid, 150 free). */
  requestsPerMinute?: number;
  maxConcurrentReads?: number;
  maxConcurrentWrites?: number;
  /** How long a sync token stays valid; Asana's live about a day. */
  syncTokenTtlMs?: number;
  /** A workspace built beforehand, instead of one generated from `seed` and `projects`. */
  workspace?: SandboxWorkspace;
};

export type SandboxAsana = {
  baseUrl: string;
  token: string;
  workspaceGid: string;
  teamGids: string[];
  portfolioGid: string;
  workspace: SandboxWorkspace;
  calls: RecordedCall[];
  setFaults(faults: SandboxFaults): void;
  /** Every sync token handed out so far becomes unknown: the next events call answers 412. */
  expireSyncTokens(): void;
  stop(): Promise<void>;
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

type Request = {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
};

const errorBody = (message: string, extra: JsonRecord = {}) => ({ errors: [{ message, ...extra }] });
const badRequest = (message: string): Answer => ({ status: 400, body: errorBody(message) });
const notFound = (message: string): Answer => ({ status: 404, body: errorBody(message) });
const forbidden = (): Answer => ({
  status: 403,
  body: errorBody("You do not have permission to perform this action."),
});

/** Deterministic share selection: the same gid is always in or out. */
function hashShare(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  // FNV-1a alone leaves gids that differ only in their last digits close together.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4_294_967_296;
}

function seededRandom(seed: number): () => number {
  let state = (seed ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function startSandboxAsana(options: SandboxAsanaOptions = {}): Promise<SandboxAsana> {
  const seed = options.seed ?? 1;
  const workspace = options.workspace ?? createWorkspace({ seed, projects: options.projects ?? 60 });
  const token = `2/sandbox${seed}/pmo-pulse:${randomBytes(12).toString("hex")}`;
  const budget = options.requestsPerMinute ?? (options.plan === "free" ? 150 : 1500);
  const maxReads = options.maxConcurrentReads ?? 50;
  const maxWrites = options.maxConcurrentWrites ?? 15;
  const latencyMs = options.latencyMs ?? 0;
  const syncTokenTtlMs = options.syncTokenTtlMs ?? DAY_MS;
  const faultDice = seededRandom(seed);
  let faults: SandboxFaults = { ...options.faults };

  const calls: RecordedCall[] = [];
  const acceptedAt: number[] = [];
  const inflight = { reads: 0, writes: 0 };
  const offsets = new Map<string, { listing: string; index: number }>();
  const syncTokens = new Map<string, { projectGid: string; position: number; issuedAt: number }>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let origin = "";

  const wait = (ms: number) =>
    new Promise<void>((done) => {
      const timer = setTimeout(() => {
        pendingTimers.delete(timer);
        done();
      }, ms);
      pendingTimers.add(timer);
    });

  function issueSyncToken(projectGid: string, position: number): string {
    const syncToken = randomBytes(16).toString("hex");
    syncTokens.set(syncToken, { projectGid, position, issuedAt: Date.now() });
    return syncToken;
  }

  /** The budget and concurrency checks Asana applies, before any work. */
  function throttle(method: string): Answer | null {
    const now = Date.now();
    while (acceptedAt.length > 0 && (acceptedAt[0] ?? now) <= now - WINDOW_MS) acceptedAt.shift();
    const oldest = acceptedAt[0];
    if (oldest !== undefined && acceptedAt.length >= budget) {
      const seconds = Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000));
      return tooManyRequests(seconds);
    }
    const reading = method === "GET";
    if (reading ? inflight.reads >= maxReads : inflight.writes >= maxWrites) return tooManyRequests(1);
    acceptedAt.push(now);
    return null;
  }

  function tooManyRequests(seconds: number): Answer {
    return {
      status: 429,
      headers: { "retry-after": String(seconds) },
      body: errorBody("You have made too many requests recently. Please, be chill."),
    };
  }

  /** One page of a list, with Asana's offset tokens and next_page. */
  function page(request: Request, records: readonly JsonRecord[], shape: FieldShape): Answer {
    const tree = parseOptFields(request.query.get("opt_fields"), shape);
    if (typeof tree === "string") return badRequest(tree);
    const limitParam = request.query.get("limit");
    const limit = limitParam === null ? null : Number(limitParam);
    if (limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) {
      return badRequest("limit: Must be between 1 and 100");
    }
    const listing = listingKey(request);
    const offsetParam = request.query.get("offset");
    let index = 0;
    if (offsetParam !== null) {
      const stored = offsets.get(offsetParam);
      if (stored === undefined || stored.listing !== listing) {
        return badRequest("offset: Your pagination token is invalid or has expired.");
      }
      index = stored.index;
      const pageNumber = limit === null ? 2 : Math.floor(index / limit) + 1;
      if (faults.expiredOffsetAtPage !== undefined && faults.expiredOffsetAtPage === pageNumber) {
        faults = { ...faults, expiredOffsetAtPage: null };
        return badRequest("offset: Your pagination token is invalid or has expired.");
      }
    }
    const end = limit === null ? records.length : index + limit;
    const data = records.slice(index, end).map((record) => render(record, tree));
    if (limit === null) return { status: 200, body: { data } };
    let nextPage: JsonRecord | null = null;
    if (end < records.length) {
      const offset = randomBytes(18).toString("base64url");
      offsets.set(offset, { listing, index: end });
      const params = new URLSearchParams(request.query);
      params.set("limit", String(limit));
      params.set("offset", offset);
      const path = `${request.path}?${params.toString()}`;
      nextPage = { offset, path, uri: `${origin}${API_PREFIX}${path}` };
    }
    return { status: 200, body: { data, next_page: nextPage } };
  }

  function single(request: Request, record: JsonRecord, shape: FieldShape, status = 200): Answer {
    const raw = request.query.get("opt_fields");
    if (raw === null || raw.trim() === "") return { status, body: { data: defaultView(record) } };
    const tree = parseOptFields(raw, shape);
    if (typeof tree === "string") return badRequest(tree);
    return { status, body: { data: projectFields(record, tree) } };
  }

  function projectsOf(list: readonly SandboxProject[], query: URLSearchParams): JsonRecord[] {
    const archived = query.get("archived");
    const wanted = archived === "true" ? true : archived === "false" ? false : null;
    const hidden = new Set(faults.hiddenFromListings ?? []);
    return list
      .filter((p) => !hidden.has(p.gid))
      .filter((p) => workspace.hasAccess(p.gid) && (wanted === null || p.archived === wanted))
      .map((p) => projectRecord(workspace, p));
  }

  function route(request: Request): Answer {
    const { method, path, query } = request;
    const segments = path
      .split("/")
      .filter((s) => s !== "")
      .map(decodeURIComponent);
    const [first, id, sub, ...rest] = segments;
    if (rest.length > 0) return noRoute();

    if (method === "POST") {
      return first === "status_updates" && id === undefined ? createStatusUpdate(request) : noRoute();
    }
    if (method !== "GET") return noRoute();

    switch (first) {
      case "workspaces": {
        if (id === undefined) return page(request, [workspaceRecord(workspace)], { name: true });
        if (id !== workspace.gid) return notFound(`workspace: Unknown object: ${id}`);
        if (sub === undefined) return single(request, workspaceRecord(workspace), { name: true });
        if (sub === "projects") return page(request, projectsOf(workspace.projects(), query), PROJECT_SHAPE);
        if (sub === "teams") {
          return page(
            request,
            workspace.teams.map((t) => teamRecord(workspace, t.gid)),
            TEAM_RECORD_SHAPE,
          );
        }
        if (sub === "users") {
          const users = workspace.users.map((u) => userRecord(workspace, u));
          return page(request, users, USER_SHAPE);
        }
        return noRoute();
      }
      case "teams": {
        if (id === undefined || workspace.team(id) === undefined)
          return notFound(`team: Unknown object: ${id}`);
        if (sub === undefined) return single(request, teamRecord(workspace, id), TEAM_RECORD_SHAPE);
        if (sub !== "projects") return noRoute();
        const inTeam = workspace.projects().filter((p) => p.teamGid === id);
        return page(request, projectsOf(inTeam, query), PROJECT_SHAPE);
      }
      case "projects": {
        if (id === undefined) {
          const team = query.get("team");
          const inWorkspace = query.get("workspace");
          if (team === null && inWorkspace === null) {
            return badRequest("workspace: Either workspace or team must be specified");
          }
          if (inWorkspace !== null && inWorkspace !== workspace.gid) {
            return notFound(`workspace: Unknown object: ${inWorkspace}`);
          }
          const matching = workspace.projects().filter((p) => team === null || p.teamGid === team);
          return page(request, projectsOf(matching, query), PROJECT_SHAPE);
        }
        const project = workspace.project(id);
        if (project === undefined) return notFound(`project: Unknown object: ${id}`);
        if (!workspace.hasAccess(project.gid)) return forbidden();
        if (sub === undefined) return single(request, projectRecord(workspace, project), PROJECT_SHAPE);
        if (sub !== "task_counts") return noRoute();
        const share = faults.taskCountsFailureShare ?? 0;
        if (share > 0 && hashShare(project.gid) < share) {
          return { status: 500, body: errorBody("Server Error", { phrase: "6 sad squid snuggle softly" }) };
        }
        // Asana returns no task count unless it is opted in.
        const tree = parseOptFields(query.get("opt_fields"), TASK_COUNTS_SHAPE);
        if (typeof tree === "string") return badRequest(tree);
        return { status: 200, body: { data: projectFields(taskCountsRecord(project), tree) } };
      }
      case "portfolios": {
        const portfolio = id === undefined ? undefined : workspace.portfolio(id);
        if (portfolio === undefined) return notFound(`portfolio: Unknown object: ${id}`);
        if (sub === undefined) return single(request, portfolioRecord(workspace, portfolio), PORTFOLIO_SHAPE);
        if (sub !== "items") return noRoute();
        const items: JsonRecord[] = [];
        const hidden = new Set(faults.hiddenFromListings ?? []);
        for (const gid of portfolio.itemGids) {
          if (hidden.has(gid)) continue;
          const project = workspace.project(gid);
          const nested = workspace.portfolio(gid);
          if (project !== undefined && workspace.hasAccess(project.gid))
            items.push(projectRecord(workspace, project));
          else if (nested !== undefined) items.push(portfolioRecord(workspace, nested));
        }
        return page(request, items, PROJECT_SHAPE);
      }
      case "tasks":
        return id === undefined ? listTasks(request) : noRoute();
      case "events":
        return id === undefined ? events(request) : noRoute();
      case "users": {
        if (id === undefined) {
          const inWorkspace = query.get("workspace");
          if (inWorkspace !== null && inWorkspace !== workspace.gid) {
            return notFound(`workspace: Unknown object: ${inWorkspace}`);
          }
          return page(
            request,
            workspace.users.map((u) => userRecord(workspace, u)),
            USER_SHAPE,
          );
        }
        if (sub !== undefined) return noRoute();
        const user = workspace.findUser(id);
        if (user === undefined) return notFound(`user: Unknown object: ${id}`);
        return single(request, userRecord(workspace, user), USER_SHAPE);
      }
      case "status_updates": {
        if (id !== undefined) return noRoute();
        const parent = query.get("parent");
        const project = parent === null ? undefined : workspace.project(parent);
        if (project === undefined) return badRequest("parent: Missing input");
        const updates = [...project.statusUpdates]
          .reverse()
          .map((u) => statusUpdateRecord(workspace, project, u));
        return page(request, updates, STATUS_UPDATE_SHAPE);
      }
      default:
        return noRoute();
    }
  }

  function listTasks(request: Request): Answer {
    const projectGid = request.query.get("project");
    if (projectGid === null) {
      return badRequest(
        "project: You must specify a project or tag if you do not specify assignee and workspace",
      );
    }
    const project = workspace.project(projectGid);
    if (project === undefined) return notFound(`project: Unknown object: ${projectGid}`);
    if (!workspace.hasAccess(project.gid)) return forbidden();
    const since = dateParam(request.query.get("modified_since"));
    const completedSince = dateParam(request.query.get("completed_since"));
    if (since === "invalid") return badRequest("modified_since: Not a valid date-time");
    if (completedSince === "invalid") return badRequest("completed_since: Not a valid date-time");
    const tasks = project.tasks.filter(
      (t) =>
        (since === null || Date.parse(t.modifiedAt) > since) &&
        (completedSince === null ||
          !t.completed ||
          (t.completedAt !== null && Date.parse(t.completedAt) > completedSince)),
    );
    return page(request, tasks.map(taskRecord), TASK_SHAPE);
  }

  function events(request: Request): Answer {
    const resource = request.query.get("resource");
    if (resource === null) return badRequest("resource: Missing input");
    const project = workspace.project(resource);
    if (project === undefined) return notFound(`resource: Unknown object: ${resource}`);
    if (!workspace.hasAccess(project.gid)) return forbidden();
    const given = request.query.get("sync");
    const known = given === null ? undefined : syncTokens.get(given);
    if (
      known === undefined ||
      known.projectGid !== project.gid ||
      Date.now() - known.issuedAt > syncTokenTtlMs
    ) {
      return {
        status: 412,
        body: {
          errors: [
            {
              message:
                "Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full dataset for this query now and use the new sync token for the next sync.",
            },
          ],
          sync: issueSyncToken(project.gid, project.events.length),
        },
      };
    }
    const slice = project.events.slice(known.position, known.position + EVENTS_PER_PAGE);
    const position = known.position + slice.length;
    return {
      status: 200,
      body: {
        data: slice.map((event) => eventRecord(workspace, event)),
        sync: issueSyncToken(project.gid, position),
        has_more: position < project.events.length,
      },
    };
  }

  function createStatusUpdate(request: Request): Answer {
    const data = isRecord(request.body) ? request.body.data : undefined;
    if (!isRecord(data)) return badRequest("data: Missing input");
    const { parent, status_type: statusType, text, title } = data;
    if (typeof parent !== "string") return badRequest("parent: Missing input");
    const project = workspace.project(parent);
    if (project === undefined) return notFound(`parent: Unknown object: ${parent}`);
    if (!isStatusType(statusType)) {
      return badRequest(`status_type: Must be one of ${SANDBOX_STATUS_TYPES.join(", ")} for a project`);
    }
    if (typeof text !== "string") return badRequest("text: Missing input");
    if (title !== undefined && typeof title !== "string") return badRequest("title: Must be a string");
    const created = workspace.postStatusUpdate(project.gid, {
      statusType,
      text,
      authorGid: workspace.me.gid,
      ...(title === undefined ? {} : { title }),
    });
    return single(request, statusUpdateRecord(workspace, project, created), STATUS_UPDATE_SHAPE, 201);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = req.method ?? "GET";
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    const call: RecordedCall = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      status: null,
      at: Date.now(),
    };
    calls.push(call);
    let release = () => {};
    const reply = (answer: Answer) => {
      call.status = answer.status;
      // The request stops counting as in flight once the answer leaves, not when the socket
      // closes: a client may rightly send its next request as soon as it has read this one.
      release();
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      res.end(JSON.stringify(answer.body));
    };

    if (!url.pathname.startsWith(API_PREFIX)) return reply(noRoute());
    if (req.headers.authorization !== `Bearer ${token}`) {
      return reply({ status: 401, body: errorBody("Not Authorized") });
    }
    const throttled = throttle(method);
    if (throttled !== null) return reply(throttled);

    const kind = method === "GET" ? "reads" : "writes";
    inflight[kind]++;
    let released = false;
    release = () => {
      if (released) return;
      released = true;
      inflight[kind]--;
    };
    res.once("close", release);
    try {
      const body = method === "GET" ? undefined : await readJson(req);
      if (latencyMs > 0) await wait(latencyMs);
      if ((faults.timeoutRate ?? 0) > 0 && faultDice() < (faults.timeoutRate ?? 0)) {
        await wait(faults.hangMs ?? 10_000);
        return reply({ status: 504, body: errorBody("Gateway Timeout") });
      }
      if ((faults.serverErrorRate ?? 0) > 0 && faultDice() < (faults.serverErrorRate ?? 0)) {
        return reply({
          status: 500,
          body: errorBody("Server Error", { phrase: "6 sad squid snuggle softly" }),
        });
      }
      if (body === INVALID_JSON) return reply(badRequest("Could not parse the request body as JSON"));
      reply(route({ method, path, query: url.searchParams, body }));
    } finally {
      release();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(errorBody(`sandbox failure: ${String(error)}`)));
      }
    });
  });
  await new Promise<void>((ready, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ready());
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("the Asana sandbox has no TCP address");
  origin = `http://127.0.0.1:${address.port}`;

  return {
    baseUrl: `${origin}${API_PREFIX}`,
    token,
    workspaceGid: workspace.gid,
    teamGids: workspace.teams.map((t) => t.gid),
    portfolioGid: workspace.rootPortfolioGid,
    workspace,
    calls,
    setFaults: (next) => {
      faults = { ...next };
    },
    expireSyncTokens: () => syncTokens.clear(),
    stop: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A list item: compact unless opt_fields ask for more. */
function render(record: JsonRecord, tree: FieldTree): unknown {
  return tree.size === 0 ? compact(record) : projectFields(record, tree);
}

function noRoute(): Answer {
  return notFound("No matching route for request");
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStatusType(value: unknown): value is SandboxStatusType {
  return SANDBOX_STATUS_TYPES.some((type) => type === value);
}

/** The listing an offset belongs to: the path and its filters, not the paging parameters. */
function listingKey(request: Request): string {
  const filters = [...request.query.entries()]
    .filter(([key]) => !["offset", "limit", "opt_fields", "opt_pretty"].includes(key))
    .sort(([a], [b]) => a.localeCompare(b));
  return `${request.path}?${new URLSearchParams(filters).toString()}`;
}

function dateParam(value: string | null): number | null | "invalid" {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? "invalid" : ms;
}

const INVALID_JSON = Symbol("invalid json");

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}
