import { z } from "zod";
import type { FindingOrigin, FindingRequest } from "../findings/finding-origin.ts";
import type { FindingActionId } from "./action-ids.ts";
import { findingActionIdsOf, statusShownBy } from "./blocks/finding-lines.ts";
import { type HomeState, parseHomeState } from "./blocks/home/home-state.ts";
import { parseFindingModalMetadata } from "./blocks/modals/finding-modal-metadata.ts";
import { parseFindingRef } from "./finding-ref.ts";
import { parseReceivedBlocks } from "./message-blocks.ts";

/**
 * Slack's interaction payloads, parsed (never cast) into what the finding and Home use cases
 * take. Anything that is not what we rendered comes back as null and is ignored.
 */

/** The block id of the buttons of a finding's own message (see blocks/finding-message.ts). */
const SINGLE_MESSAGE_ACTIONS_BLOCK = "finding-actions";

const actionSchema = z.looseObject({
  action_id: z.string(),
  block_id: z.string().optional(),
  value: z.string().optional(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
});

const viewSchema = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  private_metadata: z.string().optional(),
  blocks: z.unknown().optional(),
});

const blockActionsSchema = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  container: z
    .looseObject({
      type: z.string(),
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z
    .looseObject({ ts: z.string(), text: z.string().optional(), blocks: z.unknown().optional() })
    .optional(),
  view: viewSchema.optional(),
  actions: z.array(actionSchema).min(1),
});

/** A finding button's click: the use case's request and the trigger_id a modal needs. */
export type FindingClick = { request: FindingRequest; triggerId: string | null };

export function parseFindingClick(body: unknown, actionId: FindingActionId): FindingClick | null {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success) return null;
  const payload = parsed.data;
  const action = payload.actions.find((a) => a.action_id === actionId);
  const ref = parseFindingRef(action?.value);
  if (action === undefined || ref === null) return null;

  const fromHome = payload.container?.type === "view" || payload.view?.type === "home";
  const blocks = parseReceivedBlocks(fromHome ? payload.view?.blocks : payload.message?.blocks);
  const clicked = blocks?.find((block) => block.block_id !== undefined && block.block_id === action.block_id);
  const shownStatus = clicked === undefined ? null : statusShownBy(findingActionIdsOf(clicked));

  let origin: FindingOrigin;
  if (fromHome) {
    if (payload.view?.type !== "home") return null;
    origin = { kind: "home", home: parseHomeState(payload.view.private_metadata) };
  } else {
    const channel = payload.container?.channel_id ?? payload.channel?.id;
    const ts = payload.container?.message_ts ?? payload.message?.ts;
    if (channel === undefined || ts === undefined) return null;
    origin = {
      kind: "message",
      channel,
      ts,
      layout: action.block_id === SINGLE_MESSAGE_ACTIONS_BLOCK ? "single" : "lines",
      ephemeral: payload.container?.is_ephemeral === true,
      current: blocks === null ? null : { text: payload.message?.text ?? "", blocks },
    };
  }
  return {
    request: {
      userId: payload.user.id,
      target: { projectGid: ref.projectGid, ruleId: ref.ruleId },
      shownStatus,
      origin,
    },
    triggerId: payload.trigger_id ?? null,
  };
}

const inputValueSchema = z.looseObject({
  type: z.string(),
  value: z.string().nullish(),
  selected_option: z.looseObject({ value: z.string() }).nullish(),
});

const viewSubmissionSchema = z.looseObject({
  type: z.literal("view_submission"),
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({
    callback_id: z.string(),
    private_metadata: z.string().optional(),
    state: z.looseObject({
      values: z.record(z.string(), z.record(z.string(), inputValueSchema)),
    }),
  }),
});

/** A finding modal's submission: the request it continues, and its inputs. */
export type FindingSubmission = {
  request: FindingRequest;
  /** The typed text (plain_text_input) of one input. */
  text(blockId: string, actionId: string): string | null;
  /** The chosen option (radio buttons, select) of one input. */
  choice(blockId: string, actionId: string): string | null;
};

export function parseFindingSubmission(body: unknown, callbackId: string): FindingSubmission | null {
  const parsed = viewSubmissionSchema.safeParse(body);
  if (!parsed.success || parsed.data.view.callback_id !== callbackId) return null;
  const metadata = parseFindingModalMetadata(parsed.data.view.private_metadata);
  if (metadata === null) return null;
  const values = parsed.data.view.state.values;
  return {
    request: { ...metadata, userId: parsed.data.user.id },
    text: (blockId, actionId) => values[blockId]?.[actionId]?.value ?? null,
    choice: (blockId, actionId) => values[blockId]?.[actionId]?.selected_option?.value ?? null,
  };
}

/** A control of the Home (a filter, a page button): who, the Home's state, and what was chosen. */
export type HomeControl = { userId: string; state: HomeState; actionId: string; value: string };

export function parseHomeControl(body: unknown): HomeControl | null {
  const parsed = blockActionsSchema.safeParse(body);
  if (!parsed.success || parsed.data.view?.type !== "home") return null;
  const [action] = parsed.data.actions;
  const value = action?.selected_option?.value ?? action?.value;
  if (action === undefined || value === undefined) return null;
  return {
    userId: parsed.data.user.id,
    state: parseHomeState(parsed.data.view.private_metadata),
    actionId: action.action_id,
    value,
  };
}

const homeOpenedSchema = z.looseObject({
  type: z.literal("app_home_opened"),
  user: z.string().min(1),
  tab: z.string().optional(),
  view: viewSchema.nullish(),
});

/** app_home_opened on the Home tab: who, and the state their last Home was left in. */
export function parseHomeOpened(event: unknown): { userId: string; state: HomeState } | null {
  const parsed = homeOpenedSchema.safeParse(event);
  if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== "home")) return null;
  const view = parsed.data.view;
  const state = parseHomeState(view?.type === "home" ? view.private_metadata : undefined);
  // The filters stay as they were left; the list starts again at its first page.
  return { userId: parsed.data.user, state: { ...state, page: 1 } };
}
