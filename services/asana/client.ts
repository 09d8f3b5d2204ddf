import type { z } from "zod";
import type { Metrics } from "../metrics.ts";
import { AsanaError, isAsanaError } from "./errors.ts";
import { createHttpSend } from "./http-transport.ts";
import {
  type AsanaEvent,
  type AsanaPortfolioItem,
  type AsanaProjectRecord,
  type AsanaStatusUpdate,
  type AsanaTaskCounts,
  type AsanaUser,
  errorBodySchema,
  eventsResponseSchema,
  type nextPageSchema,
  PROJECT_OPT_FIELDS,
  pageSchema,
  portfolioItemSchema,
  projectRecordSchema,
  projectResponseSchema,
  STATUS_UPDATE_OPT_FIELDS,
  type StatusUpdateType,
  statusUpdateResponseSchema,
  syncTokenExpiredBodySchema,
  TASK_COUNT_OPT_FIELDS,
  TASK_OPT_FIELDS,
  taskCountsResponseSchema,
  taskPageSchema,
  USER_OPT_FIELDS,
  userResponseSchema,
} from "./schemas.ts";

export { AsanaError, type AsanaErrorCode, isAsanaError } from "./errors.ts";

export type AsanaPlan = "paid" | "free";

/** Asana's published limits (DESIGN.md section 4). */
export const REQUESTS_PER_MINUTE: Record<AsanaPlan, number> = { paid: 1500, free: 150 };
export const MAX_CONCURRENT_READS = 50;
export const MAX_CONCURRENT_WRITES = 15;
export const PAGE_LIMIT = 100;
/**
 * Slots of the interactive lane (calls made while a person waits: a user lookup before a modal, a
 * status update write-back), taken out of the concurrency limits so both lanes together keep to them.
 */
export const INTERACTIVE_SLOTS = 2;
/**
 * What the bulk lane leaves of the per-minute budget for the interactive lane: 2 %, and at least
 * 15 a minute but never over a tenth (the free plan's 150 leaves 15; a click needs one or two calls). A tenth of the paid
 * plan's 1,500 left the bulk lane 1,350: a partial sync of 1,400 projects (1,374 calls) then
 * waited a minute for its last 24 calls.
 */
const INTERACTIVE_BUDGET_SHARE = 0.02;
const INTERACTIVE_BUDGET_MIN = 15;
/** Never more than a tenth, however small the budget. */
const INTERACTIVE_BUDGET_CAP = 0.1;

/**
 * Asana counts a request when it arrives, a little after we send it and with some jitter; a
 * window slightly longer than its minute keeps the budget from being crossed at its edge.
 */
const WINDOW_MS = 60_000 + 500;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** An events call follows has_more at most this many pages, then reports hasMore: true. */
const MAX_EVENT_PAGES = 20;

export type AsanaClientOptions = {
  baseUrl: string;
  token: string;
  plan?: AsanaPlan;
  timeoutMs?: number;
  /** How many times one request is retried after a 429, 5xx, timeout or reset. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds. */
  now?: () => number;
  /** In [0, 1): the jitter of the backoff. */
  random?: () => number;
  /** Lower than the plan's budget to leave room for other clients of the same token. */
  requestsPerMinute?: number;
  maxConcurrentReads?: number;
  maxConcurrentWrites?: number;
  /** Told of every request sent (retries included) and how it ended, for `/metrics`. */
  metrics?: Pick<Metrics, "asanaRequest">;
};

export type AsanaClientStats = {
  /** Every HTTP request sent, retries included. */
  calls: number;
  /** 429 answers received. */
  throttled: number;
  retries: number;
};

/** Teams (or, with no team, the whole workspace), or one portfolio with its nested portfolios. */
export type ProjectScope = { workspaceGid: string; teamGids: readonly string[] } | { portfolioGid: string };

export type ListProjectsOptions = {
  /** Only archived (true) or only active (false) projects; all of them when absent. */
  archived?: boolean;
};

export type AsanaEventsResult = {
  events: AsanaEvent[];
  syncToken: string;
  /** True when more events wait than one call follows; call again with `syncToken`. */
  hasMore: boolean;
};

export type NewStatusUpdate = { status_type: StatusUpdateType; title: string; text: string };

type QueryValue = string | number | boolean | readonly string[] | null | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export type AsanaClient = {
  readonly stats: Readonly<AsanaClientStats>;
  /** Pages of a list endpoint, 100 items each, following next_page.offset to the end. */
  paginate<T extends { gid: string }>(path: string, query: Query, item: z.ZodType<T>): AsyncGenerator<T[]>;
  listProjects(
    scope: ProjectScope,
    optFields?: readonly string[],
    options?: ListProjectsOptions,
  ): AsyncGenerator<AsanaProjectRecord[]>;
  getProject(gid: string, optFields?: readonly string[]): Promise<AsanaProjectRecord>;
  getTaskCounts(projectGid: string): Promise<AsanaTaskCounts>;
  /** Throws `asana_sync_token_expired` (carrying the fresh token) when the token is null or too old. */
  getEvents(projectGid: string, syncToken: string | null): Promise<AsanaEventsResult>;
  /** A sync token that starts now: what Asana sends back with the 412 of a call without one. */
  freshSyncToken(projectGid: string): Promise<string>;
  /**
   * Whether any task of the project changed since `since`, in one call (limit 1): the modified_at
   * of such a task (a lower bound of the last activity), or null when none changed.
   */
  taskModifiedSince(projectGid: string, since: string): Promise<string | null>;
  getUser(userGid: string): Promise<AsanaUser>;
  /** Null when no user of the workspace has this email. */
  findUserByEmail(workspaceGid: string, email: string): Promise<AsanaUser | null>;
  createStatusUpdate(parentGid: string, update: NewStatusUpdate): Promise<AsanaStatusUpdate>;
};

type Method = "GET" | "POST";

type RequestSpec<T> = {
  method: Method;
  path: string;
  query?: Query;
  body?: unknown;
  schema: z.ZodType<T>;
  /**
   * Listing pages go ahead of the per-project calls waiting for a slot: each page feeds a
   * hundred of them, so a page stuck behind the queue would starve the whole sync.
   */
  priority?: "high";
  /**
   * "interactive": a person is waiting. Its own slots and budget share, not queued behind the bulk
   * lane's backlog nor paused by a 429 the bulk lane met; only its own 429s pause it.
   */
  lane?: Lane;
};

type Lane = "bulk" | "interactive";

export function createAsanaClient(options: AsanaClientOptions): AsanaClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = options.maxRetries ?? 5;
  const pacer = new RequestPacer(
    options.requestsPerMinute ?? REQUESTS_PER_MINUTE[options.plan ?? "paid"],
    now,
    sleep,
  );
  const maxReads = options.maxConcurrentReads ?? MAX_CONCURRENT_READS;
  const maxWrites = options.maxConcurrentWrites ?? MAX_CONCURRENT_WRITES;
  const slots: Record<Lane, Record<Method, Semaphore>> = {
    bulk: {
      GET: new Semaphore(Math.max(1, maxReads - INTERACTIVE_SLOTS)),
      POST: new Semaphore(Math.max(1, maxWrites - INTERACTIVE_SLOTS)),
    },
    interactive: {
      GET: new Semaphore(Math.min(INTERACTIVE_SLOTS, maxReads)),
      POST: new Semaphore(Math.min(INTERACTIVE_SLOTS, maxWrites)),
    },
  };
  const stats: AsanaClientStats = { calls: 0, throttled: 0, retries: 0 };
  const http = createHttpSend(maxReads + maxWrites);

  const backoffMs = (attempt: number) => {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  async function send<T>(spec: RequestSpec<T>): Promise<T> {
    const url = buildUrl(baseUrl, spec.path, spec.query ?? {});
    const context = { method: spec.method, path: spec.path };
    // A write that reached Asana may have been applied even if the answer was lost, so only a
    // 429 (rejected before any work) is retried for POST; reads are retried on any transient failure.
    const idempotent = spec.method === "GET";
    for (let attempt = 0; ; attempt++) {
      const outcome = await attemptOnce(spec, url);
      if (outcome.kind === "answered" && outcome.status >= 200 && outcome.status < 300) {
        return parseBody(outcome.text, spec.schema, { ...context, status: outcome.status });
      }
      const retriable =
        outcome.kind === "answered"
          ? outcome.status === 429 || (idempotent && outcome.status >= 500)
          : idempotent;
      if (!retriable || attempt >= maxRetries) throw failure(outcome, context, attempt);
      stats.retries++;
      if (outcome.kind === "answered" && outcome.status === 429) {
        const waitMs = retryAfterMs(outcome.retryAfter, now()) ?? backoffMs(attempt);
        pacer.pauseFor(spec.lane ?? "bulk", waitMs);
      } else {
        await sleep(backoffMs(attempt));
      }
    }
  }

  type Outcome =
    | { kind: "answered"; status: number; text: string; retryAfter: string | null }
    | { kind: "timeout"; cause: unknown }
    | { kind: "network"; cause: unknown };

  async function attemptOnce<T>(spec: RequestSpec<T>, url: string): Promise<Outcome> {
    const lane = spec.lane ?? "bulk";
    const release = await slots[lane][spec.method].acquire(spec.priority === "high");
    let timer: NodeJS.Timeout | undefined;
    try {
      await pacer.take(lane);
      // Not AbortSignal.timeout(): its timer outlives the request by the whole timeout, and a
      // sync makes thousands of requests a minute. Started after the pacer: waiting for budget
      // is not Asana being slow.
      const deadline = new AbortController();
      timer = setTimeout(() => deadline.abort(new DOMException("timed out", "TimeoutError")), timeoutMs);
      stats.calls++;
      const headers: Record<string, string> = {
        authorization: `Bearer ${options.token}`,
        accept: "application/json",
      };
      if (spec.body !== undefined) headers["content-type"] = "application/json";
      const answer = await http.send(url, {
        method: spec.method,
        headers,
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal: deadline.signal,
      });
      if (answer.status === 429) stats.throttled++;
      options.metrics?.asanaRequest(spec.method, answer.status);
      return { kind: "answered", ...answer };
    } catch (cause) {
      const kind = isTimeout(cause) ? "timeout" : "network";
      options.metrics?.asanaRequest(spec.method, kind);
      return { kind, cause };
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  function failure(outcome: Outcome, context: { method: Method; path: string }, attempt: number): AsanaError {
    const tries = attempt + 1 === 1 ? "1 attempt" : `${attempt + 1} attempts`;
    if (outcome.kind === "timeout") {
      return new AsanaError(
        "asana_unavailable",
        `Asana did not answer within ${timeoutMs} ms after ${tries}`,
        {
          ...context,
          status: null,
          cause: outcome.cause,
        },
      );
    }
    if (outcome.kind === "network") {
      return new AsanaError("asana_unavailable", `the connection to Asana failed after ${tries}`, {
        ...context,
        status: null,
        cause: outcome.cause,
      });
    }
    const status = outcome.status;
    const said = asanaMessage(outcome.text);
    const detail = said === null ? "" : `: ${said}`;
    const withStatus = { ...context, status };
    if (status === 401) {
      return new AsanaError(
        "asana_auth",
        `Asana rejected the token (HTTP 401${detail}); check ASANA_TOKEN, it must be a valid personal access token`,
        withStatus,
      );
    }
    if (status === 403) {
      return new AsanaError(
        "asana_auth",
        `Asana refused access (HTTP 403${detail}); check that the user of ASANA_TOKEN can see this resource`,
        withStatus,
      );
    }
    if (status === 404)
      return new AsanaError("asana_not_found", `Asana found nothing here${detail}`, withStatus);
    if (status === 412) {
      const body = parseJson(outcome.text);
      const parsed = syncTokenExpiredBodySchema.safeParse(body);
      if (!parsed.success) {
        return new AsanaError("asana_invalid_response", "Asana answered 412 without a fresh sync token", {
          ...withStatus,
          cause: parsed.error,
        });
      }
      return new AsanaError("asana_sync_token_expired", "the events sync token is missing or expired", {
        ...withStatus,
        syncToken: parsed.data.sync,
      });
    }
    if (status === 429) {
      return new AsanaError(
        "asana_rate_limited",
        `Asana kept answering 429 (rate limit) after ${tries}`,
        withStatus,
      );
    }
    if (status >= 500) {
      return new AsanaError(
        "asana_unavailable",
        `Asana answered HTTP ${status} after ${tries}${detail}`,
        withStatus,
      );
    }
    return new AsanaError(
      "asana_bad_request",
      `Asana rejected the request (HTTP ${status}${detail})`,
      withStatus,
    );
  }

  async function* paginate<T extends { gid: string }>(
    path: string,
    query: Query,
    item: z.ZodType<T>,
  ): AsyncGenerator<T[]> {
    const schema = pageSchema(item);
    const yielded = new Set<string>();
    let offset: string | null = null;
    let restarted = false;
    for (;;) {
      let page: z.output<typeof schema>;
      try {
        page = await send({
          method: "GET",
          path,
          query: { ...query, limit: PAGE_LIMIT, offset },
          schema,
          priority: "high",
        });
      } catch (error) {
        // Offsets expire (Asana answers 400): start the listing once more and skip what was seen.
        if (offset === null || restarted || !isAsanaError(error, "asana_bad_request")) throw error;
        restarted = true;
        offset = null;
        stats.retries++;
        continue;
      }
      const fresh = page.data.filter((entry) => !yielded.has(entry.gid));
      for (const entry of fresh) yielded.add(entry.gid);
      if (fresh.length > 0) yield fresh;
      offset = nextOffset(page.next_page);
      if (offset === null) return;
    }
  }

  async function* listProjects(
    scope: ProjectScope,
    optFields: readonly string[] = PROJECT_OPT_FIELDS,
    listOptions: ListProjectsOptions = {},
  ): AsyncGenerator<AsanaProjectRecord[]> {
    const seen = new Set<string>();
    const unseen = (projects: readonly AsanaProjectRecord[]) => {
      const fresh = projects.filter((p) => !seen.has(p.gid));
      for (const p of fresh) seen.add(p.gid);
      return fresh;
    };
    if ("portfolioGid" in scope) {
      for await (const page of portfolioProjects(scope.portfolioGid, optFields, listOptions)) {
        const fresh = unseen(page);
        if (fresh.length > 0) yield fresh;
      }
      return;
    }
    // Both list endpoints take the `archived` filter; GET /portfolios/{gid}/items does not.
    const query = { opt_fields: optFields, archived: listOptions.archived };
    const sources =
      scope.teamGids.length > 0
        ? scope.teamGids.map((team) => `/teams/${encodeURIComponent(team)}/projects`)
        : [`/workspaces/${encodeURIComponent(scope.workspaceGid)}/projects`];
    for (const path of sources) {
      for await (const page of paginate(path, query, projectRecordSchema)) {
        const fresh = unseen(page);
        if (fresh.length > 0) yield fresh;
      }
    }
  }

  async function* portfolioProjects(
    rootGid: string,
    optFields: readonly string[],
    listOptions: ListProjectsOptions,
  ): AsyncGenerator<AsanaProjectRecord[]> {
    const wanted = listOptions.archived === undefined ? optFields : unique([...optFields, "archived"]);
    const visited = new Set<string>();
    const queue = [rootGid];
    for (let portfolio = queue.shift(); portfolio !== undefined; portfolio = queue.shift()) {
      if (visited.has(portfolio)) continue;
      visited.add(portfolio);
      const path = `/portfolios/${encodeURIComponent(portfolio)}/items`;
      for await (const page of paginate(path, { opt_fields: wanted }, portfolioItemSchema)) {
        const projects: AsanaProjectRecord[] = [];
        for (const item of page) {
          if (item.resource_type === "portfolio") queue.push(item.gid);
          else if (item.resource_type === "project" && matchesArchived(item, listOptions.archived))
            projects.push(item);
        }
        if (projects.length > 0) yield projects;
      }
    }
  }

  async function getEvents(projectGid: string, syncToken: string | null): Promise<AsanaEventsResult> {
    const events: AsanaEvent[] = [];
    let token = syncToken;
    for (let page = 1; ; page++) {
      const answer = await send({
        method: "GET",
        path: "/events",
        query: { resource: projectGid, sync: token },
        schema: eventsResponseSchema,
      });
      events.push(...answer.data);
      token = answer.sync;
      const hasMore = answer.has_more === true;
      if (!hasMore || page >= MAX_EVENT_PAGES) return { events, syncToken: token, hasMore };
    }
  }

  return {
    stats,
    paginate,
    listProjects,
    getProject: async (gid, optFields = PROJECT_OPT_FIELDS) =>
      (
        await send({
          method: "GET",
          path: `/projects/${encodeURIComponent(gid)}`,
          query: { opt_fields: optFields },
          schema: projectResponseSchema,
        })
      ).data,
    getTaskCounts: async (projectGid) =>
      (
        await send({
          method: "GET",
          path: `/projects/${encodeURIComponent(projectGid)}/task_counts`,
          query: { opt_fields: TASK_COUNT_OPT_FIELDS },
          schema: taskCountsResponseSchema,
        })
      ).data,
    getEvents,
    freshSyncToken: async (projectGid) => {
      try {
        const answer = await getEvents(projectGid, null);
        return answer.syncToken;
      } catch (error) {
        if (isAsanaError(error, "asana_sync_token_expired") && error.syncToken !== null)
          return error.syncToken;
        throw error;
      }
    },
    taskModifiedSince: async (projectGid, since) => {
      const page = await send({
        method: "GET",
        path: "/tasks",
        query: { project: projectGid, modified_since: since, limit: 1, opt_fields: TASK_OPT_FIELDS },
        schema: taskPageSchema,
      });
      return page.data[0]?.modified_at ?? null;
    },
    getUser: async (userGid) =>
      (
        await send({
          method: "GET",
          path: `/users/${encodeURIComponent(userGid)}`,
          query: { opt_fields: USER_OPT_FIELDS },
          schema: userResponseSchema,
        })
      ).data,
    findUserByEmail: async (workspaceGid, email) => {
      // GET /users/{user_gid} takes "me", a gid or an email as the identifier.
      try {
        const answer = await send({
          method: "GET",
          path: `/users/${encodeURIComponent(email)}`,
          query: { workspace: workspaceGid, opt_fields: USER_OPT_FIELDS },
          schema: userResponseSchema,
          lane: "interactive",
        });
        return answer.data;
      } catch (error) {
        if (isAsanaError(error, "asana_not_found")) return null;
        throw error;
      }
    },
    createStatusUpdate: async (parentGid, update) =>
      (
        await send({
          method: "POST",
          path: "/status_updates",
          query: { opt_fields: STATUS_UPDATE_OPT_FIELDS },
          body: { data: { parent: parentGid, ...update } },
          schema: statusUpdateResponseSchema,
          lane: "interactive",
        })
      ).data,
  };
}

function matchesArchived(item: AsanaPortfolioItem, archived: boolean | undefined): boolean {
  return archived === undefined || item.archived === archived;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function nextOffset(nextPage: z.output<typeof nextPageSchema> | undefined): string | null {
  return nextPage?.offset ?? null;
}

export function buildUrl(baseUrl: string, path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const search = params.toString();
  return `${baseUrl}${path}${search === "" ? "" : `?${search}`}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseBody<T>(
  text: string,
  schema: z.ZodType<T>,
  context: { method: Method; path: string; status: number },
): T {
  const parsed = schema.safeParse(parseJson(text));
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const where = first === undefined || first.path.length === 0 ? "" : ` at ${first.path.join(".")}`;
  throw new AsanaError("asana_invalid_response", `Asana's answer does not have the expected shape${where}`, {
    ...context,
    cause: parsed.error,
  });
}

function asanaMessage(text: string): string | null {
  const parsed = errorBodySchema.safeParse(parseJson(text));
  if (!parsed.success) return null;
  const messages = (parsed.data.errors ?? [])
    .map((e) => e.message)
    .filter((m): m is string => m !== undefined);
  return messages.length > 0 ? messages.join("; ") : null;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null || header.trim() === "") return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/**
 * At most `perMinute` requests start in any 60 s window, and none of a lane while a 429 that lane
 * met has its Retry-After running: the budget is kept on this side, so a 429 stays an exception.
 * The bulk lane stops short of the budget by the interactive lane's share.
 */
/** The bulk lane's share of a per-minute budget: what it leaves the interactive lane taken off. */
function bulkBudget(perMinute: number): number {
  const share = Math.max(INTERACTIVE_BUDGET_MIN, Math.floor(perMinute * INTERACTIVE_BUDGET_SHARE));
  return Math.max(1, perMinute - Math.min(Math.floor(perMinute * INTERACTIVE_BUDGET_CAP), share));
}

class RequestPacer {
  private readonly starts: number[] = [];
  private readonly pausedUntil: Record<Lane, number> = { bulk: 0, interactive: 0 };

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  pauseFor(lane: Lane, ms: number): void {
    this.pausedUntil[lane] = Math.max(this.pausedUntil[lane], this.now() + ms);
  }

  async take(lane: Lane): Promise<void> {
    const limit = lane === "interactive" ? this.perMinute : bulkBudget(this.perMinute);
    for (;;) {
      const t = this.now();
      if (t < this.pausedUntil[lane]) {
        await this.sleep(this.pausedUntil[lane] - t);
        continue;
      }
      while (this.starts.length > 0 && (this.starts[0] ?? t) <= t - WINDOW_MS) this.starts.shift();
      if (this.starts.length < limit) {
        this.starts.push(t);
        return;
      }
      // The start whose leaving the window brings the count under this lane's limit.
      const freeing = this.starts[this.starts.length - limit] ?? t;
      await this.sleep(freeing + WINDOW_MS - t);
    }
  }
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly waitingFirst: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(first = false): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resume) => (first ? this.waitingFirst : this.waiting).push(resume));
    } else this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waitingFirst.shift() ?? this.waiting.shift();
      if (next === undefined) this.active--;
      else next();
    };
  }
}
