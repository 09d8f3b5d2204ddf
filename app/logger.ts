import { type Logger as BoltLogger, LogLevel } from "@slack/logger";
import pino, { type DestinationStream, type Logger } from "pino";
import type { Config } from "./config.ts";

export type { Logger } from "pino";

/** Keys whose values never reach a log line: secrets, Slack's one-time URLs and IDs, DM text. */
const CENSORED_KEYS = new Set([
  "token",
  "bot_token",
  "app_token",
  "botToken",
  "appToken",
  "authorization",
  "Authorization",
  "response_url",
  "responseUrl",
  "trigger_id",
  "triggerId",
  "text",
  // What a person typed in a modal (view.state.values), and their e-mail address.
  "value",
  "values",
  "initial_value",
  "rich_text_value",
  "email",
  "user_email",
]);
const CENSORED = "[redacted]";
const MAX_DEPTH = 8;

/** Removes censored keys at any depth; errors keep their name, message, code and stack. */
export function censor(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const code = "code" in value ? value.code : undefined;
    return {
      type: value.name,
      message: value.message,
      code,
      stack: value.stack,
      cause: censor(value.cause, depth + 1),
    };
  }
  if (Array.isArray(value)) return value.map((v) => censor(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = CENSORED_KEYS.has(k) ? CENSORED : censor(v, depth + 1);
  return out;
}

const SLACK_TOKEN = /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g;
const SLACK_HOOK = /https:\/\/hooks\.slack\.com\/[^\s"\\]*/g;
/** An e-mail address, plain or URL-encoded (Asana's `/users/<email>` paths). */
const EMAIL = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const SCRUBBED_KEYS =
  "token|bot_token|app_token|response_url|trigger_id|text|value|initial_value|email|user_email";
/** A censored key with its JSON string value, the value's escapes included (a fallback for broken JSON). */
const QUOTED_KEY = new RegExp(`"(${SCRUBBED_KEYS})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, "g");
/** The same once escaped inside another JSON string (a raw frame in a log message). */
const ESCAPED_KEY = new RegExp(
  `\\\\"(${SCRUBBED_KEYS})\\\\"\\s*:\\s*\\\\"(?:[^"\\\\]|\\\\[^"]|\\\\\\\\)*?\\\\"(?=\\s*[,}\\]])`,
  "g",
);

/**
 * A string that carries JSON (Bolt's and socket mode's debug lines print whole frames): the JSON
 * is parsed and censored like a log object; null when there is none.
 */
function censorEmbeddedJson(text: string): string | null {
  const start = text.search(/[{[]/);
  if (start < 0) return null;
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  if (end <= start) return null;
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    return `${text.slice(0, start)}${JSON.stringify(censorDeep(parsed))}${text.slice(end + 1)}`;
  } catch {
    return null;
  }
}

/** censor(), and every string that carries JSON censored too. */
function censorDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return censorEmbeddedJson(value) ?? value;
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => censorDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = CENSORED_KEYS.has(k) ? CENSORED : censorDeep(v, depth + 1);
  return out;
}

/** The last line of defence: scrubs a serialized log line of every secret value and pattern. */
export function scrubLine(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(CENSORED);
  }
  const trimmed = out.trimEnd();
  if (trimmed.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      out = `${JSON.stringify(censorDeep(parsed))}${out.slice(trimmed.length)}`;
    } catch {
      // Not one JSON object: the patterns below still apply.
    }
  }
  return out
    .replace(SLACK_TOKEN, CENSORED)
    .replace(SLACK_HOOK, CENSORED)
    .replace(EMAIL, CENSORED)
    .replace(QUOTED_KEY, (_m, key: string) => `"${key}":"${CENSORED}"`)
    .replace(ESCAPED_KEY, (_m, key: string) => `\\"${key}\\":\\"${CENSORED}\\"`);
}

export function createLogger(
  config: Pick<Config, "logLevel" | "secrets">,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { app: "pmo-pulse" },
    formatters: { log: (obj) => censor(obj) as Record<string, unknown> },
    serializers: { err: (err: unknown) => censor(err) },
    hooks: { streamWrite: (line) => scrubLine(line, config.secrets) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Bolt's Logger interface over a pino child; its level is pino's (LOG_LEVEL), whatever Bolt sets. */
export function toBoltLogger(logger: Logger): BoltLogger {
  let child = logger.child({ component: "bolt" });
  const write =
    (level: "debug" | "info" | "warn" | "error") =>
    (...msg: unknown[]) => {
      const text = msg.map((m) => (typeof m === "string" ? m : JSON.stringify(censor(m)))).join(" ");
      child[level](text);
    };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    // LOG_LEVEL governs: Bolt's App sets its default (info) on the logger it is given.
    setLevel: () => {},
    getLevel: () => {
      const level = child.level;
      if (level === "debug" || level === "trace") return LogLevel.DEBUG;
      if (level === "info") return LogLevel.INFO;
      if (level === "warn") return LogLevel.WARN;
      return LogLevel.ERROR;
    },
    setName: (name: string) => {
      child = logger.child({ component: name });
    },
  };
}
