import { type DigestFacts, gatherDigestFacts, pmoDay } from "../services/digest/digest-facts.ts";
import { DeterministicSummarizer, type DigestSummarizer } from "../services/digest/summarizer.ts";
import { type DigestSummaryWriter, withOverview } from "../services/digest/summary-writer.ts";
import type { Logger } from "../services/logger.ts";
import type { Clock, Locale } from "../services/model.ts";
import { dailyDigestMessage } from "../services/slack/blocks/daily-digest.ts";
import type { Notifier } from "../services/slack/notifier.ts";
import type { Repositories } from "../services/store/repositories.ts";
import { runExclusive } from "./lease.ts";

export const DAILY_DIGEST_LEASE = "daily-digest";
const LAST_DAY_CURSOR = "daily-digest:last-day";
const LAST_SENT_CURSOR = "daily-digest:last-sent-at";
const METADATA_EVENT = "pmo_daily_digest";

export type DailyDigestDeps = {
  repos: Repositories;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  owner: string;
  settings: { locale: Locale; timeZone: string; freshUpdateDays: number };
  summarizer?: DigestSummarizer;
  /** The optional opening paragraph (a language model); without it, or when it writes none, the digest goes without. */
  summaryWriter?: DigestSummaryWriter;
};

export type DailyDigestSummary = {
  status: "sent" | "skipped" | "failed";
  day: string;
  reason: string | null;
  facts: DigestFacts | null;
};

/**
 * The morning digest to the PMO channel, once per PMO day: a run that finds today's digest
 * already sent (recorded, or found in the channel after a lost answer) posts nothing.
 */
export async function sendDailyDigest(deps: DailyDigestDeps): Promise<DailyDigestSummary> {
  const now = deps.clock();
  const day = pmoDay(now, deps.settings.timeZone);
  const outcome = await runExclusive(
    { leases: deps.repos.meta.leases, name: DAILY_DIGEST_LEASE, owner: deps.owner, ttlMs: 5 * 60_000 },
    async () => {
      if ((await deps.repos.meta.cursors.get(LAST_DAY_CURSOR)) === day) {
        return skipped(day, "today's digest was already sent");
      }
      const key = `daily-digest:${day}`;
      const dayStart = new Date(now.getTime() - 36 * 3_600_000);
      const posted = await deps.notifier.findPosted(new Set([key]), dayStart);
      if (posted.has(key)) {
        await markSent(deps, day, now);
        return skipped(day, "today's digest was already in the channel");
      }
      const lastSent = await deps.repos.meta.cursors.get(LAST_SENT_CURSOR);
      const since = lastSent === null ? new Date(now.getTime() - 86_400_000) : new Date(lastSent);
      const facts = await gatherDigestFacts(deps.repos, {
        now,
        since,
        timezone: deps.settings.timeZone,
        freshUpdateDays: deps.settings.freshUpdateDays,
      });
      const wording = { locale: deps.settings.locale, timeZone: deps.settings.timeZone };
      const summary = (deps.summarizer ?? new DeterministicSummarizer()).summarize(facts, wording);
      const paragraph = (await deps.summaryWriter?.write(facts, wording).catch(() => null)) ?? null;
      await deps.notifier.post({
        ...dailyDigestMessage(
          paragraph === null ? summary : withOverview(summary, paragraph, deps.settings.locale),
        ),
        metadata: { event_type: METADATA_EVENT, event_payload: { key } },
      });
      await markSent(deps, day, now);
      deps.logger.info({ day, open: facts.openBySeverity }, "daily digest sent");
      return { status: "sent" as const, day, reason: null, facts };
    },
  ).catch((error: unknown): { status: "ran"; value: DailyDigestSummary } => {
    deps.logger.error({ err: error, day }, "daily digest failed");
    return {
      status: "ran",
      value: {
        status: "failed",
        day,
        reason: error instanceof Error ? error.message : String(error),
        facts: null,
      },
    };
  });
  return outcome.status === "ran" ? outcome.value : skipped(day, outcome.reason);
}

function skipped(day: string, reason: string): DailyDigestSummary {
  return { status: "skipped", day, reason, facts: null };
}

async function markSent(deps: DailyDigestDeps, day: string, at: Date): Promise<void> {
  await deps.repos.meta.cursors.put(LAST_DAY_CURSOR, day);
  await deps.repos.meta.cursors.put(LAST_SENT_CURSOR, at.toISOString());
}
