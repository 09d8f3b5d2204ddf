import { z } from "zod";
import {
  type ChangeEntry,
  FINDING_STATUSES,
  type FindingStatus,
  SEVERITIES,
  type Severity,
} from "../model.ts";

/**
 * How a finding's state is written into the changelog, and read back. The rules engine records
 * every change of a finding's status or severity as one entry with fieldName `finding:<ruleId>`
 * and oldValue / newValue `<status>/<severity>` (null for a finding that did not exist); the
 * alerts job reads those entries to tell a snoozed finding that woke up.
 */

export type FindingStateValue = { status: FindingStatus; severity: Severity };

const FIELD_PREFIX = "finding:";

const stateSchema = z.object({ status: z.enum(FINDING_STATUSES), severity: z.enum(SEVERITIES) });

/** The changelog field of a finding's rule: `finding:<ruleId>`. */
export function findingStateField(ruleId: string): string {
  return `${FIELD_PREFIX}${ruleId}`;
}

/** The rule of a `finding:<ruleId>` field; null for any other field. */
export function ruleIdOfField(fieldName: string): string | null {
  if (!fieldName.startsWith(FIELD_PREFIX)) return null;
  const ruleId = fieldName.slice(FIELD_PREFIX.length);
  return ruleId === "" ? null : ruleId;
}

/** `<status>/<severity>`; null for no finding. */
export function encodeFindingState(state: FindingStateValue | null): string | null {
  return state === null ? null : `${state.status}/${state.severity}`;
}

/** The state an encoded value names; null for anything that is not exactly `<status>/<severity>`. */
export function decodeFindingState(value: unknown): FindingStateValue | null {
  if (typeof value !== "string") return null;
  const parts = value.split("/");
  if (parts.length !== 2) return null;
  const parsed = stateSchema.safeParse({ status: parts[0], severity: parts[1] });
  return parsed.success ? parsed.data : null;
}

export type FindingStateChange = {
  ruleId: string;
  /** Null when the finding did not exist before. */
  from: FindingStateValue | null;
  to: FindingStateValue;
};

/** A changelog entry read as a finding's change of state; null when it is not one. */
export function decodeFindingChange(
  entry: Pick<ChangeEntry, "fieldName" | "oldValue" | "newValue">,
): FindingStateChange | null {
  const ruleId = ruleIdOfField(entry.fieldName);
  if (ruleId === null) return null;
  const to = decodeFindingState(entry.newValue);
  if (to === null) return null;
  if (entry.oldValue === null) return { ruleId, from: null, to };
  const from = decodeFindingState(entry.oldValue);
  return from === null ? null : { ruleId, from, to };
}

/** True for the entry the engine writes when the rule's snoozed finding opens again. */
export function isWake(
  entry: Pick<ChangeEntry, "fieldName" | "oldValue" | "newValue">,
  ruleId: string,
): boolean {
  const change = decodeFindingChange(entry);
  return (
    change !== null &&
    change.ruleId === ruleId &&
    change.from?.status === "snoozed" &&
    change.to.status === "open"
  );
}
