import { z } from "zod";

/**
 * A message's blocks as Slack sends them back (in a block_actions payload, in the channel's
 * history): only what PMO Pulse reads is checked, the rest is kept as it came so the message can
 * be sent back unchanged apart from the blocks we rewrite.
 */
const elementSchema = z.looseObject({
  type: z.string(),
  action_id: z.string().optional(),
  value: z.string().optional(),
});

export const receivedBlockSchema = z.looseObject({
  type: z.string().min(1),
  block_id: z.string().optional(),
  elements: z.array(elementSchema).optional(),
});
export type ReceivedBlock = z.output<typeof receivedBlockSchema>;

export const receivedBlocksSchema = z.array(receivedBlockSchema).max(100);

/** A posted message: its text fallback and its blocks. */
export type ReceivedMessage = { text: string; blocks: readonly ReceivedBlock[] };

/** The blocks, or null when they are not what a Block Kit message holds. */
export function parseReceivedBlocks(value: unknown): ReceivedBlock[] | null {
  const parsed = receivedBlocksSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
