import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";
import { ConfigError, type ConfigProblem } from "../services/errors.ts";
import type { LlmSettings } from "../services/llm/structured-chat.ts";
import type { RuleSettings } from "../services/rules/rules.ts";

/**
 * The one reader of process.env. Every variable PMO Pulse understands is declared here, with its
 * default and an example of a good value; `.env.example` documents the same list.
 */

/** What the process is about to do decides which variables are required. */
export type ConfigMode = "store" | "sync" | "slack" | "app";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], {
    error: "must be true or false",
  })
  .transform((v) => ["true", "1", "yes", "on"].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: "must be a whole number" })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(item));

const url = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((u) => u.replace(/\/+$/, ""));
/** Tokens travel to these: plain http only to this machine (the sandboxes, a local proxy). */
const secureUrl = url.refine((u) => new URL(u).protocol === "https:" || isLoopback(new URL(u).hostname), {
  error: "must be an https URL (plain http only for 127.0.0.1, localhost or ::1)",
});

/** 127.0.0.0/8, localhost (and its subdomains) or ::1, as URL.hostname spells them. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host === "[::1]") return true;
  const octets = host.split(".");
  return (
    octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) < 256)
  );
}
const gid = z.string().regex(/^\d+$/, { error: "must be an Asana gid (digits only)" });
const slackUserId = z.string().regex(/^[UW][A-Z0-9]+$/, { error: "must be Slack user IDs (U…)" });
const cron = z
  .string()
  .refine((v) => v.trim().split(/\s+/).length >= 5 && v.trim().split(/\s+/).length <= 6, {
    error: "must be a cron expression with 5 or 6 fields",
  });
const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: "must be an IANA time zone" },
);
const name = z
  .string()
  .regex(/^[a-zA-Z0-9_.-]+$/, { error: "may hold only letters, digits, '.', '_' and '-'" });

type Variable = { schema: z.ZodType; default?: string; example: string; requiredIn?: readonly ConfigMode[] };

/** Every variable: schema, default (absent = no default), example, the modes that need it. */
export const VARIABLES = {
  SLACK_BOT_TOKEN: {
    schema: z.string().startsWith("xoxb-", { error: "must be a bot token (xoxb-…)" }),
    example: "xoxb-1234567890-0987654321-AbCdEf",
    requiredIn: ["slack", "app"],
  },
  SLACK_APP_TOKEN: {
    schema: z.string().startsWith("xapp-", { error: "must be an app-level token (xapp-…)" }),
    example: "xapp-1-A0123456789-1234567890-abcdef",
    requiredIn: ["slack", "app"],
  },
  SLACK_API_URL: {
    schema: secureUrl,
    default: "https://slack.com/api",
    example: "http://127.0.0.1:4020/api",
  },
  SLACK_TIMEOUT_MS: { schema: int(100, 300_000), default: "10000", example: "10000" },
  PMO_CHANNEL_ID: {
    schema: z.string().regex(/^[CG][A-Z0-9]+$/, { error: "must be a Slack channel ID (C…)" }),
    example: "C0123456789",
    requiredIn: ["slack", "app"],
  },
  /** Absent: findings alerts go to PMO_CHANNEL_ID like everything else. */
  PMO_FINDINGS_CHANNEL_ID: {
    schema: z.string().regex(/^[CG][A-Z0-9]+$/, { error: "must be a Slack channel ID (C…)" }),
    example: "C0987654321",
  },
  PMO_ADMIN_USER_IDS: { schema: list(slackUserId), default: "", example: "U0123456789,U0987654321" },
  PMO_ALLOW_GUESTS: { schema: bool, default: "false", example: "false" },
  ASANA_TOKEN: {
    schema: z.string().min(10, { error: "must be an Asana personal access token" }),
    example: "2/1204.../1205...:abc123",
    requiredIn: ["sync", "app"],
  },
  ASANA_WORKSPACE_GID: { schema: gid, example: "1201234567890123", requiredIn: ["sync", "app"] },
  ASANA_TEAM_GIDS: { schema: list(gid), default: "", example: "1201111111111111,1202222222222222" },
  ASANA_PORTFOLIO_GID: { schema: gid, example: "1203333333333333" },
  ASANA_BASE_URL: {
    schema: secureUrl,
    default: "https://app.asana.com/api/1.0",
    example: "http://127.0.0.1:4010/api/1.0",
  },
  ASANA_TIMEOUT_MS: { schema: int(100, 300_000), default: "30000", example: "30000" },
  ASANA_PLAN: {
    schema: z.enum(["paid", "free"], { error: "must be paid or free" }),
    default: "paid",
    example: "paid",
  },
  ASANA_PMO_ID_FIELD: { schema: z.string().min(1), default: "PMO ID", example: "PMO ID" },
  ASANA_VERTICAL_FIELD: {
    schema: z.string().min(1),
    default: "Business Vertical",
    example: "Business Vertical",
  },
  ASANA_WRITE_BACK: { schema: bool, default: "false", example: "true" },
  PMO_STORE: {
    schema: z.enum(["embedded", "aws"], { error: "must be embedded or aws" }),
    default: "embedded",
    example: "aws",
  },
  DYNAMODB_ENDPOINT: { schema: url, example: "http://127.0.0.1:8000" },
  AWS_REGION: {
    schema: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region" }),
    example: "us-east-1",
  },
  DYNAMODB_TIMEOUT_MS: { schema: int(100, 300_000), default: "10000", example: "10000" },
  DYNAMODB_MAX_ATTEMPTS: { schema: int(1, 10), default: "3", example: "3" },
  TABLE_PREFIX: { schema: name, default: "pmo-bot", example: "pmo-bot" },
  PMO_ENV: { schema: name, default: "dev", example: "prod" },
  DATA_DIR: { schema: z.string().min(1), default: ".data", example: "/var/lib/pmo-pulse" },
  PMO_TIMEZONE: { schema: timezone, default: "America/Bogota", example: "America/Mexico_City" },
  DEFAULT_LOCALE: {
    schema: z.enum(["es", "en"], { error: "must be es or en" }),
    default: "es",
    example: "es",
  },
  LOG_LEVEL: {
    schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
      error: "must be one of trace, debug, info, warn, error, fatal, silent",
    }),
    default: "info",
    example: "info",
  },
  HEALTH_PORT: { schema: int(0, 65535), default: "8080", example: "8080" },
  WEB_ENABLED: { schema: bool, default: "true", example: "true" },
  WEB_PORT: { schema: int(0, 65535), default: "3000", example: "3000" },
  /** Where browsers reach the dashboard (sign-in links, Sign in with Slack); absent: http://localhost:WEB_PORT. */
  WEB_BASE_URL: { schema: secureUrl, example: "https://pmo.example.com" },
  /** Signs sign-in links and sessions; absent: a random one per process (links work on the instance that made them). */
  WEB_SESSION_SECRET: {
    schema: z.string().min(32, { error: "must be at least 32 characters" }),
    example: "a-long-random-string-of-at-least-32-characters",
  },
  SLACK_CLIENT_ID: {
    schema: z.string().regex(/^\d+\.\d+$/, { error: "must be a Slack client ID (digits.digits)" }),
    example: "1234567890.0987654321",
  },
  SLACK_CLIENT_SECRET: {
    schema: z.string().min(8, { error: "must be the app's client secret" }),
    example: "0123abcd…",
  },
  SYNC_FULL_CRON: { schema: cron, default: "0 6 * * *", example: "0 6 * * *" },
  SYNC_PARTIAL_CRON: { schema: cron, default: "*/30 * * * *", example: "*/30 * * * *" },
  DIGEST_CRON: { schema: cron, default: "30 8 * * 1-5", example: "30 8 * * 1-5" },
  REMINDER_CRON: { schema: cron, default: "0 9 * * 1", example: "0 9 * * 1" },
  JOB_LEASE_TTL_SECONDS: { schema: int(5, 3600), default: "120", example: "120" },
  SHUTDOWN_GRACE_MS: { schema: int(100, 600_000), default: "25000", example: "25000" },
  CHANGELOG_RETENTION_DAYS: { schema: int(1, 3650), default: "365", example: "365" },
  FINDINGS_RETENTION_DAYS: { schema: int(1, 3650), default: "365", example: "365" },
  ALERTS_MAX_INDIVIDUAL: { schema: int(0, 100), default: "10", example: "10" },
  DM_RATE_LIMIT_PER_MINUTE: { schema: int(1, 10000), default: "20", example: "20" },
  RULE_NO_STATUS_UPDATE_DAYS: { schema: int(1, 365), default: "7", example: "7" },
  RULE_NO_ACTIVITY_DAYS: { schema: int(1, 365), default: "7", example: "7" },
  RULE_SCHEDULE_HIGH_DAYS: { schema: int(0, 365), default: "7", example: "7" },
  RULE_SCHEDULE_HIGH_PROGRESS: { schema: int(0, 100), default: "80", example: "80" },
  RULE_SCHEDULE_MEDIUM_DAYS: { schema: int(0, 365), default: "14", example: "14" },
  RULE_SCHEDULE_MEDIUM_PROGRESS: { schema: int(0, 100), default: "60", example: "60" },
  RULE_SCHEDULE_LOW_DAYS: { schema: int(0, 365), default: "30", example: "30" },
  RULE_SCHEDULE_LOW_PROGRESS: { schema: int(0, 100), default: "40", example: "40" },
  RULE_MIN_TASKS: { schema: int(0, 10000), default: "3", example: "3" },
  RULE_PROGRESS_MISMATCH_POINTS: { schema: int(1, 100), default: "30", example: "30" },
  RULES_REQUIRE_VERTICAL: { schema: bool, default: "true", example: "true" },
  LLM_BASE_URL: { schema: secureUrl, example: "https://api.openai.com/v1" },
  LLM_MODEL: { schema: z.string().min(1), example: "gpt-4.1-mini" },
  LLM_API_KEY: { schema: z.string().min(1), example: "sk-…" },
  LLM_TIMEOUT_MS: { schema: int(100, 120_000), default: "8000", example: "8000" },
  RULES_DATA_QUALITY: {
    schema: list(
      z.enum(["pmo_id", "responsable", "vertical", "due_date"], {
        error: "may list only pmo_id, responsable, vertical, due_date",
      }),
    ),
    default: "pmo_id,responsable,vertical,due_date",
    example: "pmo_id,responsable",
  },
} as const satisfies Record<string, Variable>;

export type VariableName = keyof typeof VARIABLES;

export type Config = {
  slack: {
    botToken: string | null;
    appToken: string | null;
    apiUrl: string;
    channelId: string | null;
    /** Where findings alerts go: PMO_FINDINGS_CHANNEL_ID, else the PMO channel. */
    findingsChannelId: string | null;
    adminUserIds: readonly string[];
    /** Whether guests (multi- and single-channel) may use the app. */
    allowGuests: boolean;
    /** Each Web API call's time limit. */
    timeoutMs: number;
  };
  asana: {
    token: string | null;
    workspaceGid: string | null;
    teamGids: readonly string[];
    portfolioGid: string | null;
    baseUrl: string;
    plan: "paid" | "free";
    pmoIdField: string;
    verticalField: string;
    writeBack: boolean;
    /** Each request's time limit (every retry gets its own). */
    timeoutMs: number;
  };
  store: {
    engine: "endpoint" | "aws" | "embedded";
    endpoint: string | null;
    region: string | null;
    tablePrefix: string;
    env: string;
    dataDir: string;
    changelogRetentionDays: number;
    findingsRetentionDays: number;
    /** Each DynamoDB attempt's time limit, and how many attempts a call makes. */
    timeoutMs: number;
    maxAttempts: number;
  };
  timezone: string;
  defaultLocale: "es" | "en";
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  healthPort: number;
  /** The web dashboard (issue 14). */
  web: {
    enabled: boolean;
    port: number;
    /** Null: http://localhost:<port>. */
    baseUrl: string | null;
    /** Null: a random secret made at start. */
    sessionSecret: string | null;
    /** "Sign in with Slack" (OpenID Connect): both set, with WEB_BASE_URL; null otherwise. */
    slackOpenId: { clientId: string; clientSecret: string } | null;
  };
  schedules: { syncFull: string; syncPartial: string; digest: string; reminder: string };
  /** How long a job's lease lasts without renewal: how soon another instance takes over a dead one's job. */
  jobLeaseTtlMs: number;
  /** How long a SIGTERM waits for a clean stop before the process exits anyway. */
  shutdownGraceMs: number;
  alerts: { maxIndividual: number };
  /** DMs one person may send in a minute; the rest get one polite answer and are dropped. */
  dmRateLimitPerMinute: number;
  rules: RuleSettings;
  /**
   * The optional language model (an OpenAI-compatible API) that reads DMs and writes the digest's
   * summary; null (off) unless LLM_BASE_URL and LLM_MODEL are set.
   */
  llm: LlmSettings | null;
  /** Secrets whose values the logger must never print. */
  secrets: readonly string[];
};

type Env = Readonly<Record<string, string | undefined>>;
type Values = { [K in VariableName]: z.output<(typeof VARIABLES)[K]["schema"]> | undefined };

/**
 * Parses an environment (pure: no process.env, no files) into a Config, or throws ONE
 * ConfigError naming every problem.
 */
export function parseConfig(env: Env, mode: ConfigMode): Config {
  const problems: ConfigProblem[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};
  for (const [variable, spec] of Object.entries(VARIABLES) as [VariableName, Variable][]) {
    const raw = env[variable]?.trim();
    const given = raw === undefined || raw === "" ? spec.default : raw;
    if (given === undefined) {
      if (spec.requiredIn?.includes(mode)) {
        problems.push({ variable, problem: `missing (needed ${purpose(mode)})`, example: spec.example });
      }
      continue;
    }
    const parsed = spec.schema.safeParse(given);
    if (parsed.success) {
      values[variable] = parsed.data;
    } else {
      const reason = parsed.error.issues[0]?.message ?? "is not valid";
      problems.push({
        variable,
        problem: `${reason}; got ${JSON.stringify(shown(variable, given))}`,
        example: spec.example,
      });
    }
  }
  const v = values as Values;
  if (v.PMO_STORE === "aws" && v.AWS_REGION === undefined && v.DYNAMODB_ENDPOINT === undefined) {
    problems.push({
      variable: "AWS_REGION",
      problem: "missing (needed when PMO_STORE=aws)",
      example: VARIABLES.AWS_REGION.example,
    });
  }
  if ((v.ASANA_TEAM_GIDS?.length ?? 0) > 0 && v.ASANA_PORTFOLIO_GID !== undefined) {
    problems.push({
      variable: "ASANA_PORTFOLIO_GID",
      problem: "cannot be combined with ASANA_TEAM_GIDS (choose teams or a portfolio)",
      example: VARIABLES.ASANA_PORTFOLIO_GID.example,
    });
  }
  const llmHalf = v.LLM_BASE_URL === undefined ? "LLM_BASE_URL" : "LLM_MODEL";
  if (
    (v.LLM_BASE_URL === undefined) !== (v.LLM_MODEL === undefined) &&
    !problems.some((problem) => problem.variable === llmHalf)
  ) {
    problems.push({
      variable: llmHalf,
      problem: "missing (the language model needs both LLM_BASE_URL and LLM_MODEL)",
      example: VARIABLES[llmHalf].example,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(v);
}

function toConfig(v: Values): Config {
  const need = <T>(value: T | undefined, variable: VariableName): T => {
    if (value === undefined)
      throw new ConfigError([{ variable, problem: "missing", example: VARIABLES[variable].example }]);
    return value;
  };
  const engine = v.DYNAMODB_ENDPOINT !== undefined ? "endpoint" : v.PMO_STORE === "aws" ? "aws" : "embedded";
  const secrets = [
    v.SLACK_BOT_TOKEN,
    v.SLACK_APP_TOKEN,
    v.ASANA_TOKEN,
    v.WEB_SESSION_SECRET,
    v.SLACK_CLIENT_SECRET,
    v.LLM_API_KEY,
  ].filter((s): s is string => s !== undefined);
  return {
    slack: {
      botToken: v.SLACK_BOT_TOKEN ?? null,
      appToken: v.SLACK_APP_TOKEN ?? null,
      apiUrl: need(v.SLACK_API_URL, "SLACK_API_URL"),
      channelId: v.PMO_CHANNEL_ID ?? null,
      findingsChannelId: v.PMO_FINDINGS_CHANNEL_ID ?? v.PMO_CHANNEL_ID ?? null,
      adminUserIds: need(v.PMO_ADMIN_USER_IDS, "PMO_ADMIN_USER_IDS"),
      allowGuests: need(v.PMO_ALLOW_GUESTS, "PMO_ALLOW_GUESTS"),
      timeoutMs: need(v.SLACK_TIMEOUT_MS, "SLACK_TIMEOUT_MS"),
    },
    asana: {
      token: v.ASANA_TOKEN ?? null,
      workspaceGid: v.ASANA_WORKSPACE_GID ?? null,
      teamGids: need(v.ASANA_TEAM_GIDS, "ASANA_TEAM_GIDS"),
      portfolioGid: v.ASANA_PORTFOLIO_GID ?? null,
      baseUrl: need(v.ASANA_BASE_URL, "ASANA_BASE_URL"),
      plan: need(v.ASANA_PLAN, "ASANA_PLAN"),
      pmoIdField: need(v.ASANA_PMO_ID_FIELD, "ASANA_PMO_ID_FIELD"),
      verticalField: need(v.ASANA_VERTICAL_FIELD, "ASANA_VERTICAL_FIELD"),
      writeBack: need(v.ASANA_WRITE_BACK, "ASANA_WRITE_BACK"),
      timeoutMs: need(v.ASANA_TIMEOUT_MS, "ASANA_TIMEOUT_MS"),
    },
    store: {
      engine,
      endpoint: v.DYNAMODB_ENDPOINT ?? null,
      region: v.AWS_REGION ?? null,
      tablePrefix: need(v.TABLE_PREFIX, "TABLE_PREFIX"),
      env: need(v.PMO_ENV, "PMO_ENV"),
      dataDir: need(v.DATA_DIR, "DATA_DIR"),
      changelogRetentionDays: need(v.CHANGELOG_RETENTION_DAYS, "CHANGELOG_RETENTION_DAYS"),
      findingsRetentionDays: need(v.FINDINGS_RETENTION_DAYS, "FINDINGS_RETENTION_DAYS"),
      timeoutMs: need(v.DYNAMODB_TIMEOUT_MS, "DYNAMODB_TIMEOUT_MS"),
      maxAttempts: need(v.DYNAMODB_MAX_ATTEMPTS, "DYNAMODB_MAX_ATTEMPTS"),
    },
    timezone: need(v.PMO_TIMEZONE, "PMO_TIMEZONE"),
    defaultLocale: need(v.DEFAULT_LOCALE, "DEFAULT_LOCALE"),
    logLevel: need(v.LOG_LEVEL, "LOG_LEVEL"),
    healthPort: need(v.HEALTH_PORT, "HEALTH_PORT"),
    web: {
      enabled: need(v.WEB_ENABLED, "WEB_ENABLED"),
      port: need(v.WEB_PORT, "WEB_PORT"),
      baseUrl: v.WEB_BASE_URL ?? null,
      sessionSecret: v.WEB_SESSION_SECRET ?? null,
      slackOpenId:
        v.SLACK_CLIENT_ID !== undefined && v.SLACK_CLIENT_SECRET !== undefined && v.WEB_BASE_URL !== undefined
          ? { clientId: v.SLACK_CLIENT_ID, clientSecret: v.SLACK_CLIENT_SECRET }
          : null,
    },
    schedules: {
      syncFull: need(v.SYNC_FULL_CRON, "SYNC_FULL_CRON"),
      syncPartial: need(v.SYNC_PARTIAL_CRON, "SYNC_PARTIAL_CRON"),
      digest: need(v.DIGEST_CRON, "DIGEST_CRON"),
      reminder: need(v.REMINDER_CRON, "REMINDER_CRON"),
    },
    jobLeaseTtlMs: need(v.JOB_LEASE_TTL_SECONDS, "JOB_LEASE_TTL_SECONDS") * 1000,
    shutdownGraceMs: need(v.SHUTDOWN_GRACE_MS, "SHUTDOWN_GRACE_MS"),
    alerts: { maxIndividual: need(v.ALERTS_MAX_INDIVIDUAL, "ALERTS_MAX_INDIVIDUAL") },
    dmRateLimitPerMinute: need(v.DM_RATE_LIMIT_PER_MINUTE, "DM_RATE_LIMIT_PER_MINUTE"),
    rules: {
      noStatusUpdateDays: need(v.RULE_NO_STATUS_UPDATE_DAYS, "RULE_NO_STATUS_UPDATE_DAYS"),
      noActivityDays: need(v.RULE_NO_ACTIVITY_DAYS, "RULE_NO_ACTIVITY_DAYS"),
      schedule: [
        {
          days: need(v.RULE_SCHEDULE_HIGH_DAYS, "RULE_SCHEDULE_HIGH_DAYS"),
          progress: need(v.RULE_SCHEDULE_HIGH_PROGRESS, "RULE_SCHEDULE_HIGH_PROGRESS"),
          severity: "high",
        },
        {
          days: need(v.RULE_SCHEDULE_MEDIUM_DAYS, "RULE_SCHEDULE_MEDIUM_DAYS"),
          progress: need(v.RULE_SCHEDULE_MEDIUM_PROGRESS, "RULE_SCHEDULE_MEDIUM_PROGRESS"),
          severity: "medium",
        },
        {
          days: need(v.RULE_SCHEDULE_LOW_DAYS, "RULE_SCHEDULE_LOW_DAYS"),
          progress: need(v.RULE_SCHEDULE_LOW_PROGRESS, "RULE_SCHEDULE_LOW_PROGRESS"),
          severity: "low",
        },
      ],
      minTasks: need(v.RULE_MIN_TASKS, "RULE_MIN_TASKS"),
      progressMismatchPoints: need(v.RULE_PROGRESS_MISMATCH_POINTS, "RULE_PROGRESS_MISMATCH_POINTS"),
      requireVertical: need(v.RULES_REQUIRE_VERTICAL, "RULES_REQUIRE_VERTICAL"),
      dataQuality: need(v.RULES_DATA_QUALITY, "RULES_DATA_QUALITY"),
    },
    llm:
      v.LLM_BASE_URL === undefined || v.LLM_MODEL === undefined
        ? null
        : {
            baseUrl: v.LLM_BASE_URL,
            model: v.LLM_MODEL,
            apiKey: v.LLM_API_KEY ?? null,
            timeoutMs: need(v.LLM_TIMEOUT_MS, "LLM_TIMEOUT_MS"),
          },
    secrets,
  };
}

function purpose(mode: ConfigMode): string {
  switch (mode) {
    case "sync":
      return "to read Asana";
    case "slack":
      return "to connect to Slack";
    case "app":
      return "to run the Slack app and its Asana sync";
    case "store":
      return "to open the store";
  }
}

/** A bad secret is never echoed back in full. */
function shown(variable: string, value: string): string {
  return /TOKEN|SECRET|KEY/.test(variable) ? `${value.slice(0, 4)}…` : value;
}

/** Reads `.env` (if present) under process.env: a variable set in the environment wins. */
export function readEnvironment(cwd: string = process.cwd()): Env {
  const file = resolve(cwd, ".env");
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** The credentials that make `npm start` the real app; with none of them set it is the demo. */
export const CREDENTIAL_VARIABLES = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "ASANA_TOKEN"] as const;

export function hasAnyCredentials(env: Env): boolean {
  return CREDENTIAL_VARIABLES.some((variable) => (env[variable]?.trim() ?? "") !== "");
}

export function loadConfig(mode: ConfigMode, env: Env = readEnvironment()): Config {
  return parseConfig(env, mode);
}

/** The AWS SDK reads this switch from the environment itself; Node 20 is supported by design. */
export function quietAwsSdkOnNode20(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}
