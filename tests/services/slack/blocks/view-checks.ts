import { expect } from "vitest";

/** Checks over any built surface (a view, blocks), read as JSON: every text object it holds. */

export type TextObject = { type: "mrkdwn" | "plain_text"; text: string; at: string };

export function textObjects(value: unknown, at = "$"): TextObject[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => textObjects(item, `${at}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  const found: TextObject[] = [];
  if ("type" in value && "text" in value && typeof value.text === "string") {
    if (value.type === "mrkdwn" || value.type === "plain_text")
      found.push({ type: value.type, text: value.text, at });
  }
  for (const [key, child] of Object.entries(value)) found.push(...textObjects(child, `${at}.${key}`));
  return found;
}

/** Our own tokens: a link to an http(s) URL with an escaped label, and a user mention. */
const OUR_TOKENS = /<https?:\/\/[^\s|<>]+\|[^<>]*>|<@[UW][A-Z0-9]+>/g;

/** No `<` or `>` in mrkdwn other than our links and mentions; every `&` starts an escape. */
export function expectSafeTexts(value: unknown): void {
  for (const slot of textObjects(value)) {
    if (slot.type !== "mrkdwn") continue;
    expect(slot.text.replace(OUR_TOKENS, ""), slot.at).not.toMatch(/[<>]/);
    expect(slot.text, slot.at).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

/** Every text object non-empty and within `max` (Slack's per-field limits are checked where they apply). */
export function expectTextsWithin(value: unknown, max: number): void {
  for (const slot of textObjects(value)) {
    expect(slot.text.length, slot.at).toBeLessThanOrEqual(max);
    expect(slot.text.trim().length, slot.at).toBeGreaterThan(0);
  }
}

/** Block ids unique, and action ids unique within each block. */
export function expectUniqueIds(blocks: readonly unknown[]): void {
  const ids = blocks.flatMap((b) =>
    typeof b === "object" && b !== null && "block_id" in b && typeof b.block_id === "string"
      ? [b.block_id]
      : [],
  );
  expect(new Set(ids).size, "block ids are unique").toBe(ids.length);
  for (const block of blocks) {
    if (
      typeof block !== "object" ||
      block === null ||
      !("elements" in block) ||
      !Array.isArray(block.elements)
    )
      continue;
    const actionIds: unknown[] = block.elements.flatMap((e: unknown) =>
      typeof e === "object" && e !== null && "action_id" in e ? [e.action_id] : [],
    );
    expect(new Set(actionIds).size, "action ids are unique in their block").toBe(actionIds.length);
  }
}
