import { PmoError } from "../services/errors.ts";
import type { LeaseStore } from "../services/store/meta/lease-store.ts";

export type ExclusiveOutcome<T> =
  | { status: "ran"; value: T }
  | { status: "skipped"; reason: string; holder: string | null };

/** The lease ran out or went to another owner while the work ran: the work must stop writing. */
export class LeaseLostError extends PmoError<"lease_lost"> {
  constructor(name: string, cause: unknown) {
    super("lease_lost", `lost the ${name} lease`, { cause });
  }
}

export type LeaseOptions = {
  leases: LeaseStore;
  name: string;
  owner: string;
  ttlMs: number;
  /** How often the lease is renewed while the work runs; a third of the TTL by default. */
  renewEveryMs?: number;
};

/**
 * Runs `work` only while holding the named lease in the meta table: a second caller, in this
 * process or another, is skipped and told who holds it. The lease is renewed while the work runs;
 * if it is lost (another owner took it after an expiry) the signal aborts so the work stops writing.
 */
export async function runExclusive<T>(
  options: LeaseOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<ExclusiveOutcome<T>> {
  const { leases, name, owner, ttlMs } = options;
  const asked = Date.now();
  const lease = await leases.acquire(name, owner, ttlMs);
  if (lease === null) {
    const holder = await leases.get(name);
    return { status: "skipped", reason: `${name} is already running`, holder: holder?.owner ?? null };
  }
  const controller = new AbortController();
  const lost = (cause: unknown) => controller.abort(new LeaseLostError(name, cause));
  // A renewal that hangs proves nothing: past the TTL since the last one that succeeded, another
  // owner may hold the lease, so the work stops even before the renewal call gives up.
  let expiry: NodeJS.Timeout | undefined;
  /** The lease written at `since` (before the call that wrote it) lasts until since + TTL. */
  const armExpiry = (since: number) => {
    clearTimeout(expiry);
    const left = Math.max(0, since + ttlMs - Date.now());
    expiry = setTimeout(() => lost(new Error(`no renewal succeeded within ${ttlMs} ms`)), left);
    expiry.unref();
  };
  armExpiry(asked);
  const timer = setInterval(
    () => {
      const since = Date.now();
      leases.renew(name, owner, ttlMs).then(() => {
        if (!controller.signal.aborted) armExpiry(since);
      }, lost);
    },
    options.renewEveryMs ?? Math.max(1_000, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  try {
    return { status: "ran", value: await work(controller.signal) };
  } finally {
    clearInterval(timer);
    clearTimeout(expiry);
    await leases.release(name, owner).catch(() => false);
  }
}
