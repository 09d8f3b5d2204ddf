import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReadinessCheck = {
  socketConnected: () => boolean;
  /** Resolves when the store answers; rejects otherwise (the reason goes to the log, not the answer). */
  storeReachable: () => Promise<void>;
  /** True while Asana refuses ASANA_TOKEN (its last answer was a 401). */
  asanaTokenRefused?: () => boolean;
  /** The completion time of the last successful sync, or null when none has completed yet. */
  lastSuccessfulSyncAt: () => Promise<string | null>;
  now: () => Date;
  /** Where a failed check's reason is written: never into the answer. */
  onCheckFailed?: (check: string, error: unknown) => void;
};

/** What /readyz names when it is not ready: fixed codes, never an exception's text. */
export type ReadinessProblem =
  | "slack_socket_disconnected"
  | "store_unreachable"
  | "asana_token_refused"
  | "readiness_check_failed";

export type ReadinessReport = {
  ok: boolean;
  problems: ReadinessProblem[];
  socket: "connected" | "disconnected";
  store: "reachable" | "unreachable";
  asana: "ok" | "token_refused";
  lastSuccessfulSyncAt: string | null;
  lastSyncAgeSeconds: number | null;
};

export async function readiness(check: ReadinessCheck): Promise<ReadinessReport> {
  const problems: ReadinessProblem[] = [];
  const socket = check.socketConnected() ? "connected" : "disconnected";
  if (socket === "disconnected") problems.push("slack_socket_disconnected");
  let store: ReadinessReport["store"] = "reachable";
  try {
    await check.storeReachable();
  } catch (error) {
    store = "unreachable";
    problems.push("store_unreachable");
    check.onCheckFailed?.("store", error);
  }
  const asana = check.asanaTokenRefused?.() === true ? "token_refused" : "ok";
  if (asana === "token_refused") problems.push("asana_token_refused");
  let lastSuccessfulSyncAt: string | null = null;
  if (store === "reachable") lastSuccessfulSyncAt = await check.lastSuccessfulSyncAt().catch(() => null);
  const lastSyncAgeSeconds =
    lastSuccessfulSyncAt === null
      ? null
      : Math.max(0, Math.round((check.now().getTime() - Date.parse(lastSuccessfulSyncAt)) / 1000));
  return {
    ok: problems.length === 0,
    problems,
    socket,
    store,
    asana,
    lastSuccessfulSyncAt,
    lastSyncAgeSeconds,
  };
}

/** `/metrics`: the exposition to send (app/metrics.ts renders it). */
export type MetricsEndpoint = { render(): Promise<{ contentType: string; body: string }> };

/**
 * `/healthz`: the process answers. `/readyz`: the Slack socket is connected, the store answers and
 * Asana takes the token (503 naming each problem otherwise), with the age of the last successful sync.
 * `/metrics` (when given): Prometheus text format.
 */
export async function startHealthServer(
  port: number,
  check: ReadinessCheck,
  host = "0.0.0.0",
  endpoints: { metrics?: MetricsEndpoint } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
      });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, { error: "method not allowed" });
    if (path === "/healthz") return send(200, { status: "ok" });
    if (path === "/readyz") {
      readiness(check).then(
        (report) => send(report.ok ? 200 : 503, report),
        (error: unknown) => {
          check.onCheckFailed?.("readiness", error);
          send(503, { ok: false, problems: ["readiness_check_failed"] });
        },
      );
      return;
    }
    const metrics = endpoints.metrics;
    if (path === "/metrics" && metrics !== undefined) {
      metrics.render().then(
        (exposition) => {
          res.writeHead(200, { "content-type": exposition.contentType, "cache-control": "no-store" });
          res.end(req.method === "HEAD" ? undefined : exposition.body);
        },
        (error: unknown) => {
          check.onCheckFailed?.("metrics", error);
          send(500, { error: "metrics_unavailable" });
        },
      );
      return;
    }
    send(404, { error: "not found" });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
