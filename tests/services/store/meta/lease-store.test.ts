import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import type { LeaseStore } from "../../../../services/store/meta/lease-store.ts";
import { keys } from "../../../../services/store/tables.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:00.000Z");
let now: Date;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

let store: Store;
let leases: LeaseStore;

beforeAll(async () => {
  const opened = await memoryStore({ clock: () => now });
  store = opened.store;
  leases = opened.repos.meta.leases;
});
afterAll(async () => store.close());
beforeEach(() => {
  now = T0;
});

describe("LeaseStore", () => {
  it("stores a lease under LOCK#{name} with its owner and expiry", async () => {
    expect(await leases.acquire("sync", "a", 60_000)).toEqual({
      name: "sync",
      owner: "a",
      acquiredAt: T0.toISOString(),
      expiresAtMs: T0.getTime() + 60_000,
    });
    const item = (
      await store.doc.send(new GetCommand({ TableName: store.tables.meta, Key: keys.lock("sync") }))
    ).Item;
    expect(item).toMatchObject({ pk: "LOCK#sync", sk: "META", owner: "a" });
    // TTL lets DynamoDB drop it a minute after it lapsed.
    expect(item?.expiresAt).toBe(Math.floor((T0.getTime() + 60_000) / 1000) + 60);
    expect(await leases.release("sync", "a")).toBe(true);
  });

  it("keeps others out until it expires, and lets its owner extend it", async () => {
    expect(await leases.acquire("rules", "a", 10_000)).not.toBeNull();
    expect(await leases.acquire("rules", "b", 10_000)).toBeNull();
    advance(5_000);
    expect((await leases.acquire("rules", "a", 10_000))?.expiresAtMs).toBe(now.getTime() + 10_000);
    expect((await leases.renew("rules", "a", 10_000)).expiresAtMs).toBe(now.getTime() + 10_000);
    await expect(leases.renew("rules", "b", 10_000)).rejects.toMatchObject({ code: "lease_not_held" });
    expect((await leases.get("rules"))?.owner).toBe("a");
    advance(10_000);
    expect(await leases.get("rules")).toBeNull();
    await expect(leases.renew("rules", "a", 10_000)).rejects.toMatchObject({ code: "lease_not_held" });
    expect((await leases.acquire("rules", "b", 10_000))?.owner).toBe("b");
    expect(await leases.release("rules", "a")).toBe(false);
    expect(await leases.release("rules", "b")).toBe(true);
    expect(await leases.get("rules")).toBeNull();
  });

  it("gives a free lease to exactly one of several racing owners", async () => {
    const won = await Promise.all(["x", "y", "z", "w"].map((owner) => leases.acquire("race", owner, 60_000)));
    expect(won.filter((lease) => lease !== null)).toHaveLength(1);
  });
});
