import { PmoError } from "../errors.ts";

export type SlackErrorCode =
  /** Slack answered 429 more often than we are willing to wait for. */
  | "slack_rate_limited"
  /** Slack refused the call (`ok: false`): nothing was posted or changed. */
  | "slack_rejected"
  /** No usable answer (connection lost, timeout, 5xx): the call may or may not have taken effect. */
  | "slack_unreachable"
  /** Slack answered `ok` with a shape we do not understand. */
  | "slack_invalid_response";

export class SlackApiError extends PmoError<SlackErrorCode> {
  readonly method: string;
  /** Slack's own error string (`channel_not_found`, …) when it gave one. */
  readonly slackError: string | null;

  constructor(
    code: SlackErrorCode,
    message: string,
    context: { method: string; slackError?: string | null; cause?: unknown },
  ) {
    super(code, `${message} (${context.method})`, { cause: context.cause });
    this.method = context.method;
    this.slackError = context.slackError ?? null;
  }

  /** True when the call certainly had no effect (so a post may simply be tried again). */
  get certainlyFailed(): boolean {
    return this.code === "slack_rejected" || this.code === "slack_rate_limited";
  }
}

export function isSlackApiError(error: unknown, code?: SlackErrorCode): error is SlackApiError {
  return error instanceof SlackApiError && (code === undefined || error.code === code);
}
