import { afterEach, describe, expect, it } from "vitest";
import { readiness, startHealthServer } from "../../app/health.ts";
import { createMetrics } from "../../app/metrics.ts";
import { parseExposition, sampleValue } from "../fixtures/prometheus-text.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const now = () => new Date("2026-11-22T12:00:00.000Z");

describe("readiness", () => {
  it("is ready with the socket connected and the store answering, and reports the sync's age", async () => {
    const report = await readiness({
      socketConnected: () => true,
      storeReachable: async () => {},
      lastSuccessfulSyncAt: async () => "2026-11-22T11:30:00.000Z",
      now,
    });
    expect(report).toMatchObject({
      ok: true,
      problems: [],
      socket: "connected",
      store: "reachable",
      asana: "ok",
      lastSyncAgeSeconds: 1800,
    });
  });

  it("names every problem with a fixed code and never echoes an error's text", async () => {
    const failures: string[] = [];
    const report = await readiness({
      socketConnected: () => false,
      storeReachable: async () => {
        throw new Error("connect ECONNREFUSED 10.0.0.7:8000 secret-internal-detail");
      },
      asanaTokenRefused: () => true,
      lastSuccessfulSyncAt: async () => null,
      now,
      onCheckFailed: (check) => failures.push(check),
    });
    expect(report).toMatchObject({
      ok: false,
      problems: ["slack_socket_disconnected", "store_unreachable", "asana_token_refused"],
      store: "unreachable",
      asana: "token_refused",
    });
    expect(JSON.stringify(report)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|secret-internal-detail/);
    expect(failures).toEqual(["store"]);
  });
});

describe("health server", () => {
  it("answers /healthz always and /readyz with 503 until the socket connects", async () => {
    let connected = false;
    const server = await startHealthServer(
      0,
      {
        socketConnected: () => connected,
        storeReachable: async () => {},
        lastSuccessfulSyncAt: async () => null,
        now,
      },
      "127.0.0.1",
    );
    closers.push(server.close);
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const red = await fetch(`${base}/readyz`);
    expect(red.status).toBe(503);
    expect(await red.json()).toMatchObject({ ok: false, problems: ["slack_socket_disconnected"] });
    connected = true;
    const green = await fetch(`${base}/readyz`);
    expect(green.status).toBe(200);
    expect(await green.json()).toMatchObject({ ok: true, problems: [], lastSuccessfulSyncAt: null });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe("/readyz when a check itself throws", () => {
  it("answers 503 with a code, not the exception's message", async () => {
    const server = await startHealthServer(
      0,
      {
        socketConnected: () => {
          throw new Error("internal: socket state at 0xdeadbeef");
        },
        storeReachable: async () => {},
        lastSuccessfulSyncAt: async () => null,
        now,
      },
      "127.0.0.1",
    );
    closers.push(server.close);
    const answer = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(answer.status).toBe(503);
    const text = await answer.text();
    expect(JSON.parse(text)).toEqual({ ok: false, problems: ["readiness_check_failed"] });
    expect(text).not.toContain("deadbeef");
  });
});

describe("/metrics", () => {
  const check = {
    socketConnected: () => true,
    storeReachable: async () => {},
    lastSuccessfulSyncAt: async () => null,
    now,
  };

  it("serves the exposition it is given, and nothing without one", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.syncRun("partial", "completed", 12);
    const server = await startHealthServer(0, check, "127.0.0.1", { metrics });
    const bare = await startHealthServer(0, check, "127.0.0.1");
    closers.push(server.close, bare.close);
    const answer = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = parseExposition(await answer.text());
    expect(sampleValue(exposition, "pmo_sync_runs_total", { kind: "partial", outcome: "completed" })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${bare.port}/metrics`)).status).toBe(404);
  });

  it("answers 500 with a code when rendering fails, never the error's text", async () => {
    const failures: string[] = [];
    const server = await startHealthServer(
      0,
      { ...check, onCheckFailed: (what) => failures.push(what) },
      "127.0.0.1",
      {
        metrics: {
          render: async () => {
            throw new Error("registry exploded at 0xdeadbeef");
          },
        },
      },
    );
    closers.push(server.close);
    const answer = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(answer.status).toBe(500);
    const text = await answer.text();
    expect(JSON.parse(text)).toEqual({ error: "metrics_unavailable" });
    expect(text).not.toContain("deadbeef");
    expect(failures).toEqual(["metrics"]);
  });
});
