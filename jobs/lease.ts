import type { LeaseStore } from "../services/store/meta/lease-store.ts";

export type ExclusiveOutcome<T> =
  | { status: "ran"; value: T }
  | { status: "skipped"; reason: string; holder: string | null };

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
  const lease = await leases.acquire(name, owner, ttlMs);
  if (lease === null) {
    const holder = await leases.get(name);
    return { status: "skipped", reason: `${name} is already running`, holder: holder?.owner ?? null };
  }
  const controller = new AbortController();
  const timer = setInterval(
    () => {
      leases.renew(name, owner, ttlMs).catch((cause: unknown) => {
        controller.abort(new Error(`lost the ${name} lease`, { cause }));
      });
    },
    options.renewEveryMs ?? Math.max(1_000, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  try {
    return { status: "ran", value: await work(controller.signal) };
  } finally {
    clearInterval(timer);
    await leases.release(name, owner).catch(() => false);
  }
}
