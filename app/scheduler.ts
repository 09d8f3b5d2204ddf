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
  /** Stops every schedule, then waits for the runs under way to finish. */
  stop(): Promise<void>;
};

export type SchedulerOptions = {
  timezone: string;
  logger: Logger;
  /**
   * Every instance's schedule fires at the same instant: the first to claim a tick runs it, the
   * others skip it, so a scheduled job runs once however many instances there are.
   */
  claimTick?: (job: string, at: Date) => Promise<boolean>;
};

/** croner in PMO_TIMEZONE; `protect` keeps a job from overlapping itself inside this process. */
export function startScheduler(jobs: readonly ScheduledJob[], options: SchedulerOptions): Scheduler {
  const running = new Set<Promise<unknown>>();
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
          const tick = new Date(Math.floor(Date.now() / 1000) * 1000);
          if (options.claimTick && !(await options.claimTick(job.name, tick))) {
            options.logger.debug({ job: job.name }, "tick already taken by another instance");
            return;
          }
          const work = job.run();
          running.add(work);
          try {
            await work;
          } finally {
            running.delete(work);
          }
        },
      ),
  );
  return {
    nextRuns: () =>
      crons.map((cron, i) => ({
        name: jobs[i]?.name ?? "",
        cron: jobs[i]?.cron ?? "",
        next: cron.nextRun(),
      })),
    stop: async () => {
      for (const cron of crons) cron.stop();
      await Promise.allSettled([...running]);
    },
  };
}
