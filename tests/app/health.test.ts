import { afterEach, describe, expect, it } from "vitest";
import { readiness, startHealthServer } from "../../app/health.ts";

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
      ready: true,
      socket: "connected",
      store: "reachable",
      lastSyncAgeSeconds: 1800,
      reasons: [],
    });
  });

  it("names every reason it is not ready", async () => {
    const report = await readiness({
      socketConnected: () => false,
      storeReachable: async () => {
        throw new Error("connect ECONNREFUSED");
      },
      lastSuccessfulSyncAt: async () => null,
      now,
    });
    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual(["the Slack socket is not connected", "the store does not answer"]);
    expect(report.store).toContain("ECONNREFUSED");
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
    expect(await red.json()).toMatchObject({ ready: false, reasons: ["the Slack socket is not connected"] });
    connected = true;
    const green = await fetch(`${base}/readyz`);
    expect(green.status).toBe(200);
    expect(await green.json()).toMatchObject({ ready: true, lastSuccessfulSyncAt: null });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
