import type { z } from "zod";
import { BLOCK_KIT } from "./blocks/limits.ts";

/**
 * A button's value as one of ours: a string within Block Kit's limit holding JSON that the schema
 * accepts. Null for anything else (an old button, a forged payload).
 */
export function parseButtonValue<S extends z.ZodType>(value: unknown, schema: S): z.output<S> | null {
  if (typeof value !== "string" || value.length > BLOCK_KIT.buttonValue) return null;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
