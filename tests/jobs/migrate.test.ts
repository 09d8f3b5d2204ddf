import { randomUUID } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import {
  createBotpmoTables,
  fillBotpmoTables,
  GOOD_UPDATES,
  GOOD_USERS,
  UPDATES,
  USERS,
} from "../fixtures/botpmo-tables.ts";
import { endpointStore } from "../fixtures/endpoint-store.ts";
import { runScript } from "../fixtures/node-script.ts";

/** `npm run migrate -- botpmo …` as a person runs it: its own process, its output and exit code. */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.map((c) => c()));
});

async function setup() {
  // PMO Pulse's tables are left for the migration to create.
  const target = await endpointStore({ env: "prod", tables: false });
  cleanups.push(target.close);
  const { engine } = target;
  const source = { prefix: `pmo-bot-${randomUUID().slice(0, 8)}`, env: "prod" };
  await createBotpmoTables(engine.client, source);
  await fillBotpmoTables(engine.doc, source);
  const env = { ...process.env, ...target.env, LOG_LEVEL: "warn" };
  return { source, env, engine };
}

/** Each test starts Node processes (tsx compiles on start): seconds each on a busy machine. */
const CHILD_TIMEOUT_MS = 90_000;

const migrate = (args: string[], env: NodeJS.ProcessEnv) => runScript("jobs/migrate.ts", args, env).done;

describe("npm run migrate -- botpmo", () => {
  it(
    "--dry-run --json: the counts a run would reach, and not one profile or update written",
    async () => {
      const { source, env, engine } = await setup();
      const dry = await migrate(
        ["botpmo", "--prefix", source.prefix, "--env", "prod", "--json", "--dry-run"],
        env,
      );
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout)).toMatchObject({
        dryRun: true,
        users: { written: GOOD_USERS },
        updates: { written: GOOD_UPDATES },
      });
      for (const table of ["users", "updates"])
        expect(
          (await engine.doc.send(new ScanCommand({ TableName: `${env.TABLE_PREFIX}-${table}-prod` }))).Items,
        ).toEqual([]);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "--json: one JSON object on stdout with the counts; a rerun writes nothing new",
    async () => {
      const { source, env } = await setup();
      const args = ["botpmo", "--prefix", source.prefix, "--env", source.env, "--json"];

      const first = await migrate(args, env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout.trim().split("\n")).toHaveLength(1);
      const summary: unknown = JSON.parse(first.stdout);
      expect(summary).toMatchObject({
        status: "completed",
        dryRun: false,
        resumed: false,
        unaccounted: 0,
        source: { prefix: source.prefix, env: "prod", tables: { users: `${source.prefix}-users-prod` } },
        users: { read: GOOD_USERS + USERS.bad.length, written: GOOD_USERS, merged: 0, alreadyPresent: 0 },
        updates: { read: GOOD_UPDATES + UPDATES.bad.length, written: GOOD_UPDATES, alreadyPresent: 0 },
        projects: { read: 3, unusable: 1 },
        skips: expect.arrayContaining([
          { table: "users", key: "CONFIG#global", reason: "invalid_key", detail: expect.any(String) },
        ]),
      });
      // The human summary goes to stderr, and no PM's text is in either stream.
      expect(first.stderr).toContain("verification: every item read is written, merged, present or skipped");
      expect(`${first.stdout}${first.stderr}`).not.toContain("Migramos 3 de 5");

      const again = await migrate(args, env);
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({
        users: { written: 0, alreadyPresent: GOOD_USERS },
        updates: { written: 0, alreadyPresent: GOOD_UPDATES },
        unaccounted: 0,
      });
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "prints the verification and every skipped item with its key and reason",
    async () => {
      const { source, env } = await setup();
      const result = await migrate(["botpmo", "--prefix", source.prefix, "--env", "prod"], env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^BOTPMO migration completed in /);
      expect(result.stdout).toMatch(/ {2}users\s+6\s+4\s+0\s+0\s+2\n/);
      expect(result.stdout).toContain("updates  PROJECT#1201 / UPDATE#ayer  no_timestamp:");
      expect(result.stdout).toContain("users    CONFIG#global  invalid_key:");
      expect(result.stdout).toContain(
        "project dates: no project synced yet; run the migration again after the first full sync",
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "exit code 2 and the usage for a usage error",
    async () => {
      const { env } = await setup();
      const cases = [
        [],
        ["controltower", "--env", "prod"],
        ["botpmo"],
        ["botpmo", "--env", "prod", "--sideways"],
      ];
      const results = await Promise.all(cases.map((args) => migrate(args, env)));
      for (const [i, result] of results.entries()) {
        expect(result.code, cases[i]?.join(" ")).toBe(2);
        expect(result.stderr).toContain("usage: npm run migrate -- botpmo");
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "exit code 2 for missing BOTPMO tables, and for BOTPMO's tables named as PMO Pulse's",
    async () => {
      const { source, env } = await setup();
      const missing = await migrate(["botpmo", "--prefix", "nadie", "--env", "prod", "--json"], env);
      expect(missing.code).toBe(2);
      expect(JSON.parse(missing.stdout)).toMatchObject({
        status: "refused",
        reason: expect.stringContaining("nadie-users-prod"),
      });

      const same = await migrate(["botpmo", "--prefix", source.prefix, "--env", "prod"], {
        ...env,
        TABLE_PREFIX: source.prefix,
      });
      expect(same.code).toBe(2);
      expect(same.stdout).toContain("deploy PMO Pulse with another TABLE_PREFIX or PMO_ENV than BOTPMO's");
    },
    CHILD_TIMEOUT_MS,
  );
});
