import { describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { startScheduler } from "../../app/scheduler.ts";

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
    const claimTick = async (job: string, at: Date) => {
      const key = `${job}:${at.toISOString()}`;
      if (claimed.has(key)) return false;
      claimed.add(key);
      return true;
    };
    let runs = 0;
    const job = { name: "every-second", cron: "* * * * * *", run: async () => void runs++ };
    const schedulers = [1, 2, 3].map(() => startScheduler([job], { timezone: "UTC", logger, claimTick }));
    await new Promise((ok) => setTimeout(ok, 2_300));
    await Promise.all(schedulers.map((s) => s.stop()));
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBe(claimed.size);
  });
});
