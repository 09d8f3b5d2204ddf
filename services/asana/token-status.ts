import type { Clock } from "../model.ts";
import type { AsanaClient } from "./client.ts";
import { isAsanaError } from "./errors.ts";

/** Whether Asana currently refuses ASANA_TOKEN: what /readyz and `/pmo estado` tell. */
export type AsanaTokenStatus = {
  /** When Asana started answering 401 with no accepted call since; null while the token works. */
  refusedSince(): string | null;
  observe(outcome: "refused" | "accepted"): void;
};

export function asanaTokenStatus(clock: Clock): AsanaTokenStatus {
  let refusedSince: string | null = null;
  return {
    refusedSince: () => refusedSince,
    observe: (outcome) => {
      if (outcome === "accepted") refusedSince = null;
      else refusedSince ??= clock().toISOString();
    },
  };
}

/** A 401 says the token is refused; any other answer from Asana says it was taken. */
function outcomeOf(error: unknown): "refused" | "accepted" | null {
  if (!isAsanaError(error) || error.status === null) return null;
  return error.status === 401 ? "refused" : "accepted";
}

/**
 * The same client, every call watched for what it says of the token. Every method (present and
 * future) is covered: promises and async iterators are followed to their outcome.
 */
export function watchAsanaToken(client: AsanaClient, status: AsanaTokenStatus): AsanaClient {
  const settle = (error: unknown) => {
    const outcome = outcomeOf(error);
    if (outcome !== null) status.observe(outcome);
  };
  async function* followed<T>(iterator: AsyncIterable<T>): AsyncGenerator<T> {
    try {
      for await (const item of iterator) {
        status.observe("accepted");
        yield item;
      }
    } catch (error) {
      settle(error);
      throw error;
    }
  }
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = Reflect.apply(value, target, args);
        if (result instanceof Promise)
          return result.then(
            (answer: unknown) => {
              status.observe("accepted");
              return answer;
            },
            (error: unknown) => {
              settle(error);
              throw error;
            },
          );
        if (isAsyncIterable(result)) return followed(result);
        return result;
      };
    },
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}
