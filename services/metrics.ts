import type { FindingStatus, Severity, SyncKind, SyncSummary } from "./model.ts";

/**
 * What services and jobs report for `/metrics`, as plain functions (DESIGN.md section 11):
 * app/metrics.ts binds them to prom-client; services never import it. Every function is cheap and
 * never throws.
 */
export type Metrics = {
  /**
   * One HTTP request sent to Asana (each retry is one more): its method and the answer's status,
   * or why none came.
   */
  asanaRequest(method: "GET" | "POST", outcome: number | "timeout" | "network"): void;
  /** One sync of the pipeline ended: its duration from its summary, null when unknown (it threw). */
  syncRun(kind: SyncKind, outcome: SyncSummary["status"], seconds: number | null): void;
  /** The unresolved findings after a rules run, counted by severity and status. */
  findings(counts: FindingCounts): void;
};

/** Unresolved findings by severity and status (resolved ones are not counted). */
export type FindingCounts = Readonly<
  Record<Severity, Readonly<Record<Exclude<FindingStatus, "resolved">, number>>>
>;

/** Measures nothing: where no metrics are wanted (tests of other things, the CLI). */
export const NO_METRICS: Metrics = {
  asanaRequest: () => {},
  syncRun: () => {},
  findings: () => {},
};

/** Counts unresolved findings by severity and status. */
export function countFindings(
  findings: Iterable<{ severity: Severity; status: FindingStatus }>,
): FindingCounts {
  const zero = () => ({ open: 0, acknowledged: 0, snoozed: 0 });
  const counts = { high: zero(), medium: zero(), low: zero() };
  for (const finding of findings) {
    if (finding.status === "resolved") continue;
    counts[finding.severity][finding.status]++;
  }
  return counts;
}
