import type { RepositoryOptions } from "../dynamo.ts";
import { CursorStore } from "./cursor-store.ts";
import { EventDedupe } from "./event-dedupe.ts";
import { LeaseStore } from "./lease-store.ts";
import { PENDING_QUEUES, PendingQueue } from "./pending-queue.ts";
import { RateCounter } from "./rate-counter.ts";
import { SyncStateStore } from "./sync-state.ts";
import { TickClaims } from "./tick-claims.ts";
import { VersionCounter } from "./version-counter.ts";

/** The meta table (DESIGN.md section 3), one small store per concern, all on its table. */
export type MetaStores = {
  leases: LeaseStore;
  events: EventDedupe;
  ticks: TickClaims;
  cursors: CursorStore;
  /** The sync's per-project state: events tokens, what it last saw. */
  syncState: SyncStateStore;
  /** Slack deliveries acked before they were processed (DESIGN.md section 7). */
  inbound: PendingQueue;
  /** Status updates still to be written back to Asana. */
  writeBacks: PendingQueue;
  versions: VersionCounter;
  /** Per-person counts in short windows (the DM flood limit). */
  rates: RateCounter;
};

export function createMetaStores(options: RepositoryOptions): MetaStores {
  return {
    leases: new LeaseStore(options),
    events: new EventDedupe(options),
    ticks: new TickClaims(options),
    cursors: new CursorStore(options),
    syncState: new SyncStateStore(options),
    inbound: new PendingQueue(options, PENDING_QUEUES.inbound),
    writeBacks: new PendingQueue(options, PENDING_QUEUES.writeBack),
    versions: new VersionCounter(options),
    rates: new RateCounter(options),
  };
}
