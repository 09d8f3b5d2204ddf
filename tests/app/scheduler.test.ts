import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { startScheduler, type TickLedger } from "../../app/scheduler.ts";
import type { Store } from "../../services/store/client.ts";
import { TICK_LEASE_MS } from "../../services/store/meta/tick-claims.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

const logger = createLogger({ logLevel: "silent", secrets: [] });

describe("scheduler", () => {
  it("computes the next runs in PMO_TIMEZONE", () => {
    const scheduler = startScheduler([{ name: "digest", cron: "30 8 * * 1-5", run: async () => {} }], {
      timezone: "America/Bogota",
      logger,
    });
    const [next] = scheduler.nextRuns();
    // 08:30 in Bogotá (UTC-5) is 13:30 UTC.
    expect(next?.next?.toISOString()).toMatch(/T13:30:00\.000Z$/);
    expect([1, 2, 3, 4, 5]).toContain(next?.next?.getUTCDay());
    void scheduler.stop();
  });

  it("stop() waits for a run under way", async () => {
    let finished = false;
    let started: () => void = () => {};
    const running = new Promise<void>((ok) => {
      started = ok;
    });
    const scheduler = startScheduler(
      [
        {
          name: "every-second",
          cron: "* * * * * *",
          run: async () => {
            started();
            await new Promise((ok) => setTimeout(ok, 300));
            finished = true;
          },
        },
      ],
      { timezone: "UTC", logger },
    );
    await running;
    await scheduler.stop();
    expect(finished).toBe(true);
  });
});

describe("scheduler across instances", () => {
  it("runs a tick once when several schedulers claim it", async () => {
    const claimed = new Set<string>();
    const claim = async (job: string, at: Date) => {
      const key = `${job}:${at.toISOString()}`;
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    };
    const ticks: TickLedger = {
      claim,
      reclaim: async () => false,
      renew: async () => true,
      complete: async () => {},
    };
    let runs = 0;
    const job = { name: "every-second", cron: "* * * * * *", run: async () => void runs++ };
    const schedulers = [1, 2, 3].map(() => startScheduler([job], { timezone: "UTC", logger, ticks }));
    await new Promise((ok) => setTimeout(ok, 2_300));
    await Promise.all(schedulers.map((s) => s.stop()));
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBe(claimed.size);
  });

  describe("a tick claimed by an instance that died", () => {
    // 08:30 in Bogotá, the digest's slot that day.
    const SLOT = new Date("2026-12-02T13:30:00.000Z");
    let now = SLOT;
    let store: Store;
    let repos: Repositories;
    beforeAll(async () => {
      ({ store, repos } = await memoryStore({ clock: () => now }));
    });
    afterAll(async () => store.close());

    const ledgerOf = (holder: string): TickLedger => ({
      claim: (job, at) => repos.meta.ticks.claim(job, at, holder),
      reclaim: (job, at) => repos.meta.ticks.reclaim(job, at, holder),
      renew: (job, at) => repos.meta.ticks.renew(job, at, holder),
      complete: (job, at) => repos.meta.ticks.complete(job, at),
    });

    it("is run by another instance once the claim expires, within the slot, and only once", async () => {
      now = SLOT;
      const sent: string[] = [];
      const digest = (who: string) => ({
        name: "daily-digest",
        cron: "30 8 * * *",
        run: async () => void sent.push(who),
      });
      // A's schedule fired and claimed the tick, then A died before running it.
      expect(await ledgerOf("A").claim("daily-digest", SLOT)).toBe(true);
      const b = startScheduler([digest("B")], {
        timezone: "America/Bogota",
        logger,
        ticks: ledgerOf("B"),
        catchUpEveryMs: 0,
        now: () => now,
      });
      try {
        now = new Date(SLOT.getTime() + 60_000);
        await b.catchUp();
        expect(sent).toEqual([]);

        now = new Date(SLOT.getTime() + TICK_LEASE_MS + 1_000);
        await b.catchUp();
        expect(sent).toEqual(["B"]);

        now = new Date(SLOT.getTime() + 2 * TICK_LEASE_MS + 2_000);
        await b.catchUp();
        const c = startScheduler([digest("C")], {
          timezone: "America/Bogota",
          logger,
          ticks: ledgerOf("C"),
          catchUpEveryMs: 0,
          now: () => now,
        });
        await c.catchUp();
        await c.stop();
        expect(sent).toEqual(["B"]);
      } finally {
        await b.stop();
      }
    });

    it("is run at the next start, and a tick nobody claimed is not run at start", async () => {
      const slot = new Date("2026-12-03T13:30:00.000Z");
      now = slot;
      const sent: string[] = [];
      expect(await ledgerOf("A").claim("daily-digest", slot)).toBe(true);
      now = new Date(slot.getTime() + 6 * 60 * 60 * 1000);
      const job = { name: "daily-digest", cron: "30 8 * * *", run: async () => void sent.push("digest") };
      const other = {
        name: "owner-reminders",
        cron: "0 9 * * *",
        run: async () => void sent.push("reminders"),
      };
      const restarted = startScheduler([job, other], {
        timezone: "America/Bogota",
        logger,
        ticks: ledgerOf("A2"),
        catchUpEveryMs: 0,
        now: () => now,
      });
      await restarted.catchUp();
      await restarted.stop();
      expect(sent).toEqual(["digest"]);
    });

    it("is not taken over while its instance keeps renewing it", async () => {
      now = new Date("2026-12-04T13:30:00.000Z");
      const slot = now;
      const a = ledgerOf("A");
      expect(await a.claim("daily-digest", slot)).toBe(true);
      now = new Date(slot.getTime() + TICK_LEASE_MS - 1_000);
      expect(await a.renew("daily-digest", slot)).toBe(true);
      now = new Date(slot.getTime() + TICK_LEASE_MS + 1_000);
      expect(await ledgerOf("B").reclaim("daily-digest", slot)).toBe(false);
      expect(await ledgerOf("B").claim("daily-digest", slot)).toBe(false);
    });
  });
});
