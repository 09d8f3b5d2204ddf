import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StoreError, VersionConflictError } from "../../services/errors.ts";
import type { ProjectInput } from "../../services/model.ts";
import { documentClient, openStore, type Store } from "../../services/store/client.ts";
import { createTableInput, ensureTables } from "../../services/store/ensure-tables.ts";
import {
  PENDING_QUEUE_ATTRIBUTE,
  PENDING_QUEUES,
  PendingQueue,
} from "../../services/store/meta/pending-queue.ts";
import {
  dropProjectState,
  emptySyncState,
  SYNC_STATE_SHARDS,
  setProjectState,
  shardOf,
} from "../../services/store/meta/sync-state.ts";
import { createRepositories, type Repositories } from "../../services/store/repositories.ts";
import { createTable, dropTable } from "../../services/store/table-upgrade.ts";
import { keys, TABLES, tableNames } from "../../services/store/tables.ts";

/**
 * The repository contract: every repository, run unchanged against each real engine
 * (dynalite in `npm test`, DynamoDB Local in `npm run test:ddb-local`).
 */
export type EngineUnderTest = { name: string; endpoint: () => string | null };

const START = new Date("2026-03-02T12:00:00.000Z");

export function project(gid: string, overrides: Partial<ProjectInput> = {}): ProjectInput {
  return {
    gid,
    name: `Proyecto ${gid}`,
    pmoId: `PMO-${gid}`,
    responsable: "Ana Pérez",
    responsableKey: "u-ana",
    ownerEmail: "ana@example.com",
    dueOn: "2026-04-30",
    status: "on_track",
    businessVertical: "Banca",
    raw: { gid, name: `Proyecto ${gid}`, custom_fields: [] },
    lastSyncedAt: START.toISOString(),
    syncId: "sync-1",
    ...overrides,
  };
}

export function describeStoreContract(engine: EngineUnderTest): void {
  describe(`store contract on ${engine.name}`, () => {
    let store: Store;
    let repos: Repositories;
    let now: Date;
    const advance = (ms: number) => {
      now = new Date(now.getTime() + ms);
    };

    beforeAll(async () => {
      const endpoint = engine.endpoint();
      store = await openStore(
        {
          engine: endpoint === null ? "embedded" : "endpoint",
          endpoint,
          region: null,
          tablePrefix: `t-${randomUUID().slice(0, 8)}`,
          env: "test",
          dataDir: ".data/unused",
        },
        { inMemory: true },
      );
      await ensureTables(store);
      repos = createRepositories(store, {
        changelogRetentionDays: 365,
        findingsRetentionDays: 365,
        clock: () => now,
        sleep: async () => {},
      });
    });

    afterAll(async () => {
      await store?.close();
    });

    beforeEach(() => {
      now = START;
    });

    describe("tables", () => {
      it("a second ensureTables creates nothing and verifies all eight", async () => {
        const report = await ensureTables(store);
        expect(report.created).toEqual([]);
        expect(report.verified).toHaveLength(8);
      });
    });

    describe("projects", () => {
      it("upserts with the raw payload and reads it back by gid, PMO ID, responsable and vertical", async () => {
        const stored = await repos.projects.upsert(
          project("101", { raw: { gid: "101", nested: { a: [1, "x"] } } }),
          0,
        );
        expect(stored.version).toBe(1);
        expect(await repos.projects.get("101")).toMatchObject({
          gid: "101",
          pmoId: "PMO-101",
          raw: { nested: { a: [1, "x"] } },
        });
        expect((await repos.projects.getByPmoId("PMO-101"))?.gid).toBe("101");
        expect((await repos.projects.listByResponsable("u-ana")).map((p) => p.gid)).toContain("101");
        expect((await repos.projects.listByVertical("Banca")).map((p) => p.gid)).toContain("101");
        expect(await repos.projects.get("nope")).toBeNull();
        expect(await repos.projects.getByPmoId("PMO-999999")).toBeNull();
      });

      it("keeps a project without PMO ID, owner or vertical, and never writes an empty index key", async () => {
        await repos.projects.upsert(
          project("102", { pmoId: null, businessVertical: "", responsableKey: "u-bea" }),
          0,
        );
        const raw = await store.doc.send(
          new GetCommand({ TableName: store.tables.projects, Key: keys.project("102") }),
        );
        expect(raw.Item).not.toHaveProperty("pmoId");
        expect(raw.Item).not.toHaveProperty("businessVertical");
        expect((await repos.projects.listByResponsable("u-bea")).map((p) => p.gid)).toEqual(["102"]);
        const read = await repos.projects.get("102");
        expect(read?.pmoId).toBeNull();
        expect(read?.businessVertical).toBeNull();
      });

      it("lists every project of a responsable, those without a PMO ID too", async () => {
        await repos.projects.upsert(project("110", { pmoId: "PMO-20", responsableKey: "u-ord" }), 0);
        await repos.projects.upsert(project("111", { pmoId: null, responsableKey: "u-ord" }), 0);
        await repos.projects.upsert(project("112", { pmoId: "PMO-3", responsableKey: "u-ord" }), 0);
        const listed = (await repos.projects.listByResponsable("u-ord")).map((p) => p.gid);
        expect(listed.sort()).toEqual(["110", "111", "112"]);
      });

      it("refuses a write based on a stale version", async () => {
        const first = await repos.projects.upsert(project("103"), 0);
        await repos.projects.upsert(project("103", { name: "Renombrado" }), first.version);
        await expect(
          repos.projects.upsert(project("103", { name: "Otro" }), first.version),
        ).rejects.toBeInstanceOf(VersionConflictError);
        await expect(repos.projects.upsert(project("103"), 0)).rejects.toBeInstanceOf(VersionConflictError);
        expect((await repos.projects.get("103"))?.name).toBe("Renombrado");
      });

      it("keeps hostile names byte for byte", async () => {
        const name = "<!channel> & <@U123> ñandú 🚀 \u202e";
        await repos.projects.upsert(project("104", { name }), 0);
        expect((await repos.projects.get("104"))?.name).toBe(name);
      });

      it("inserts many in batches and reads them back with batchGet and paged listing", async () => {
        const many = Array.from({ length: 130 }, (_, i) =>
          project(`2${String(i).padStart(3, "0")}`, { responsableKey: "u-many" }),
        );
        await repos.projects.insertMany(many);
        const got = await repos.projects.batchGet([...many.map((p) => p.gid), "missing", "2000"]);
        expect(got.size).toBe(130);
        expect(got.get("2129")?.version).toBe(1);

        const seen = new Set<string>();
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<typeof repos.projects.listAll>> = await repos.projects.listAll({
            limit: 50,
            cursor,
          });
          for (const p of page.items) seen.add(p.gid);
          cursor = page.cursor;
          pages++;
        } while (cursor !== null);
        expect(pages).toBeGreaterThan(2);
        // Lists leave the raw Asana payload out unless asked for it; a single read keeps it.
        const [listed] = (await repos.projects.listAll({ limit: 1 })).items;
        expect(listed?.raw).toEqual({});
        const [withRaw] = (await repos.projects.listAll({ limit: 1, withRaw: true })).items;
        expect(withRaw?.raw).toHaveProperty("gid");
        const lean = await repos.projects.batchGet(["2000", "2001"], { withRaw: false });
        expect(lean.get("2001")?.raw).toEqual({});
        expect(lean.get("2001")?.name).toBe("Proyecto 2001");
        for (const p of many) expect(seen.has(p.gid)).toBe(true);
      });

      it("rejects a forged page cursor with a typed error", async () => {
        await expect(repos.projects.listAll({ cursor: "not-a-cursor" })).rejects.toBeInstanceOf(StoreError);
      });
    });

    describe("changelog", () => {
      const entry = (field: string, detectedAt: string, syncId = "sync-7") => ({
        projectGid: "301",
        fieldName: field,
        oldValue: 10,
        newValue: 20,
        syncId,
        detectedAt,
        source: "asana" as const,
      });

      it("appends idempotently: a replayed sync writes nothing", async () => {
        const batch = [
          entry("progressPercent", "2026-03-01T10:00:00.000Z"),
          entry("dueOn", "2026-03-01T10:00:00.000Z"),
        ];
        expect(await repos.changelog.append(batch)).toEqual({ written: 2, alreadyPresent: 0 });
        expect(await repos.changelog.append(batch)).toEqual({ written: 0, alreadyPresent: 2 });
        expect(await repos.changelog.listForProject("301")).toHaveLength(2);
      });

      it("lists newest first with a limit and leaves expired entries out", async () => {
        await repos.changelog.append([
          entry("name", "2026-03-01T11:00:00.000Z"),
          entry("name", "2026-03-01T12:00:00.000Z"),
          entry("name", "2025-01-01T00:00:00.000Z"),
        ]);
        const latest = await repos.changelog.listForProject("301", 2);
        expect(latest.map((e) => e.detectedAt)).toEqual([
          "2026-03-01T12:00:00.000Z",
          "2026-03-01T11:00:00.000Z",
        ]);
        const all = await repos.changelog.listForProject("301", 100);
        // 2025-01-01 + 365 days is before START: expired, though the engine still holds it.
        expect(all.map((e) => e.detectedAt)).not.toContain("2025-01-01T00:00:00.000Z");
      });
    });

    describe("findings", () => {
      const candidate = (gid: string, severity: "high" | "medium" | "low" = "medium") => ({
        projectGid: gid,
        ruleId: "no_status_update",
        severity,
        details: { daysSinceUpdate: 9 },
      });

      it("opens, updates the candidate, lists by project, status and severity", async () => {
        const { finding, opened } = await repos.findings.upsertCandidate(candidate("401"));
        expect(opened).toBe(true);
        expect(finding).toMatchObject({ status: "open", version: 1, occurrences: 1 });
        const again = await repos.findings.upsertCandidate(candidate("401", "high"));
        expect(again).toMatchObject({ opened: false, finding: { severity: "high", version: 2 } });
        expect((await repos.findings.listForProject("401")).map((f) => f.ruleId)).toEqual([
          "no_status_update",
        ]);
        expect((await repos.findings.listByStatus("open")).some((f) => f.projectGid === "401")).toBe(true);
        expect((await repos.findings.listBySeverity("high")).some((f) => f.projectGid === "401")).toBe(true);
        expect((await repos.findings.listBySeverity("medium")).some((f) => f.projectGid === "401")).toBe(
          false,
        );
      });

      it("of two acknowledgements of the same version exactly one wins", async () => {
        const { finding } = await repos.findings.upsertCandidate(candidate("402"));
        const ref = { projectGid: "402", ruleId: finding.ruleId, expectedVersion: finding.version };
        const results = await Promise.allSettled([
          repos.findings.acknowledge(ref, { userId: "U1", comment: "lo veo" }),
          repos.findings.acknowledge(ref, { userId: "U2", comment: "yo también" }),
        ]);
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]?.status === "rejected" && lost[0].reason).toBeInstanceOf(VersionConflictError);
        const stored = await repos.findings.get("402", finding.ruleId);
        expect(stored).toMatchObject({ status: "acknowledged", version: 2 });
      });

      it("resolves (manual and auto), expires 365 days after resolution, and reopens counting occurrences", async () => {
        const { finding } = await repos.findings.upsertCandidate(candidate("403"));
        const resolved = await repos.findings.resolve(
          { projectGid: "403", ruleId: finding.ruleId, expectedVersion: 1 },
          "auto",
        );
        expect(resolved).toMatchObject({ status: "resolved", resolution: "auto", resolvedBy: null });
        const raw = await store.doc.send(
          new GetCommand({ TableName: store.tables.findings, Key: keys.finding("403", finding.ruleId) }),
        );
        expect(raw.Item?.expiresAt).toBe(Math.floor(now.getTime() / 1000) + 365 * 86_400);
        expect((await repos.findings.listByStatus("resolved")).some((f) => f.projectGid === "403")).toBe(
          true,
        );

        const reopened = await repos.findings.reopen(
          { projectGid: "403", ruleId: finding.ruleId, expectedVersion: resolved.version },
          { severity: "high", details: { daysSinceUpdate: 20 } },
        );
        expect(reopened).toMatchObject({
          status: "open",
          occurrences: 2,
          resolution: null,
          severity: "high",
        });
        const rawAfter = await store.doc.send(
          new GetCommand({ TableName: store.tables.findings, Key: keys.finding("403", finding.ruleId) }),
        );
        expect(rawAfter.Item).not.toHaveProperty("expiresAt");

        const manual = await repos.findings.resolve(
          { projectGid: "403", ruleId: finding.ruleId, expectedVersion: reopened.version },
          "U9",
        );
        expect(manual).toMatchObject({ resolution: "manual", resolvedBy: "U9" });
      });

      it("snoozes until a date, and refuses transitions that make no sense", async () => {
        const { finding } = await repos.findings.upsertCandidate(candidate("404"));
        const until = new Date(now.getTime() + 3 * 86_400_000);
        const snoozed = await repos.findings.snooze(
          { projectGid: "404", ruleId: finding.ruleId, expectedVersion: 1 },
          until,
          "U1",
        );
        expect(snoozed).toMatchObject({
          status: "snoozed",
          snoozedUntil: until.toISOString(),
          snoozedBy: "U1",
        });
        const resolved = await repos.findings.resolve(
          { projectGid: "404", ruleId: finding.ruleId, expectedVersion: 2 },
          "U1",
        );
        const ack = repos.findings.acknowledge(
          { projectGid: "404", ruleId: finding.ruleId, expectedVersion: resolved.version },
          { userId: "U1", comment: "x" },
        );
        await expect(ack).rejects.toMatchObject({ code: "invalid_transition" });
        await expect(
          repos.findings.acknowledge(
            { projectGid: "nope", ruleId: "x", expectedVersion: 1 },
            { userId: "U1", comment: "x" },
          ),
        ).rejects.toMatchObject({ code: "not_found" });
      });

      it("records where the alert went", async () => {
        const { finding } = await repos.findings.upsertCandidate(candidate("405", "high"));
        const alerted = await repos.findings.recordAlert(
          { projectGid: "405", ruleId: finding.ruleId, expectedVersion: 1 },
          { channel: "C1", ts: "1700000000.000100", severity: "high" },
        );
        expect(alerted.alert).toEqual({ channel: "C1", ts: "1700000000.000100", severity: "high" });
      });

      it("gets many by project and rule in one call, absent and expired ones left out", async () => {
        await repos.findings.open(candidate("407"));
        await repos.findings.open({ ...candidate("407"), ruleId: "overdue", severity: "high" });
        const gone = await repos.findings.open(candidate("408"));
        await repos.findings.resolve({ projectGid: "408", ruleId: gone.ruleId, expectedVersion: 1 }, "auto");
        const many = Array.from({ length: 130 }, (_, i) => ({ projectGid: `x-${i}`, ruleId: "overdue" }));
        const found = await repos.findings.getMany([
          { projectGid: "407", ruleId: "no_status_update" },
          { projectGid: "407", ruleId: "overdue" },
          { projectGid: "407", ruleId: "overdue" },
          { projectGid: "408", ruleId: "no_status_update" },
          ...many,
        ]);
        expect(found.map((f) => `${f.projectGid} ${f.ruleId} ${f.status}`).sort()).toEqual([
          "407 no_status_update open",
          "407 overdue open",
          "408 no_status_update resolved",
        ]);
        advance(366 * 86_400_000);
        expect(
          (await repos.findings.getMany([{ projectGid: "408", ruleId: "no_status_update" }])).length,
        ).toBe(0);
        expect(await repos.findings.getMany([])).toEqual([]);
      });

      it("resolves with details that say why", async () => {
        const { finding } = await repos.findings.upsertCandidate(candidate("409"));
        const resolved = await repos.findings.resolve(
          { projectGid: "409", ruleId: finding.ruleId, expectedVersion: finding.version },
          "auto",
          { details: { daysSinceUpdate: 9, resolvedBecause: "left_scope" } },
        );
        expect(resolved).toMatchObject({
          status: "resolved",
          details: { daysSinceUpdate: 9, resolvedBecause: "left_scope" },
        });
        expect((await repos.findings.get("409", finding.ruleId))?.details).toEqual(resolved.details);
      });

      it("lists everything still open across open, acknowledged and snoozed", async () => {
        const a = (await repos.findings.upsertCandidate(candidate("406"))).finding;
        await repos.findings.acknowledge(
          { projectGid: "406", ruleId: a.ruleId, expectedVersion: 1 },
          { userId: "U1", comment: "ok" },
        );
        const open = await repos.findings.listOpen();
        expect(open.some((f) => f.projectGid === "406" && f.status === "acknowledged")).toBe(true);
        expect(open.every((f) => f.status !== "resolved")).toBe(true);
      });
    });

    describe("sync log", () => {
      it("goes running -> completed with stats, or failed with a message, and lists newest first", async () => {
        await repos.syncLog.createRunning({ syncId: "s-1", kind: "full", owner: "host:1" });
        advance(60_000);
        const done = await repos.syncLog.complete("s-1", {
          projectsSynced: 1400,
          changesDetected: 12,
          asanaCalls: 2815,
          throttled: 0,
          durationMs: 60_000,
        });
        expect(done).toMatchObject({
          status: "completed",
          projectsSynced: 1400,
          asanaCalls: 2815,
          errorMessage: null,
        });
        await expect(repos.syncLog.complete("s-1", {})).rejects.toMatchObject({ code: "invalid_transition" });

        advance(60_000);
        await repos.syncLog.createRunning({ syncId: "s-2", kind: "partial", owner: "host:1" });
        const failed = await repos.syncLog.fail("s-2", "Asana unavailable");
        expect(failed).toMatchObject({ status: "failed", errorMessage: "Asana unavailable" });

        advance(60_000);
        await repos.syncLog.createRunning({ syncId: "s-3", kind: "partial", owner: "host:2" });
        expect((await repos.syncLog.markAbandoned("s-3", "process ended mid-sync")).status).toBe("abandoned");

        const recent = await repos.syncLog.recent(2);
        expect(recent.map((r) => r.syncId)).toEqual(["s-3", "s-2"]);
        expect((await repos.syncLog.get("s-1"))?.kind).toBe("full");
      });

      it("records the rule counts on a run of any status, never on a run that does not exist", async () => {
        await repos.syncLog.createRunning({ syncId: "s-rules", kind: "partial", owner: "host:1" });
        await repos.syncLog.complete("s-rules", { projectsSynced: 10 });
        const recorded = await repos.syncLog.recordRuleCounts("s-rules", {
          findingsOpened: 4,
          findingsResolved: 2,
        });
        expect(recorded).toMatchObject({
          status: "completed",
          projectsSynced: 10,
          findingsOpened: 4,
          findingsResolved: 2,
        });
        await repos.syncLog.createRunning({ syncId: "s-rules-2", kind: "full", owner: "host:1" });
        expect(
          await repos.syncLog.recordRuleCounts("s-rules-2", { findingsOpened: 1, findingsResolved: 0 }),
        ).toMatchObject({ status: "running", findingsOpened: 1 });
        await expect(
          repos.syncLog.recordRuleCounts("s-missing", { findingsOpened: 1, findingsResolved: 0 }),
        ).rejects.toMatchObject({ code: "not_found" });
        expect(await repos.syncLog.get("s-missing")).toBeNull();
      });
    });

    describe("users", () => {
      it("gets, upserts and finds by Asana user gid", async () => {
        await repos.users.upsert({
          slackUserId: "U100",
          email: "ana@example.com",
          name: "Ana",
          asanaUserGid: "a-100",
          locale: "es",
          refreshedAt: now.toISOString(),
        });
        await repos.users.upsert({
          slackUserId: "U101",
          email: null,
          name: "Sin mapa",
          asanaUserGid: null,
          locale: null,
          refreshedAt: now.toISOString(),
        });
        expect(await repos.users.get("U100")).toMatchObject({
          email: "ana@example.com",
          asanaUserGid: "a-100",
        });
        expect((await repos.users.findByAsanaUserGid("a-100")).map((u) => u.slackUserId)).toEqual(["U100"]);
        expect((await repos.users.get("U101"))?.asanaUserGid).toBeNull();
        expect(await repos.users.get("U404")).toBeNull();
      });

      it("imports a profile once, attaches legacy to one it has, and keeps legacy through upserts", async () => {
        const profile = {
          slackUserId: "U200",
          email: "old@example.com",
          name: "Vieja",
          asanaUserGid: "a-200",
          locale: null,
          refreshedAt: now.toISOString(),
        };
        const legacy = { timezone: "America/Bogota", tags: new Set(["a", "b"]) };
        expect(await repos.users.importProfile(profile, legacy)).toBe("created");
        expect(await repos.users.importProfile({ ...profile, name: "Otra" }, { other: 1 })).toBe("present");
        const membership = { teamId: "T1", restricted: false, ultraRestricted: false };
        await repos.users.upsert({ ...profile, name: "Nueva", membership });
        await repos.users.upsert({ ...profile, name: "Nueva", asanaUserGid: null });
        const item = await store.doc.send(
          new GetCommand({ TableName: store.tables.users, Key: keys.user("U200") }),
        );
        expect(item.Item).toMatchObject({ name: "Nueva", legacy });
        expect(item.Item).not.toHaveProperty("asanaUserGid");
        expect(item.Item).not.toHaveProperty("membership");
        expect(await repos.users.findByAsanaUserGid("a-200")).toEqual([]);

        await repos.users.upsert({ ...profile, slackUserId: "U201" });
        expect(await repos.users.importProfile({ ...profile, slackUserId: "U201" }, legacy)).toBe("merged");
        expect(await repos.users.importProfile({ ...profile, slackUserId: "U201" }, legacy)).toBe("present");
        expect(await repos.users.get("U201")).toMatchObject({ name: "Vieja", asanaUserGid: "a-200" });
      });
    });

    describe("updates", () => {
      it("adds once, lists per project and per author newest first, keeps text byte for byte", async () => {
        const text = "PMO-12 avance 70%, en riesgo por el proveedor <!here> 🚧";
        const base = {
          projectGid: "601",
          slackUserId: "U7",
          text,
          parsed: { progress: 70, health: "at_risk" as const, risks: ["proveedor"] },
          slackEventId: "Ev1",
        };
        expect((await repos.updates.add({ ...base, submittedAt: "2026-03-01T09:00:00.000Z" })).added).toBe(
          true,
        );
        expect((await repos.updates.add({ ...base, submittedAt: "2026-03-01T09:00:00.000Z" })).added).toBe(
          false,
        );
        await repos.updates.add({ ...base, submittedAt: "2026-03-02T09:00:00.000Z" });
        const list = await repos.updates.listForProject("601");
        expect(list.map((u) => u.submittedAt)).toEqual([
          "2026-03-02T09:00:00.000Z",
          "2026-03-01T09:00:00.000Z",
        ]);
        expect(list[0]?.text).toBe(text);
        expect((await repos.updates.listByAuthor("U7", 1)).map((u) => u.submittedAt)).toEqual([
          "2026-03-02T09:00:00.000Z",
        ]);
        await repos.updates.setAsanaStatusUpdateGid(
          { ...base, submittedAt: "2026-03-02T09:00:00.000Z" },
          "su-1",
        );
        expect((await repos.updates.listForProject("601", 1))[0]?.asanaStatusUpdateGid).toBe("su-1");
        expect(
          await repos.updates.get({
            projectGid: "601",
            submittedAt: "2026-03-02T09:00:00.000Z",
            slackUserId: "U7",
          }),
        ).toMatchObject({ text, asanaStatusUpdateGid: "su-1" });
        expect(
          await repos.updates.get({
            projectGid: "601",
            submittedAt: "2026-03-03T09:00:00.000Z",
            slackUserId: "U7",
          }),
        ).toBeNull();
      });
    });

    describe("conversations", () => {
      it("puts with a 1 h expiry, is versioned, and never returns an expired one", async () => {
        const first = await repos.conversations.put(
          { slackUserId: "U8", state: "awaiting_project", data: { text: "x" } },
          0,
        );
        expect(first.expiresAt).toBe(Math.floor(now.getTime() / 1000) + 3600);
        await expect(
          repos.conversations.put({ slackUserId: "U8", state: "other", data: {} }, 0),
        ).rejects.toBeInstanceOf(VersionConflictError);
        const second = await repos.conversations.put(
          { slackUserId: "U8", state: "confirming", data: {} },
          first.version,
        );
        expect(second.version).toBe(2);
        advance(59 * 60_000);
        expect((await repos.conversations.get("U8"))?.state).toBe("confirming");
        advance(2 * 60_000);
        expect(await repos.conversations.get("U8")).toBeNull();
        const raw = await store.doc.send(
          new GetCommand({ TableName: store.tables.conversations, Key: keys.conversation("U8") }),
        );
        expect(raw.Item).toBeDefined();
        // An expired conversation is as good as none: a new one can start over it.
        expect(
          (await repos.conversations.put({ slackUserId: "U8", state: "new", data: {} }, 0)).version,
        ).toBe(1);
        await repos.conversations.clear("U8");
        expect(await repos.conversations.get("U8")).toBeNull();
      });

      it("find tells a live conversation from an expired one, and none from both", async () => {
        expect(await repos.conversations.find("U9")).toBeNull();
        await repos.conversations.put({ slackUserId: "U9", state: "confirming", data: { id: "c1" } }, 0);
        expect(await repos.conversations.find("U9")).toMatchObject({
          expired: false,
          conversation: { state: "confirming", data: { id: "c1" } },
        });
        advance(61 * 60_000);
        expect(await repos.conversations.find("U9")).toMatchObject({ expired: true });
        await repos.conversations.clear("U9");
        expect(await repos.conversations.find("U9")).toBeNull();
      });
    });

    describe("meta", () => {
      it("a lease held by one owner cannot be taken by another until it expires", async () => {
        expect(await repos.meta.leases.acquire("sync", "a", 60_000)).not.toBeNull();
        expect(await repos.meta.leases.acquire("sync", "b", 60_000)).toBeNull();
        advance(30_000);
        await repos.meta.leases.renew("sync", "a", 60_000);
        advance(45_000);
        expect(await repos.meta.leases.acquire("sync", "b", 60_000)).toBeNull();
        await expect(repos.meta.leases.renew("sync", "b", 60_000)).rejects.toMatchObject({
          code: "lease_not_held",
        });
        advance(16_000);
        expect(await repos.meta.leases.get("sync")).toBeNull();
        expect((await repos.meta.leases.acquire("sync", "b", 60_000))?.owner).toBe("b");
        expect(await repos.meta.leases.release("sync", "a")).toBe(false);
        expect(await repos.meta.leases.release("sync", "b")).toBe(true);
        expect(await repos.meta.leases.acquire("sync", "a", 60_000)).not.toBeNull();
      });

      it("of two owners racing for a free lease exactly one gets it", async () => {
        const results = await Promise.all(
          ["x", "y", "z"].map((owner) => repos.meta.leases.acquire("race", owner, 60_000)),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      });

      it("records an event id once", async () => {
        expect(await repos.meta.events.record("Ev123")).toBe("new");
        expect(await repos.meta.events.record("Ev123")).toBe("seen");
        expect(await repos.meta.events.hasSeen("Ev123")).toBe(true);
        const results = await Promise.all([
          repos.meta.events.record("Ev124"),
          repos.meta.events.record("Ev124"),
        ]);
        expect(results.sort()).toEqual(["new", "seen"]);
      });

      it("reads and writes named cursors", async () => {
        expect(await repos.meta.cursors.get("events:1")).toBeNull();
        await repos.meta.cursors.put("events:1", "tok-1");
        await repos.meta.cursors.put("events:1", "tok-2");
        expect(await repos.meta.cursors.get("events:1")).toBe("tok-2");
        await repos.meta.cursors.delete("events:1");
        expect(await repos.meta.cursors.get("events:1")).toBeNull();
      });

      it("keeps the sync state of many projects in a few items, rewriting only the shards asked", async () => {
        const empty = await repos.meta.syncState.load();
        expect(empty.complete).toBe(false);
        expect(empty.projects.size).toBe(0);
        const entry = (i: number) => ({
          token: `tok-${i}`,
          tokenAt: "2026-05-04T09:00:00.000Z",
          fingerprint: i % 2 === 0 ? `fp-${i}` : null,
          stale: i % 3 === 0,
          removed: i % 5 === 0,
          hasActivity: i % 7 === 0,
        });
        const state = emptySyncState();
        for (let i = 0; i < 3000; i++) setProjectState(state, `12030000${i}`, entry(i));
        expect(await repos.meta.syncState.save(state, state.projects.keys())).toBe(SYNC_STATE_SHARDS);
        await repos.meta.syncState.setComplete(true);
        const loaded = await repos.meta.syncState.load();
        expect(loaded.complete).toBe(true);
        expect(loaded.projects).toEqual(state.projects);

        setProjectState(state, "120300007", { ...entry(7), token: "tok-new" });
        dropProjectState(state, "120300008");
        // Only the shards of the gids named are written: another gid's change there is not.
        setProjectState(state, "120300009", { ...entry(9), token: "unsaved" });
        expect(await repos.meta.syncState.save(state, ["120300007", "120300008"])).toBeLessThanOrEqual(2);
        const read = (await repos.meta.syncState.load()).projects;
        expect(read.get("120300007")?.token).toBe("tok-new");
        expect(read.has("120300008")).toBe(false);
        expect(read.get("120300009")?.token).toBe(
          shardOf("120300009") === shardOf("120300007") || shardOf("120300009") === shardOf("120300008")
            ? "unsaved"
            : "tok-9",
        );
      });

      it("records an inbound delivery once, claims it, and keeps it pending until done", async () => {
        const payload = { user: "U1", text: "PMO-1 avance 50%" };
        expect(await repos.meta.inbound.record("EvIn1", payload, { owner: "a", claimMs: 60_000 })).toBe(
          "new",
        );
        expect(await repos.meta.inbound.record("EvIn1", payload)).toBe("seen");
        const raced = await Promise.all([
          repos.meta.inbound.record("EvIn2", payload),
          repos.meta.inbound.record("EvIn2", payload),
        ]);
        expect(raced.sort()).toEqual(["new", "seen"]);
        expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvIn1", "EvIn2"]);
        expect((await repos.meta.inbound.get("EvIn1"))?.payload).toEqual(payload);

        // Claimed by "a" at record time: nobody (not even "a" again) takes it before it is released.
        expect(await repos.meta.inbound.claim("EvIn1", "b", 60_000)).toBeNull();
        expect(await repos.meta.inbound.claim("EvIn1", "a", 60_000)).toBeNull();
        await repos.meta.inbound.release("EvIn1", "a", {
          errorCode: "store_unreachable",
          failureNotified: true,
        });
        const released = await repos.meta.inbound.claim("EvIn1", "b", 60_000);
        expect(released).toMatchObject({
          claimedBy: "b",
          attempts: 2,
          failureNotified: true,
          lastErrorCode: "store_unreachable",
        });
        // A release by someone who no longer holds the claim changes nothing.
        await repos.meta.inbound.release("EvIn1", "a", { errorCode: "x", failureNotified: false });
        expect(await repos.meta.inbound.claim("EvIn1", "c", 60_000)).toBeNull();
        // A claim that ran out (its holder died) is taken over.
        advance(61_000);
        expect((await repos.meta.inbound.claim("EvIn1", "c", 60_000))?.claimedBy).toBe("c");

        await repos.meta.inbound.markDone("EvIn1");
        expect((await repos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvIn2"]);
        expect(await repos.meta.inbound.claim("EvIn1", "b", 60_000)).toBeNull();
        expect(await repos.meta.inbound.record("EvIn1", payload)).toBe("seen");

        // A day later the delivery is forgotten: no longer pending, and the id may be recorded anew.
        advance(24 * 60 * 60_000 + 1_000);
        expect(await repos.meta.inbound.listPending()).toEqual([]);
        expect(await repos.meta.inbound.get("EvIn2")).toBeNull();
        expect(await repos.meta.inbound.record("EvIn1", payload)).toBe("new");
      });

      it("keeps pending write-backs until cleared, one claimer at a time", async () => {
        expect(await repos.meta.writeBacks.record("601#t#U1", { projectGid: "601" })).toBe("new");
        expect(await repos.meta.writeBacks.record("601#t#U1", { projectGid: "601" })).toBe("seen");
        const claims = await Promise.all(
          ["x", "y"].map((owner) => repos.meta.writeBacks.claim("601#t#U1", owner, 60_000)),
        );
        expect(claims.filter((c) => c !== null)).toHaveLength(1);
        expect((await repos.meta.writeBacks.listPending()).map((w) => w.id)).toEqual(["601#t#U1"]);
        // Write-backs and deliveries are kept apart.
        expect((await repos.meta.inbound.listPending()).some((w) => w.id === "601#t#U1")).toBe(false);
        await repos.meta.writeBacks.markDone("601#t#U1");
        expect(await repos.meta.writeBacks.listPending()).toEqual([]);
        expect(await repos.meta.writeBacks.get("601#t#U1")).toBeNull();
      });

      it("lists each pending queue through PendingIndex, oldest first, with Queries and no Scan", async () => {
        const sent: string[] = [];
        const client = new DynamoDBClient({
          endpoint: store.endpoint ?? undefined,
          region: "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        });
        client.middlewareStack.add(
          (next, context) => async (input) => {
            sent.push(String(context.commandName));
            return next(input);
          },
          { step: "initialize", name: "recordCommands" },
        );
        const options = { doc: documentClient(client), tableName: store.tables.meta, clock: () => now };
        const inbound = new PendingQueue(options, PENDING_QUEUES.inbound);
        const writeBacks = new PendingQueue(options, PENDING_QUEUES.writeBack);
        try {
          for (const id of ["q-c", "q-a", "q-b"]) {
            await inbound.record(id, { id });
            advance(1_000);
          }
          await writeBacks.record("q-w", {});
          await inbound.markDone("q-a");
          const raw = await store.doc.send(
            new GetCommand({ TableName: store.tables.meta, Key: keys.inbound("q-b") }),
          );
          expect(raw.Item).toMatchObject({ [PENDING_QUEUE_ATTRIBUTE]: "INBOUND", status: "pending" });
          sent.length = 0;
          // Other tests' deliveries share the table: only this test's are looked at.
          const ours = (work: { id: string }[]) => work.map((w) => w.id).filter((id) => id.startsWith("q-"));
          expect(ours(await inbound.listPending())).toEqual(["q-c", "q-b"]);
          expect(ours(await writeBacks.listPending())).toEqual(["q-w"]);
          expect(sent).toEqual(["QueryCommand", "QueryCommand"]);
        } finally {
          for (const id of ["q-c", "q-b"]) await inbound.markDone(id);
          await writeBacks.markDone("q-w");
          client.destroy();
        }
      });

      it("claims a scheduled tick once across instances, under the event key used before", async () => {
        const tick = new Date("2026-03-02T12:05:00.000Z");
        const claims = await Promise.all([1, 2, 3].map(() => repos.meta.ticks.claim("sync-partial", tick)));
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await repos.meta.events.hasSeen(`tick:sync-partial:${tick.toISOString()}`)).toBe(true);
      });

      it("ensureTables gives a meta table made before PendingIndex its index, keeping items and pending work", async () => {
        const old = {
          ...store,
          tables: tableNames({ tablePrefix: `o-${randomUUID().slice(0, 8)}`, env: "test" }),
        };
        await createTable(old.client, createTableInput({ ...TABLES.meta, indexes: [] }, old.tables.meta));
        const createdAt = now.toISOString();
        await old.doc.send(
          new PutCommand({
            TableName: old.tables.meta,
            Item: {
              ...keys.inbound("EvBefore"),
              entity: "INBOUND",
              id: "EvBefore",
              payload: { user: "U1" },
              status: "pending",
              createdAt,
              attempts: 1,
              claimedBy: null,
              claimedUntilMs: 0,
              failureNotified: false,
              lastErrorCode: "unexpected",
              expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
            },
          }),
        );
        await old.doc.send(
          new PutCommand({
            TableName: old.tables.meta,
            Item: { ...keys.cursor("kept"), name: "kept", value: "v1", updatedAt: createdAt },
          }),
        );
        try {
          const report = await ensureTables(old);
          // DynamoDB Local adds the index with UpdateTable; dynalite cannot, so its table is rebuilt.
          expect([...report.indexesAdded, ...report.rebuilt]).toEqual([
            old.engine === "embedded" ? old.tables.meta : `${old.tables.meta} PendingIndex`,
          ]);
          expect(report.pendingBackfilled).toBe(1);
          const oldRepos = createRepositories(old, {
            changelogRetentionDays: 365,
            findingsRetentionDays: 365,
            clock: () => now,
          });
          expect((await oldRepos.meta.inbound.listPending()).map((w) => w.id)).toEqual(["EvBefore"]);
          expect(await oldRepos.meta.cursors.get("kept")).toBe("v1");
          expect(await ensureTables(old)).toMatchObject({ indexesAdded: [], rebuilt: [], created: [] });
        } finally {
          for (const name of Object.values(old.tables)) await dropTable(old.client, name);
        }
      });

      it("reads and writes many cursors in batches", async () => {
        const values = new Map(Array.from({ length: 130 }, (_, i) => [`bulk:${i}`, `token-${i}`] as const));
        await repos.meta.cursors.putMany(values);
        const read = await repos.meta.cursors.getMany([...values.keys(), "bulk:absent"]);
        expect(read.size).toBe(130);
        expect(read.get("bulk:129")).toBe("token-129");
        expect(read.has("bulk:absent")).toBe(false);
      });

      it("counts versions: absent reads as 0, each bump adds one and stamps when", async () => {
        expect(await repos.meta.versions.get("contract")).toEqual({ value: 0, changedAt: null, by: null });
        expect(await repos.meta.versions.bump("contract", "instance-a")).toEqual({
          value: 1,
          changedAt: START.toISOString(),
          by: "instance-a",
        });
        advance(1_000);
        const bumps = await Promise.all(
          Array.from({ length: 5 }, () => repos.meta.versions.bump("contract")),
        );
        expect(bumps.map((b) => b.value).sort()).toEqual([2, 3, 4, 5, 6]);
        expect(await repos.meta.versions.get("contract")).toEqual({
          value: 6,
          changedAt: new Date(START.getTime() + 1_000).toISOString(),
          by: null,
        });
      });
    });

    describe("portfolio version", () => {
      it("moves after every write to projects or findings, and a write returns only once it has", async () => {
        const before = (await repos.portfolioVersion.read()).value;
        await repos.projects.upsert(project("901"), 0);
        const afterProject = (await repos.portfolioVersion.read()).value;
        expect(afterProject).toBeGreaterThan(before);
        await repos.projects.insertMany([project("902"), project("903")]);
        const afterInsert = (await repos.portfolioVersion.read()).value;
        expect(afterInsert).toBeGreaterThan(afterProject);
        const opened = await repos.findings.open({
          projectGid: "901",
          ruleId: "schedule_risk",
          severity: "high",
          details: {},
        });
        const afterOpen = (await repos.portfolioVersion.read()).value;
        expect(afterOpen).toBeGreaterThan(afterInsert);
        await repos.findings.acknowledge(
          { projectGid: "901", ruleId: "schedule_risk", expectedVersion: opened.version },
          { userId: "U1", comment: "visto" },
        );
        expect((await repos.portfolioVersion.read()).value).toBeGreaterThan(afterOpen);
      });

      it("is not moved by reads, by another table or by a rejected write", async () => {
        await repos.projects.upsert(project("911"), 0);
        const before = (await repos.portfolioVersion.read()).value;
        await repos.projects.get("911");
        await repos.findings.listOpen();
        await repos.meta.cursors.put("x", "y");
        await expect(repos.projects.upsert(project("911"), 0)).rejects.toBeInstanceOf(VersionConflictError);
        expect((await repos.portfolioVersion.read()).value).toBe(before);
      });

      it("ten concurrent writes share their bumps, and each returns after a bump that followed it", async () => {
        const before = (await repos.portfolioVersion.read()).value;
        const writes = Array.from({ length: 10 }, (_, i) => String(920 + i));
        await Promise.all(writes.map((gid) => repos.projects.upsert(project(gid), 0)));
        const after = (await repos.portfolioVersion.read()).value;
        expect(after).toBeGreaterThan(before);
        expect(after - before).toBeLessThan(writes.length);
        expect(repos.portfolioVersion.failedBumps).toBe(0);
      });
    });
  });
}
