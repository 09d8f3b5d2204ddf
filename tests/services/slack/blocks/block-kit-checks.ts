import type { Button, KnownBlock } from "@slack/types";
import { expect } from "vitest";
import type { SlackMessage } from "../../../../services/slack/blocks/finding-parts.ts";
import { BLOCK_KIT } from "../../../../services/slack/blocks/limits.ts";

/** Structural views of a built message, and Block Kit's limits checked over them. */

export type TextSlot = { where: string; type: "mrkdwn" | "plain_text"; text: string };

export function textSlots(message: SlackMessage): TextSlot[] {
  const slots: TextSlot[] = [{ where: "text", type: "mrkdwn", text: message.text }];
  message.blocks.forEach((block, i) => {
    const at = `blocks[${i}] ${block.type}`;
    switch (block.type) {
      case "header":
        slots.push({ where: at, type: "plain_text", text: block.text.text });
        break;
      case "section":
        if (block.text) slots.push({ where: at, type: block.text.type, text: block.text.text });
        for (const field of block.fields ?? [])
          slots.push({ where: `${at} field`, type: field.type, text: field.text });
        break;
      case "context":
        for (const element of block.elements) {
          if (element.type === "mrkdwn" || element.type === "plain_text")
            slots.push({ where: `${at} element`, type: element.type, text: element.text });
        }
        break;
      case "actions":
        for (const element of block.elements) {
          if (element.type === "button")
            slots.push({ where: `${at} button`, type: "plain_text", text: element.text.text });
        }
        break;
      default:
        break;
    }
  });
  return slots;
}

export function buttonsOf(message: SlackMessage): Button[] {
  return message.blocks.flatMap((block: KnownBlock) =>
    block.type === "actions" ? block.elements.filter((e): e is Button => e.type === "button") : [],
  );
}

/** Our own tokens: a link to an http(s) URL with an escaped label, and a user mention. */
const OUR_TOKENS = /<https?:\/\/[^\s|<>]+\|[^<>]*>|<@[UW][A-Z0-9]+>/g;

/** No `<` or `>` other than our own links and mentions; every `&` starts an escape. */
export function expectSafeMrkdwn(message: SlackMessage): void {
  for (const slot of textSlots(message)) {
    if (slot.type !== "mrkdwn") continue;
    const withoutTokens = slot.text.replace(OUR_TOKENS, "");
    expect(withoutTokens, slot.where).not.toMatch(/[<>]/);
    expect(slot.text, slot.where).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

export function expectWithinBlockKitLimits(message: SlackMessage): void {
  expect(message.text.length).toBeLessThanOrEqual(BLOCK_KIT.messageText);
  expect(message.blocks.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(BLOCK_KIT.blocksPerMessage);
  const blockIds = message.blocks.map((b) => b.block_id).filter((id) => id !== undefined);
  expect(new Set(blockIds).size, "block ids are unique").toBe(blockIds.length);
  for (const id of blockIds) expect(id.length).toBeLessThanOrEqual(BLOCK_KIT.blockId);
  for (const block of message.blocks) {
    switch (block.type) {
      case "header":
        expect(block.text.text.length).toBeLessThanOrEqual(BLOCK_KIT.headerText);
        expect(block.text.text.length).toBeGreaterThan(0);
        break;
      case "section":
        if (block.text) {
          expect(block.text.text.length).toBeLessThanOrEqual(BLOCK_KIT.sectionText);
          expect(block.text.text.length).toBeGreaterThan(0);
        }
        expect((block.fields ?? []).length).toBeLessThanOrEqual(BLOCK_KIT.sectionFields);
        for (const field of block.fields ?? [])
          expect(field.text.length).toBeLessThanOrEqual(BLOCK_KIT.sectionFieldText);
        break;
      case "context":
        expect(block.elements.length).toBeLessThanOrEqual(BLOCK_KIT.contextElements);
        for (const element of block.elements) {
          if (element.type === "mrkdwn" || element.type === "plain_text")
            expect(element.text.length).toBeLessThanOrEqual(BLOCK_KIT.contextText);
        }
        break;
      case "actions": {
        expect(block.elements.length).toBeLessThanOrEqual(BLOCK_KIT.actionsElements);
        const actionIds = block.elements.map((e) => ("action_id" in e ? e.action_id : undefined));
        expect(new Set(actionIds).size, "action ids are unique in their block").toBe(actionIds.length);
        break;
      }
      default:
        break;
    }
  }
  for (const button of buttonsOf(message)) {
    expect(button.text.text.length).toBeLessThanOrEqual(BLOCK_KIT.buttonText);
    expect((button.value ?? "").length).toBeLessThanOrEqual(BLOCK_KIT.buttonValue);
    expect((button.action_id ?? "").length).toBeLessThanOrEqual(BLOCK_KIT.actionId);
  }
}
