import type { MetaRepository, VersionMark } from "./meta-repository.ts";

/** The counter's name in the meta table. */
export const PORTFOLIO_VERSION = "portfolio";

/**
 * Tells every process that the portfolio (projects and findings) changed: the repositories call
 * `afterWrite()` once a write has landed, and it resolves once the shared counter in the meta
 * table has been bumped by a request sent after that write. A reader that reads the counter
 * before loading the portfolio, and again before reusing what it loaded, therefore never reuses
 * data older than a write that had returned (services/portfolio/portfolio-snapshot.ts).
 *
 * Writes that land while a bump is under way share the next one, so concurrent writers (the sync
 * and the rules write ten at a time) cost a fraction of a bump each.
 */
export class PortfolioVersion {
  private writes = 0;
  private failures = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly meta: Pick<MetaRepository, "bumpVersion" | "getVersion">) {}

  /** Writes made through this process's repositories: a change this process knows without asking. */
  get writesHere(): number {
    return this.writes;
  }

  /** Bumps that failed (the write had landed; other processes learn of it when their copy ages out). */
  get failedBumps(): number {
    return this.failures;
  }

  read(): Promise<VersionMark> {
    return this.meta.getVersion(PORTFOLIO_VERSION);
  }

  /** Never rejects: the write it follows has landed, and failing it would make the caller retry. */
  afterWrite(): Promise<void> {
    this.writes++;
    if (this.running === null) {
      this.running = this.bump();
      return this.running;
    }
    // The bump under way may have been sent before this write landed: one more after it.
    this.queued ??= this.running.then(() => {
      this.queued = null;
      this.running = this.bump();
      return this.running;
    });
    return this.queued;
  }

  private bump(): Promise<void> {
    const done: Promise<void> = this.meta
      .bumpVersion(PORTFOLIO_VERSION)
      .then(
        () => undefined,
        () => {
          this.failures++;
        },
      )
      .finally(() => {
        if (this.running === done) this.running = null;
      });
    return done;
  }
}
