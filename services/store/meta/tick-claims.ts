import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { epochSeconds, isConditionFailure, nowOf, type RepositoryOptions } from "../dynamo.ts";
import { keys, tickEventId } from "../tables.ts";

/**
 * How long a claimed tick is remembered: longer than the longest schedule (the weekly reminders),
 * so a claim whose instance died is still found while its slot is current.
 */
export const TICK_MEMORY_MS = 8 * 24 * 60 * 60 * 1000;
/** How long a claim holds without being renewed: an instance that died frees its tick this soon. */
export const TICK_LEASE_MS = 2 * 60 * 1000;

/**
 * Scheduled runs claimed across instances: the first to claim a job's tick runs it, holding a
 * short lease it renews while it runs, and marks it done at the end. A tick whose lease ran out
 * without the done mark (its instance died) may be claimed again. Claims written before leases
 * existed (no `leaseUntil`) are held for good.
 */
export class TickClaims {
  constructor(private readonly options: RepositoryOptions) {}

  /** True for the one caller that claims this job's run at `at` (or takes over a dead claim). */
  async claim(job: string, at: Date, holder = "", leaseMs: number = TICK_LEASE_MS): Promise<boolean> {
    return this.put(job, at, holder, leaseMs, "attribute_not_exists(pk) OR expiresAt <= :nowS OR ");
  }

  /** Only takes over a claim whose lease ran out without the done mark; a tick never claimed stays so. */
  async reclaim(job: string, at: Date, holder = "", leaseMs: number = TICK_LEASE_MS): Promise<boolean> {
    return this.put(job, at, holder, leaseMs, "attribute_exists(pk) AND expiresAt > :nowS AND ");
  }

  /** Extends the holder's lease; false when the claim is no longer theirs. */
  async renew(job: string, at: Date, holder = "", leaseMs: number = TICK_LEASE_MS): Promise<boolean> {
    const now = nowOf(this.options);
    return this.conditional(() =>
      this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.tick(job, at.toISOString()),
          UpdateExpression: "SET leaseUntil = :until",
          ConditionExpression: "holder = :holder AND attribute_not_exists(doneAt)",
          ExpressionAttributeValues: { ":until": now.getTime() + leaseMs, ":holder": holder },
        }),
      ),
    );
  }

  /** The tick ran (or failed while running): nobody takes it over any more. */
  async complete(job: string, at: Date): Promise<void> {
    await this.options.doc
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.tick(job, at.toISOString()),
          UpdateExpression: "SET doneAt = :done",
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":done": nowOf(this.options).toISOString() },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  private put(job: string, at: Date, holder: string, leaseMs: number, condition: string): Promise<boolean> {
    const iso = at.toISOString();
    const now = nowOf(this.options);
    return this.conditional(() =>
      this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...keys.tick(job, iso),
            eventId: tickEventId(job, iso),
            firstSeenAt: now.toISOString(),
            holder,
            leaseUntil: now.getTime() + leaseMs,
            expiresAt: epochSeconds(now) + Math.ceil(TICK_MEMORY_MS / 1000),
          },
          ConditionExpression: `${condition}(attribute_exists(leaseUntil) AND attribute_not_exists(doneAt) AND leaseUntil <= :nowMs)`,
          ExpressionAttributeValues: { ":nowS": epochSeconds(now), ":nowMs": now.getTime() },
        }),
      ),
    );
  }

  private async conditional(send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
