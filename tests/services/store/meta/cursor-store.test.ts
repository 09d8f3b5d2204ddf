import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../../../services/store/client.ts";
import type { CursorStore } from "../../../../services/store/meta/cursor-store.ts";
import { keys } from "../../../../services/store/tables.ts";
import { memoryStore } from "../../../fixtures/memory-store.ts";

const T0 = new Date("2026-05-04T09:00:00.000Z");

let store: Store;
let cursors: CursorStore;

beforeAll(async () => {
  const opened = await memoryStore({ clock: () => T0 });
  store = opened.store;
  cursors = opened.repos.meta.cursors;
});
afterAll(async () => store.close());

describe("CursorStore", () => {
  it("reads, overwrites and deletes a named cursor under CURSOR#{name}", async () => {
    expect(await cursors.get("alerts:last-run")).toBeNull();
    await cursors.put("alerts:last-run", "2026-05-04T08:00:00.000Z");
    await cursors.put("alerts:last-run", "2026-05-04T09:00:00.000Z");
    expect(await cursors.get("alerts:last-run")).toBe("2026-05-04T09:00:00.000Z");
    const item = (
      await store.doc.send(
        new GetCommand({ TableName: store.tables.meta, Key: keys.cursor("alerts:last-run") }),
      )
    ).Item;
    expect(item).toMatchObject({ pk: "CURSOR#alerts:last-run", sk: "META", updatedAt: T0.toISOString() });
    await cursors.delete("alerts:last-run");
    expect(await cursors.get("alerts:last-run")).toBeNull();
  });

  it("reads and writes many at once, past one batch, leaving absent names out", async () => {
    const values = new Map(Array.from({ length: 230 }, (_, i) => [`sync:${i}`, `token-${i}`] as const));
    await cursors.putMany(values);
    const read = await cursors.getMany([...values.keys(), "sync:0", "sync:absent"]);
    expect(read.size).toBe(230);
    expect(read.get("sync:229")).toBe("token-229");
    expect(read.has("sync:absent")).toBe(false);
    expect(await cursors.get("sync:117")).toBe("token-117");
  });
});
