import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import { TICK_LEASE_MS, TICK_MEMORY_MS } from "../../../../services/store/meta/tick-claims.ts";
import type { Repositories } from "../../../../services/store/repositories.ts";
import { keys } from "../../../../services/store/tables.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:00.000Z");
let now: Date;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

let store: Store;
let repos: Repositories;

beforeAll(async () => {
  ({ store, repos } = await memoryStore({ clock: () => now }));
});
afterAll(async () => store.close());
beforeEach(() => {
  now = T0;
});

describe("TickClaims", () => {
  it("lets exactly one of several instances claim a job's tick", async () => {
    const tick = new Date("2026-05-04T09:05:00.000Z");
    const claims = await Promise.all([1, 2, 3].map(() => repos.meta.ticks.claim("sync-partial", tick)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repos.meta.ticks.claim("sync-partial", tick)).toBe(false);
    // Another job at the same time, or the same job at the next tick, is a claim of its own.
    expect(await repos.meta.ticks.claim("daily-digest", tick)).toBe(true);
    expect(await repos.meta.ticks.claim("sync-partial", new Date("2026-05-04T09:10:00.000Z"))).toBe(true);
  });

  it("keeps the key the scheduler used before (EVENT#tick:{job}:{iso}), so a claim made then still holds", async () => {
    const tick = new Date("2026-05-04T10:00:00.000Z");
    // What the scheduler wrote before TickClaims existed: the event `tick:{job}:{iso}`, kept 24 h.
    expect(await repos.meta.events.record(`tick:owner-reminders:${tick.toISOString()}`, TICK_MEMORY_MS)).toBe(
      "new",
    );
    expect(await repos.meta.ticks.claim("owner-reminders", tick)).toBe(false);

    const next = new Date("2026-05-04T11:00:00.000Z");
    expect(await repos.meta.ticks.claim("owner-reminders", next)).toBe(true);
    const item = (
      await store.doc.send(
        new GetCommand({
          TableName: store.tables.meta,
          Key: keys.tick("owner-reminders", next.toISOString()),
        }),
      )
    ).Item;
    expect(item).toMatchObject({
      pk: `EVENT#tick:owner-reminders:${next.toISOString()}`,
      sk: "META",
      eventId: `tick:owner-reminders:${next.toISOString()}`,
    });
    expect(await repos.meta.events.hasSeen(`tick:owner-reminders:${next.toISOString()}`)).toBe(true);
  });

  it("remembers a tick done for TICK_MEMORY_MS", async () => {
    const tick = new Date("2026-05-04T12:00:00.000Z");
    expect(await repos.meta.ticks.claim("sync-full", tick, "A")).toBe(true);
    await repos.meta.ticks.complete("sync-full", tick);
    advance(TICK_MEMORY_MS - 1_000);
    expect(await repos.meta.ticks.claim("sync-full", tick, "B")).toBe(false);
    expect(await repos.meta.ticks.reclaim("sync-full", tick, "B")).toBe(false);
    advance(1_000);
    expect(await repos.meta.ticks.claim("sync-full", tick, "B")).toBe(true);
  });

  it("lets a claim whose lease ran out without the done mark be taken over, once", async () => {
    const tick = new Date("2026-05-04T13:00:00.000Z");
    expect(await repos.meta.ticks.claim("daily-digest", tick, "A")).toBe(true);
    advance(TICK_LEASE_MS - 1_000);
    expect(await repos.meta.ticks.reclaim("daily-digest", tick, "B")).toBe(false);
    advance(1_000);
    const takers = await Promise.all(
      ["B", "C"].map((h) => repos.meta.ticks.reclaim("daily-digest", tick, h)),
    );
    expect(takers.filter(Boolean)).toHaveLength(1);
    // The instance that died cannot renew what another took over.
    expect(await repos.meta.ticks.renew("daily-digest", tick, "A")).toBe(false);
  });

  it("never takes over a tick nobody claimed", async () => {
    expect(await repos.meta.ticks.reclaim("daily-digest", new Date("2026-05-04T14:00:00.000Z"), "B")).toBe(
      false,
    );
  });
});
