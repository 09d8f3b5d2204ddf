import type { KnownBlock } from "@slack/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { sendDailyDigest } from "../../jobs/daily-digest.ts";
import { createLlmSummaryWriter } from "../../services/digest/llm-summary-writer.ts";
import type { ProjectInput } from "../../services/model.ts";
import { packLines } from "../../services/slack/blocks/daily-digest.ts";
import type { MessageRef, Notifier, OutgoingMessage } from "../../services/slack/notifier.ts";
import type { Store } from "../../services/store/client.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { jsonAnswer, startLlmEndpoint } from "../fixtures/llm-endpoint.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

class RecordingNotifier implements Notifier {
  readonly channel = "CPMO";
  readonly posts: OutgoingMessage[] = [];
  /** Keys Slack has although our side never heard back (a lost answer). */
  readonly inChannel = new Set<string>();
  async post(message: OutgoingMessage): Promise<MessageRef> {
    this.posts.push(message);
    return { channel: this.channel, ts: `${this.posts.length}.0001` };
  }
  async update(): Promise<void> {}
  async findPosted(keys: ReadonlySet<string>): Promise<Map<string, MessageRef>> {
    return new Map(
      [...keys].filter((k) => this.inChannel.has(k)).map((k) => [k, { channel: this.channel, ts: "9.9" }]),
    );
  }
}

let store: Store;
let repos: Repositories;
let now = new Date("2026-11-23T13:30:00.000Z"); // Monday 08:30 in Bogotá
const logger = createLogger({ logLevel: "silent", secrets: [] });

const project = (gid: string, overrides: Partial<ProjectInput> = {}): ProjectInput => ({
  gid,
  name: `Proyecto ${gid}`,
  pmoId: `PMO-${gid}`,
  responsable: "Ana Pérez",
  responsableKey: "asana-ana",
  businessVertical: "Banca",
  lastStatusUpdateAt: "2026-11-22T10:00:00.000Z",
  ...overrides,
});

beforeAll(async () => {
  ({ store, repos } = await memoryStore({ clock: () => now }));
  await repos.projects.upsert(project("1"), 0);
  await repos.projects.upsert(
    project("2", { businessVertical: "Seguros", name: "<!channel> urgente", lastStatusUpdateAt: null }),
    0,
  );
  await repos.projects.upsert(project("3", { responsableKey: "asana-nadie", responsable: "Sin Slack" }), 0);
  await repos.users.upsert({
    slackUserId: "UANA",
    email: "ana@x",
    name: "Ana",
    asanaUserGid: "asana-ana",
    locale: "es",
    refreshedAt: now.toISOString(),
  });
  await repos.findings.open({ projectGid: "1", ruleId: "overdue", severity: "high", details: {} });
  await repos.findings.open({ projectGid: "2", ruleId: "no_status_update", severity: "medium", details: {} });
  await repos.changelog.append([
    {
      projectGid: "2",
      fieldName: "dueOn",
      oldValue: "2026-12-01",
      newValue: "2027-01-15",
      syncId: "s",
      detectedAt: "2026-11-23T06:00:00.000Z",
      source: "asana",
    },
  ]);
  await repos.updates.add({
    projectGid: "1",
    slackUserId: "UANA",
    submittedAt: "2026-11-23T09:00:00.000Z",
    text: "avance 50%",
    parsed: { progress: 50 },
  });
});
afterAll(async () => store.close());

const deps = (notifier: Notifier, locale: "es" | "en" = "es") => ({
  repos,
  notifier,
  clock: () => now,
  logger,
  owner: "test",
  settings: { locale, timeZone: "America/Bogota", freshUpdateDays: 7 },
});

const allText = (blocks: readonly KnownBlock[] | undefined) => JSON.stringify(blocks ?? []);

describe("daily digest", () => {
  it("says what the PMO wants to know in the morning, within Block Kit limits, escaped", async () => {
    const notifier = new RecordingNotifier();
    const summary = await sendDailyDigest(deps(notifier));
    expect(summary.status).toBe("sent");
    expect(summary.facts).toMatchObject({
      day: "2026-11-23",
      openBySeverity: { high: 1, medium: 1, low: 0 },
      openedSince: 2,
      noFreshUpdate: { count: 1 },
      unmappedOwners: [{ name: "Sin Slack", projects: 1 }],
    });
    expect(summary.facts?.notableChanges).toHaveLength(1);
    expect(summary.facts?.updatesReceived).toHaveLength(1);
    const [message] = notifier.posts;
    expect(message?.blocks.length).toBeLessThanOrEqual(50);
    const text = allText(message?.blocks);
    expect(text).toContain("Resumen diario");
    expect(text).toContain("🔴 1 alta · 🟡 1 media · 🟢 0 baja");
    expect(text).toContain("fecha de entrega");
    expect(text).toContain("&lt;!channel&gt; urgente");
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("Sin Slack (1 proyecto)");
    for (const block of message?.blocks ?? []) {
      if (block.type === "section") expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    }
    expect(message?.metadata?.event_payload).toEqual({ key: "daily-digest:2026-11-23" });
  });

  it("is never sent twice for the same day, and is sent again the next day", async () => {
    const notifier = new RecordingNotifier();
    expect((await sendDailyDigest(deps(notifier))).status).toBe("skipped");
    expect(notifier.posts).toHaveLength(0);
    now = new Date("2026-11-24T13:30:00.000Z");
    expect((await sendDailyDigest(deps(notifier, "en"))).status).toBe("sent");
    expect(allText(notifier.posts[0]?.blocks)).toContain("PMO daily digest");
  });

  it("a digest whose answer was lost is found in the channel and not posted again", async () => {
    now = new Date("2026-11-25T13:30:00.000Z");
    const notifier = new RecordingNotifier();
    notifier.inChannel.add("daily-digest:2026-11-25");
    const summary = await sendDailyDigest(deps(notifier));
    expect(summary).toMatchObject({ status: "skipped", reason: "today's digest was already in the channel" });
    expect(notifier.posts).toHaveLength(0);
    expect((await sendDailyDigest(deps(new RecordingNotifier()))).status).toBe("skipped");
  });
});

describe("packLines", () => {
  it("packs lines under the limit and truncates a single long one", () => {
    expect(packLines(["a", "b", "c"], 3)).toEqual(["a\nb", "c"]);
    const [long] = packLines(["x".repeat(5000)], 3000);
    expect(long?.length).toBeLessThanOrEqual(3000);
  });
});

describe("the digest's opening paragraph (optional language model)", () => {
  const sectionTexts = (blocks: readonly KnownBlock[] | undefined) =>
    (blocks ?? []).flatMap((block) => (block.type === "section" && block.text ? [block.text.text] : []));

  it("opens the digest when the model writes it, and the deterministic digest goes out alone when it fails", async () => {
    const endpoint = await startLlmEndpoint();
    try {
      const summaryWriter = createLlmSummaryWriter(
        { baseUrl: endpoint.baseUrl, model: "standin-model", apiKey: null, timeoutMs: 2_000 },
        logger,
      );
      endpoint.reply(
        jsonAnswer({ paragraph: "Un hallazgo alto abierto; <!channel> revisen la fecha movida." }),
      );
      now = new Date("2026-11-26T13:30:00.000Z");
      const written = new RecordingNotifier();
      expect((await sendDailyDigest({ ...deps(written), summaryWriter })).status).toBe("sent");
      expect(sectionTexts(written.posts[0]?.blocks)[0]).toBe(
        "*En pocas palabras*\nUn hallazgo alto abierto; &lt;!channel&gt; revisen la fecha movida.",
      );
      expect(endpoint.requests).toHaveLength(1);

      endpoint.reply({ status: 500, body: { error: { message: "down" } } });
      now = new Date("2026-11-27T13:30:00.000Z");
      const failed = new RecordingNotifier();
      expect((await sendDailyDigest({ ...deps(failed), summaryWriter })).status).toBe("sent");
      now = new Date("2026-11-28T13:30:00.000Z");
      const plain = new RecordingNotifier();
      expect((await sendDailyDigest(deps(plain))).status).toBe("sent");
      // The header names the day; every section below it is the same as without a writer.
      expect(sectionTexts(failed.posts[0]?.blocks)).toEqual(sectionTexts(plain.posts[0]?.blocks));
      expect(allText(failed.posts[0]?.blocks)).not.toContain("En pocas palabras");
    } finally {
      await endpoint.stop();
    }
  });
});
