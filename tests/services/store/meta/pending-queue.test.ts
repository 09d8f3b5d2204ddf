import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import {
  backfillPendingIndex,
  GIVEN_UP_MEMORY_MS,
  INBOUND_MEMORY_MS,
  PENDING_INDEX_BACKFILL,
  PENDING_QUEUE_ATTRIBUTE,
  WRITE_BACK_MEMORY_MS,
} from "../../../../services/store/meta/pending-queue.ts";
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
/** Every DynamoDB request sent on the store, by command name. */
let sent: string[];

beforeEach(async () => {
  now = T0;
  ({ store, repos } = await memoryStore({ clock: () => now }));
  sent = [];
  store.client.middlewareStack.add(
    (next, context) => async (input) => {
      sent.push(String(context.commandName));
      return next(input);
    },
    { step: "initialize", name: "recordCommands" },
  );
});

afterEach(async () => {
  await store.close();
});

const raw = async (key: { pk: string; sk: string }) =>
  (await store.doc.send(new GetCommand({ TableName: store.tables.meta, Key: key }))).Item;

/** A pending item as versions before PendingIndex wrote it: no `pendingQueue`. */
async function putOldPending(kind: "INBOUND" | "WRITEBACK", id: string, createdAt: Date, status = "pending") {
  const key = kind === "INBOUND" ? keys.inbound(id) : keys.writeBack(id);
  await store.doc.send(
    new PutCommand({
      TableName: store.tables.meta,
      Item: {
        ...key,
        entity: kind,
        id,
        payload: { id },
        status,
        createdAt: createdAt.toISOString(),
        attempts: 0,
        claimedBy: null,
        claimedUntilMs: 0,
        failureNotified: false,
        lastErrorCode: null,
        expiresAt: Math.floor(createdAt.getTime() / 1000) + 86_400,
      },
    }),
  );
}

describe("PendingQueue", () => {
  it("lists pending work with one Query of PendingIndex, never a Scan", async () => {
    for (let i = 0; i < 5; i++) await repos.meta.inbound.record(`Ev${i}`, { i });
    await repos.meta.writeBacks.record("601#t#U1", { projectGid: "601" });
    await repos.meta.cursors.put("other", "x");
    sent = [];
    expect(await repos.meta.inbound.listPending()).toHaveLength(5);
    expect(await repos.meta.writeBacks.listPending()).toHaveLength(1);
    expect(sent).toEqual(["QueryCommand", "QueryCommand"]);
  });

  it("keeps an item in its queue's index only while it is pending", async () => {
    await repos.meta.inbound.record("EvA", { text: "hola" }, { owner: "a" });
    expect(await raw(keys.inbound("EvA"))).toMatchObject({
      [PENDING_QUEUE_ATTRIBUTE]: "INBOUND",
      entity: "INBOUND",
    });
    // A failure keeps it pending (and indexed).
    await repos.meta.inbound.release("EvA", "a", { errorCode: "store_unreachable", failureNotified: false });
    expect(await raw(keys.inbound("EvA"))).toHaveProperty(PENDING_QUEUE_ATTRIBUTE, "INBOUND");

    await repos.meta.inbound.markDone("EvA");
    const done = await raw(keys.inbound("EvA"));
    expect(done).toMatchObject({ status: "done" });
    expect(done).not.toHaveProperty(PENDING_QUEUE_ATTRIBUTE);
    expect(await repos.meta.inbound.listPending()).toEqual([]);
    // Kept until it expires, so a redelivery is still a duplicate.
    expect(await repos.meta.inbound.record("EvA", { text: "hola" })).toBe("seen");
    advance(INBOUND_MEMORY_MS);
    expect(await repos.meta.inbound.record("EvA", { text: "hola" })).toBe("new");
    expect(await raw(keys.inbound("EvA"))).toHaveProperty(PENDING_QUEUE_ATTRIBUTE, "INBOUND");
  });

  it("deletes a write-back once done, and keeps the two queues apart", async () => {
    await repos.meta.writeBacks.record("601#t#U1", { projectGid: "601" });
    await repos.meta.inbound.record("601#t#U1", { user: "U1" });
    expect(await raw(keys.writeBack("601#t#U1"))).toHaveProperty(PENDING_QUEUE_ATTRIBUTE, "WRITEBACK");
    expect((await repos.meta.writeBacks.listPending()).map((w) => w.payload)).toEqual([
      { projectGid: "601" },
    ]);

    await repos.meta.writeBacks.markDone("601#t#U1");
    expect(await raw(keys.writeBack("601#t#U1"))).toBeUndefined();
    expect(await repos.meta.writeBacks.listPending()).toEqual([]);
    expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["601#t#U1"]);
  });

  it("lists oldest first whatever the ids, and leaves expired work out", async () => {
    await repos.meta.writeBacks.record("zz", {});
    advance(1_000);
    await repos.meta.writeBacks.record("aa", {});
    advance(1_000);
    await repos.meta.writeBacks.record("mm", {});
    expect((await repos.meta.writeBacks.listPending()).map((w) => w.id)).toEqual(["zz", "aa", "mm"]);
    advance(WRITE_BACK_MEMORY_MS - 1_000);
    expect((await repos.meta.writeBacks.listPending()).map((w) => w.id)).toEqual(["mm"]);
  });

  it("claims one processor at a time and hands the work back on release", async () => {
    await repos.meta.writeBacks.record("w1", { n: 1 });
    const claims = await Promise.all(
      ["x", "y", "z"].map((owner) => repos.meta.writeBacks.claim("w1", owner)),
    );
    const winner = claims.find((c) => c !== null);
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
    expect(winner).toMatchObject({ attempts: 1, status: "pending" });
    await repos.meta.writeBacks.release("w1", winner?.claimedBy ?? "", {
      errorCode: "asana_unavailable",
      failureNotified: true,
    });
    expect(await repos.meta.writeBacks.get("w1")).toMatchObject({
      claimedBy: null,
      lastErrorCode: "asana_unavailable",
      failureNotified: true,
    });
    expect(await repos.meta.writeBacks.claim("w1", "y")).toMatchObject({ claimedBy: "y", attempts: 2 });
  });

  it("lists overdue work (expired included), gives it up once, and keeps it a while apart", async () => {
    await repos.meta.inbound.record("old", { n: 1 });
    advance(60_000);
    await repos.meta.inbound.record("claimed", { n: 2 }, { owner: "a" });
    await repos.meta.inbound.record("young", { n: 3 });
    advance(INBOUND_MEMORY_MS);
    const overdue = await repos.meta.inbound.listOverdue(new Date(now.getTime() - INBOUND_MEMORY_MS));
    expect(overdue.map((w) => w.id)).toEqual(["old", "claimed", "young"]);
    expect((await repos.meta.inbound.listOverdue(new Date(T0.getTime()))).map((w) => w.id)).toEqual(["old"]);

    const given = await Promise.all([repos.meta.inbound.giveUp("old"), repos.meta.inbound.giveUp("old")]);
    expect(given.filter(Boolean)).toHaveLength(1);
    expect(await repos.meta.inbound.giveUp("claimed")).toBe(true); // its claim lapsed long ago
    expect(await repos.meta.inbound.listOverdue(now)).toMatchObject([{ id: "young" }]);
    expect(await repos.meta.inbound.claim("old", "b")).toBeNull();
    expect(await repos.meta.inbound.record("old", {})).toBe("seen");
    expect((await repos.meta.inbound.listGivenUp()).map((w) => [w.id, w.expiryNotified])).toEqual([
      ["old", false],
      ["claimed", false],
    ]);
    expect(await repos.meta.writeBacks.listGivenUp()).toEqual([]);

    const flips = await Promise.all([
      repos.meta.inbound.setExpiryNotified("old", true),
      repos.meta.inbound.setExpiryNotified("old", true),
    ]);
    expect(flips.filter(Boolean)).toHaveLength(1);
    expect(await repos.meta.inbound.get("old")).toMatchObject({ status: "given_up", expiryNotified: true });

    advance(GIVEN_UP_MEMORY_MS);
    expect(await repos.meta.inbound.listGivenUp()).toEqual([]);
  });
});

describe("backfillPendingIndex", () => {
  it("gives work recorded before PendingIndex its queue, once, and leaves done work alone", async () => {
    // memoryStore ran the backfill on the empty table: forget it, as a store from before would.
    await store.doc.send(
      new DeleteCommand({ TableName: store.tables.meta, Key: keys.migration(PENDING_INDEX_BACKFILL) }),
    );
    await putOldPending("INBOUND", "EvOld2", new Date(T0.getTime() - 60_000));
    await putOldPending("INBOUND", "EvOld1", new Date(T0.getTime() - 120_000));
    await putOldPending("INBOUND", "EvOldDone", new Date(T0.getTime() - 180_000), "done");
    await putOldPending("WRITEBACK", "601#old#U1", new Date(T0.getTime() - 60_000));
    await repos.meta.inbound.record("EvNew", {});
    expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvNew"]);

    expect(await backfillPendingIndex(store.doc, store.tables.meta, now)).toBe(3);
    expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvOld1", "EvOld2", "EvNew"]);
    expect((await repos.meta.writeBacks.listPending()).map((w) => w.id)).toEqual(["601#old#U1"]);
    expect(await raw(keys.inbound("EvOldDone"))).not.toHaveProperty(PENDING_QUEUE_ATTRIBUTE);
    expect(await raw(keys.migration(PENDING_INDEX_BACKFILL))).toMatchObject({
      changed: 3,
      ranAt: now.toISOString(),
    });

    // Once done, a later start reads its marker and scans nothing.
    await putOldPending("INBOUND", "EvLate", T0);
    sent = [];
    expect(await backfillPendingIndex(store.doc, store.tables.meta, now)).toBe(0);
    expect(sent).toEqual(["GetItemCommand"]);
  });
});
