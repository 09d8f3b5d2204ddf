import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ReadinessCheck = {
  socketConnected: () => boolean;
  /** Resolves when the store answers; rejects with the reason otherwise. */
  storeReachable: () => Promise<void>;
  /** The completion time of the last successful sync, or null when none has completed yet. */
  lastSuccessfulSyncAt: () => Promise<string | null>;
  now: () => Date;
};

export type ReadinessReport = {
  ready: boolean;
  socket: "connected" | "disconnected";
  store: "reachable" | string;
  lastSuccessfulSyncAt: string | null;
  lastSyncAgeSeconds: number | null;
  reasons: string[];
};

export async function readiness(check: ReadinessCheck): Promise<ReadinessReport> {
  const reasons: string[] = [];
  const socket = check.socketConnected() ? "connected" : "disconnected";
  if (socket === "disconnected") reasons.push("the Slack socket is not connected");
  let store = "reachable";
  try {
    await check.storeReachable();
  } catch (error) {
    store = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
    reasons.push("the store does not answer");
  }
  let lastSuccessfulSyncAt: string | null = null;
  if (store === "reachable") lastSuccessfulSyncAt = await check.lastSuccessfulSyncAt().catch(() => null);
  const lastSyncAgeSeconds =
    lastSuccessfulSyncAt === null
      ? null
      : Math.max(0, Math.round((check.now().getTime() - Date.parse(lastSuccessfulSyncAt)) / 1000));
  return { ready: reasons.length === 0, socket, store, lastSuccessfulSyncAt, lastSyncAgeSeconds, reasons };
}

/**
 * `/healthz`: the process answers. `/readyz`: the Slack socket is connected and the store
 * answers (503 with the reasons otherwise), with the age of the last successful sync.
 */
export async function startHealthServer(
  port: number,
  check: ReadinessCheck,
  host = "0.0.0.0",
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
        (report) => send(report.ready ? 200 : 503, report),
        (error: unknown) =>
          send(503, { ready: false, reasons: [error instanceof Error ? error.message : String(error)] }),
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
