import { StoreError, VersionConflictError } from "../errors.ts";
import {
  type AlertNeeded,
  type ChangeEntryInput,
  type Finding,
  type FindingCandidate,
  type FindingDetails,
  type FindingStatus,
  type Project,
  type Severity,
  severityRank,
  type TransitionCounts,
  type TransitionKind,
} from "../model.ts";
import type { ChangelogRepository } from "../store/changelog-repository.ts";
import type { FindingRef, FindingsRepository } from "../store/findings-repository.ts";
import { encodeFindingState, findingStateField } from "./finding-state-codec.ts";
import { isRuleId, isWithoutAccess } from "./rules.ts";

/**
 * The findings engine (DESIGN.md section 5): `planTransitions` decides, purely, what each of a
 * project's findings becomes given the rules that fire now; `applyTransitions` writes it.
 *
 * Every transition that changes a finding's status or severity is one changelog entry with
 * source `rules`, encoded by ./finding-state-codec.ts: fieldName `finding:<ruleId>`, oldValue /
 * newValue `<status>/<severity>` (oldValue null for a finding that did not exist):
 *   opened       null              -> "open/medium"
 *   escalated    "acknowledged/medium" -> "open/high"
 *   deescalated  "open/high"       -> "open/medium"
 *   woken        "snoozed/medium"  -> "open/medium"
 *   resolved     "open/medium"     -> "resolved/medium"
 *   reopened     "resolved/medium" -> "open/high"
 * A project Asana refuses to show (403, removedReason `no_access`) is not a project that left: its
 * active findings stay as they are (kept_without_access, noted in their details as
 * `noAccessSince`), none opens or reopens, until access returns and the rules decide again.
 * A refresh of the numbers alone (days since the last update ticking up) rewrites the finding
 * but is not a transition: its encoding does not change, so the changelog gets no entry.
 */

export type FindingState = { status: FindingStatus; severity: Severity; details: FindingDetails };

export type Transition = {
  kind: TransitionKind;
  projectGid: string;
  ruleId: string;
  /** The finding as read; null when there is none yet. */
  finding: Finding | null;
  /** What the finding becomes (equal to the current state for unchanged ones). */
  next: FindingState;
};

export const emptyCounts = (): TransitionCounts => ({
  opened: 0,
  reopened: 0,
  escalated: 0,
  deescalated: 0,
  refreshed: 0,
  woken: 0,
  resolved: 0,
  unchanged: 0,
  keptOnStaleData: 0,
  keptWithoutAccess: 0,
  conflicts: 0,
});

const COUNT_OF: Record<TransitionKind, keyof TransitionCounts> = {
  open: "opened",
  reopen: "reopened",
  escalate: "escalated",
  deescalate: "deescalated",
  refresh: "refreshed",
  wake: "woken",
  resolve: "resolved",
  unchanged: "unchanged",
  kept_on_stale_data: "keptOnStaleData",
  kept_without_access: "keptWithoutAccess",
};

const COUNT_KEYS = [...Object.values(COUNT_OF), "conflicts"] as const;

export function addCounts(into: TransitionCounts, more: TransitionCounts): TransitionCounts {
  for (const key of COUNT_KEYS) into[key] += more[key];
  return into;
}

/** Transitions after which the PMO channel must hear about the finding (again). */
export const ALERTING_KINDS: readonly TransitionKind[] = ["open", "reopen", "escalate", "wake"];

const isActive = (finding: Finding): boolean => finding.status !== "resolved";

function sameDetails(a: FindingDetails, b: FindingDetails): boolean {
  const keysA = Object.keys(a);
  return keysA.length === Object.keys(b).length && keysA.every((key) => key in b && a[key] === b[key]);
}

function snoozeEnded(finding: Finding, now: Date): boolean {
  return (
    finding.status === "snoozed" &&
    finding.snoozedUntil !== null &&
    Date.parse(finding.snoozedUntil) <= now.getTime()
  );
}

const stateOf = (finding: Finding): FindingState => ({
  status: finding.status,
  severity: finding.severity,
  details: finding.details,
});

/** The details key that says since when the finding's project is without access. */
export const NO_ACCESS_SINCE = "noAccessSince";

function withoutDetail(details: FindingDetails, key: string): FindingDetails {
  if (!(key in details)) return details;
  const { [key]: _dropped, ...rest } = details;
  return rest;
}

function planOne(
  project: Project,
  ruleId: string,
  candidate: FindingCandidate | null,
  finding: Finding | null,
  now: Date,
): Transition | null {
  const base = { projectGid: project.gid, ruleId, finding };
  if (isWithoutAccess(project)) {
    // Nothing opens, reopens or resolves while Asana refuses the project; a person may still resolve.
    if (finding === null || !isActive(finding)) return null;
    const since = project.removedAt ?? now.toISOString();
    const details = { ...finding.details, [NO_ACCESS_SINCE]: since };
    return { ...base, kind: "kept_without_access", next: { ...stateOf(finding), details } };
  }
  if (finding === null) {
    if (candidate === null) return null;
    return { ...base, kind: "open", next: { status: "open", ...fired(candidate) } };
  }
  if (!isActive(finding)) {
    if (candidate === null) return null;
    return { ...base, kind: "reopen", next: { status: "open", ...fired(candidate) } };
  }
  if (candidate === null) {
    // A project that left the scope (archived, completed, deleted, no access) will never be read
    // again, so waiting would keep its findings open forever: they resolve now, saying why, and
    // the item with its history stays. Stale data, by contrast, may come back proving the rule
    // still fires, so a finding of a stale project that is still in scope stays as it is.
    if (project.removedAt !== null) {
      const details = {
        ...withoutDetail(finding.details, NO_ACCESS_SINCE),
        resolvedBecause: "left_scope",
        removedReason: project.removedReason,
      };
      return { ...base, kind: "resolve", next: { ...stateOf(finding), status: "resolved", details } };
    }
    if (project.stale) {
      // Readable again, though not completely: the finding stays, without the note of no access.
      if (NO_ACCESS_SINCE in finding.details) {
        const details = withoutDetail(finding.details, NO_ACCESS_SINCE);
        return { ...base, kind: "refresh", next: { ...stateOf(finding), details } };
      }
      return { ...base, kind: "kept_on_stale_data", next: stateOf(finding) };
    }
    return {
      ...base,
      kind: "resolve",
      next: {
        ...stateOf(finding),
        status: "resolved",
        details: withoutDetail(finding.details, NO_ACCESS_SINCE),
      },
    };
  }
  const rank = severityRank(candidate.severity) - severityRank(finding.severity);
  if (snoozeEnded(finding, now))
    return { ...base, kind: "wake", next: { status: "open", ...fired(candidate) } };
  // A higher severity asks for attention again: an acknowledged or snoozed finding opens.
  if (rank > 0) return { ...base, kind: "escalate", next: { status: "open", ...fired(candidate) } };
  if (rank < 0) return { ...base, kind: "deescalate", next: { status: finding.status, ...fired(candidate) } };
  if (!sameDetails(finding.details, candidate.details))
    return { ...base, kind: "refresh", next: { status: finding.status, ...fired(candidate) } };
  return { ...base, kind: "unchanged", next: stateOf(finding) };
}

const fired = (candidate: FindingCandidate) => ({ severity: candidate.severity, details: candidate.details });

/**
 * What each of the project's findings becomes. `candidates` are the rules firing now;
 * `existingFindings` the project's stored findings (resolved ones may be left out when no rule
 * fires for them). Findings of rules this engine does not know are left alone. Pure.
 */
export function planTransitions(
  project: Project,
  candidates: readonly FindingCandidate[],
  existingFindings: readonly Finding[],
  now: Date,
): Transition[] {
  const findingsByRule = new Map<string, Finding>();
  for (const finding of existingFindings) {
    if (finding.projectGid === project.gid && isRuleId(finding.ruleId))
      findingsByRule.set(finding.ruleId, finding);
  }
  const candidatesByRule = new Map<string, FindingCandidate>();
  for (const candidate of candidates) {
    if (candidate.projectGid === project.gid) candidatesByRule.set(candidate.ruleId, candidate);
  }
  const ruleIds = [...new Set([...candidatesByRule.keys(), ...findingsByRule.keys()])];
  return ruleIds.flatMap((ruleId) => {
    const transition = planOne(
      project,
      ruleId,
      candidatesByRule.get(ruleId) ?? null,
      findingsByRule.get(ruleId) ?? null,
      now,
    );
    return transition === null ? [] : [transition];
  });
}

export function changelogEntryFor(
  transition: Transition,
  now: Date,
  syncId: string | null,
): ChangeEntryInput | null {
  const oldValue = encodeFindingState(transition.finding);
  const newValue = encodeFindingState(transition.next);
  if (oldValue === newValue) return null;
  return {
    projectGid: transition.projectGid,
    fieldName: findingStateField(transition.ruleId),
    oldValue,
    newValue,
    syncId,
    detectedAt: now.toISOString(),
    source: "rules",
    actor: null,
  };
}

export type EngineStores = {
  findings: Pick<FindingsRepository, "get" | "open" | "update" | "reopen" | "resolve">;
  changelog: Pick<ChangelogRepository, "append">;
};

export type ApplyResult = { counts: TransitionCounts; alerts: AlertNeeded[] };

const refOf = (finding: Finding): FindingRef => ({
  projectGid: finding.projectGid,
  ruleId: finding.ruleId,
  expectedVersion: finding.version,
});

/** The finding fields a transition changes, beyond status, severity and details. */
function leavingFields(from: FindingStatus, to: FindingStatus) {
  if (from === to) return {};
  const clearsAck =
    from === "acknowledged" ? { acknowledgedAt: null, acknowledgedBy: null, ackComment: null } : {};
  const clearsSnooze = from === "snoozed" ? { snoozedUntil: null, snoozedBy: null } : {};
  return { ...clearsAck, ...clearsSnooze };
}

async function write(stores: EngineStores, transition: Transition): Promise<void> {
  const { finding, next } = transition;
  switch (transition.kind) {
    case "unchanged":
    case "kept_on_stale_data":
      return;
    case "kept_without_access":
      // Written once, when the access is found missing: the note is what the surfaces show.
      if (finding === null || finding.details[NO_ACCESS_SINCE] === next.details[NO_ACCESS_SINCE]) return;
      await stores.findings.update(refOf(finding), { details: next.details }, [finding.status]);
      return;
    case "open":
      await stores.findings.open({
        projectGid: transition.projectGid,
        ruleId: transition.ruleId,
        severity: next.severity,
        details: next.details,
      });
      return;
  }
  if (finding === null) throw new StoreError("not_found", `finding ${transition.ruleId} is not stored`);
  switch (transition.kind) {
    case "reopen":
      await stores.findings.reopen(refOf(finding), next);
      return;
    case "resolve":
      await stores.findings.resolve(refOf(finding), "auto", { details: next.details });
      return;
    case "escalate":
    case "deescalate":
    case "refresh":
    case "wake":
      await stores.findings.update(
        refOf(finding),
        {
          status: next.status,
          severity: next.severity,
          details: next.details,
          ...leavingFields(finding.status, next.status),
        },
        [finding.status],
      );
      return;
  }
}

/** A lost race: someone changed the finding between the read and the write. */
const isLostRace = (error: unknown): boolean =>
  error instanceof VersionConflictError || (error instanceof StoreError && error.code === "not_found");

/** Writes of one finding before a lost race is given up and counted as a conflict. */
export const WRITE_ATTEMPTS = 3;

/**
 * Writes the planned transitions of one project, each finding on its own: a finding that someone
 * changed meanwhile (a click in Slack, another evaluation of the same project) is reread and
 * planned again, up to WRITE_ATTEMPTS writes in all; a race lost every time is counted in
 * `conflicts` and skipped. Every status or severity change is appended to the changelog.
 */
export async function applyTransitions(
  stores: EngineStores,
  project: Project,
  candidates: readonly FindingCandidate[],
  transitions: readonly Transition[],
  options: { now: Date; syncId?: string | null },
): Promise<ApplyResult> {
  const result: ApplyResult = { counts: emptyCounts(), alerts: [] };
  const syncId = options.syncId ?? null;
  const entries: ChangeEntryInput[] = [];
  for (const planned of transitions) {
    const outcome = await writeWithReplan(stores, project, candidates, planned, options.now);
    if (outcome === "conflict") result.counts.conflicts++;
    if (outcome === "conflict" || outcome === null) continue;
    result.counts[COUNT_OF[outcome.kind]]++;
    if (ALERTING_KINDS.includes(outcome.kind))
      result.alerts.push({
        projectGid: outcome.projectGid,
        ruleId: outcome.ruleId,
        kind: outcome.kind,
        severity: outcome.next.severity,
      });
    const entry = changelogEntryFor(outcome, options.now, syncId);
    if (entry !== null) entries.push(entry);
  }
  if (entries.length > 0) await stores.changelog.append(entries);
  return result;
}

/** The transition written; null when the reread finding needs nothing any more. */
async function writeWithReplan(
  stores: EngineStores,
  project: Project,
  candidates: readonly FindingCandidate[],
  planned: Transition,
  now: Date,
): Promise<Transition | null | "conflict"> {
  let transition = planned;
  for (let attempt = 1; ; attempt++) {
    try {
      await write(stores, transition);
      return transition;
    } catch (error) {
      if (!isLostRace(error)) throw error;
      if (attempt >= WRITE_ATTEMPTS) return "conflict";
    }
    const fresh = await stores.findings.get(planned.projectGid, planned.ruleId);
    const candidate = candidates.filter((c) => c.ruleId === planned.ruleId);
    const [replanned] = planTransitions(project, candidate, fresh === null ? [] : [fresh], now);
    if (replanned === undefined) return null;
    transition = replanned;
  }
}
