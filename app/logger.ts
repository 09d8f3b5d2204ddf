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
const QUOTED_KEY = /("|\\")(token|response_url|trigger_id|text)\1\s*:\s*\1(?:[^"\\]|\\(?!")|\\\\)*?\1/g;

/** The last line of defence: scrubs a serialized log line of every secret value and pattern. */
export function scrubLine(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(CENSORED);
  }
  return out
    .replace(SLACK_TOKEN, CENSORED)
    .replace(SLACK_HOOK, CENSORED)
    .replace(QUOTED_KEY, (_m, q: string, key: string) => `${q}${key}${q}:${q}${CENSORED}${q}`);
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

const BOLT_TO_PINO: Record<LogLevel, "debug" | "info" | "warn" | "error"> = {
  [LogLevel.DEBUG]: "debug",
  [LogLevel.INFO]: "info",
  [LogLevel.WARN]: "warn",
  [LogLevel.ERROR]: "error",
};

/** Bolt's Logger interface over a pino child; Bolt's own level follows pino's. */
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
    setLevel: (level: LogLevel) => {
      child.level = BOLT_TO_PINO[level];
    },
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
