import type { ParsedUpdate } from "../model.ts";

/**
 * Whether a status update tells the PMO something it must hear, and so is posted to the PMO
 * channel when saved: a risk, a blocker, or a health at risk or off track. An update that only
 * puts a project on hold, or says it is on track, is not.
 */
export function reportsRisk(parsed: Pick<ParsedUpdate, "risks" | "blockers" | "health">): boolean {
  return (
    parsed.risks.length > 0 ||
    parsed.blockers.length > 0 ||
    parsed.health === "at_risk" ||
    parsed.health === "off_track"
  );
}
