import { PmoError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { PendingQueue } from "../store/meta/pending-queue.ts";

/**
 * Slack deliveries that must not be lost once acked (DESIGN.md section 7). Bolt acks an event
 * before its listener runs, so a DM or a confirmation is first recorded in the meta table (keyed
 * by its event id or submission id: a duplicate delivery, on any instance, is "seen" and dropped),
 * then processed. A failure leaves it pending: it is tried once more in this process after a short
 * delay, then by retryPending() (the scheduler's), until it is done or, shortly before its day
 * runs out, given up (expiry.ts: its writer told once, the digest lists it). The person is told
 * when the second attempt fails, once; their answer comes when it finally works.
 */

/** What processing a delivery came to: done, or saved but with follow-ups still to retry quietly. */
export type ProcessResult = "done" | "retry_quietly";

export type AttemptContext = {
  /** The person was already told it failed and will be retried. */
  failureNotified: boolean;
  /** The code the previous attempt left (`followups_pending` after a quiet retry). */
  previousErrorCode: string | null;
};

export const FOLLOWUPS_PENDING = "followups_pending";

export type InboxHandlers = {
  /** Processes one delivery; throws when it could not. */
  process(id: string, payload: Record<string, unknown>, context: AttemptContext): Promise<ProcessResult>;
  /** Tells the person their delivery could not be handled yet and will be retried. */
  notifyFailure(payload: Record<string, unknown>): Promise<void>;
};

export type InboxOptions = {
  /** The meta table's queue of Slack deliveries. */
  queue: PendingQueue;
  owner: string;
  logger: Logger;
  /** The in-process retry's delay after a first failure. */
  retryDelayMs?: number;
  /** How long one attempt keeps the delivery to itself. */
  claimMs?: number;
};

export type InboxRetrySummary = { pending: number; done: number; failed: number; skipped: number };

const DEFAULT_RETRY_DELAY_MS = 3_000;

export class Inbox {
  private readonly scheduled = new Set<Promise<unknown>>();

  constructor(
    private readonly options: InboxOptions,
    private readonly handlers: InboxHandlers,
  ) {}

  /**
   * Records a delivery and processes it. "seen": a duplicate, nothing done. "done": processed.
   * "pending": it failed and will be retried.
   */
  async receive(id: string, payload: Record<string, unknown>): Promise<"seen" | "done" | "pending"> {
    const { queue, owner, claimMs } = this.options;
    const recorded = await queue.record(id, payload, {
      owner,
      ...(claimMs === undefined ? {} : { claimMs }),
    });
    if (recorded === "seen") return "seen";
    const done = await this.attempt(id, payload, { failureNotified: false, previousErrorCode: null }, true);
    return done ? "done" : "pending";
  }

  /** Retries every pending delivery this instance can claim (for the scheduler). */
  async retryPending(): Promise<InboxRetrySummary> {
    const pending = await this.options.queue.listPending();
    const summary: InboxRetrySummary = { pending: pending.length, done: 0, failed: 0, skipped: 0 };
    for (const work of pending) summary[await this.retry(work.id)]++;
    if (pending.length > 0) this.options.logger.info({ ...summary }, "pending Slack deliveries retried");
    return summary;
  }

  /** Resolves once the in-process retries scheduled so far have run (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.scheduled.size > 0) await Promise.allSettled([...this.scheduled]);
  }

  private async retry(id: string): Promise<"done" | "failed" | "skipped"> {
    const { queue, owner, claimMs } = this.options;
    const work = await queue.claim(id, owner, claimMs);
    if (work === null) return "skipped";
    const context = { failureNotified: work.failureNotified, previousErrorCode: work.lastErrorCode };
    return (await this.attempt(id, work.payload, context, false)) ? "done" : "failed";
  }

  /** One attempt under this instance's claim; true when the delivery is done. */
  private async attempt(
    id: string,
    payload: Record<string, unknown>,
    context: AttemptContext,
    first: boolean,
  ): Promise<boolean> {
    const { queue, owner, logger } = this.options;
    try {
      const result = await this.handlers.process(id, payload, context);
      if (result === "done") {
        await queue.markDone(id);
        return true;
      }
      await queue.release(id, owner, { errorCode: FOLLOWUPS_PENDING, failureNotified: true });
      return false;
    } catch (error) {
      const errorCode = error instanceof PmoError ? error.code : "unexpected";
      logger.warn(
        { err: error, inboundId: id, first },
        "a Slack delivery could not be processed; it stays pending",
      );
      let notified = context.failureNotified;
      if (!first && !notified) notified = await this.notify(id, payload);
      await queue
        .release(id, owner, { errorCode, failureNotified: notified })
        .catch((releaseError: unknown) =>
          logger.warn(
            { err: releaseError, inboundId: id },
            "could not release a delivery; its claim will lapse",
          ),
        );
      if (first) this.retryLater(id);
      return false;
    }
  }

  private async notify(id: string, payload: Record<string, unknown>): Promise<boolean> {
    try {
      await this.handlers.notifyFailure(payload);
      return true;
    } catch (error) {
      this.options.logger.warn(
        { err: error, inboundId: id },
        "could not tell the writer that their message failed",
      );
      return false;
    }
  }

  private retryLater(id: string): void {
    const run = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.retry(id)
          .catch((error: unknown) =>
            this.options.logger.warn(
              { err: error, inboundId: id },
              "the in-process retry of a delivery failed",
            ),
          )
          .finally(resolve);
      }, this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
      timer.unref();
    });
    this.scheduled.add(run);
    void run.finally(() => this.scheduled.delete(run));
  }
}
