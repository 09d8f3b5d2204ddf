import { z } from "zod";

/** JSON values as they travel in Slack's Web API bodies and socket-mode envelopes. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const jsonValueSchema: z.ZodType<JsonValue> = z.json();
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json());

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON object at `key`, or undefined. */
export function objectAt(value: JsonValue | undefined, key: string): JsonObject | undefined {
  if (!isJsonObject(value)) return undefined;
  const inner = value[key];
  return isJsonObject(inner) ? inner : undefined;
}

export function stringAt(value: JsonValue | undefined, key: string): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const inner = value[key];
  return typeof inner === "string" ? inner : undefined;
}

export function arrayAt(value: JsonValue | undefined, key: string): JsonValue[] | undefined {
  if (!isJsonObject(value)) return undefined;
  const inner = value[key];
  return Array.isArray(inner) ? inner : undefined;
}

/** A deep copy, so what the sandbox stores never aliases what a caller holds. */
export function copyJson<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}

export const INVALID_JSON = Symbol("invalid json");

export function parseJsonText(text: string): JsonValue | typeof INVALID_JSON {
  try {
    const parsed = jsonValueSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : INVALID_JSON;
  } catch {
    return INVALID_JSON;
  }
}
