import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../app/config.ts";
import { createLogger } from "../../app/logger.ts";
import { ALERTS_LEASE, type PushAlertsDeps, pushAlerts } from "../../jobs/push-alerts.ts";
import type { Clock, Finding, ProjectInput, Severity } from "../../services/model.ts";
import { applyTransitions, planTransitions } from "../../services/rules/engine.ts";
import { RulesService } from "../../services/rules/rules-service.ts";
import { FINDING_ACK } from "../../services/slack/action-ids.ts";
import { parseFindingRef } from "../../services/slack/finding-ref.ts";
import { type Notifier, SlackNotifier, TextNotifier } from "../../services/slack/notifier.ts";
import type { Store } from "../../services/store/client.ts";
import { type FindingRef, FindingsRepository } from "../../services/store/findings-repository.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import {
  buttonsOf,
  type FakeSlack,
  type FakeSlackBlock,
  startFakeSlack,
  textsOf,
} from "../fixtures/fake-slack.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

const CHANNEL = "C0PMO";
const FINDINGS_CHANNEL = "C0FINDINGS";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const silent = createLogger({ logLevel: "silent", secrets: [] });
const stores: Store[] = [];
let slack: FakeSlack | null = null;

afterEach(() => {
  slack?.stop();
  slack = null;
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

type World = {
  store: Store;
  repos: Repositories;
  slack: FakeSlack;
  run: (extra?: Partial<PushAlertsDeps>) => ReturnType<typeof pushAlerts>;
  project: (gid: string, overrides?: Partial<ProjectInput>) => Promise<void>;
  finding: (
    gid: string,
    ruleId: string,
    severity: Severity,
    details?: Finding["details"],
  ) => Promise<Finding>;
  get: (gid: string, ruleId: string) => Promise<Finding>;
};

async function world(
  options: { maxIndividual?: number; locale?: "es" | "en"; clock?: Clock } = {},
): Promise<World> {
  const clock = options.clock ?? (() => new Date());
  const { store, repos } = await memoryStore({ clock });
  stores.push(store);
  const fake = startFakeSlack();
  slack = fake;
  const notifier = new SlackNotifier({
    token: "xoxb-test",
    apiUrl: fake.apiUrl,
    channel: CHANNEL,
    sleep: async () => {},
  });
  const deps = (): PushAlertsDeps => ({
    repos,
    notifier,
    settings: {
      locale: options.locale ?? "es",
      timeZone: "America/Bogota",
      maxIndividual: options.maxIndividual ?? 10,
    },
    clock,
    logger: silent,
    owner: "test:alerts",
  });
  const stored = async (gid: string, ruleId: string) => {
    const found = await repos.findings.get(gid, ruleId);
    if (found === null) throw new Error(`no finding ${ruleId} of ${gid}`);
    return found;
  };
  return {
    store,
    repos,
    slack: fake,
    run: (extra = {}) => pushAlerts({ ...deps(), ...extra }),
    project: async (gid, overrides = {}) => {
      await repos.projects.upsert(
        {
          gid,
          name: `Proyecto ${gid}`,
          pmoId: `PMO-${gid}`,
          responsable: "Ana Pérez",
          permalinkUrl: `https://app.asana.com/0/${gid}/list`,
          ...overrides,
        },
        0,
      );
    },
    finding: (gid, ruleId, severity, details = { daysToDue: 5, progress: 40 }) =>
      repos.findings.open({ projectGid: gid, ruleId, severity, details }),
    get: stored,
  };
}

const refOf = (f: Finding): FindingRef => ({
  projectGid: f.projectGid,
  ruleId: f.ruleId,
  expectedVersion: f.version,
});

/**
 * The rules engine, told that the finding's rule now fires at `severity`: it plans the move and
 * writes it, changelog entry included, as an evaluation does.
 */
async function ruleNowFires(w: World, finding: Finding, severity: Severity): Promise<void> {
  const project = await w.repos.projects.get(finding.projectGid);
  if (project === null) throw new Error(`no project ${finding.projectGid}`);
  const candidates = [
    { projectGid: finding.projectGid, ruleId: finding.ruleId, severity, details: finding.details },
  ];
  const now = new Date();
  const transitions = planTransitions(project, candidates, [finding], now);
  await applyTransitions(w.repos, project, candidates, transitions, { now });
}

const actionsBlocks = (blocks: readonly FakeSlackBlock[]) => blocks.filter((b) => b.type === "actions");
const findingsOnButtons = (blocks: readonly FakeSlackBlock[]) =>
  new Set(
    buttonsOf(blocks).map((button) => {
      const ref = parseFindingRef(button.value);
      return ref === null ? "garbage" : `${ref.projectGid}/${ref.ruleId}`;
    }),
  );
const readsSomewhere = (blocks: readonly FakeSlackBlock[], text: string) =>
  textsOf(blocks).some((t) => t.includes(text));

describe("pushAlerts on the store", () => {
  it("posts one message per high finding and one digest for the rest", async () => {
    const w = await world();
    for (const gid of ["1", "2", "3", "4"]) await w.project(gid);
    await w.project("5", { name: "<!channel> & amigos" });
    for (const gid of ["1", "2", "5"]) await w.finding(gid, "schedule_risk", "high");
    for (const gid of ["1", "2", "3", "4"])
      await w.finding(gid, "no_status_update", "medium", { daysSinceUpdate: 9 });
    for (const gid of ["3", "4"]) await w.finding(gid, "amount_of_tasks", "low", { taskCount: 2 });

    const summary = await w.run();
    expect(summary).toMatchObject({
      status: "completed",
      openingSummary: false,
      counts: { posted: 3, digests: 1, updated: 0, reconciled: 0, failed: 0 },
    });
    const posts = w.slack.messages;
    expect(posts).toHaveLength(4);
    const singles = posts.filter((m) => m.metadata?.event_type === "pmo_finding_alert");
    expect(singles.map((m) => m.metadata?.event_payload.project).sort()).toEqual(["1", "2", "5"]);
    const [digest] = posts.filter((m) => m.metadata?.event_type === "pmo_finding_digest");
    expect(actionsBlocks(digest?.blocks ?? [])).toHaveLength(6);
    for (const message of posts) {
      expect(message.channel).toBe(CHANNEL);
      expect(message.unfurlLinks).toBe("false");
      expect(message.unfurlMedia).toBe("false");
      expect(message.text).not.toMatch(/<!channel>/);
    }
    expect(posts.find((m) => m.metadata?.event_payload.project === "5")?.text).toContain(
      "&lt;!channel&gt; &amp; amigos",
    );

    for (const gid of ["1", "2", "5"]) {
      const single = singles.find((m) => m.metadata?.event_payload.project === gid);
      expect(await w.get(gid, "schedule_risk")).toMatchObject({
        alert: { channel: CHANNEL, ts: single?.ts, severity: "high" },
        alertIntent: null,
      });
    }
    expect(await w.get("3", "amount_of_tasks")).toMatchObject({
      alert: null,
      alertIntent: null,
      digest: { channel: CHANNEL, ts: digest?.ts, severity: "low", occurrence: 1 },
    });
    // The buttons of the digest point at its findings.
    expect(findingsOnButtons(digest?.blocks ?? [])).toEqual(
      new Set([
        "1/no_status_update",
        "2/no_status_update",
        "3/no_status_update",
        "4/no_status_update",
        "3/amount_of_tasks",
        "4/amount_of_tasks",
      ]),
    );
  });

  it("a second run posts nothing new", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.run();
    const postsBefore = w.slack.posts().length;
    const second = await w.run();
    expect(second.counts).toMatchObject({ posted: 0, digests: 0, updated: 0, reconciled: 0, skipped: 2 });
    expect(w.slack.posts()).toHaveLength(postsBefore);
  });

  it("posts at most maxIndividual single messages a run; the other highs join the digest", async () => {
    const w = await world({ maxIndividual: 2 });
    for (const gid of ["1", "2", "3", "4", "5", "6"]) await w.project(gid);
    await w.finding("6", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.run();
    for (const gid of ["1", "2", "3", "4", "5"]) await w.finding(gid, "schedule_risk", "high");

    const summary = await w.run();
    expect(summary.counts).toMatchObject({ posted: 2, digests: 1 });
    const digest = w.slack.messages.at(-1);
    expect(digest?.metadata?.event_type).toBe("pmo_finding_digest");
    expect(actionsBlocks(digest?.blocks ?? [])).toHaveLength(3);
    expect(readsSomewhere(digest?.blocks ?? [], "🔴 Severidad alta · 3 hallazgos")).toBe(true);
    // Nothing is posted twice: the highs in the digest do not come back as single messages.
    const third = await w.run();
    expect(third.counts).toMatchObject({ posted: 0, digests: 0 });
  });

  it("opens the very first run on an empty store with a summary and a digest instead of a flood", async () => {
    const w = await world({ maxIndividual: 10 });
    for (let i = 1; i <= 12; i++) await w.project(String(i));
    for (let i = 1; i <= 12; i++)
      await w.finding(String(i), "no_status_update", "medium", { daysSinceUpdate: 10 + i });
    for (let i = 1; i <= 8; i++) await w.finding(String(i), "schedule_risk", "high");
    for (let i = 1; i <= 3; i++) await w.finding(String(i), "missing_due_date", "high", {});
    for (let i = 1; i <= 5; i++) await w.finding(String(i), "amount_of_tasks", "low", { taskCount: 1 });

    const summary = await w.run();
    expect(summary).toMatchObject({ status: "completed", openingSummary: true, counts: { posted: 0 } });
    const [opening, ...digests] = w.slack.messages;
    expect(opening?.metadata?.event_type).toBe("pmo_alert_summary");
    expect(opening?.text).toBe("Primer análisis: 28 hallazgos (11 altos, 12 medios, 5 bajos)");
    const worst =
      textsOf(opening?.blocks ?? []).find((t) => t.startsWith("*Proyectos con más hallazgos altos*")) ?? "";
    for (const gid of ["1", "2", "3"])
      expect(worst).toContain(`|Proyecto ${gid}> · PMO-${gid} · 2 hallazgos altos`);
    expect(digests.length).toBe(summary.counts.digests);
    expect(digests.every((m) => m.metadata?.event_type === "pmo_finding_digest")).toBe(true);
    const carried = digests.flatMap((m) => actionsBlocks(m.blocks));
    expect(carried).toHaveLength(28);
    expect((await w.get("1", "schedule_risk")).digest?.severity).toBe("high");

    const again = await w.run();
    expect(again).toMatchObject({ openingSummary: false, counts: { posted: 0, digests: 0, skipped: 28 } });
  });

  it("re-alerts an escalation, and not a de-escalation", async () => {
    const w = await world();
    await w.project("1");
    await w.project("2");
    const medium = await w.finding("1", "schedule_risk", "medium", { daysToDue: 12, progress: 50 });
    const high = await w.finding("2", "schedule_risk", "high");
    await w.run();
    expect(w.slack.posts()).toHaveLength(2);

    const acknowledged = await w.repos.findings.acknowledge(refOf(await w.get("1", "schedule_risk")), {
      userId: "U1",
      comment: "visto",
    });
    expect(acknowledged.status).toBe("acknowledged");
    await w.run();
    expect(w.slack.posts()).toHaveLength(2);

    await ruleNowFires(w, await w.get(medium.projectGid, medium.ruleId), "high");
    await ruleNowFires(w, await w.get(high.projectGid, high.ruleId), "medium");
    expect(await w.get("1", "schedule_risk")).toMatchObject({ status: "open", severity: "high" });
    expect(await w.get("2", "schedule_risk")).toMatchObject({ status: "open", severity: "medium" });
    const summary = await w.run();
    expect(summary.counts).toMatchObject({ posted: 1, digests: 0 });
    const last = w.slack.messages.at(-1);
    expect(last?.metadata?.event_payload).toMatchObject({ project: "1", severity: "high" });
    expect((await w.get("1", "schedule_risk")).alert?.ts).toBe(last?.ts);
    expect((await w.run()).counts.posted).toBe(0);
  });

  it("re-alerts a finding whose snooze ended, once: the real rules, engine and alerts, nothing by hand", async () => {
    let now = new Date("2026-03-10T15:00:00.000Z");
    const clock = () => now;
    const advance = (ms: number) => {
      now = new Date(now.getTime() + ms);
    };
    const w = await world({ clock });
    const rules = new RulesService({
      repos: w.repos,
      settings: { rules: parseConfig({}, "store").rules, timezone: "America/Bogota" },
      clock,
      logger: silent,
    });
    // Only `overdue` (high) fires for this project.
    await w.project("1", {
      businessVertical: "Banca",
      dueOn: "2026-03-01",
      progressPercent: 50,
      totalTasks: 20,
      lastStatusUpdateAt: now.toISOString(),
      lastActivityAt: now.toISOString(),
    });
    expect((await rules.evaluateAll()).counts).toMatchObject({ opened: 1 });
    expect((await w.run()).counts).toMatchObject({ posted: 1, digests: 0 });

    advance(10 * MINUTE);
    // "Posponer 1 día" on the message: what FindingActions.snooze writes.
    const snoozedUntil = new Date(now.getTime() + DAY);
    await w.repos.findings.snooze(refOf(await w.get("1", "overdue")), snoozedUntil, "U1");
    advance(HOUR);
    expect((await rules.evaluateAll()).counts).toMatchObject({ woken: 0, unchanged: 1 });
    expect((await w.run()).counts).toMatchObject({ posted: 0, digests: 0, skipped: 1 });

    now = new Date(snoozedUntil.getTime() + MINUTE);
    expect((await rules.evaluateAll()).counts).toMatchObject({ woken: 1 });
    expect((await w.get("1", "overdue")).status).toBe("open");
    const woken = await w.run();
    expect(woken.counts).toMatchObject({ posted: 1, digests: 0 });
    expect(w.slack.posts()).toHaveLength(2);
    const last = w.slack.messages.at(-1);
    expect(last?.metadata?.event_payload).toMatchObject({ project: "1", rule: "overdue", severity: "high" });
    expect((await w.get("1", "overdue")).alert?.ts).toBe(last?.ts);

    advance(HOUR);
    expect((await rules.evaluateAll()).counts).toMatchObject({ woken: 0 });
    expect((await w.run()).counts.posted).toBe(0);
    expect(w.slack.posts()).toHaveLength(2);
  });

  it("does not re-alert an open finding without a wake-up in its history", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    await w.run();
    const current = await w.get("1", "schedule_risk");
    await w.repos.findings.update(refOf(current), { details: { daysToDue: 4, progress: 40 } });
    expect((await w.run()).counts.posted).toBe(0);
  });

  it("with a findings channel of its own: new alerts go there, those posted before are updated where they are", async () => {
    const w = await world();
    for (const gid of ["1", "2", "3"]) await w.project(gid);
    await w.finding("1", "schedule_risk", "high");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.finding("2", "no_activity", "low", { daysSinceActivity: 8 });
    await w.run();
    const single = w.slack.messages.find((m) => m.metadata?.event_type === "pmo_finding_alert");
    const digest = w.slack.messages.find((m) => m.metadata?.event_type === "pmo_finding_digest");
    expect([single?.channel, digest?.channel]).toEqual([CHANNEL, CHANNEL]);

    // PMO_FINDINGS_CHANNEL_ID set: the alerts now post to another channel.
    const findingsChannel = new SlackNotifier({
      token: "xoxb-test",
      apiUrl: w.slack.apiUrl,
      channel: FINDINGS_CHANNEL,
      sleep: async () => {},
    });
    await w.repos.findings.resolve(refOf(await w.get("1", "schedule_risk")), "auto");
    await w.repos.findings.resolve(refOf(await w.get("1", "no_activity")), "U0BOSS");
    await w.finding("3", "schedule_risk", "high");
    const summary = await w.run({ notifier: findingsChannel });

    expect(summary.counts).toMatchObject({ posted: 1, digests: 0, updated: 2, skipped: 1 });
    const updates = w.slack.updates().map((u) => `${u.body.channel} ${u.body.ts}`);
    expect(updates.sort()).toEqual([`${CHANNEL} ${single?.ts}`, `${CHANNEL} ${digest?.ts}`].sort());
    expect(single?.text).toContain("✅ Resuelto automáticamente el");
    expect(readsSomewhere(digest?.blocks ?? [], "✅ Resuelto por <@U0BOSS> el")).toBe(true);
    // The open low finding stays in the old digest, with its buttons: it is not posted again.
    expect(findingsOnButtons(digest?.blocks ?? [])).toEqual(new Set(["2/no_activity"]));
    const posted = w.slack.messages.filter((m) => m.channel === FINDINGS_CHANNEL);
    expect(posted.map((m) => m.metadata?.event_payload.project)).toEqual(["3"]);
    expect(await w.get("3", "schedule_risk")).toMatchObject({
      alert: { channel: FINDINGS_CHANNEL, ts: posted[0]?.ts },
    });
    expect(await w.get("2", "no_activity")).toMatchObject({ digest: { channel: CHANNEL, ts: digest?.ts } });

    // Escalated later, the old channel's finding gets its new message in the findings channel.
    await ruleNowFires(w, await w.get("2", "no_activity"), "high");
    expect((await w.run({ notifier: findingsChannel })).counts).toMatchObject({ posted: 1 });
    expect(w.slack.messages.filter((m) => m.channel === FINDINGS_CHANNEL)).toHaveLength(2);
    expect((await w.run({ notifier: findingsChannel })).counts).toMatchObject({ posted: 0, updated: 0 });
  });

  it("updates the messages of resolved findings in place: the single one and the digest", async () => {
    const w = await world();
    await w.project("1");
    await w.project("2");
    await w.finding("1", "schedule_risk", "high");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.finding("2", "no_activity", "low", { daysSinceActivity: 8 });
    await w.run();
    const single = w.slack.messages.find((m) => m.metadata?.event_type === "pmo_finding_alert");
    const digest = w.slack.messages.find((m) => m.metadata?.event_type === "pmo_finding_digest");

    await w.repos.findings.resolve(refOf(await w.get("1", "schedule_risk")), "auto");
    await w.repos.findings.resolve(refOf(await w.get("1", "no_activity")), "U0BOSS");
    const summary = await w.run();
    expect(summary.counts).toMatchObject({ updated: 2, posted: 0, digests: 0 });
    const updates = w.slack.updates();
    expect(updates.map((u) => u.body.ts).sort()).toEqual([single?.ts, digest?.ts].sort());
    for (const update of updates) {
      expect(update.body.channel).toBe(CHANNEL);
      expect(update.body.unfurl_links).toBe("false");
    }
    expect(single?.text).toContain("✅ Resuelto automáticamente el");
    expect(actionsBlocks(single?.blocks ?? [])).toHaveLength(0);
    expect(readsSomewhere(digest?.blocks ?? [], "✅ Resuelto por <@U0BOSS> el")).toBe(true);
    // The finding still open keeps its buttons in the digest; the resolved one has none.
    expect(findingsOnButtons(digest?.blocks ?? [])).toEqual(new Set(["2/no_activity"]));
    expect((await w.get("1", "schedule_risk")).alertClosedAt).not.toBeNull();

    const again = await w.run();
    expect(again.counts.updated).toBe(0);
    expect(w.slack.updates()).toHaveLength(2);
  });

  it("a post whose answer was lost is found in the channel on the next run, not posted again", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    w.slack.loseNextAnswers(1);
    const first = await w.run();
    expect(first.counts).toMatchObject({ posted: 0, failed: 1 });
    expect(w.slack.messages).toHaveLength(1);
    const pending = await w.get("1", "schedule_risk");
    expect(pending.alert).toBeNull();
    expect(pending.alertIntent).toMatchObject({ kind: "single", channel: CHANNEL, severity: "high" });
    expect(w.slack.messages[0]?.metadata?.event_payload.key).toBe(pending.alertIntent?.messageKey);

    const second = await w.run();
    expect(second.counts).toMatchObject({ reconciled: 1, posted: 0, failed: 0 });
    expect(w.slack.posts()).toHaveLength(1);
    expect(w.slack.messages).toHaveLength(1);
    expect(await w.get("1", "schedule_risk")).toMatchObject({
      alert: { channel: CHANNEL, ts: w.slack.messages[0]?.ts, severity: "high" },
      alertIntent: null,
    });
    expect((await w.run()).counts).toMatchObject({ posted: 0, reconciled: 0 });
    expect(w.slack.messages).toHaveLength(1);
  });

  it("a lost digest answer is reconciled for every finding in it", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.finding("1", "amount_of_tasks", "low", { taskCount: 2 });
    w.slack.loseNextAnswers(1);
    await w.run();
    const second = await w.run();
    expect(second.counts).toMatchObject({ reconciled: 1, digests: 0 });
    expect(w.slack.messages).toHaveLength(1);
    const ts = w.slack.messages[0]?.ts;
    expect((await w.get("1", "no_activity")).digest?.ts).toBe(ts);
    expect((await w.get("1", "amount_of_tasks")).digest?.ts).toBe(ts);
  });

  it("a post that never reached Slack is posted once on the next run", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    w.slack.dropNextPosts(1);
    expect((await w.run()).counts.failed).toBe(1);
    expect(w.slack.messages).toHaveLength(0);
    const second = await w.run();
    expect(second.counts).toMatchObject({ posted: 1, reconciled: 0 });
    expect(w.slack.messages).toHaveLength(1);
    expect((await w.get("1", "schedule_risk")).alert?.ts).toBe(w.slack.messages[0]?.ts);
  });

  it("a post Slack refused leaves no intent behind and is tried again on the next run", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    w.slack.refuseNextPosts(1);
    expect((await w.run()).counts).toMatchObject({ posted: 0, failed: 1 });
    expect((await w.get("1", "schedule_risk")).alertIntent).toBeNull();
    const second = await w.run();
    expect(second.counts).toMatchObject({ posted: 1, reconciled: 0 });
    expect(w.slack.calls.filter((c) => c.method === "conversations.history")).toHaveLength(0);
    expect(w.slack.messages).toHaveLength(1);
  });

  it("a reopened finding is posted again: its earlier messages belong to the earlier occurrence", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    await w.run();
    await w.repos.findings.resolve(refOf(await w.get("1", "no_activity")), "auto");
    await w.run();
    await w.repos.findings.reopen(refOf(await w.get("1", "no_activity")), {
      severity: "medium",
      details: { daysSinceActivity: 9 },
    });
    const summary = await w.run();
    expect(summary.counts).toMatchObject({ digests: 1 });
    expect((await w.get("1", "no_activity")).digest).toMatchObject({ occurrence: 2 });
  });

  it("does not post a finding acknowledged while the run was deciding", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    class AcknowledgedMeanwhile extends FindingsRepository {
      private raced = false;
      override async update(...args: Parameters<FindingsRepository["update"]>): Promise<Finding> {
        const [ref, changes] = args;
        if (!this.raced && changes.alertIntent) {
          this.raced = true;
          await this.acknowledge(ref, { userId: "U1", comment: "yo me encargo" });
        }
        return super.update(...args);
      }
    }
    const findings = new AcknowledgedMeanwhile({
      doc: w.store.doc,
      tableName: w.store.tables.findings,
      retentionDays: 365,
    });
    const summary = await w.run({ repos: { ...w.repos, findings } });
    expect(summary.counts).toMatchObject({ posted: 0, failed: 0 });
    expect(w.slack.posts()).toHaveLength(0);
    expect((await w.get("1", "schedule_risk")).status).toBe("acknowledged");
  });

  it("is skipped while another run holds the lease", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    await w.repos.meta.leases.acquire(ALERTS_LEASE, "someone:else", 60_000);
    const summary = await w.run();
    expect(summary.status).toBe("skipped");
    expect(summary.reason).toContain("someone:else");
    expect(w.slack.posts()).toHaveLength(0);
  });

  it("speaks English when DEFAULT_LOCALE is en", async () => {
    const w = await world({ locale: "en" });
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    await w.run();
    const [message] = w.slack.messages;
    expect(message?.text).toBe("🔴 High: Proyecto 1 · Due in 5 days at 40% progress");
    const [acknowledge] = buttonsOf(message?.blocks ?? []);
    expect(acknowledge?.action_id).toBe(FINDING_ACK);
    expect(acknowledge?.text).toMatchObject({ text: "Acknowledge" });
  });

  it("without Slack, renders the same messages as text and records them against the text channel", async () => {
    const w = await world();
    await w.project("1");
    await w.finding("1", "schedule_risk", "high");
    await w.finding("1", "no_activity", "medium", { daysSinceActivity: 8 });
    let out = "";
    const notifier: Notifier = new TextNotifier({ write: (chunk: string) => (out += chunk) });
    const summary = await w.run({ notifier });
    expect(summary.counts).toMatchObject({ posted: 1, digests: 1 });
    expect(out).toContain("🔴 *Alta* · Proyecto 1 (https://app.asana.com/0/1/list)");
    expect(out).toContain("[Reconocer] [Resolver] [Posponer]");
    expect(out).toContain("== 🟡 Severidad media · 1 hallazgo ==");
    const printed = out;
    expect((await w.run({ notifier })).counts).toMatchObject({ posted: 0, digests: 0 });
    expect(out).toBe(printed);
    // Slack never saw them: a run with Slack posts them there.
    expect((await w.run()).counts).toMatchObject({ posted: 1, digests: 1 });
  });
});
