import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { batchGet, batchPut, nowOf, parseItem, type RepositoryOptions, realSleep } from "../dynamo.ts";
import { keys } from "../tables.ts";

/** What the sync keeps of one project between runs, apart from the project itself. */
export type ProjectSyncState = {
  /** Asana's events sync token, and when it was written. */
  token: string | null;
  tokenAt: string | null;
  /** Of Asana's side of the project as last written or found unchanged; null: unknown. */
  fingerprint: string | null;
  stale: boolean;
  removed: boolean;
  /** Whether the stored project knows when its tasks last changed. */
  hasActivity: boolean;
};

export type SyncState = {
  /** Every stored project has an entry: a run read the whole projects table and recorded it. */
  complete: boolean;
  /** Changed only with setProjectState / dropProjectState, which keep `shards` with it. */
  projects: Map<string, ProjectSyncState>;
  /** The gids of each shard: a save rewrites a shard without going through every project. */
  shards: Map<number, Set<string>>;
};

export function emptySyncState(): SyncState {
  return { complete: false, projects: new Map(), shards: new Map() };
}

export function setProjectState(state: SyncState, gid: string, entry: ProjectSyncState): void {
  state.projects.set(gid, entry);
  const shard = shardOf(gid);
  const members = state.shards.get(shard);
  if (members === undefined) state.shards.set(shard, new Set([gid]));
  else members.add(gid);
}

export function dropProjectState(state: SyncState, gid: string): boolean {
  state.shards.get(shardOf(gid))?.delete(gid);
  return state.projects.delete(gid);
}

/**
 * Items the entries are spread over. One item a project was a read of each per sync (half the
 * store's read cost); a few hundred bytes each, a partial sync reads them all for 128 read units
 * and rewrites only those holding a project that moved.
 */
export const SYNC_STATE_SHARDS = 256;
const HEADER = "sync-state";
const shardName = (shard: number) => `${HEADER}:${String(shard).padStart(3, "0")}`;

/** FNV-1a: the shard of a gid, stable across processes and releases. */
export function shardOf(gid: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < gid.length; i++) {
    hash ^= gid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SYNC_STATE_SHARDS;
}

// Short attribute names: the entries are most of the items' size, hence of what they cost.
const storedEntrySchema = z.object({
  t: z.string().optional(),
  a: z.string().optional(),
  f: z.string().optional(),
  s: z.literal(true).optional(),
  r: z.literal(true).optional(),
  h: z.literal(true).optional(),
});
const shardSchema = z.object({ name: z.string(), projects: z.record(z.string(), storedEntrySchema) });
const headerSchema = z.object({ name: z.literal(HEADER), complete: z.boolean() });

type StoredEntry = z.infer<typeof storedEntrySchema>;

function toStored(entry: ProjectSyncState): StoredEntry {
  return {
    ...(entry.token === null ? {} : { t: entry.token }),
    ...(entry.tokenAt === null ? {} : { a: entry.tokenAt }),
    ...(entry.fingerprint === null ? {} : { f: entry.fingerprint }),
    ...(entry.stale ? { s: true as const } : {}),
    ...(entry.removed ? { r: true as const } : {}),
    ...(entry.hasActivity ? { h: true as const } : {}),
  };
}

function fromStored(stored: StoredEntry): ProjectSyncState {
  return {
    token: stored.t ?? null,
    tokenAt: stored.a ?? null,
    fingerprint: stored.f ?? null,
    stale: stored.s === true,
    removed: stored.r === true,
    hasActivity: stored.h === true,
  };
}

/**
 * The sync's state of every project (meta table, `CURSOR#sync-state` and
 * `CURSOR#sync-state:000`…`:255`): read whole at the start of a run, written back shard by shard.
 * Only the sync writes it, under its lease.
 */
export class SyncStateStore {
  constructor(private readonly options: RepositoryOptions) {}

  async load(): Promise<SyncState> {
    const names = [HEADER, ...Array.from({ length: SYNC_STATE_SHARDS }, (_, i) => shardName(i))];
    const items = await batchGet(
      this.options.doc,
      this.options.tableName,
      names.map(keys.cursor),
      this.options.sleep ?? realSleep,
    );
    const state = emptySyncState();
    for (const item of items) {
      if (item.name === HEADER) {
        state.complete = parseItem(headerSchema, this.options.tableName, item).complete;
        continue;
      }
      const shard = parseItem(shardSchema, this.options.tableName, item);
      for (const [gid, entry] of Object.entries(shard.projects))
        setProjectState(state, gid, fromStored(entry));
    }
    return state;
  }

  /** Rewrites the shards holding these gids, each with every entry it holds in `state`. */
  async save(state: SyncState, gids: Iterable<string>): Promise<number> {
    const shards = new Set<number>();
    for (const gid of gids) shards.add(shardOf(gid));
    if (shards.size === 0) return 0;
    const contents = new Map<number, Record<string, StoredEntry>>();
    for (const shard of shards) {
      const entries: Record<string, StoredEntry> = {};
      for (const gid of state.shards.get(shard) ?? []) {
        const entry = state.projects.get(gid);
        if (entry !== undefined) entries[gid] = toStored(entry);
      }
      contents.set(shard, entries);
    }
    const updatedAt = nowOf(this.options).toISOString();
    await batchPut(
      this.options.doc,
      this.options.tableName,
      [...contents].map(([shard, entries]) => ({
        ...keys.cursor(shardName(shard)),
        name: shardName(shard),
        projects: entries,
        updatedAt,
      })),
      this.options.sleep ?? realSleep,
    );
    return shards.size;
  }

  /** Says whether every stored project has an entry; written after the entries themselves. */
  async setComplete(complete: boolean): Promise<void> {
    await this.options.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...keys.cursor(HEADER),
          name: HEADER,
          complete,
          updatedAt: nowOf(this.options).toISOString(),
        },
      }),
    );
  }
}
