import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import type { RateCounter } from "../../../../services/store/meta/rate-counter.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:10.000Z");
let now: Date;

let store: Store;
let rates: RateCounter;

beforeAll(async () => {
  const opened = await memoryStore({ clock: () => now });
  store = opened.store;
  rates = opened.repos.meta.rates;
});
afterAll(async () => store.close());
beforeEach(() => {
  now = T0;
});

describe("RateCounter", () => {
  it("counts concurrent hits exactly, per subject and per window", async () => {
    const hits = await Promise.all(Array.from({ length: 12 }, () => rates.hit("DM#U1", 60_000)));
    expect(hits.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await rates.hit("DM#U2", 60_000)).toBe(1);
    now = new Date(T0.getTime() + 49_000);
    expect(await rates.hit("DM#U1", 60_000)).toBe(13);
    now = new Date(T0.getTime() + 50_000);
    expect(await rates.hit("DM#U1", 60_000)).toBe(1);
  });
});
