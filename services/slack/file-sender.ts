import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { SlackApiError } from "./errors.ts";

/** Sends a file to one person by DM (the export). */
export type FileSender = {
  sendToUser(
    slackUserId: string,
    file: { data: Buffer; filename: string; title: string; comment: string },
  ): Promise<void>;
};

const openAnswer = z.object({ channel: z.object({ id: z.string().min(1) }) });

/** conversations.open for the DM, then Slack's external upload flow (files.uploadV2). */
export function slackFileSender(client: Pick<WebClient, "conversations" | "filesUploadV2">): FileSender {
  return {
    sendToUser: async (slackUserId, file) => {
      const opened = openAnswer.safeParse(await client.conversations.open({ users: slackUserId }));
      if (!opened.success) {
        throw new SlackApiError("slack_invalid_response", "conversations.open did not return a channel", {
          method: "conversations.open",
          cause: opened.error,
        });
      }
      await client.filesUploadV2({
        channel_id: opened.data.channel.id,
        file: file.data,
        filename: file.filename,
        title: file.title,
        initial_comment: file.comment,
      });
    },
  };
}
