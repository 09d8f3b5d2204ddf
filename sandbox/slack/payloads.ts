import { SANDBOX_APP, SANDBOX_TEAM, type SandboxSlackUser } from "./directory.ts";
import type { JsonObject } from "./json.ts";

/**
 * Payloads shaped like the ones Slack puts in socket-mode envelopes: slash commands, block_actions,
 * view_submission, and Events API callbacks. Pure: the server hands in ids, urls and clocks.
 */

export type PayloadContext = {
  /** The app's legacy verification token; Slack still sends it in every payload. */
  verificationToken: string;
};

export type ChannelRef = { id: string; name: string };

const team = () => ({ id: SANDBOX_TEAM.id, domain: SANDBOX_TEAM.domain });

const actor = (user: SandboxSlackUser) => ({
  id: user.id,
  username: user.name,
  name: user.name,
  team_id: SANDBOX_TEAM.id,
});

export function slashCommandPayload(
  ctx: PayloadContext,
  input: {
    user: SandboxSlackUser;
    channel: ChannelRef;
    command: string;
    text: string;
    responseUrl: string;
    triggerId: string;
  },
): JsonObject {
  // Slack sends every field of a slash command as a string, the enterprise flag included.
  return {
    token: ctx.verificationToken,
    team_id: SANDBOX_TEAM.id,
    team_domain: SANDBOX_TEAM.domain,
    channel_id: input.channel.id,
    channel_name: input.channel.name,
    user_id: input.user.id,
    user_name: input.user.name,
    command: input.command,
    text: input.text,
    api_app_id: SANDBOX_APP.appId,
    is_enterprise_install: "false",
    response_url: input.responseUrl,
    trigger_id: input.triggerId,
  };
}

export type ActionSource =
  | { kind: "message"; channel: ChannelRef; message: JsonObject; isEphemeral: boolean; responseUrl: string }
  | { kind: "view"; view: JsonObject };

export function blockActionsPayload(
  ctx: PayloadContext,
  input: {
    user: SandboxSlackUser;
    source: ActionSource;
    blockId: string;
    button: JsonObject;
    actionTs: string;
    triggerId: string;
    stateValues: JsonObject;
  },
): JsonObject {
  const action: JsonObject = {
    ...input.button,
    block_id: input.blockId,
    action_ts: input.actionTs,
  };
  const common: JsonObject = {
    type: "block_actions",
    user: actor(input.user),
    api_app_id: SANDBOX_APP.appId,
    token: ctx.verificationToken,
    trigger_id: input.triggerId,
    team: team(),
    enterprise: null,
    is_enterprise_install: false,
    actions: [action],
  };
  const { source } = input;
  if (source.kind === "view") {
    const viewId = typeof source.view.id === "string" ? source.view.id : "";
    return {
      ...common,
      container: { type: "view", view_id: viewId },
      view: { ...source.view, state: { values: input.stateValues } },
    };
  }
  const ts = typeof source.message.ts === "string" ? source.message.ts : "";
  return {
    ...common,
    container: {
      type: "message",
      message_ts: ts,
      channel_id: source.channel.id,
      is_ephemeral: source.isEphemeral,
    },
    channel: { id: source.channel.id, name: source.channel.name },
    // Slack leaves the message out of clicks on ephemeral messages.
    ...(source.isEphemeral ? {} : { message: source.message }),
    state: { values: input.stateValues },
    response_url: source.responseUrl,
  };
}

export function viewSubmissionPayload(
  ctx: PayloadContext,
  input: { user: SandboxSlackUser; view: JsonObject; stateValues: JsonObject; triggerId: string },
): JsonObject {
  return {
    type: "view_submission",
    team: team(),
    user: actor(input.user),
    api_app_id: SANDBOX_APP.appId,
    token: ctx.verificationToken,
    trigger_id: input.triggerId,
    view: { ...input.view, state: { values: input.stateValues } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** The event_callback body every Events API delivery wraps its event in. */
export function eventCallbackPayload(
  ctx: PayloadContext,
  input: { event: JsonObject; eventId: string; eventTime: number },
): JsonObject {
  return {
    token: ctx.verificationToken,
    team_id: SANDBOX_TEAM.id,
    context_team_id: SANDBOX_TEAM.id,
    context_enterprise_id: null,
    api_app_id: SANDBOX_APP.appId,
    event: input.event,
    type: "event_callback",
    event_id: input.eventId,
    event_time: input.eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: SANDBOX_TEAM.id,
        user_id: SANDBOX_APP.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(input.eventId).toString("base64url")}`,
  };
}

export function directMessageEvent(input: {
  user: SandboxSlackUser;
  channelId: string;
  text: string;
  ts: string;
  clientMsgId: string;
  threadTs?: string;
}): JsonObject {
  return {
    client_msg_id: input.clientMsgId,
    type: "message",
    text: input.text,
    user: input.user.id,
    ts: input.ts,
    blocks: [
      {
        type: "rich_text",
        block_id: input.clientMsgId.slice(0, 5),
        elements: [{ type: "rich_text_section", elements: [{ type: "text", text: input.text }] }],
      },
    ],
    team: SANDBOX_TEAM.id,
    ...(input.threadTs === undefined
      ? {}
      : { thread_ts: input.threadTs, parent_user_id: SANDBOX_APP.botUserId }),
    channel: input.channelId,
    event_ts: input.ts,
    channel_type: "im",
  };
}

export function appHomeOpenedEvent(input: {
  user: SandboxSlackUser;
  channelId: string;
  eventTs: string;
  view: JsonObject | null;
}): JsonObject {
  return {
    type: "app_home_opened",
    user: input.user.id,
    channel: input.channelId,
    tab: "home",
    event_ts: input.eventTs,
    ...(input.view === null ? {} : { view: input.view }),
  };
}
