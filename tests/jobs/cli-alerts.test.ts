import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { endpointStore } from "../fixtures/endpoint-store.ts";
import { runScript } from "../fixtures/node-script.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

async function storeWithFindings() {
  const { repos, env: storeEnv, close } = await endpointStore();
  cleanups.push(close);
  await repos.projects.upsert({ gid: "77", name: "Portal <!here>", pmoId: "PMO-77" }, 0);
  await repos.findings.open({
    projectGid: "77",
    ruleId: "schedule_risk",
    severity: "high",
    details: { daysToDue: 3, progress: 20 },
  });
  await repos.findings.open({
    projectGid: "77",
    ruleId: "no_activity",
    severity: "medium",
    details: { daysSinceActivity: 9 },
  });
  const env = {
    ...process.env,
    SLACK_BOT_TOKEN: "",
    PMO_CHANNEL_ID: "",
    ASANA_TOKEN: "",
    ...storeEnv,
    LOG_LEVEL: "warn",
  };
  return { env };
}

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runScript("jobs/cli.ts", args, env).done;

const countsSchema = z.object({
  job: z.literal("alerts"),
  channel: z.string(),
  status: z.string(),
  counts: z.object({
    posted: z.number(),
    digests: z.number(),
    updated: z.number(),
    reconciled: z.number(),
    skipped: z.number(),
  }),
});

describe("npm run job -- alerts", () => {
  it("without Slack credentials renders to stdout, prints counts, and a second run posts nothing", async () => {
    const { env } = await storeWithFindings();
    const first = await runCli(["alerts", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("🔴 *Alta* · Portal <!here>");
    expect(first.stdout).toContain("[Reconocer] [Resolver] [Posponer]");
    expect(first.stdout).toContain("Alerts completed to stdout (no SLACK_BOT_TOKEN)");
    const json = countsSchema.parse(JSON.parse(first.stdout.trim().split("\n").at(-1) ?? ""));
    expect(json).toMatchObject({ channel: "text", status: "completed", counts: { posted: 1, digests: 1 } });

    const second = await runCli(["alerts", "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(
      countsSchema.parse(JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "")).counts,
    ).toMatchObject({
      posted: 0,
      digests: 0,
      skipped: 2,
    });
  });

  it("asks for PMO_CHANNEL_ID when a bot token is set without it", async () => {
    const { env } = await storeWithFindings();
    const result = await runCli(["alerts"], { ...env, SLACK_BOT_TOKEN: "xoxb-1-2-abc" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("PMO_CHANNEL_ID");
    expect(result.stderr).not.toContain("xoxb-1-2-abc");
  });
});
