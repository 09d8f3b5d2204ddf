import { PmoError } from "../errors.ts";

export type AsanaErrorCode =
  | "asana_auth"
  | "asana_not_found"
  | "asana_rate_limited"
  | "asana_unavailable"
  | "asana_invalid_response"
  | "asana_sync_token_expired"
  | "asana_bad_request";

export type AsanaRequestContext = {
  method: string;
  /** The API path without base URL or query string: it never holds the token. */
  path: string;
  /** The HTTP status Asana answered, null when no answer came (timeout, connection reset). */
  status: number | null;
};

export class AsanaError extends PmoError<AsanaErrorCode> {
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  /** Only for `asana_sync_token_expired`: the fresh token Asana sent with its 412. */
  readonly syncToken: string | null;

  constructor(
    code: AsanaErrorCode,
    message: string,
    context: AsanaRequestContext & { syncToken?: string; cause?: unknown },
  ) {
    super(code, `${message} (${context.method} ${context.path})`, { cause: context.cause });
    this.method = context.method;
    this.path = context.path;
    this.status = context.status;
    this.syncToken = context.syncToken ?? null;
  }
}

export function isAsanaError(error: unknown, code?: AsanaErrorCode): error is AsanaError {
  return error instanceof AsanaError && (code === undefined || error.code === code);
}
