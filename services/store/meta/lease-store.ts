import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { StoreError } from "../../errors.ts";
import { type Lease, leaseSchema } from "../../model.ts";
import { epochSeconds, isConditionFailure, nowOf, parseItem, type RepositoryOptions } from "../dynamo.ts";
import { keys } from "../tables.ts";

/** Named leases that keep a job single across instances (meta table, `LOCK#{name}`). */
export class LeaseStore {
  constructor(private readonly options: RepositoryOptions) {}

  /**
   * Takes the lease if it is free, expired, or already this owner's (then it is extended).
   * Returns the lease held, or null when another owner holds a live one.
   */
  async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const now = nowOf(this.options);
    const lease = leaseSchema.parse({
      name,
      owner,
      acquiredAt: now.toISOString(),
      expiresAtMs: now.getTime() + ttlMs,
    });
    try {
      await this.options.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...keys.lock(name), ...lease, expiresAt: epochSeconds(new Date(lease.expiresAtMs)) + 60 },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAtMs <= :now OR #owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":now": now.getTime(), ":owner": owner },
        }),
      );
      return lease;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  /** Extends a lease this owner still holds; otherwise a `lease_not_held` error. */
  async renew(name: string, owner: string, ttlMs: number): Promise<Lease> {
    const now = nowOf(this.options);
    const expiresAtMs = now.getTime() + ttlMs;
    try {
      const out = await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.lock(name),
          UpdateExpression: "SET expiresAtMs = :until, expiresAt = :ttl",
          ConditionExpression: "#owner = :owner AND expiresAtMs > :now",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: {
            ":owner": owner,
            ":now": now.getTime(),
            ":until": expiresAtMs,
            ":ttl": epochSeconds(new Date(expiresAtMs)) + 60,
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return parseItem(leaseSchema, this.options.tableName, out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailure(error))
        throw new StoreError("lease_not_held", `lease ${name} is not held by ${owner}`, { cause: error });
      throw error;
    }
  }

  /** Gives the lease up if this owner holds it; true when it did. */
  async release(name: string, owner: string): Promise<boolean> {
    try {
      await this.options.doc.send(
        new DeleteCommand({
          TableName: this.options.tableName,
          Key: keys.lock(name),
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The live lease, or null when none is held or it has expired. */
  async get(name: string): Promise<Lease | null> {
    const out = await this.options.doc.send(
      new GetCommand({ TableName: this.options.tableName, Key: keys.lock(name), ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const lease = parseItem(leaseSchema, this.options.tableName, out.Item);
    return lease.expiresAtMs > nowOf(this.options).getTime() ? lease : null;
  }
}
