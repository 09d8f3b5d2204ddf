import type { AnyMiddlewareArgs, App, Middleware } from "@slack/bolt";
import { z } from "zod";
import type { ReadRefusal } from "../services/authorization/authorization.ts";
import { t } from "../services/i18n/index.ts";
import type { ListenerDeps } from "./deps.ts";

/**
 * Who may use the app at all, checked once for every listener: `/pmo`, buttons, modals, the Home
 * and DMs. A person refused (another organisation's, or a guest without PMO_ALLOW_GUESTS) is acked
 * and told so in a short sentence in their language (ephemeral, DM, or a Home that says so); the
 * listener never runs.
 */
const commandBody = z.object({
  command: z.string(),
  user_id: z.string().min(1),
  team_id: z.string().optional(),
});
const interactionBody = z.object({
  type: z.enum(["block_actions", "view_submission", "view_closed", "message_action", "shortcut"]),
  user: z.object({ id: z.string().min(1), team_id: z.string().optional() }),
  team: z.object({ id: z.string() }).nullish(),
  response_url: z.string().optional(),
  container: z.object({ type: z.string() }).optional(),
});
const eventBody = z.object({
  type: z.literal("event_callback"),
  event: z.object({
    type: z.string(),
    user: z.string().min(1).optional(),
    user_team: z.string().optional(),
    bot_id: z.string().optional(),
    subtype: z.string().optional(),
    channel: z.string().optional(),
    channel_type: z.string().optional(),
  }),
});

type Entry =
  | { kind: "command"; userId: string; teamId: string | null }
  | { kind: "interaction"; userId: string; teamId: string | null; onHome: boolean; canRespond: boolean }
  | { kind: "home"; userId: string; teamId: string | null }
  | { kind: "dm"; userId: string; teamId: string | null; channel: string };

function entryOf(body: unknown): Entry | null {
  const command = commandBody.safeParse(body);
  if (command.success)
    return { kind: "command", userId: command.data.user_id, teamId: command.data.team_id ?? null };
  const interaction = interactionBody.safeParse(body);
  // A modal is submitted only by someone who passed this check to open it, and a submission must be
  // acked before anything asks Slack (users.info for a person not seen yet).
  if (interaction.success && interaction.data.type.startsWith("view_")) return null;
  if (interaction.success) {
    const { user, team } = interaction.data;
    return {
      kind: "interaction",
      userId: user.id,
      teamId: user.team_id ?? team?.id ?? null,
      onHome: interaction.data.container?.type === "view" && interaction.data.response_url === undefined,
      canRespond: interaction.data.response_url !== undefined,
    };
  }
  const event = eventBody.safeParse(body);
  if (!event.success) return null;
  const { type, user, user_team, bot_id, subtype, channel, channel_type } = event.data.event;
  if (user === undefined || bot_id !== undefined) return null;
  if (type === "app_home_opened") return { kind: "home", userId: user, teamId: user_team ?? null };
  if (type === "message" && channel_type === "im" && subtype === undefined && channel !== undefined)
    return { kind: "dm", userId: user, teamId: user_team ?? null, channel };
  return null;
}

const REFUSAL_KEY = {
  other_team: "access.otherTeam",
  guest: "access.guest",
  unverified: "access.unverified",
} as const satisfies Record<ReadRefusal, string>;

export function accessCheck(deps: ListenerDeps): Middleware<AnyMiddlewareArgs> {
  const { authorization, users } = deps.services;
  return async (args) => {
    const entry = entryOf(args.body);
    if (entry === null) {
      await args.next();
      return;
    }
    const access = await authorization.readAccess(entry.userId, entry.teamId);
    if (access.allowed) {
      await args.next();
      return;
    }
    deps.logger.info(
      { user: entry.userId, reason: access.reason, entry: entry.kind },
      "refused: may not use the app",
    );
    if ("ack" in args && typeof args.ack === "function") await args.ack();
    const locale = await users.localeOf(entry.userId).catch(() => deps.rendering.defaultLocale);
    const text = t(locale, REFUSAL_KEY[access.reason]);
    const blocks = [{ type: "section", text: { type: "mrkdwn", text } }];
    try {
      if (entry.kind === "command" || (entry.kind === "interaction" && entry.canRespond)) {
        if ("respond" in args && typeof args.respond === "function")
          await args.respond({ response_type: "ephemeral", replace_original: false, text, blocks });
      } else if (entry.kind === "home" || (entry.kind === "interaction" && entry.onHome)) {
        await args.client.views.publish({ user_id: entry.userId, view: { type: "home", blocks } });
      } else if (entry.kind === "dm") {
        await args.client.chat.postMessage({
          channel: entry.channel,
          text,
          blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
      }
    } catch (error) {
      deps.logger.warn({ err: error, user: entry.userId }, "could not tell a refused person why");
    }
  };
}

const eventDelivery = z.object({ event_id: z.string().min(1) });

/** What names one delivery: an event's id; null for commands and interactions (see below). */
function deliveryIdOf(body: unknown): string | null {
  const event = eventDelivery.safeParse(body);
  return event.success ? event.data.event_id : null;
}

/**
 * Slack may deliver one envelope to two connections (two instances, or one during a reconnect):
 * the copy seen second is dropped, so a person gets one answer. Events only: their event_id names
 * the delivery; commands and interactions carry no such id in what Bolt hands on.
 */
export function onceAcrossInstances(deps: ListenerDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const id = deliveryIdOf(args.body);
    if (id === null) {
      await args.next();
      return;
    }
    let first = true;
    try {
      first = await deps.services.deliveries.first(id);
    } catch (error) {
      // Better twice than never: without the store the delivery is handled.
      deps.logger.warn({ err: error }, "could not check a delivery against the others");
    }
    if (first) {
      await args.next();
      return;
    }
    deps.logger.debug({ delivery: id }, "a delivery already handled (by this or another instance)");
    if ("ack" in args && typeof args.ack === "function") await args.ack();
  };
}

export function registerAccessCheck(app: App, deps: ListenerDeps): void {
  app.use(onceAcrossInstances(deps));
  app.use(accessCheck(deps));
}
