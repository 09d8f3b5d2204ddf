import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BatchWriteCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openStore } from "../../../services/store/client.ts";
import { ensureTables } from "../../../services/store/ensure-tables.ts";

/** abstract-level's database class, which classic-level (on disk) and memory-level extend, as dynalite loads them. */
function abstractLevelPrototype(): object {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const fromLevel = createRequire(fromDynalite.resolve("level"));
  const abstractLevel: unknown = createRequire(fromLevel.resolve("classic-level"))("abstract-level");
  const exported: unknown =
    typeof abstractLevel === "object" && abstractLevel !== null
      ? Reflect.get(abstractLevel, "AbstractLevel")
      : null;
  const prototype: unknown = typeof exported === "function" ? Reflect.get(exported, "prototype") : null;
  if (typeof prototype !== "object" || prototype === null) throw new Error("abstract-level not found");
  return prototype;
}

const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

/**
 * The resources (iterators) LevelDB databases hold open, seen through abstract-level's public
 * `attachResource` / `detachResource`, which every iterator calls when it opens and closes.
 */
function watchOpenResources(): Set<unknown> {
  const open = new Set<unknown>();
  const prototype = abstractLevelPrototype();
  for (const [name, track] of [
    ["attachResource", (resource: unknown) => open.add(resource)],
    ["detachResource", (resource: unknown) => open.delete(resource)],
  ] as const) {
    const had = Object.hasOwn(prototype, name);
    const original: unknown = Reflect.get(prototype, name);
    if (typeof original !== "function") throw new Error(`no ${name}`);
    Reflect.set(prototype, name, function (this: unknown, resource: unknown) {
      track(resource);
      return Reflect.apply(original, this, [resource]);
    });
    restores.push(() =>
      had ? Reflect.set(prototype, name, original) : Reflect.deleteProperty(prototype, name),
    );
  }
  return open;
}

describe("the embedded engine", () => {
  it.each([
    ["on disk (LevelDB)", false],
    ["in memory", true],
  ])(
    "%s closes the iterator of every Query and Scan, those stopped by Limit included",
    async (_, inMemory) => {
      const open = watchOpenResources();
      const store = await openStore(
        {
          engine: "embedded",
          endpoint: null,
          region: null,
          tablePrefix: "pmo-bot",
          env: "test",
          dataDir: mkdtempSync(join(tmpdir(), "pmo-store-")),
        },
        { inMemory },
      );
      try {
        await ensureTables(store);
        const TableName = store.tables.changelog;
        await store.doc.send(
          new BatchWriteCommand({
            RequestItems: {
              [TableName]: Array.from({ length: 25 }, (_, i) => ({
                PutRequest: {
                  Item: { pk: "P#1", sk: `C#${String(i).padStart(3, "0")}`, text: "x".repeat(500) },
                },
              })),
            },
          }),
        );
        const query = {
          TableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": "P#1" },
        };
        for (let i = 0; i < 5; i++) {
          expect((await store.doc.send(new QueryCommand(query))).Items).toHaveLength(25);
          expect((await store.doc.send(new QueryCommand({ ...query, Limit: 3 }))).Items).toHaveLength(3);
          expect((await store.doc.send(new ScanCommand({ TableName, Limit: 2 }))).Items).toHaveLength(2);
        }
        // Closing is asynchronous: the answer may be sent before its iterator has closed.
        await vi.waitFor(() => expect(open.size).toBe(0), { timeout: 10_000, interval: 20 });
      } finally {
        await store.close();
      }
    },
  );
});
