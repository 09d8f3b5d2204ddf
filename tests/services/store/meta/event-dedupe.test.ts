import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import { EVENT_MEMORY_MS, type EventDedupe } from "../../../../services/store/meta/event-dedupe.ts";
import { keys } from "../../../../services/store/tables.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:00.000Z");
let now: Date;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

let store: Store;
let events: EventDedupe;

beforeAll(async () => {
  const opened = await memoryStore({ clock: () => now });
  store = opened.store;
  events = opened.repos.meta.events;
});
afterAll(async () => store.close());
beforeEach(() => {
  now = T0;
});

describe("EventDedupe", () => {
  it("records an id once under EVENT#{id}, on any number of concurrent deliveries", async () => {
    expect(await events.hasSeen("Ev1")).toBe(false);
    const results = await Promise.all([1, 2, 3].map(() => events.record("Ev1")));
    expect(results.sort()).toEqual(["new", "seen", "seen"]);
    expect(await events.hasSeen("Ev1")).toBe(true);
    const item = (
      await store.doc.send(new GetCommand({ TableName: store.tables.meta, Key: keys.event("Ev1") }))
    ).Item;
    expect(item).toMatchObject({
      pk: "EVENT#Ev1",
      sk: "META",
      eventId: "Ev1",
      firstSeenAt: T0.toISOString(),
    });
  });

  it("forgets an id once its memory has passed (a day by default)", async () => {
    expect(await events.record("Ev2")).toBe("new");
    advance(EVENT_MEMORY_MS - 1_000);
    expect(await events.record("Ev2")).toBe("seen");
    advance(1_000);
    expect(await events.hasSeen("Ev2")).toBe(false);
    expect(await events.record("Ev2")).toBe("new");

    expect(await events.record("Ev3", 60_000)).toBe("new");
    advance(60_000);
    expect(await events.record("Ev3", 60_000)).toBe("new");
  });
});
