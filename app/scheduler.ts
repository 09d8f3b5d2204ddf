import { Cron } from "croner";
import type { Logger } from "./logger.ts";

export type ScheduledJob = {
  name: string;
  cron: string;
  /** The job itself takes its lease: a tick that finds it held is skipped by the job. */
  run: () => Promise<unknown>;
};

export type Scheduler = {
  nextRuns(): { name: string; cron: string; next: Date | null }[];
  /**
   * Runs each job's current slot (its last tick, until the next) whose claim ran out without being
   * done: the instance that claimed it died. Done at start and every `catchUpEveryMs`.
   */
  catchUp(): Promise<void>;
  /** Stops every schedule, then waits for the runs under way to finish. */
  stop(): Promise<void>;
};

/**
 * Ticks shared by every instance (the store's TickClaims, with this instance as holder): a claim is
 * a lease renewed while the job runs and marked done at its end.
 */
export type TickLedger = {
  claim(job: string, at: Date): Promise<boolean>;
  /** Only a claim whose lease ran out without the done mark. */
  reclaim(job: string, at: Date): Promise<boolean>;
  renew(job: string, at: Date): Promise<boolean>;
  complete(job: string, at: Date): Promise<void>;
};

export type SchedulerOptions = {
  timezone: string;
  logger: Logger;
  /**
   * Every instance's schedule fires at the same instant: the first to claim a tick runs it, the
   * others skip it, so a scheduled job runs once however many instances there are.
   */
  ticks?: TickLedger;
  /** How often a running job's claim is renewed; well within the lease. */
  renewEveryMs?: number;
  /** How often the current slots are checked for claims left by a dead instance; 0: only at start. */
  catchUpEveryMs?: number;
  now?: () => Date;
};

export const TICK_RENEW_EVERY_MS = 30_000;
export const TICK_CATCH_UP_EVERY_MS = 60_000;

/** croner in PMO_TIMEZONE; `protect` keeps a job from overlapping itself inside this process. */
export function startScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions): Scheduler {
  const running = new Set<Promise<unknown>>();
  const busy = new Set<string>();
  const now = options.now ?? (() => new Date());
  const { ticks } = options;

  /** Runs the job for `tick` once claimed, keeping the claim alive while it runs. */
  async function runClaimed(job: ScheduledJob, tick: Date): Promise<void> {
    busy.add(job.name);
    const renewal =
      ticks === undefined
        ? undefined
        : setInterval(() => {
            ticks
              .renew(job.name, tick)
              .catch((error: unknown) =>
                options.logger.warn(
                  { err: error, job: job.name },
                  "could not renew a scheduled tick's claim",
                ),
              );
          }, options.renewEveryMs ?? TICK_RENEW_EVERY_MS);
    const work = job.run();
    running.add(work);
    try {
      await work;
    } finally {
      clearInterval(renewal);
      running.delete(work);
      busy.delete(job.name);
      await ticks
        ?.complete(job.name, tick)
        .catch((error: unknown) =>
          options.logger.warn({ err: error, job: job.name }, "could not mark a scheduled tick done"),
        );
    }
  }

  const crons = jobs.map(
    (job) =>
      new Cron(
        job.cron,
        {
          // No croner `name`: names are global to the process, and tests run several instances in one.
          timezone: options.timezone,
          protect: true,
          catch: (error: unknown) =>
            options.logger.error({ err: error, job: job.name }, "scheduled job failed"),
        },
        async () => {
          const tick = new Date(Math.floor(now().getTime() / 1000) * 1000);
          if (ticks && !(await ticks.claim(job.name, tick))) {
            options.logger.debug({ job: job.name }, "tick already taken by another instance");
            return;
          }
          await runClaimed(job, tick);
        },
      ),
  );
  const slotClock = jobs.map((job) => new Cron(job.cron, { timezone: options.timezone, paused: true }));

  async function catchUp(): Promise<void> {
    if (ticks === undefined) return;
    await Promise.all(
      jobs.map(async (job, i) => {
        if (busy.has(job.name)) return;
        // The slot is current until the next tick; croner's ticks are whole seconds.
        const at = new Date(now().getTime() + 1);
        const [slot] = slotClock[i]?.previousRuns(1, at) ?? [];
        if (slot === undefined) return;
        try {
          if (!(await ticks.reclaim(job.name, slot))) return;
          options.logger.warn(
            { job: job.name, tick: slot.toISOString() },
            "running a tick left by an instance that stopped",
          );
          await runClaimed(job, slot);
        } catch (error) {
          options.logger.error({ err: error, job: job.name }, "scheduled job failed");
        }
      }),
    );
  }

  const every = options.catchUpEveryMs ?? TICK_CATCH_UP_EVERY_MS;
  const checker = ticks !== undefined && every > 0 ? setInterval(() => void catchUp(), every) : undefined;
  checker?.unref();
  if (ticks !== undefined) void catchUp();

  return {
    nextRuns: () =>
      crons.map((cron, i) => ({
        name: jobs[i]?.name ?? "",
        cron: jobs[i]?.cron ?? "",
        next: cron.nextRun(),
      })),
    catchUp,
    stop: async () => {
      clearInterval(checker);
      for (const cron of crons) cron.stop();
      for (const cron of slotClock) cron.stop();
      await Promise.allSettled([...running]);
    },
  };
}
