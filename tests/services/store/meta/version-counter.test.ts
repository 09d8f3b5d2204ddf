import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import type { VersionCounter } from "../../../../services/store/meta/version-counter.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:00.000Z");
let now: Date;

let store: Store;
let versions: VersionCounter;

beforeAll(async () => {
  const opened = await memoryStore({ clock: () => now });
  store = opened.store;
  versions = opened.repos.meta.versions;
});
afterAll(async () => store.close());
beforeEach(() => {
  now = T0;
});

describe("VersionCounter", () => {
  it("reads a counter never bumped as 0, then counts every bump and stamps the last", async () => {
    expect(await versions.get("test")).toEqual({ value: 0, changedAt: null, by: null });
    expect(await versions.bump("test")).toEqual({ value: 1, changedAt: T0.toISOString(), by: null });
    now = new Date(T0.getTime() + 5_000);
    const bumps = await Promise.all(Array.from({ length: 8 }, () => versions.bump("test")));
    expect(bumps.map((b) => b.value).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await versions.get("test")).toEqual({ value: 9, changedAt: now.toISOString(), by: null });
    expect(await versions.get("other")).toEqual({ value: 0, changedAt: null, by: null });
  });

  it("says who bumped it last when the bumper says, and forgets it when the next one does not", async () => {
    expect(await versions.bump("named", "instance-a")).toMatchObject({ value: 1, by: "instance-a" });
    expect(await versions.get("named")).toMatchObject({ value: 1, by: "instance-a" });
    await versions.bump("named");
    expect(await versions.get("named")).toMatchObject({ value: 2, by: null });
  });
});
