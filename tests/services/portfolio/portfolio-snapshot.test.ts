import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  INDEX_SETTLE_MS,
  PortfolioSnapshot,
  SNAPSHOT_MAX_AGE_MS,
} from "../../../services/portfolio/portfolio-snapshot.ts";
import type { Store } from "../../../services/store/client.ts";
import { PORTFOLIO_VERSION } from "../../../services/store/portfolio-version.ts";
import { createRepositories, type Repositories } from "../../../services/store/repositories.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";
import { project } from "../../integration/store-contract.ts";

const T0 = new Date("2026-11-22T12:00:00.000Z");
let now = T0;
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

let store: Store;
let repos: Repositories;
/** DynamoDB requests sent by the snapshot's repositories, by command. */
let sent: string[];

beforeEach(async () => {
  now = T0;
  ({ store, repos } = await memoryStore({ clock: () => now }));
  sent = [];
  store.client.middlewareStack.add(
    (next, context) => async (input) => {
      sent.push(String(context.commandName));
      return next(input);
    },
    { step: "initialize", name: "countRequests" },
  );
});

afterEach(async () => {
  await store.close();
});

/** The snapshot, first read once things have settled (as a Home opened a while after a sync). */
async function settledSnapshot(): Promise<PortfolioSnapshot> {
  advance(INDEX_SETTLE_MS);
  const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
  await snapshot.read();
  sent = [];
  return snapshot;
}

describe("PortfolioSnapshot", () => {
  it("holds every project without its payload and the unresolved findings, newest first", async () => {
    await repos.projects.insertMany([
      project("1", { pmoId: "PMO-10" }),
      project("2", { pmoId: "PMO-9" }),
      project("3", { responsableKey: "u-bea", archived: true }),
    ]);
    const older = await repos.findings.open({
      projectGid: "1",
      ruleId: "overdue",
      severity: "high",
      details: {},
    });
    advance(1_000);
    await repos.findings.open({ projectGid: "1", ruleId: "no_owner", severity: "low", details: {} });
    const gone = await repos.findings.open({
      projectGid: "2",
      ruleId: "overdue",
      severity: "medium",
      details: {},
    });
    await repos.findings.resolve({ projectGid: "2", ruleId: "overdue", expectedVersion: gone.version }, "U1");
    const snapshot = await settledSnapshot();
    const portfolio = await snapshot.read();

    expect([...portfolio.projects.keys()].sort()).toEqual(["1", "2", "3"]);
    expect(portfolio.projects.get("1")?.raw).toEqual({});
    expect(portfolio.openFindings.map((e) => `${e.finding.projectGid}/${e.finding.ruleId}`)).toEqual([
      "1/no_owner",
      "1/overdue",
    ]);
    expect(portfolio.openFindings[1]?.finding.createdAt).toBe(older.createdAt);
    expect(portfolio.openFindings[0]?.project?.pmoId).toBe("PMO-10");
    expect(portfolio.findingsOf("1").map((f) => f.ruleId)).toEqual(["no_owner", "overdue"]);
    expect(portfolio.findingsOf("2")).toEqual([]);
    // By PMO ID, numbers by value; inactive projects stay (callers choose).
    expect(portfolio.projectsOf("u-ana").map((p) => p.pmoId)).toEqual(["PMO-9", "PMO-10"]);
    expect(portfolio.projectsOf("u-bea").map((p) => p.gid)).toEqual(["3"]);
    expect(portfolio.projectsOf("nobody")).toEqual([]);
  });

  it("unchanged, it is reused for one GetItem of the version", async () => {
    await repos.projects.insertMany([project("1")]);
    await repos.findings.open({ projectGid: "1", ruleId: "overdue", severity: "high", details: {} });
    const snapshot = await settledSnapshot();
    const first = await snapshot.read();
    advance(60_000);
    const second = await snapshot.read();
    expect(second).toBe(first);
    expect(sent).toEqual(["GetItemCommand", "GetItemCommand"]);
  });

  it("sees a change made through another process's repositories at the next read", async () => {
    await repos.projects.insertMany([project("1"), project("2")]);
    const snapshot = await settledSnapshot();
    expect((await snapshot.read()).openFindings).toHaveLength(0);

    const otherInstance = createRepositories(store, {
      changelogRetentionDays: 365,
      findingsRetentionDays: 365,
      clock: () => now,
    });
    await otherInstance.findings.open({ projectGid: "2", ruleId: "overdue", severity: "high", details: {} });
    await otherInstance.projects.upsert(
      { ...project("1"), name: "Renombrado" },
      (await otherInstance.projects.get("1"))?.version ?? 0,
    );

    const after = await snapshot.read();
    expect(after.openFindings.map((e) => e.finding.projectGid)).toEqual(["2"]);
    expect(after.projects.get("1")?.name).toBe("Renombrado");
  });

  it("applies this process's own writes as they land, without loading again", async () => {
    await repos.projects.insertMany([project("1"), project("2")]);
    const opened = await repos.findings.open({
      projectGid: "1",
      ruleId: "overdue",
      severity: "high",
      details: {},
    });
    await repos.findings.open({ projectGid: "2", ruleId: "overdue", severity: "low", details: {} });
    const snapshot = await settledSnapshot();

    await repos.findings.acknowledge(
      { projectGid: "1", ruleId: "overdue", expectedVersion: opened.version },
      { userId: "U1", comment: "visto" },
    );
    const second = await repos.findings.get("2", "overdue");
    await repos.findings.resolve(
      { projectGid: "2", ruleId: "overdue", expectedVersion: second?.version ?? 0 },
      "U1",
    );
    const stored = await repos.projects.get("2");
    await repos.projects.upsert({ ...project("2"), name: "Renombrado" }, stored?.version ?? 0);
    sent = [];

    const portfolio = await snapshot.read();
    expect(portfolio.openFindings.map((e) => [e.finding.projectGid, e.finding.status])).toEqual([
      ["1", "acknowledged"],
    ]);
    expect(portfolio.projects.get("2")?.name).toBe("Renombrado");
    // Kept without the Asana payload the write carried.
    expect(portfolio.projects.get("2")?.raw).toEqual({});
    expect(sent).toEqual(["GetItemCommand"]);
  });

  it("a write landing while it loads is in what it loaded", async () => {
    await repos.projects.insertMany([project("1")]);
    advance(INDEX_SETTLE_MS);
    const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
    const reading = snapshot.read();
    await repos.findings.open({ projectGid: "1", ruleId: "overdue", severity: "high", details: {} });
    await reading;
    sent = [];
    expect((await snapshot.read()).openFindings).toHaveLength(1);
    expect(sent).toEqual(["GetItemCommand"]);
  });

  it("a write by another process between two of this one's still means a load", async () => {
    await repos.projects.insertMany([project("1"), project("2")]);
    const snapshot = await settledSnapshot();
    const otherInstance = createRepositories(store, {
      changelogRetentionDays: 365,
      findingsRetentionDays: 365,
      clock: () => now,
    });
    await repos.findings.open({ projectGid: "1", ruleId: "overdue", severity: "high", details: {} });
    await otherInstance.findings.open({ projectGid: "2", ruleId: "overdue", severity: "high", details: {} });
    await repos.findings.open({ projectGid: "1", ruleId: "no_owner", severity: "low", details: {} });
    sent = [];
    const portfolio = await snapshot.read();
    expect(portfolio.openFindings).toHaveLength(3);
    expect(sent).toContain("ScanCommand");
  });

  it("sees this process's own write even when the version bump failed", async () => {
    await repos.projects.insertMany([project("1")]);
    const snapshot = await settledSnapshot();
    await snapshot.read();
    const bump = repos.meta.versions.bump.bind(repos.meta.versions);
    repos.meta.versions.bump = () => Promise.reject(new Error("throttled"));
    try {
      await repos.findings.open({ projectGid: "1", ruleId: "overdue", severity: "low", details: {} });
    } finally {
      repos.meta.versions.bump = bump;
    }
    expect(repos.portfolioVersion.failedBumps).toBe(1);
    expect((await snapshot.read()).openFindings).toHaveLength(1);
  });

  it("loaded right after a change, it answers once and is loaded again until the index has settled", async () => {
    await repos.projects.insertMany([project("1")]);
    const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
    const fresh = await snapshot.read();
    expect(await snapshot.read()).not.toBe(fresh);
    advance(INDEX_SETTLE_MS);
    const settledOne = await snapshot.read();
    expect(await snapshot.read()).toBe(settledOne);
  });

  it("while this process keeps writing (a sync in the app), it is loaded once and kept current", async () => {
    await repos.projects.insertMany([project("1"), project("2")]);
    const snapshot = await settledSnapshot();
    const scans = () => sent.filter((command) => command === "ScanCommand").length;
    for (let i = 0; i < 20; i++) {
      const stored = await repos.projects.get("1");
      await repos.projects.upsert({ ...project("1"), name: `Vuelta ${i}` }, stored?.version ?? 0);
      if (i % 5 === 0)
        await repos.findings.open({ projectGid: "2", ruleId: `rule_${i}`, severity: "low", details: {} });
      advance(100);
      const portfolio = await snapshot.read();
      expect(portfolio.projects.get("1")?.name).toBe(`Vuelta ${i}`);
      expect(portfolio.findingsOf("2")).toHaveLength(Math.floor(i / 5) + 1);
    }
    expect(scans()).toBe(0);

    // This process's bump has reached the counter, its answer not yet this process: still its own.
    await repos.meta.versions.bump(PORTFOLIO_VERSION, repos.portfolioVersion.instanceId);
    await snapshot.read();
    expect(scans()).toBe(0);

    // Another process's change in between still means a load, and one that waits for the index.
    const otherInstance = createRepositories(store, {
      changelogRetentionDays: 365,
      findingsRetentionDays: 365,
      clock: () => now,
    });
    await otherInstance.findings.open({ projectGid: "1", ruleId: "overdue", severity: "high", details: {} });
    expect((await snapshot.read()).findingsOf("1")).toHaveLength(1);
    expect(scans()).toBe(1);
    await snapshot.read();
    expect(scans()).toBe(2);
    advance(INDEX_SETTLE_MS);
    await snapshot.read();
    expect(scans()).toBe(3);
    await snapshot.read();
    expect(scans()).toBe(3);
  });

  it("is loaded again once it is older than its maximum age, changed or not", async () => {
    await repos.projects.insertMany([project("1")]);
    const snapshot = await settledSnapshot();
    const first = await snapshot.read();
    advance(SNAPSHOT_MAX_AGE_MS - 1);
    expect(await snapshot.read()).toBe(first);
    advance(1);
    expect(await snapshot.read()).not.toBe(first);
  });

  it("readers arriving during a load share it", async () => {
    await repos.projects.insertMany([project("1")]);
    advance(INDEX_SETTLE_MS);
    const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
    const reads = await Promise.all([snapshot.read(), snapshot.read(), snapshot.read()]);
    expect(reads[1]).toBe(reads[0]);
    expect(reads[2]).toBe(reads[0]);
    expect(sent.filter((c) => c === "ScanCommand")).toHaveLength(1);
  });

  it("reads every page of a portfolio larger than one Scan page", async () => {
    await repos.projects.insertMany(
      Array.from({ length: 1_030 }, (_, i) =>
        project(String(5000 + i), { raw: { gid: String(5000 + i), notes: "x".repeat(2_000) } }),
      ),
    );
    advance(INDEX_SETTLE_MS);
    const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
    expect((await snapshot.read()).projects.size).toBe(1_030);
    // DynamoDB's 1 MB a page counts the items before projection: payloads make pages smaller.
    expect(sent.filter((c) => c === "ScanCommand").length).toBeGreaterThan(1);
  });

  it("a failed load reaches the reader, and the next read tries again", async () => {
    await repos.projects.insertMany([project("1")]);
    advance(INDEX_SETTLE_MS);
    const snapshot = new PortfolioSnapshot({ repos, clock: () => now });
    const listOpen = repos.findings.listOpen.bind(repos.findings);
    repos.findings.listOpen = () => Promise.reject(new Error("store down"));
    await expect(snapshot.read()).rejects.toThrow("store down");
    await expect(snapshot.warm()).resolves.toBeUndefined();
    repos.findings.listOpen = listOpen;
    expect((await snapshot.read()).projects.size).toBe(1);
  });
});
