import { z } from "zod";
import { BLOCK_KIT } from "../slack/blocks/limits.ts";
import { parseButtonValue } from "../slack/carried-json.ts";
import { findingFiltersSchema, type PageableCommand, SEARCH_MAX } from "./parse-pmo.ts";

/** The "Ver más" / "Show more" button of a paged `/pmo` answer: its action id and its value. */
export const PMO_MORE_ACTION_ID = "pmo_more";

/** Offsets past this are not ours: no answer holds that many items. */
const MAX_OFFSET = 100_000;

const pageableSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("mine") }),
  z.object({ kind: z.literal("search"), query: z.string().min(1).max(SEARCH_MAX) }),
  z.object({ kind: z.literal("findings"), filters: findingFiltersSchema }),
]);

const moreValueSchema = z.object({
  cmd: pageableSchema,
  offset: z.number().int().min(1).max(MAX_OFFSET),
});

export type MoreRequest = { command: PageableCommand; offset: number };

/**
 * `{"cmd":{…},"offset":20}`. Null when it would not fit a button (the parser caps free text at
 * SEARCH_MAX and FILTER_MAX, so only a bug gets there): the answer then goes without the button.
 */
export function encodeMoreValue(command: PageableCommand, offset: number): string | null {
  const value = JSON.stringify({ cmd: command, offset });
  return value.length <= BLOCK_KIT.buttonValue && moreValueSchema.safeParse(JSON.parse(value)).success
    ? value
    : null;
}

/** What a clicked button asks for, or null for a value that is not one of ours. */
export function parseMoreValue(value: unknown): MoreRequest | null {
  const parsed = parseButtonValue(value, moreValueSchema);
  return parsed === null ? null : { command: parsed.cmd, offset: parsed.offset };
}
