import { WebAPIPlatformError, type WebClient } from "@slack/web-api";
import { z } from "zod";
import { PmoError } from "../services/errors.ts";
import { SlackApiError } from "../services/slack/errors.ts";

export type TokenVariable = "SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN";

/** Slack's answers to a token it will not take: revoked, wrong, or of a closed workspace. */
const REFUSED = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "team_disabled",
  "user_removed_from_team",
]);

/** Slack refused one of our tokens: the process cannot run until an operator replaces it. */
export class SlackTokenError extends PmoError<"slack_token_refused"> {
  readonly variable: TokenVariable;

  constructor(variable: TokenVariable, slackError: string, cause: unknown) {
    super(
      "slack_token_refused",
      `PMO Pulse cannot start: Slack refused ${variable} (${slackError}); set a valid token in the environment or in .env`,
      { cause },
    );
    this.variable = variable;
  }
}

/** The failure as a SlackTokenError naming the variable when Slack refused the token; null otherwise. */
export function tokenRefusal(variable: TokenVariable, error: unknown): SlackTokenError | null {
  if (error instanceof WebAPIPlatformError && REFUSED.has(error.data.error))
    return new SlackTokenError(variable, error.data.error, error);
  return null;
}

export type BotIdentity = { botId: string; botUserId: string };

const authTestSchema = z.object({ user_id: z.string().min(1), bot_id: z.string().min(1) });

/**
 * auth.test with the bot token, before Bolt is built: a refused token becomes a SlackTokenError
 * instead of the rejection Bolt's constructor would leave unhandled, and Bolt is given the
 * identity so it makes no auth.test of its own.
 */
export async function verifyBotToken(client: Pick<WebClient, "auth">): Promise<BotIdentity> {
  let answer: unknown;
  try {
    answer = await client.auth.test();
  } catch (error) {
    throw (
      tokenRefusal("SLACK_BOT_TOKEN", error) ??
      new SlackApiError("slack_unreachable", "PMO Pulse cannot start: Slack did not answer auth.test", {
        method: "auth.test",
        cause: error,
      })
    );
  }
  const parsed = authTestSchema.safeParse(answer);
  if (!parsed.success)
    throw new SlackApiError("slack_invalid_response", "auth.test answered without the bot's ids", {
      method: "auth.test",
      cause: parsed.error,
    });
  return { botId: parsed.data.bot_id, botUserId: parsed.data.user_id };
}
