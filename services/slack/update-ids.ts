import { z } from "zod";
import { BLOCK_KIT } from "./blocks/limits.ts";
import { parseButtonValue } from "./carried-json.ts";

/**
 * Ids of the DM status-update flow: the card's buttons, the project chooser and the update modal.
 * The builders put them on the blocks, the listeners match them.
 */
export const UPDATE_CONFIRM = "update_confirm";
export const UPDATE_EDIT = "update_edit";
export const UPDATE_CANCEL = "update_cancel";
export const UPDATE_CHOOSE_PROJECT = "update_choose_project";
export const UPDATE_ACTION_IDS = [UPDATE_CONFIRM, UPDATE_EDIT, UPDATE_CANCEL, UPDATE_CHOOSE_PROJECT] as const;
export type UpdateActionId = (typeof UPDATE_ACTION_IDS)[number];

export const UPDATE_MODAL = "update_modal";

/** The update modal's inputs: each block holds one element whose action id is the same word. */
export const UPDATE_FIELDS = {
  project: "update_project",
  progress: "update_progress",
  health: "update_health",
  summary: "update_summary",
  risks: "update_risks",
  blockers: "update_blockers",
  nextSteps: "update_next_steps",
  eta: "update_eta",
} as const;
export type UpdateField = keyof typeof UPDATE_FIELDS;

/**
 * What an update button carries: the conversation (`c`, a random id, so a button of an earlier
 * conversation never matches a later one), its version when the message was rendered (`v`), and
 * for the chooser the project picked (`p`).
 */
export type UpdateButtonRef = { conversationId: string; version: number; projectGid: string | null };

const buttonValueSchema = z.object({
  c: z.string().min(1).max(64),
  v: z.number().int().min(1),
  p: z.string().min(1).max(200).optional(),
});

export function encodeUpdateRef(ref: UpdateButtonRef): string {
  const value = JSON.stringify({
    c: ref.conversationId,
    v: ref.version,
    ...(ref.projectGid === null ? {} : { p: ref.projectGid }),
  });
  if (value.length > BLOCK_KIT.buttonValue) throw new RangeError("an update button value is too long");
  return value;
}

/** The conversation a button points at, or null for anything that is not one of ours. */
export function parseUpdateRef(value: unknown): UpdateButtonRef | null {
  const parsed = parseButtonValue(value, buttonValueSchema);
  return parsed === null
    ? null
    : { conversationId: parsed.c, version: parsed.v, projectGid: parsed.p ?? null };
}
