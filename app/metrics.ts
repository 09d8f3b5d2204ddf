import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { z } from "zod";
import type { FindingCounts, Metrics } from "../services/metrics.ts";
import { SYNC_KINDS, type SyncSummary } from "../services/model.ts";

/**
 * `/metrics` (Prometheus text format) on the health port: the Metrics port of services/metrics.ts
 * bound to prom-client, in a registry of the app's own, and the measuring points at the edges where
 * calls leave the process: the Asana client (through the port), the DynamoDB client (SDK
 * middleware), the Slack WebClients (their fetch and retry hooks). Labels hold only fixed words,
 * Web API method names, table names and Slack's error codes: never a token, URL or text.
 */

/** What is read when Prometheus scrapes: cheap reads only (a Query of a few items, no scan). */
export type ScrapeSources = {
  socketConnected(): boolean;
  /** The completion time of the last completed sync, or null when none has completed yet. */
  lastSuccessfulSyncAt(): Promise<string | null>;
  /**
   * Slack deliveries (status-update DMs and submissions) acked but not processed yet, and
   * confirmed updates not written back to Asana yet.
   */
  pending(): Promise<{ inbound: number; writeBacks: number }>;
  now(): Date;
  /** Where a failed read's reason goes (the value read before is kept). */
  onCollectFailed?(what: string, error: unknown): void;
};

export type AppMetrics = Metrics & {
  readonly registry: Registry;
  /** The exposition: scrape-time values read first, then every metric as text. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Counts this DynamoDB client's calls, the capacity they consumed, throttles and server errors. */
  watchStore(client: DynamoDBClient): void;
  /** A fetch for Slack WebClients (and Bolt's respond) that counts calls and errors by method. */
  slackFetch(apiUrl: string, base?: typeof fetch): typeof fetch;
  /** The retry policy with each retry it allows counted. */
  countSlackRetries<T extends SlackRetryPolicy>(policy: T): T;
  /** The values read at scrape time, once the app has them (socket, sync log, queues). */
  observe(sources: ScrapeSources): void;
};

/** What p-retry (inside @slack/web-api) is given: `onFailedAttempt` throws to stop retrying. */
export type SlackRetryPolicy = { retries?: number; onFailedAttempt?(error: Error): void | Promise<void> };

const SYNC_OUTCOMES = ["completed", "failed", "skipped"] as const satisfies readonly SyncSummary["status"][];
const SYNC_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export function createMetrics(options: { processMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const syncRuns = new Counter({
    name: "pmo_sync_runs_total",
    help: "Asana syncs run by the pipeline, by kind (full, partial) and outcome (completed, failed, skipped)",
    labelNames: ["kind", "outcome"],
    registers,
  });
  const syncDuration = new Histogram({
    name: "pmo_sync_duration_seconds",
    help: "Duration of the syncs that ran (completed or failed), by kind",
    labelNames: ["kind"],
    buckets: SYNC_BUCKETS_SECONDS,
    registers,
  });
  const lastGoodSyncTimestamp = new Gauge({
    name: "pmo_last_good_sync_timestamp_seconds",
    help: "When the last completed sync ended (Unix seconds, from the sync log); 0 when none has",
    registers,
  });
  const lastGoodSyncAge = new Gauge({
    name: "pmo_last_good_sync_age_seconds",
    help: "Seconds since the last completed sync ended (from the sync log); +Inf when none has",
    registers,
  });
  const asanaRequests = new Counter({
    name: "pmo_asana_requests_total",
    help: "HTTP requests sent to Asana (each retry counts), by method and answer (2xx, 4xx, 429, 5xx, timeout, network)",
    labelNames: ["method", "status"],
    registers,
  });
  const asanaRateLimited = new Counter({
    name: "pmo_asana_rate_limited_total",
    help: "Asana answers 429 (rate limited)",
    registers,
  });
  const ddbRequests = new Counter({
    name: "pmo_dynamodb_requests_total",
    help: "DynamoDB calls, by operation (SDK retries not counted again)",
    labelNames: ["operation"],
    registers,
  });
  const ddbReadUnits = new Counter({
    name: "pmo_dynamodb_consumed_read_units_total",
    help: "Read capacity units DynamoDB reported consumed (ReturnConsumedCapacity TOTAL), by table",
    labelNames: ["table"],
    registers,
  });
  const ddbWriteUnits = new Counter({
    name: "pmo_dynamodb_consumed_write_units_total",
    help: "Write capacity units DynamoDB reported consumed (ReturnConsumedCapacity TOTAL), by table",
    labelNames: ["table"],
    registers,
  });
  const ddbThrottled = new Counter({
    name: "pmo_dynamodb_throttled_total",
    help: "DynamoDB attempts refused for throughput (throttled), by operation; the SDK retries them",
    labelNames: ["operation"],
    registers,
  });
  const ddbServerErrors = new Counter({
    name: "pmo_dynamodb_server_errors_total",
    help: "DynamoDB attempts that failed on DynamoDB's side (HTTP 5xx), by operation",
    labelNames: ["operation"],
    registers,
  });
  const slackRequests = new Counter({
    name: "pmo_slack_api_requests_total",
    help: "HTTP requests to Slack's Web API (each retry counts), by method; response_url posts as response_url",
    labelNames: ["method"],
    registers,
  });
  const slackErrors = new Counter({
    name: "pmo_slack_api_errors_total",
    help: "Slack Web API calls that failed, by method and error (Slack's error code, ratelimited, http_<status>, request_failed)",
    labelNames: ["method", "error"],
    registers,
  });
  const slackRetries = new Counter({
    name: "pmo_slack_api_retries_total",
    help: "Slack Web API calls tried again by the WebClient after a failed attempt",
    registers,
  });
  const socketConnected = new Gauge({
    name: "pmo_slack_socket_connected",
    help: "1 while the Slack socket-mode connection is open, 0 otherwise",
    registers,
  });
  const pendingItems = new Gauge({
    name: "pmo_pending_items",
    help: "Work recorded and not done yet: inbound (status-update DMs and submissions acked, not processed), write_backs (updates not yet in Asana)",
    labelNames: ["queue"],
    registers,
  });
  const findingsGauge = new Gauge({
    name: "pmo_findings",
    help: "Unresolved findings by severity and status, counted after the last rules run of this process",
    labelNames: ["severity", "status"],
    registers,
  });

  // Present from the start at zero, so that rates and increases work from the first scrape.
  for (const kind of SYNC_KINDS) {
    for (const outcome of SYNC_OUTCOMES) syncRuns.inc({ kind, outcome }, 0);
  }

  let sources: ScrapeSources | null = null;
  let lastGoodSyncMs: number | null = null;

  const collect = async (): Promise<void> => {
    const from = sources;
    if (from === null) return;
    const failed = (what: string) => (error: unknown) => from.onCollectFailed?.(what, error);
    try {
      socketConnected.set(from.socketConnected() ? 1 : 0);
    } catch (error) {
      failed("socket")(error);
    }
    await Promise.all([
      from.lastSuccessfulSyncAt().then((at) => {
        lastGoodSyncMs = at === null ? null : Date.parse(at);
      }, failed("last_sync")),
      from.pending().then((counts) => {
        pendingItems.set({ queue: "inbound" }, counts.inbound);
        pendingItems.set({ queue: "write_backs" }, counts.writeBacks);
      }, failed("pending")),
    ]);
    const known = lastGoodSyncMs !== null && Number.isFinite(lastGoodSyncMs) ? lastGoodSyncMs : null;
    lastGoodSyncTimestamp.set(known === null ? 0 : known / 1000);
    lastGoodSyncAge.set(
      known === null ? Number.POSITIVE_INFINITY : Math.max(0, (from.now().getTime() - known) / 1000),
    );
  };

  return {
    registry,
    asanaRequest: (method, outcome) => {
      asanaRequests.inc({ method, status: asanaStatusClass(outcome) });
      if (outcome === 429) asanaRateLimited.inc();
    },
    syncRun: (kind, outcome, seconds) => {
      syncRuns.inc({ kind, outcome });
      if (seconds !== null) syncDuration.observe({ kind }, Math.max(0, seconds));
    },
    findings: (counts: FindingCounts) => {
      for (const [severity, byStatus] of Object.entries(counts)) {
        for (const [status, count] of Object.entries(byStatus))
          findingsGauge.set({ severity, status }, count);
      }
    },
    render: async () => {
      await collect();
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    watchStore: (client) =>
      watchDynamoDb(client, {
        name: "pmoMetrics",
        call: (call) => {
          ddbRequests.inc({ operation: call.operation });
          const units = call.kind === "read" ? ddbReadUnits : call.kind === "write" ? ddbWriteUnits : null;
          for (const used of call.capacity) units?.inc({ table: used.table }, used.units);
        },
        attemptFailed: (failure) => {
          if (failure.kind === "throttled") ddbThrottled.inc({ operation: failure.operation });
          else if (failure.kind === "server") ddbServerErrors.inc({ operation: failure.operation });
        },
      }),
    slackFetch: (apiUrl, base = globalThis.fetch) => {
      const prefix = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
      return async (input, init) => {
        const method = slackMethodOf(requestUrl(input), prefix);
        slackRequests.inc({ method });
        let response: Response;
        try {
          response = await base(input, init);
        } catch (error) {
          slackErrors.inc({ method, error: "request_failed" });
          throw error;
        }
        const error = await slackErrorOf(response, method);
        if (error !== null) slackErrors.inc({ method, error });
        return response;
      };
    },
    countSlackRetries: (policy) => ({
      ...policy,
      onFailedAttempt: async (error: Error) => {
        // Throws when the policy wants no retry: then none is counted.
        await policy.onFailedAttempt?.(error);
        const left = "retriesLeft" in error && typeof error.retriesLeft === "number" ? error.retriesLeft : 0;
        if (left > 0) slackRetries.inc();
      },
    }),
    observe: (next) => {
      sources = next;
    },
  };
}

function asanaStatusClass(outcome: number | "timeout" | "network"): string {
  if (typeof outcome !== "number") return outcome;
  if (outcome === 429) return "429";
  return `${Math.floor(outcome / 100)}xx`;
}

function requestUrl(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/** A Web API method name (`chat.postMessage`), or `response_url` for any URL outside the API. */
export function slackMethodOf(url: string, apiPrefix: string): string {
  if (!url.startsWith(apiPrefix)) return "response_url";
  const method = url.slice(apiPrefix.length).split(/[?#]/)[0] ?? "";
  return /^[a-zA-Z]+(\.[a-zA-Z]+)+$/.test(method) ? method : "other";
}

const slackAnswerSchema = z.object({ ok: z.boolean(), error: z.string().optional() });
const SLACK_ERROR_CODE = /^[a-z0-9_]{1,64}$/;

/** Why a Slack answer is a failure (a fixed word or Slack's own error code), or null when it is not. */
async function slackErrorOf(response: Response, method: string): Promise<string | null> {
  if (response.status === 429) return "ratelimited";
  if (response.status !== 200) return `http_${response.status}`;
  // respond() posts to a response_url, which answers plain text.
  if (method === "response_url") return null;
  if (!(response.headers.get("content-type") ?? "").includes("json")) return null;
  const parsed = slackAnswerSchema.safeParse(
    await response
      .clone()
      .json()
      .catch(() => null),
  );
  if (!parsed.success || parsed.data.ok) return null;
  const code = parsed.data.error ?? "unknown";
  return SLACK_ERROR_CODE.test(code) ? code : "other";
}

// ---- DynamoDB: every call's consumed capacity, every attempt's throttle -------------------------

const READ_OPERATIONS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
const WRITE_OPERATIONS = new Set([
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "BatchWriteItem",
  "TransactWriteItems",
]);
const THROTTLES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

export type DynamoDbCall = {
  /** `GetItem`, `Query`, … */
  operation: string;
  kind: "read" | "write" | "other";
  /** The table named in the request (null for the batch operations, which name several). */
  table: string | null;
  /** What DynamoDB reported consumed, by table (empty when it reported nothing). */
  capacity: { table: string; units: number }[];
  /** Null when the call succeeded; the error's name otherwise. */
  error: string | null;
};

export type DynamoDbAttemptFailure = {
  operation: string;
  kind: "throttled" | "server" | "other";
  /** The error's name (e.g. ConditionalCheckFailedException). */
  error: string;
};

export type DynamoDbListener = {
  /** The middlewares' names: one listener per name on a client. */
  name: string;
  call?(call: DynamoDbCall): void;
  attemptFailed?(failure: DynamoDbAttemptFailure): void;
};

const capacitySchema = z.object({ TableName: z.string().optional(), CapacityUnits: z.number().optional() });
const consumedSchema = z.union([capacitySchema, z.array(capacitySchema)]).optional();
const tableNameSchema = z.object({ TableName: z.string() });

/**
 * Asks DynamoDB for the capacity each read and write consumes (ReturnConsumedCapacity TOTAL, which
 * costs nothing) and reports it per call; reports each failed attempt, inside the SDK's retries.
 */
export function watchDynamoDb(client: DynamoDBClient, listener: DynamoDbListener): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
      const kind = READ_OPERATIONS.has(operation)
        ? "read"
        : WRITE_OPERATIONS.has(operation)
          ? "write"
          : "other";
      const named = tableNameSchema.safeParse(args.input);
      const table = named.success ? named.data.TableName : null;
      const input =
        kind === "other" || !isRecord(args.input) || args.input.ReturnConsumedCapacity !== undefined
          ? args.input
          : { ...args.input, ReturnConsumedCapacity: "TOTAL" };
      try {
        const result = await next({ ...args, input });
        const consumed = isRecord(result.output) ? result.output.ConsumedCapacity : undefined;
        listener.call?.({ operation, kind, table, capacity: capacityOf(consumed), error: null });
        return result;
      } catch (error) {
        const name = error instanceof Error ? error.name : "Unknown";
        listener.call?.({ operation, kind, table, capacity: [], error: name });
        throw error;
      }
    },
    { step: "initialize", name: `${listener.name}Calls` },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const operation = String(context.commandName ?? "Unknown").replace(/Command$/, "");
        const name = error instanceof Error ? error.name : "Unknown";
        const server =
          isRecord(error) &&
          (error.$fault === "server" ||
            (isRecord(error.$metadata) &&
              typeof error.$metadata.httpStatusCode === "number" &&
              error.$metadata.httpStatusCode >= 500));
        const kind = THROTTLES.has(name) ? "throttled" : server ? "server" : "other";
        listener.attemptFailed?.({ operation, kind, error: name });
        throw error;
      }
    },
    // In the deserialize step, inside the retry loop: every attempt, not only the last.
    { step: "deserialize", name: `${listener.name}Attempts`, priority: "high" },
  );
}

function capacityOf(consumed: unknown): { table: string; units: number }[] {
  const parsed = consumedSchema.safeParse(consumed);
  if (!parsed.success || parsed.data === undefined) return [];
  const list = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  return list
    .filter((entry) => entry.CapacityUnits !== undefined && entry.CapacityUnits > 0)
    .map((entry) => ({ table: entry.TableName ?? "unknown", units: entry.CapacityUnits ?? 0 }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
