import { readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { describe, expect, it } from "vitest";
import { parseConfig, VARIABLES } from "../../app/config.ts";
import { ConfigError } from "../../services/errors.ts";

const slackAndAsana = {
  SLACK_BOT_TOKEN: "xoxb-111-222-abc",
  SLACK_APP_TOKEN: "xapp-1-A1-222-abc",
  PMO_CHANNEL_ID: "C0123456789",
  ASANA_TOKEN: "2/1204/1205:secretvalue",
  ASANA_WORKSPACE_GID: "1201234567890123",
};

function problemsOf(env: Record<string, string>, mode: Parameters<typeof parseConfig>[1]): ConfigError {
  try {
    parseConfig(env, mode);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("gives every default with nothing set, for the store alone", () => {
    const config = parseConfig({}, "store");
    expect(config.store).toMatchObject({
      engine: "embedded",
      tablePrefix: "pmo-bot",
      env: "dev",
      dataDir: ".data",
    });
    expect(config.asana).toMatchObject({
      plan: "paid",
      pmoIdField: "PMO ID",
      verticalField: "Business Vertical",
      writeBack: false,
    });
    expect(config.slack.apiUrl).toBe("https://slack.com/api");
    expect(config.defaultLocale).toBe("es");
    expect(config.schedules).toEqual({
      syncFull: "0 6 * * *",
      syncPartial: "*/30 * * * *",
      digest: "30 8 * * 1-5",
      reminder: "0 9 * * 1",
    });
    expect(config.rules.schedule).toEqual([
      { days: 7, progress: 80, severity: "high" },
      { days: 14, progress: 60, severity: "medium" },
      { days: 30, progress: 40, severity: "low" },
    ]);
    expect(config.rules).toMatchObject({
      noStatusUpdateDays: 7,
      noActivityDays: 7,
      minTasks: 3,
      requireVertical: true,
    });
    expect(config.store.changelogRetentionDays).toBe(365);
  });

  it("reads lists, booleans, numbers and URLs", () => {
    const config = parseConfig(
      {
        ...slackAndAsana,
        PMO_ADMIN_USER_IDS: "U0123, W0456 ,",
        ASANA_TEAM_GIDS: "111,222",
        ASANA_WRITE_BACK: "yes",
        HEALTH_PORT: "9090",
        SLACK_API_URL: "http://127.0.0.1:4020/api/",
        RULES_DATA_QUALITY: "pmo_id,due_date",
      },
      "app",
    );
    expect(config.slack.adminUserIds).toEqual(["U0123", "W0456"]);
    expect(config.asana.teamGids).toEqual(["111", "222"]);
    expect(config.asana.writeBack).toBe(true);
    expect(config.healthPort).toBe(9090);
    expect(config.slack.apiUrl).toBe("http://127.0.0.1:4020/api");
    expect(config.rules.dataQuality).toEqual(["pmo_id", "due_date"]);
    expect(config.secrets).toEqual(
      expect.arrayContaining(["xoxb-111-222-abc", "xapp-1-A1-222-abc", "2/1204/1205:secretvalue"]),
    );
  });

  it("chooses the engine: endpoint, then aws, then embedded", () => {
    expect(
      parseConfig(
        { DYNAMODB_ENDPOINT: "http://127.0.0.1:8000", PMO_STORE: "aws", AWS_REGION: "us-east-1" },
        "store",
      ).store.engine,
    ).toBe("endpoint");
    expect(parseConfig({ PMO_STORE: "aws", AWS_REGION: "us-east-1" }, "store").store.engine).toBe("aws");
    expect(parseConfig({ AWS_REGION: "us-east-1" }, "store").store.engine).toBe("embedded");
  });

  it("names every missing variable the mode needs in ONE error", () => {
    const error = problemsOf({}, "app");
    expect(error.problems.map((p) => p.variable)).toEqual([
      "SLACK_BOT_TOKEN",
      "SLACK_APP_TOKEN",
      "PMO_CHANNEL_ID",
      "ASANA_TOKEN",
      "ASANA_WORKSPACE_GID",
    ]);
    expect(error.message).toContain("PMO Pulse cannot start: 5 configuration problems");
    expect(error.message).toContain(
      "  - SLACK_BOT_TOKEN: missing (needed to run the Slack app and its Asana sync). Example: SLACK_BOT_TOKEN=xoxb-",
    );
    expect(error.code).toBe("config_invalid");
  });

  it("requires only what the mode uses", () => {
    expect(problemsOf({}, "sync").problems.map((p) => p.variable)).toEqual([
      "ASANA_TOKEN",
      "ASANA_WORKSPACE_GID",
    ]);
    expect(problemsOf({}, "slack").problems.map((p) => p.variable)).toEqual([
      "SLACK_BOT_TOKEN",
      "SLACK_APP_TOKEN",
      "PMO_CHANNEL_ID",
    ]);
  });

  it.each([
    ["SLACK_BOT_TOKEN", "xoxp-user-token", 'must be a bot token (xoxb-…); got "xoxp…"'],
    ["ASANA_PLAN", "gold", 'must be paid or free; got "gold"'],
    ["HEALTH_PORT", "80a", 'must be a whole number; got "80a"'],
    ["HEALTH_PORT", "70000", 'must be at most 65535; got "70000"'],
    ["ASANA_WRITE_BACK", "maybe", 'must be true or false; got "maybe"'],
    ["ASANA_BASE_URL", "ftp://asana", 'must be an http(s) URL; got "ftp://asana"'],
    ["PMO_TIMEZONE", "Mars/Olympus", 'must be an IANA time zone; got "Mars/Olympus"'],
    ["SYNC_FULL_CRON", "every day", 'must be a cron expression with 5 or 6 fields; got "every day"'],
    ["PMO_ADMIN_USER_IDS", "U1,bob", "must be Slack user IDs (U…)"],
    ["DEFAULT_LOCALE", "fr", 'must be es or en; got "fr"'],
    ["TABLE_PREFIX", "pmo bot", "may hold only letters"],
    ["RULES_DATA_QUALITY", "pmo_id,color", "may list only pmo_id, responsable, vertical, due_date"],
    ["ASANA_TEAM_GIDS", "12,abc", "must be an Asana gid (digits only)"],
  ])("explains a bad %s (%s) with an example of a good value", (variable, value, expected) => {
    const error = problemsOf({ ...slackAndAsana, [variable]: value }, "app");
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem?.variable).toBe(variable);
    expect(problem?.problem).toContain(expected);
    expect(error.message).toContain(
      `Example: ${variable}=${VARIABLES[variable as keyof typeof VARIABLES].example}`,
    );
  });

  it("never echoes a bad token in full", () => {
    const error = problemsOf({ ...slackAndAsana, SLACK_APP_TOKEN: "xoxb-this-is-secret" }, "app");
    expect(error.message).not.toContain("this-is-secret");
  });

  it("reports combinations that cannot work", () => {
    const error = problemsOf({ PMO_STORE: "aws", ASANA_TEAM_GIDS: "1", ASANA_PORTFOLIO_GID: "2" }, "store");
    expect(error.problems.map((p) => p.variable)).toEqual(["AWS_REGION", "ASANA_PORTFOLIO_GID"]);
  });

  it("collects problems of different kinds together", () => {
    const error = problemsOf({ ASANA_PLAN: "gold", LOG_LEVEL: "loud" }, "sync");
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      "ASANA_PLAN",
      "ASANA_TOKEN",
      "ASANA_WORKSPACE_GID",
      "LOG_LEVEL",
    ]);
    expect(error.message.split("\n")).toHaveLength(5);
  });
});

describe("channels", () => {
  it("sends findings alerts to PMO_CHANNEL_ID unless PMO_FINDINGS_CHANNEL_ID is set", () => {
    expect(parseConfig(slackAndAsana, "app").slack).toMatchObject({
      channelId: "C0123456789",
      findingsChannelId: "C0123456789",
    });
    expect(
      parseConfig({ ...slackAndAsana, PMO_FINDINGS_CHANNEL_ID: "C0FINDINGS1" }, "app").slack,
    ).toMatchObject({ channelId: "C0123456789", findingsChannelId: "C0FINDINGS1" });
    expect(parseConfig({}, "store").slack.findingsChannelId).toBeNull();
  });

  it("refuses a findings channel that is not a channel ID", () => {
    const error = problemsOf({ ...slackAndAsana, PMO_FINDINGS_CHANNEL_ID: "#pmo-findings" }, "app");
    expect(error.problems.map((p) => p.variable)).toEqual(["PMO_FINDINGS_CHANNEL_ID"]);
  });
});

describe("where tokens are sent", () => {
  it("accepts https anywhere and plain http only on a loopback host", () => {
    for (const [slack, asana] of [
      ["https://slack-gov.com/api", "https://app.asana.com/api/1.0"],
      ["http://127.0.0.1:4020/api", "http://127.3.2.1:4010/api/1.0"],
      ["http://localhost:4020/api", "http://[::1]:4010/api/1.0"],
    ]) {
      const config = parseConfig({ ...slackAndAsana, SLACK_API_URL: slack, ASANA_BASE_URL: asana }, "app");
      expect(config.slack.apiUrl).toBe(slack);
      expect(config.asana.baseUrl).toBe(asana);
    }
  });

  it("refuses plain http to any other host, naming the variable", () => {
    for (const host of ["slack.example.com", "10.0.0.5", "127.0.0.1.evil.com", "128.0.0.1", "[::2]"]) {
      const error = problemsOf(
        { ...slackAndAsana, SLACK_API_URL: `http://${host}/api`, ASANA_BASE_URL: `http://${host}/api/1.0` },
        "app",
      );
      expect(error.problems.map((p) => p.variable)).toEqual(["SLACK_API_URL", "ASANA_BASE_URL"]);
      expect(error.problems[0]?.problem).toContain("must be an https URL");
    }
  });
});

describe("time limits", () => {
  it("has defaults and reads SLACK_, ASANA_, DYNAMODB_TIMEOUT_MS, DYNAMODB_MAX_ATTEMPTS, SHUTDOWN_GRACE_MS", () => {
    const defaults = parseConfig({}, "store");
    expect(defaults.slack.timeoutMs).toBe(10_000);
    expect(defaults.asana.timeoutMs).toBe(30_000);
    expect(defaults.store).toMatchObject({ timeoutMs: 10_000, maxAttempts: 3 });
    expect(defaults.shutdownGraceMs).toBe(25_000);
    const set = parseConfig(
      {
        SLACK_TIMEOUT_MS: "1500",
        ASANA_TIMEOUT_MS: "2500",
        DYNAMODB_TIMEOUT_MS: "700",
        DYNAMODB_MAX_ATTEMPTS: "1",
        SHUTDOWN_GRACE_MS: "5000",
      },
      "store",
    );
    expect([set.slack.timeoutMs, set.asana.timeoutMs, set.store.timeoutMs, set.store.maxAttempts]).toEqual([
      1500, 2500, 700, 1,
    ]);
    expect(set.shutdownGraceMs).toBe(5000);
    expect(problemsOf({ DYNAMODB_TIMEOUT_MS: "0" }, "store").problems[0]?.variable).toBe(
      "DYNAMODB_TIMEOUT_MS",
    );
  });
});

describe("the language model", () => {
  const llm = { LLM_BASE_URL: "https://api.openai.com/v1/", LLM_MODEL: "gpt-4.1-mini" };

  it("is off unless LLM_BASE_URL and LLM_MODEL are both set", () => {
    expect(parseConfig({}, "store").llm).toBeNull();
    expect(parseConfig({ LLM_API_KEY: "sk-unused-key" }, "store").llm).toBeNull();
    expect(parseConfig(llm, "store").llm).toEqual({
      baseUrl: "https://api.openai.com/v1",
      model: "gpt-4.1-mini",
      apiKey: null,
      timeoutMs: 8000,
    });
    expect(
      parseConfig({ ...llm, LLM_API_KEY: "sk-live-123456", LLM_TIMEOUT_MS: "3000" }, "store").llm,
    ).toMatchObject({ apiKey: "sk-live-123456", timeoutMs: 3000 });
  });

  it("names the half that is missing when only one of the two is set", () => {
    expect(problemsOf({ LLM_BASE_URL: llm.LLM_BASE_URL }, "store").problems.map((p) => p.variable)).toEqual([
      "LLM_MODEL",
    ]);
    expect(problemsOf({ LLM_MODEL: "llama3.1" }, "store").problems.map((p) => p.variable)).toEqual([
      "LLM_BASE_URL",
    ]);
  });

  it("sends the DMs over https, plain http only to this machine (vLLM, Ollama)", () => {
    expect(parseConfig({ ...llm, LLM_BASE_URL: "http://127.0.0.1:11434/v1" }, "store").llm?.baseUrl).toBe(
      "http://127.0.0.1:11434/v1",
    );
    const error = problemsOf({ ...llm, LLM_BASE_URL: "http://llm.example.com/v1" }, "store");
    expect(error.problems.map((p) => p.variable)).toEqual(["LLM_BASE_URL"]);
    expect(error.problems[0]?.problem).toContain("must be an https URL");
  });

  it("keeps the key a secret: listed for the logger, never echoed in full", () => {
    expect(parseConfig({ ...llm, LLM_API_KEY: "sk-live-abcdef" }, "store").secrets).toContain(
      "sk-live-abcdef",
    );
    const error = problemsOf({ ...llm, LLM_API_KEY: "sk-live-abcdef", LLM_TIMEOUT_MS: "5" }, "store");
    expect(error.problems.map((p) => p.variable)).toEqual(["LLM_TIMEOUT_MS"]);
    expect(error.message).not.toContain("sk-live-abcdef");
  });
});

describe(".env.example", () => {
  it("documents every variable with its default", () => {
    const documented = parseDotenv(readFileSync(".env.example"));
    for (const [name, spec] of Object.entries(VARIABLES)) {
      expect(documented, name).toHaveProperty(name);
      expect(documented[name], name).toBe("default" in spec ? spec.default : "");
    }
    expect(Object.keys(documented).sort()).toEqual(Object.keys(VARIABLES).sort());
  });
});
