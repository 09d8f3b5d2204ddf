import {
  bySeverityDescending,
  type ChangeEntry,
  type Finding,
  type FindingDigestRef,
  type Severity,
  severityRank,
} from "../model.ts";
import { isWake } from "../rules/finding-state-codec.ts";
import { TEXT_CHANNEL } from "../slack/notifier.ts";

/**
 * The alerting policy of the findings channel (DESIGN.md section 6), pure: which findings a run
 * posts, and how. A finding is eligible when it is open and was never posted at its severity or
 * above, or when it woke from a snooze since its last message. A message in another Slack channel
 * counts (the findings channel moved since: the message stays where it was posted and is updated
 * there); one only printed as text (a run without Slack) does not count for Slack. High findings get a message
 * each, the oldest first, at most `maxIndividual` a run; the rest goes into one digest. The first
 * run on a store that never alerted anything, with more to say than `maxIndividual`, opens with a
 * summary and puts everything in the digest instead.
 */

export type AlertPlanSettings = { maxIndividual: number };

export type PlanAlertsInput = {
  /** The findings that are not resolved, as read this run. */
  findings: readonly Finding[];
  channel: string;
  /** Keys (findingKey) of the findings that woke from a snooze since their last message. */
  woken: ReadonlySet<string>;
  /** True when no finding of the store, resolved ones included, was ever posted or about to be. */
  neverAlerted: boolean;
  settings: AlertPlanSettings;
};

export type AlertPlan = {
  /** High findings, each posted as its own message, oldest first. */
  singles: Finding[];
  /** Everything else that is eligible, in the order given, for the digest. */
  digest: Finding[];
  /** True when the run opens with the first-run summary (of the digest's findings). */
  openingSummary: boolean;
  /** Active findings left alone: already posted, acknowledged or snoozed. */
  skipped: Finding[];
};

export type Notice = { severity: Severity; atMs: number };

export const findingKey = (f: Pick<Finding, "projectGid" | "ruleId">): string =>
  `${f.projectGid}#${f.ruleId}`;

/** Slack's ts is the posting time in epoch seconds ("1712345678.000200"). */
export const tsMillis = (ts: string): number => Math.round(Number.parseFloat(ts) * 1000) || 0;

/**
 * Whether a message recorded in channel `recorded` is one a run posting to `channel` sees and
 * updates: every Slack channel for a Slack channel, only the text pseudo-channel for text.
 */
export function onSameSurface(recorded: string, channel: string): boolean {
  return (recorded === TEXT_CHANNEL) === (channel === TEXT_CHANNEL);
}

/** The digest this occurrence of the finding went into, in whichever channel; null when none. */
export function digestHere(f: Finding, channel: string): FindingDigestRef | null {
  const digest = f.digest ?? null;
  return digest !== null && onSameSurface(digest.channel, channel) && digest.occurrence === f.occurrences
    ? digest
    : null;
}

/** The finding's own message, in whichever channel; null when none. */
export function alertHere(f: Finding, channel: string) {
  return f.alert !== null && onSameSurface(f.alert.channel, channel) ? f.alert : null;
}

/** The strongest message about this occurrence of the finding already posted. */
export function strongestNotice(f: Finding, channel: string): Notice | null {
  const notices = [alertHere(f, channel), digestHere(f, channel)]
    .filter((n) => n !== null)
    .map((n) => ({ severity: n.severity, atMs: n.at === undefined ? tsMillis(n.ts) : Date.parse(n.at) }));
  notices.sort((a, b) => bySeverityDescending(a.severity, b.severity) || b.atMs - a.atMs);
  return notices[0] ?? null;
}

/** Open and never posted at this severity or above (a wake-up is checked separately). */
export function needsNoticeBySeverity(f: Finding, channel: string): boolean {
  if (f.status !== "open") return false;
  const notice = strongestNotice(f, channel);
  return notice === null || severityRank(f.severity) > severityRank(notice.severity);
}

/** No message was ever posted, or about to be, about any of these findings. */
export function neverAlerted(findings: Iterable<Finding>): boolean {
  for (const f of findings)
    if (f.alert !== null || (f.digest ?? null) !== null || (f.alertIntent ?? null) !== null) return false;
  return true;
}

/** Clock skew between the instances that wrote the finding and the one that ran last. */
const WAKE_CHECK_MARGIN_MS = 5 * 60_000;

/**
 * Findings that may have woken from a snooze since their last message: open, already posted at
 * their severity, and changed after that message and since the last run (null: no run yet).
 * Whether they did is for `wokeSinceNotice` to tell from their changelog.
 */
export function wakeSuspects(
  findings: readonly Finding[],
  channel: string,
  lastRunMs: number | null,
): Finding[] {
  return findings.filter((f) => {
    if (f.status !== "open" || needsNoticeBySeverity(f, channel)) return false;
    const notice = strongestNotice(f, channel);
    const updatedMs = Date.parse(f.updatedAt);
    return (
      notice !== null &&
      updatedMs > notice.atMs &&
      (lastRunMs === null || updatedMs > lastRunMs - WAKE_CHECK_MARGIN_MS)
    );
  });
}

/** True when the project's changelog shows the finding waking from a snooze after its last message. */
export function wokeSinceNotice(
  finding: Finding,
  entries: readonly Pick<ChangeEntry, "fieldName" | "oldValue" | "newValue" | "detectedAt">[],
  channel: string,
): boolean {
  const noticeMs = strongestNotice(finding, channel)?.atMs ?? 0;
  return entries.some((entry) => isWake(entry, finding.ruleId) && Date.parse(entry.detectedAt) > noticeMs);
}

const oldestFirst = (a: Finding, b: Finding) =>
  a.createdAt.localeCompare(b.createdAt) || findingKey(a).localeCompare(findingKey(b));

export function planAlerts(input: PlanAlertsInput): AlertPlan {
  const { channel, woken, settings } = input;
  const current = input.findings.filter((f) => f.status !== "resolved");
  const isEligible = (f: Finding) =>
    needsNoticeBySeverity(f, channel) || (f.status === "open" && woken.has(findingKey(f)));
  const eligible = current.filter(isEligible);
  const skipped = current.filter((f) => !isEligible(f));
  const openingSummary = input.neverAlerted && eligible.length > settings.maxIndividual;
  const highs = openingSummary ? [] : eligible.filter((f) => f.severity === "high").sort(oldestFirst);
  const singles = highs.slice(0, settings.maxIndividual);
  const singleKeys = new Set(singles.map(findingKey));
  const digest = eligible.filter((f) => !singleKeys.has(findingKey(f)));
  return { singles, digest, openingSummary, skipped };
}
