import type { z } from "zod";
import { BLOCK_KIT } from "./blocks/limits.ts";

/**
 * JSON that PMO Pulse wrote into something Slack carries back (a button's value, a modal's
 * private_metadata): a string within `maxLength` that the schema accepts. Null for anything else
 * (an old button, a modal opened elsewhere, a forged payload).
 */
export function parseCarriedJson<S extends z.ZodType>(
  value: unknown,
  maxLength: number,
  schema: S,
): z.output<S> | null {
  if (typeof value !== "string" || value.length > maxLength) return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** A button's value as one of ours (see parseCarriedJson). */
export function parseButtonValue<S extends z.ZodType>(value: unknown, schema: S): z.output<S> | null {
  return parseCarriedJson(value, BLOCK_KIT.buttonValue, schema);
}
