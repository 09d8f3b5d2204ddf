import { createRequire } from "node:module";
import { StoreError } from "../errors.ts";

const ITERATOR_CLASSES = ["AbstractIterator", "AbstractKeyIterator", "AbstractValueIterator"] as const;

/**
 * dynalite's Query and Scan streams release their LevelDB iterator by calling `iterator.return()`
 * when they end or are stopped (Limit, 1 MB), a method abstract-level 3's iterators do not have:
 * every Query and Scan left its iterator open until the store closed, each holding a 64 KB read
 * buffer, a pinned snapshot and the table files it saw (about 90 MB of read buffers and 55 MB of
 * mapped table files in one full sync of 1,400 projects; memory that only grew while the app ran).
 * This gives those iterators a `return()` that closes them. Idempotent; call it before dynalite
 * opens a store.
 */
export function closeIteratorsOnReturn(): void {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const fromLevel = createRequire(fromDynalite.resolve("level"));
  // The abstract-level copies classic-level (on disk) and memory-level (in memory) are built on.
  const modules = [
    createRequire(fromLevel.resolve("classic-level"))("abstract-level"),
    createRequire(fromDynalite.resolve("memory-level"))("abstract-level"),
  ];
  const prototypes = new Set(
    modules.flatMap((module) => ITERATOR_CLASSES.map((name) => prototypeOf(module, name))),
  );
  for (const prototype of prototypes) {
    if (Reflect.has(prototype, "return")) continue;
    Reflect.set(prototype, "return", async function (this: unknown) {
      const close: unknown = typeof this === "object" && this !== null ? Reflect.get(this, "close") : null;
      if (typeof close === "function") await Reflect.apply(close, this, []);
      return { done: true, value: undefined };
    });
  }
}

function prototypeOf(module: unknown, name: string): object {
  const exported: unknown = typeof module === "object" && module !== null ? Reflect.get(module, name) : null;
  const prototype: unknown = typeof exported === "function" ? Reflect.get(exported, "prototype") : null;
  if (typeof prototype !== "object" || prototype === null) {
    throw new StoreError("store_unreachable", `the embedded engine's abstract-level has no ${name}`);
  }
  return prototype;
}
