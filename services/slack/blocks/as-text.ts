import type { KnownBlock } from "@slack/types";
import { unescapeMrkdwn } from "../mrkdwn.ts";
import type { SlackMessage } from "./finding-parts.ts";

/** mrkdwn read back for a terminal: `<url|label>` -> `label (url)`, `<@U1>` -> `@U1`, entities decoded. */
export function mrkdwnAsText(text: string): string {
  const readable = text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label?: string) => {
    if (target.startsWith("@")) return target;
    if (target.startsWith("#")) return label ?? target;
    if (target.startsWith("!")) return label ?? `@${target.slice(1)}`;
    return label === undefined ? target : `${label} (${target})`;
  });
  return unescapeMrkdwn(readable);
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");

function blockAsText(block: KnownBlock): string | null {
  switch (block.type) {
    case "header":
      return `== ${block.text.text} ==`;
    case "section": {
      const parts = [
        ...(block.text === undefined ? [] : [mrkdwnAsText(block.text.text)]),
        ...(block.fields ?? []).map((field) => mrkdwnAsText(field.text).replace(/\n/, ": ")),
      ];
      return parts.join("\n");
    }
    case "context":
      return block.elements
        .map((element) =>
          "text" in element && typeof element.text === "string" ? mrkdwnAsText(element.text) : "",
        )
        .filter((text) => text !== "")
        .join(" · ");
    case "actions":
      return block.elements
        .map((element) => (element.type === "button" ? `[${element.text.text}]` : `[${element.type}]`))
        .join(" ");
    case "divider":
      return "---";
    default:
      return `(${block.type})`;
  }
}

/** A Block Kit message as readable text: what a person would see, buttons listed in brackets. */
export function messageAsText(message: SlackMessage): string {
  const lines = message.blocks
    .map(blockAsText)
    .filter((line): line is string => line !== null && line !== "");
  return lines.map(indent).join("\n");
}
