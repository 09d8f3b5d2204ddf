import { z } from "zod";
import { messageAsText } from "./blocks/as-text.ts";
import type { SlackMessage } from "./blocks/finding-parts.ts";
import { SlackApiError } from "./errors.ts";
import type { MessageRef } from "./notifier.ts";

/** Messages to one person in the app's DM: the status-update conversation speaks only to this. */
export interface DirectMessenger {
  /** `channel` is the DM's channel id, or the user's id (Slack opens the app's DM with them). */
  post(channel: string, message: SlackMessage): Promise<MessageRef>;
  update(ref: MessageRef, message: SlackMessage): Promise<void>;
}

/** As much of a Web API client as DMs need (Bolt's `client`, or a WebClient). */
export type ChatClient = {
  chat: {
    postMessage(args: {
      channel: string;
      text: string;
      blocks: SlackMessage["blocks"];
      unfurl_links: boolean;
      unfurl_media: boolean;
    }): Promise<unknown>;
    update(args: {
      channel: string;
      ts: string;
      text: string;
      blocks: SlackMessage["blocks"];
    }): Promise<unknown>;
  };
};

const postAnswerSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

export function slackDirectMessenger(client: ChatClient): DirectMessenger {
  return {
    post: async (channel, message) => {
      const answer = postAnswerSchema.safeParse(
        await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        }),
      );
      if (!answer.success)
        throw new SlackApiError("slack_invalid_response", "Slack's answer has no channel and ts", {
          method: "chat.postMessage",
          cause: answer.error,
        });
      return answer.data;
    },
    update: async (ref, message) => {
      await client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
      });
    },
  };
}

/** Without Slack credentials: each DM printed as readable text, addressed to its person. */
export function textDirectMessenger(out: { write(text: string): unknown }): DirectMessenger {
  let count = 0;
  return {
    post: async (channel, message) => {
      count++;
      out.write(`\n── DM to ${channel} ──\n${messageAsText(message)}\n`);
      return { channel, ts: `${count}.000000` };
    },
    update: async (ref, message) => {
      out.write(`\n── DM to ${ref.channel} (updated) ──\n${messageAsText(message)}\n`);
    },
  };
}
