import { z } from "zod";
import { PmoError } from "../errors.ts";
import type { Finding } from "../model.ts";
import { BLOCK_KIT } from "./blocks/limits.ts";
import { parseButtonValue } from "./carried-json.ts";

/** What a finding button carries: the project, the rule and the version the message showed. */
export type FindingButtonRef = { projectGid: string; ruleId: string; version: number };

const buttonValueSchema = z.object({
  p: z.string().min(1).max(200),
  r: z.string().min(1).max(200),
  v: z.number().int().min(0),
});

/** `{"p":"…","r":"…","v":3}`: short, so it stays far under Slack's 2,000-character value limit. */
export function encodeFindingRef(finding: Pick<Finding, "projectGid" | "ruleId" | "version">): string {
  const value = JSON.stringify({ p: finding.projectGid, r: finding.ruleId, v: finding.version });
  if (value.length > BLOCK_KIT.buttonValue || !buttonValueSchema.safeParse(JSON.parse(value)).success) {
    throw new PmoError(
      "finding_ref_invalid",
      `finding ${finding.ruleId} of ${finding.projectGid} cannot be carried by a button`,
    );
  }
  return value;
}

/** The finding a button value points at, or null for anything that is not one of ours. */
export function parseFindingRef(value: unknown): FindingButtonRef | null {
  const parsed = parseButtonValue(value, buttonValueSchema);
  return parsed === null ? null : { projectGid: parsed.p, ruleId: parsed.r, version: parsed.v };
}
