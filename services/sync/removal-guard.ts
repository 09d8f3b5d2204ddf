import type { RemovalReason } from "../model.ts";

/** Reasons that only say Asana stopped showing a project; archived and completed are its own state. */
const DISAPPEARANCES: ReadonlySet<RemovalReason> = new Set(["out_of_scope", "deleted", "no_access"]);

const MIN_LIMIT = 5;
const SHARE = 0.05;

export function isDisappearance(reason: RemovalReason): boolean {
  return DISAPPEARANCES.has(reason);
}

/** The most projects one sync marks gone without an admin's confirmation: max(5, 5 % of the active). */
export function massRemovalLimit(activeProjects: number): number {
  return Math.max(MIN_LIMIT, Math.floor(activeProjects * SHARE));
}

export function isMassRemoval(disappeared: number, activeProjects: number): boolean {
  return disappeared > massRemovalLimit(activeProjects);
}
