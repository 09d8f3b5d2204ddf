import { randomUUID } from "node:crypto";
import type { Finding, Project } from "../model.ts";
import type { VersionCounter, VersionMark } from "./meta/version-counter.ts";

/** The counter's name in the meta table. */
export const PORTFOLIO_VERSION = "portfolio";
/** Values of this process's own bumps remembered, to tell them from other processes' ones. */
const OWN_VALUES_KEPT = 10_000;

/** What one write stored, as the repository returns it. */
export type PortfolioChange = { projects?: readonly Project[]; findings?: readonly Finding[] };

/**
 * Tells every process that the portfolio (projects and findings) changed: the repositories call
 * `afterWrite()` once a write has landed, and it resolves once the shared counter in the meta
 * table has been bumped by a request sent after that write. A reader that reads the counter
 * before loading the portfolio, and again before reusing what it loaded, therefore never reuses
 * data older than a write that had returned (services/portfolio/portfolio-snapshot.ts).
 *
 * Writes that land while a bump is under way share the next one, so concurrent writers (the sync
 * and the rules write ten at a time) cost a fraction of a bump each.
 *
 * This process's own writes are also told to `onWrite` listeners with what was stored, and the
 * values its bumps returned are remembered: a reader holding a copy can apply its own writes and
 * know that a version moved by nobody else needs no reload.
 */
export class PortfolioVersion {
  private writes = 0;
  private failures = 0;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private readonly ownValues = new Set<number>();
  private readonly listeners = new Set<(change: PortfolioChange) => void>();

  /** Written with each bump: a reader sees a bump of this process's before its answer is back. */
  readonly instanceId = randomUUID();

  constructor(private readonly counter: Pick<VersionCounter, "bump" | "get">) {}

  /** Writes made through this process's repositories: a change this process knows without asking. */
  get writesHere(): number {
    return this.writes;
  }

  /** Bumps that failed (the write had landed; other processes learn of it when their copy ages out). */
  get failedBumps(): number {
    return this.failures;
  }

  read(): Promise<VersionMark> {
    return this.counter.get(PORTFOLIO_VERSION);
  }

  /**
   * Whether every bump after `from` up to `mark` was this process's own. The latest one is known
   * by whom the counter says bumped it, even while this process's bump is still on its way back:
   * during a sync in this process there almost always is one.
   */
  bumpedOnlyHere(from: number, mark: Pick<VersionMark, "value" | "by">): boolean {
    const to = mark.value;
    if (to < from || to - from > OWN_VALUES_KEPT) return false;
    for (let value = from + 1; value <= to; value++) {
      const own = this.ownValues.has(value) || (value === to && mark.by === this.instanceId);
      if (!own) return false;
    }
    return true;
  }

  /** Called with what each write of this process stored, as soon as it has landed. */
  onWrite(listener: (change: PortfolioChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Never rejects: the write it follows has landed, and failing it would make the caller retry. */
  afterWrite(change: PortfolioChange = {}): Promise<void> {
    this.writes++;
    for (const listener of this.listeners) listener(change);
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
    const done: Promise<void> = this.counter
      .bump(PORTFOLIO_VERSION, this.instanceId)
      .then(
        (mark) => {
          this.ownValues.add(mark.value);
          if (this.ownValues.size > OWN_VALUES_KEPT) {
            const oldest = this.ownValues.values().next();
            if (oldest.done !== true) this.ownValues.delete(oldest.value);
          }
        },
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
