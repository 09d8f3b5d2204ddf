import { z } from "zod";
import type { DirectMessage, ModalSubmission, UpdateClick } from "../updates/conversation-service.ts";
import type { UpdateActionId } from "./update-ids.ts";

/**
 * The payloads of the status-update DM flow, parsed (never cast): a DM event, a click on one of
 * the conversation's buttons, the update modal's submission. Anything else comes back as null.
 */

const dmEventSchema = z.looseObject({
  event_id: z.string().min(1),
  event: z.looseObject({
    type: z.literal("message"),
    channel_type: z.literal("im"),
    channel: z.string().min(1),
    user: z.string().min(1),
    text: z.string().default(""),
    ts: z.string().min(1),
    subtype: z.string().optional(),
    bot_id: z.string().optional(),
    bot_profile: z.unknown().optional(),
  }),
});

/**
 * A person's new message in the app's DM; null for anything else: other channels, bots (this app
 * included), edits, deletions and every other subtype.
 */
export function parseDirectMessage(body: unknown, receivedAt: Date): DirectMessage | null {
  const parsed = dmEventSchema.safeParse(body);
  if (!parsed.success) return null;
  const { event } = parsed.data;
  if (event.subtype !== undefined || event.bot_id !== undefined || event.bot_profile !== undefined)
    return null;
  return {
    kind: "dm",
    eventId: parsed.data.event_id,
    userId: event.user,
    channel: event.channel,
    text: event.text,
    ts: event.ts,
    receivedAt: receivedAt.toISOString(),
  };
}

const clickSchema = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({ id: z.string().min(1) }),
  trigger_id: z.string().optional(),
  container: z
    .looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() })
    .optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ ts: z.string() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** A click on one of the conversation's buttons, with the trigger_id a modal needs. */
export function parseUpdateClick(
  body: unknown,
  actionId: UpdateActionId,
): { click: UpdateClick; triggerId: string | null } | null {
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success) return null;
  const payload = parsed.data;
  const action = payload.actions.find((a) => a.action_id === actionId);
  const channel = payload.container?.channel_id ?? payload.channel?.id;
  const messageTs = payload.container?.message_ts ?? payload.message?.ts;
  if (action === undefined || channel === undefined || messageTs === undefined) return null;
  return {
    click: { userId: payload.user.id, channel, messageTs, value: action.value },
    triggerId: payload.trigger_id ?? null,
  };
}

const submissionSchema = z.looseObject({
  type: z.literal("view_submission"),
  user: z.looseObject({ id: z.string().min(1) }),
  view: z.looseObject({
    id: z.string().min(1),
    private_metadata: z.string().optional(),
    state: z.looseObject({ values: z.unknown() }),
  }),
});

export function parseUpdateModalSubmission(body: unknown): ModalSubmission | null {
  const parsed = submissionSchema.safeParse(body);
  if (!parsed.success) return null;
  return {
    userId: parsed.data.user.id,
    viewId: parsed.data.view.id,
    values: parsed.data.view.state.values,
    privateMetadata: parsed.data.view.private_metadata ?? null,
  };
}
