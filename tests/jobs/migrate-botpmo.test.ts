import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, NumberValue, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import {
  cursorName,
  exitCodeOf,
  type MigrateBotpmoDeps,
  type MigrationSummary,
  migrateBotpmo,
} from "../../jobs/migrate-botpmo.ts";
import { type BotpmoSource, botpmoTableName } from "../../services/migration/botpmo.ts";
import { documentClient, type Store } from "../../services/store/client.ts";
import { createRepositories, type Repositories } from "../../services/store/repositories.ts";
import { keys, TABLE_SPECS } from "../../services/store/tables.ts";
import {
  ANA_UPDATE_TEXT,
  createBotpmoTables,
  fillBotpmoTables,
  GOOD_UPDATES,
  GOOD_USERS,
  ODD,
  UPDATES,
  USERS,
} from "../fixtures/botpmo-tables.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

const silent = createLogger({ logLevel: "silent", secrets: [] });
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

type World = {
  store: Store;
  repos: Repositories;
  source: BotpmoSource;
  run: (options?: { dryRun?: boolean; repos?: Repositories }) => Promise<MigrationSummary>;
};

async function world(options: { fill?: boolean } = {}): Promise<World> {
  const { store, repos } = await memoryStore();
  stores.push(store);
  const source = { prefix: `pmo-bot-${randomUUID().slice(0, 8)}`, env: "prod" };
  await createBotpmoTables(store.client, source);
  if (options.fill !== false) await fillBotpmoTables(store.doc, source);
  const deps = (using: Repositories): MigrateBotpmoDeps => ({
    client: store.client,
    repos: using,
    targetTables: store.tables,
    clock: () => new Date(),
    logger: silent,
    owner: "test:migrate",
  });
  return {
    store,
    repos,
    source,
    run: (runOptions = {}) =>
      migrateBotpmo(deps(runOptions.repos ?? repos), {
        source,
        dryRun: runOptions.dryRun ?? false,
        pageSize: 2,
      }),
  };
}

/** Every item of every PMO Pulse table, raw. */
async function everything(store: Store): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (const spec of TABLE_SPECS) {
    const out = await store.doc.send(new ScanCommand({ TableName: store.tables[spec.name] }));
    all.push(...(out.Items ?? []).map((item) => ({ table: spec.name, ...item })));
  }
  return all;
}

async function raw(store: Store, table: "users" | "updates", key: Record<string, string>) {
  const out = await store.doc.send(new GetCommand({ TableName: store.tables[table], Key: key }));
  return out.Item;
}

const reasonsOf = (bad: readonly { reason: string }[]) => {
  const counts: Record<string, number> = {};
  for (const { reason } of bad) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
};

describe("migrateBotpmo", () => {
  it("carries profiles and updates over and accounts for every item read", async () => {
    const w = await world();
    const summary = await w.run();

    expect(summary).toMatchObject({ status: "completed", unaccounted: 0, resumed: false });
    expect(summary.users).toEqual({
      read: GOOD_USERS + USERS.bad.length,
      written: GOOD_USERS,
      merged: 0,
      alreadyPresent: 0,
      skipped: reasonsOf(USERS.bad),
    });
    expect(summary.updates).toEqual({
      read: GOOD_UPDATES + UPDATES.bad.length,
      written: GOOD_UPDATES,
      merged: 0,
      alreadyPresent: 0,
      skipped: reasonsOf(UPDATES.bad),
    });
    expect(summary.projects).toEqual({ read: 3, unusable: 1 });
    expect(exitCodeOf(summary)).toBe(0);
    // Every skip named by its key and reason.
    expect(summary.skips.map((s) => `${s.table} ${s.key} ${s.reason}`).sort()).toEqual(
      [
        "users USER#U0BAD0001 malformed",
        "users CONFIG#global invalid_key",
        "updates PROJECT#1201 / UPDATE#2026-02-05T10:00:00.000Z malformed",
        "updates PROJECT#1201 / UPDATE#2026-02-06T10:00:00.000Z no_slack_user",
        "updates PROJECT#1201 / UPDATE#ayer no_timestamp",
        "updates PROJECT#1400 / UPDATE#2026-02-07T10:00:00.000Z too_large",
      ].sort(),
    );

    expect(await w.repos.users.get("U0ANA0001")).toMatchObject({
      email: "u0ana0001@example.com",
      name: "Ana Pérez",
      asanaUserGid: "9001",
    });
    expect((await w.repos.users.findByAsanaUserGid("9001")).map((p) => p.slackUserId)).toEqual(["U0ANA0001"]);
    const [latest] = await w.repos.updates.listForProject("1201", 1);
    expect(latest).toMatchObject({
      slackUserId: "U0ANA0001",
      submittedAt: "2026-02-02T15:04:05.123Z",
      text: ANA_UPDATE_TEXT,
      parsed: { health: "at_risk", blockers: ["El proveedor no entrega credenciales"] },
    });
    expect((await w.repos.updates.listByAuthor("U0LUIS001", 10)).length).toBe(3);
    const big = UPDATES.good.at(-1);
    const [fits] = await w.repos.updates.listForProject("1400", 1);
    expect(fits?.text).toBe(big?.advances);

    // What had no home is on the written items, odd types exactly as they were.
    const oddUser = await raw(w.store, "users", keys.user("U0ODD0001"));
    expect(oddUser?.legacy).toMatchObject({
      timezone: "America/Bogota",
      onboarded: true,
      ...ODD,
      counter: expect.anything(),
    });
    const counter = (oddUser?.legacy as { counter?: unknown } | undefined)?.counter;
    expect(counter instanceof NumberValue ? counter.toString() : counter).toBe(
      "123456789012345678901234567890",
    );
    const oddUpdate = await raw(
      w.store,
      "updates",
      keys.update("1300", "2026-02-03T10:00:00.000Z", "U0LUIS001"),
    );
    expect(oddUpdate?.legacy).toMatchObject({
      projectName: "Proyecto 1300",
      tags: ODD.tags,
      avatar: ODD.avatar,
    });
    const unread = await raw(
      w.store,
      "updates",
      keys.update("1201", "2026-01-19T15:00:00.000Z", "U0ANA0001"),
    );
    expect(unread?.legacy).toEqual({ projectName: "Proyecto 1201", status: "verde" });
    expect(await w.repos.meta.cursors.get(cursorName(w.source))).toBeNull();
  });

  it("a second run writes nothing new", async () => {
    const w = await world();
    await w.run();
    const before = await everything(w.store);
    const again = await w.run();
    expect(again).toMatchObject({ status: "completed", unaccounted: 0 });
    expect(again.users).toMatchObject({ written: 0, merged: 0, alreadyPresent: GOOD_USERS });
    expect(again.updates).toMatchObject({ written: 0, alreadyPresent: GOOD_UPDATES });
    expect(again.skips).toHaveLength(USERS.bad.length + UPDATES.bad.length);
    const after = await everything(w.store);
    const userData = (items: Record<string, unknown>[]) => items.filter((i) => i.table !== "meta");
    expect(userData(after)).toEqual(userData(before));
  });

  it("--dry-run writes nothing, not even its cursor or lease, and counts what a run would write", async () => {
    const w = await world();
    const before = await everything(w.store);
    const dry = await w.run({ dryRun: true });
    expect(dry).toMatchObject({ status: "completed", dryRun: true, unaccounted: 0 });
    expect(await everything(w.store)).toEqual(before);
    const real = await w.run();
    expect(real.users).toEqual(dry.users);
    expect(real.updates).toEqual(dry.updates);
  });

  it("an interrupted run resumes where it stopped: nothing lost, nothing doubled", async () => {
    const w = await world();
    // The 4th status update written fails as a dropped connection would, after DynamoDB's retries.
    const failing = new DynamoDBClient({
      endpoint: w.store.endpoint ?? "",
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    let updatePuts = 0;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        const input: unknown = args.input;
        const table =
          typeof input === "object" && input !== null && "TableName" in input ? input.TableName : null;
        if (
          context.commandName === "PutItemCommand" &&
          table === w.store.tables.updates &&
          ++updatePuts === 4
        )
          throw Object.assign(new Error("socket hang up (injected)"), { name: "TimeoutError" });
        return next(args);
      },
      { step: "initialize", name: "injectFailure" },
    );
    const flaky = createRepositories(
      { doc: documentClient(failing), tables: w.store.tables },
      { changelogRetentionDays: 365, findingsRetentionDays: 365 },
    );

    const first = await w.run({ repos: flaky });
    failing.destroy();
    expect(first.status).toBe("interrupted");
    expect(first.unaccounted).toBe(1);
    expect(exitCodeOf(first)).toBe(1);
    expect(await w.repos.meta.cursors.get(cursorName(w.source))).not.toBeNull();

    const second = await w.run();
    expect(second).toMatchObject({ status: "completed", resumed: true, unaccounted: 0 });
    // Users were done before the failure: not read again.
    expect(second.users).toMatchObject({ read: GOOD_USERS + USERS.bad.length, written: GOOD_USERS });
    expect(second.updates.read).toBe(GOOD_UPDATES + UPDATES.bad.length);
    // The interrupted page is read again: what it had written counts as already there.
    expect(second.updates.written + second.updates.alreadyPresent).toBe(GOOD_UPDATES);
    expect(second.updates.alreadyPresent).toBe(1);
    expect(second.skips).toHaveLength(USERS.bad.length + UPDATES.bad.length);
    const stored = await w.store.doc.send(new ScanCommand({ TableName: w.store.tables.updates }));
    expect(stored.Items).toHaveLength(GOOD_UPDATES);
    expect(await w.repos.meta.cursors.get(cursorName(w.source))).toBeNull();
  });

  it("keeps a profile PMO Pulse made, attaches BOTPMO's attributes once, and they outlive a refresh", async () => {
    const w = await world();
    const refreshedAt = "2026-03-01T10:00:00.000Z";
    const fresh = {
      slackUserId: "U0ANA0001",
      email: "ana@slack.example.com",
      name: "Ana P. (Slack)",
      asanaUserGid: "9001",
      locale: "es" as const,
      refreshedAt,
    };
    await w.repos.users.upsert(fresh);
    const summary = await w.run();
    expect(summary.users).toMatchObject({ written: GOOD_USERS - 1, merged: 1 });
    expect(await w.repos.users.get("U0ANA0001")).toMatchObject(fresh);
    expect((await raw(w.store, "users", keys.user("U0ANA0001")))?.legacy).toMatchObject({
      timezone: "America/Bogota",
    });

    await w.repos.users.upsert({ ...fresh, asanaUserGid: null, refreshedAt: "2026-03-02T10:00:00.000Z" });
    const item = await raw(w.store, "users", keys.user("U0ANA0001"));
    expect(item?.legacy).toMatchObject({ timezone: "America/Bogota" });
    expect(item).not.toHaveProperty("asanaUserGid");
    expect((await w.run()).users).toMatchObject({ written: 0, merged: 0, alreadyPresent: GOOD_USERS });
  });

  it("reports an update whose key holds a different one, and writes nothing over it", async () => {
    const w = await world();
    const other = {
      projectGid: "1201",
      slackUserId: "U0ANA0001",
      submittedAt: "2026-01-26T15:00:00.000Z",
      text: "escrito en PMO Pulse",
      parsed: {},
      asanaStatusUpdateGid: null,
      slackEventId: null,
    };
    await w.repos.updates.add(other);
    const summary = await w.run();
    expect(summary.updates.skipped.conflicts_with_existing).toBe(1);
    expect(summary.unaccounted).toBe(0);
    expect((await w.repos.updates.get(other))?.text).toBe("escrito en PMO Pulse");
  });

  it("brings the latest update's date onto synced projects, once, with a changelog entry", async () => {
    const w = await world();
    expect((await w.run()).projectDates).toEqual({ checked: 0, updated: 0, withoutSync: true });
    await w.repos.projects.upsert(
      { gid: "1201", name: "Migración Banco", lastStatusUpdateAt: "2026-01-01T00:00:00.000Z" },
      0,
    );
    await w.repos.projects.upsert(
      { gid: "1300", name: "Portal", lastStatusUpdateAt: "2026-03-01T00:00:00.000Z" },
      0,
    );
    await w.repos.projects.upsert({ gid: "1500", name: "Sin updates" }, 0);

    const dry = await w.run({ dryRun: true });
    expect(dry.projectDates).toEqual({ checked: 2, updated: 1, withoutSync: false });
    expect((await w.repos.projects.get("1201"))?.lastStatusUpdateAt).toBe("2026-01-01T00:00:00.000Z");

    const summary = await w.run();
    expect(summary.projectDates).toEqual({ checked: 2, updated: 1, withoutSync: false });
    expect((await w.repos.projects.get("1201"))?.lastStatusUpdateAt).toBe("2026-02-02T15:04:05.123Z");
    expect((await w.repos.projects.get("1300"))?.lastStatusUpdateAt).toBe("2026-03-01T00:00:00.000Z");
    const [entry] = await w.repos.changelog.listForProject("1201", 5);
    expect(entry).toMatchObject({
      fieldName: "lastStatusUpdateAt",
      newValue: "2026-02-02T15:04:05.123Z",
      source: "slack",
      actor: "U0ANA0001",
    });
    expect((await w.run()).projectDates).toMatchObject({ updated: 0 });
  });

  it("refuses BOTPMO tables that are PMO Pulse's own, and missing ones, touching nothing", async () => {
    const w = await world();
    const before = await everything(w.store);
    const own = await migrateBotpmo(
      {
        client: w.store.client,
        repos: w.repos,
        targetTables: { ...w.store.tables, users: botpmoTableName("users", w.source) },
        clock: () => new Date(),
        logger: silent,
        owner: "test",
      },
      { source: w.source, dryRun: false },
    );
    expect(own).toMatchObject({
      status: "refused",
      reason: expect.stringContaining("PMO Pulse's own table"),
    });
    expect(exitCodeOf(own)).toBe(2);

    const missing = await migrateBotpmo(
      {
        client: w.store.client,
        repos: w.repos,
        targetTables: w.store.tables,
        clock: () => new Date(),
        logger: silent,
        owner: "test",
      },
      { source: { prefix: "nadie", env: "prod" }, dryRun: false },
    );
    expect(missing).toMatchObject({
      status: "refused",
      reason: "BOTPMO table not found: nadie-users-prod, nadie-updates-prod",
    });
    expect(await everything(w.store)).toEqual(before);
  });
});
