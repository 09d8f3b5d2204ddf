import type { RepositoryOptions } from "../dynamo.ts";
import { keys, tickEventId } from "../tables.ts";
import { rememberOnce } from "./event-dedupe.ts";

/** How long a claimed tick is remembered: far longer than any instance's clocks drift apart. */
export const TICK_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Scheduled runs claimed once across instances: the first to claim a job's tick runs it. */
export class TickClaims {
  constructor(private readonly options: RepositoryOptions) {}

  /** True for the one caller that claims this job's run at `at`; false for every other. */
  async claim(job: string, at: Date, rememberMs: number = TICK_MEMORY_MS): Promise<boolean> {
    const iso = at.toISOString();
    return (
      (await rememberOnce(this.options, keys.tick(job, iso), tickEventId(job, iso), rememberMs)) === "new"
    );
  }
}
