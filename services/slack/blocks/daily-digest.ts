import type { KnownBlock } from "@slack/types";
import type { DigestSummary } from "../../digest/summarizer.ts";
import { truncate, unescapeMrkdwn } from "../mrkdwn.ts";
import type { SlackMessage } from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

/**
 * The morning digest as one message: a header, then each section's lines in as few section
 * blocks as the 3,000-character limit allows, never more than 50 blocks.
 */
export function dailyDigestMessage(summary: DigestSummary): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: "header",
      text: {
        type: "plain_text",
        text: truncate(unescapeMrkdwn(summary.title), BLOCK_KIT.headerText),
        emoji: true,
      },
    },
  ];
  for (const section of summary.sections) {
    const chunks = packLines([section.heading, ...section.lines], BLOCK_KIT.sectionText);
    for (const chunk of chunks) {
      if (blocks.length >= BLOCK_KIT.blocksPerMessage - 1) break;
      blocks.push({ type: "section", text: { type: "mrkdwn", text: chunk } });
    }
    if (blocks.length >= BLOCK_KIT.blocksPerMessage - 1) break;
    blocks.push({ type: "divider" });
  }
  if (blocks.at(-1)?.type === "divider") blocks.pop();
  const text = truncate(
    [summary.title, ...summary.sections.map((s) => s.heading)].join("\n"),
    BLOCK_KIT.messageText,
  );
  return { text, blocks };
}

/** Joins lines with newlines into chunks of at most `max` characters; a longer line is truncated. */
export function packLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (current === "") current = line;
    else if (current.length + 1 + line.length <= max) current = `${current}\n${line}`;
    else {
      chunks.push(current);
      current = line;
    }
  }
  if (current !== "") chunks.push(current);
  return chunks;
}
