import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ParsedUpdate } from "../../services/model.ts";
import { endpointStore } from "../fixtures/endpoint-store.ts";
import { runScript } from "../fixtures/node-script.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

const parsed = (overrides: Partial<ParsedUpdate> = {}): ParsedUpdate => ({
  progress: 70,
  health: "at_risk",
  risks: ["el proveedor"],
  blockers: [],
  nextSteps: [],
  eta: null,
  ...overrides,
});

/** dynalite behind an endpoint, with three stored updates: two carry a reading, one PM corrected. */
async function storeWithUpdates() {
  const { repos, env, close } = await endpointStore();
  cleanups.push(close);
  const base = { projectGid: "101", slackUserId: "U1", text: "PMO-101 avance 70%", slackEventId: null };
  await repos.updates.add({
    ...base,
    submittedAt: "2026-06-20T10:00:00.000Z",
    parsed: parsed(),
    interpreted: { ...parsed(), projectGid: "101" },
  });
  await repos.updates.add({
    ...base,
    submittedAt: "2026-07-02T10:00:00.000Z",
    parsed: parsed({ progress: 75, risks: [] }),
    interpreted: { ...parsed(), projectGid: "101" },
  });
  await repos.updates.add({ ...base, submittedAt: "2026-07-03T10:00:00.000Z", parsed: parsed() });
  return {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: "",
      PMO_CHANNEL_ID: "",
      ASANA_TOKEN: "",
      LOG_LEVEL: "warn",
      ...env,
    },
  };
}

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runScript("jobs/cli.ts", args, env).done;

const fieldSchema = z.object({
  kept: z.number(),
  added: z.number(),
  removed: z.number(),
  corrected: z.number(),
  percentKept: z.number().nullable(),
});
const reportSchema = z.strictObject({
  job: z.literal("interpreter-report"),
  since: z.string().nullable(),
  stored: z.number(),
  considered: z.number(),
  fields: z.strictObject({
    project: fieldSchema,
    progress: fieldSchema,
    health: fieldSchema,
    risks: fieldSchema,
    blockers: fieldSchema,
    nextSteps: fieldSchema,
    eta: fieldSchema,
  }),
  allFields: z.object({ kept: z.number(), percentKept: z.number().nullable() }),
});

describe("npm run job -- interpreter-report", () => {
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ({ env } = await storeWithUpdates());
  });

  it("prints per field how often the reading was kept unchanged, over the updates carrying one", async () => {
    const text = await runCli(["interpreter-report"], env);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toBe("Interpreter report: 2 of 3 stored updates carry the interpreter's reading");
    expect(lines).toContain("  progress    1 (50.0 %)          0      0        1");
    expect(lines).toContain("  risks       1 (50.0 %)          0      1        0");
    expect(lines).toContain("  project     2 (100.0 %)         0      0        0");
  });

  it("with --json prints one JSON object and nothing else", async () => {
    const json = await runCli(["interpreter-report", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    const report = reportSchema.parse(JSON.parse(json.stdout));
    expect(report).toMatchObject({
      since: null,
      stored: 3,
      considered: 2,
      allFields: { kept: 1, percentKept: 50 },
    });
    expect(report.fields.risks).toEqual({ kept: 1, added: 0, removed: 1, corrected: 0, percentKept: 50 });
  });

  it("with --since counts only the updates from that day on", async () => {
    const since = await runCli(["interpreter-report", "--since", "2026-07-01", "--json"], env);
    expect(since.code, since.stderr).toBe(0);
    expect(reportSchema.parse(JSON.parse(since.stdout))).toMatchObject({
      since: "2026-07-01",
      stored: 2,
      considered: 1,
      fields: { progress: { kept: 0, corrected: 1 } },
    });
  });

  it("refuses an option it does not know, or a date that is not one, with exit code 2", async () => {
    const unknown = await runCli(["interpreter-report", "--verbose"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain("usage: npm run job");
    const badDate = await runCli(["interpreter-report", "--since", "julio", "--json"], env);
    expect(badDate.code).toBe(2);
    expect(JSON.parse(badDate.stdout)).toEqual({ error: "usage" });
  });
});
