import type { ActionsBlock, Button, ContextBlock, KnownBlock, MrkdwnElement } from "@slack/types";
import { formatCalendarDate, formatDateTime, formatShortDate, type Locale, t } from "../../i18n/index.ts";
import {
  type ChangeEntry,
  type ChangeValue,
  CRITICAL_FIELDS,
  type Finding,
  type FindingDetails,
  PROJECT_STATUSES,
  type Project,
  type Severity,
} from "../../model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE, type FindingActionId } from "../action-ids.ts";
import { encodeFindingRef } from "../finding-ref.ts";
import { escapeAndTruncate, link, mentionOrName, truncate } from "../mrkdwn.ts";
import { BLOCK_KIT } from "./limits.ts";

/** Pieces shared by the finding message, the digest and the opening summary. All pure. */

/** What chat.postMessage and chat.update get: blocks and the text fallback (mrkdwn, escaped). */
export type SlackMessage = { text: string; blocks: KnownBlock[] };

export type RenderContext = {
  locale: Locale;
  /** The PMO's time zone: every date a reader sees is in it. */
  timeZone: string;
  /** The Slack user who owns the project, when the owner is mapped to one (looked up beforehand). */
  slackUserIdFor: (project: Project) => string | null;
};

/** A finding and its project (null when the project is no longer stored). */
export type FindingWithProject = { finding: Finding; project: Project | null };

export const SEVERITY_EMOJI: { readonly [S in Severity]: string } = { high: "🔴", medium: "🟡", low: "🟢" };
export const SEVERITY_ORDER: readonly Severity[] = ["high", "medium", "low"];

const PROJECT_NAME_MAX = 150;
const COMMENT_MAX = 500;
const CHANGE_VALUE_MAX = 80;
export const MAX_CHANGES_SHOWN = 3;

export function severityName(locale: Locale, severity: Severity): string {
  return t(locale, `severity.${severity}`);
}

/** The project's name linked to Asana (escaped; the link only when its URL is safe). */
export function projectLink(locale: Locale, projectGid: string, project: Project | null): string {
  if (project === null)
    return t(locale, "finding.unknownProject", { gid: escapeAndTruncate(projectGid, 40) });
  const name = project.name.trim() === "" ? projectGid : project.name;
  return link(project.permalinkUrl, name, PROJECT_NAME_MAX);
}

/** The project's name as plain escaped text (for text fallbacks). */
export function projectName(locale: Locale, projectGid: string, project: Project | null): string {
  if (project === null || project.name.trim() === "")
    return t(locale, "finding.unknownProject", { gid: escapeAndTruncate(projectGid, 40) });
  return escapeAndTruncate(project.name, PROJECT_NAME_MAX);
}

export function pmoIdText(locale: Locale, project: Project | null): string {
  const pmoId = project?.pmoId ?? null;
  return pmoId === null || pmoId.trim() === "" ? t(locale, "finding.noPmoId") : escapeAndTruncate(pmoId, 60);
}

export function responsableText(ctx: RenderContext, project: Project | null): string {
  const fallback = t(ctx.locale, "finding.noResponsable");
  if (project === null) return fallback;
  return truncate(mentionOrName(ctx.slackUserIdFor(project), project.responsable, fallback), 200);
}

const numberIn = (details: FindingDetails, key: string): number | null => {
  const value = details[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
};

/** The rule in the reader's words, with the numbers that fired it. Safe mrkdwn. */
export function explainFinding(locale: Locale, finding: Pick<Finding, "ruleId" | "details">): string {
  const d = finding.details;
  switch (finding.ruleId) {
    case "no_status_update": {
      const days = numberIn(d, "daysSinceUpdate");
      return days === null
        ? t(locale, "rule.no_status_update.never")
        : t(locale, "rule.no_status_update", { days });
    }
    case "no_activity": {
      const days = numberIn(d, "daysSinceActivity");
      return days === null ? t(locale, "rule.no_activity.never") : t(locale, "rule.no_activity", { days });
    }
    case "schedule_risk": {
      const days = numberIn(d, "daysToDue");
      const progress = numberIn(d, "progress");
      if (days === null || progress === null) return t(locale, "rule.schedule_risk.noNumbers");
      return days <= 0
        ? t(locale, "rule.schedule_risk.today", { progress })
        : t(locale, "rule.schedule_risk", { days, progress });
    }
    case "overdue": {
      const days = numberIn(d, "daysOverdue");
      const progress = numberIn(d, "progress");
      if (days === null) return t(locale, "rule.overdue.noNumbers");
      return progress === null
        ? t(locale, "rule.overdue.noProgress", { days })
        : t(locale, "rule.overdue", { days, progress });
    }
    case "amount_of_tasks": {
      const count = numberIn(d, "taskCount");
      return count === null
        ? t(locale, "rule.amount_of_tasks.noNumbers")
        : t(locale, "rule.amount_of_tasks", { count });
    }
    case "progress_mismatch": {
      const reported = numberIn(d, "reportedProgress");
      const progress = numberIn(d, "progress");
      if (reported === null || progress === null) return t(locale, "rule.progress_mismatch.noNumbers");
      const difference = numberIn(d, "difference") ?? Math.abs(reported - progress);
      return t(locale, "rule.progress_mismatch", { reported, progress, difference });
    }
    case "missing_pmo_id":
      return t(locale, "rule.missing_pmo_id");
    case "missing_responsable":
      return t(locale, "rule.missing_responsable");
    case "missing_vertical":
      return t(locale, "rule.missing_vertical");
    case "missing_due_date":
      return t(locale, "rule.missing_due_date");
    default:
      return t(locale, "rule.unknown", { rule: escapeAndTruncate(finding.ruleId, 80) });
  }
}

/** The project fields whose changes explain each rule. */
const FIELDS_BEHIND_RULE: Readonly<Record<string, readonly string[]>> = {
  schedule_risk: ["dueOn", "progressPercent", "totalTasks", "pendingTasks", "status"],
  overdue: ["dueOn", "progressPercent", "status"],
  amount_of_tasks: ["totalTasks", "pendingTasks"],
  progress_mismatch: ["progressPercent"],
  no_status_update: ["status"],
  no_activity: ["pendingTasks", "progressPercent"],
  missing_pmo_id: ["pmoId"],
  missing_responsable: ["responsable"],
  missing_vertical: ["businessVertical"],
  missing_due_date: ["dueOn"],
};

/** Of the project's changes (newest first), the last few that led to the finding. */
export function changesBehind(ruleId: string, entries: readonly ChangeEntry[]): ChangeEntry[] {
  const fields = FIELDS_BEHIND_RULE[ruleId];
  return entries
    .filter((e) => e.source !== "rules" && (fields === undefined || fields.includes(e.fieldName)))
    .slice(0, MAX_CHANGES_SHOWN);
}

const isCriticalField = (field: string): field is (typeof CRITICAL_FIELDS)[number] =>
  (CRITICAL_FIELDS as readonly string[]).includes(field);
const isProjectStatus = (value: string): value is (typeof PROJECT_STATUSES)[number] =>
  (PROJECT_STATUSES as readonly string[]).includes(value);

function changeValueText(locale: Locale, field: string, value: ChangeValue): string {
  if (value === null || value === "") return t(locale, "value.empty");
  if (field === "status" && typeof value === "string" && isProjectStatus(value))
    return t(locale, `projectStatus.${value}`);
  if (field === "dueOn" && typeof value === "string")
    return escapeAndTruncate(formatCalendarDate(locale, value), 60);
  if (field === "progressPercent" && typeof value === "number") return t(locale, "value.percent", { value });
  return escapeAndTruncate(String(value), CHANGE_VALUE_MAX);
}

/** "• Fecha de entrega: 10 de marzo de 2026 → 5 de abril de 2026 (3 mar)". */
export function changeLine(ctx: RenderContext, entry: ChangeEntry): string {
  const field = isCriticalField(entry.fieldName)
    ? t(ctx.locale, `field.${entry.fieldName}`)
    : escapeAndTruncate(entry.fieldName, 60);
  return t(ctx.locale, "finding.change", {
    field,
    before: changeValueText(ctx.locale, entry.fieldName, entry.oldValue),
    after: changeValueText(ctx.locale, entry.fieldName, entry.newValue),
    date: formatShortDate(ctx.locale, ctx.timeZone, entry.detectedAt),
  });
}

/** Who did something: a mention for a Slack user ID, else the escaped value, else "someone". */
function actor(locale: Locale, userId: string | null): string {
  return truncate(mentionOrName(userId, userId, t(locale, "finding.someone")), 100);
}

/**
 * Since when the finding's project is without access (the rules engine notes it while Asana
 * answers 403); null for a resolved finding or one whose project is readable.
 */
export function noAccessSince(finding: Pick<Finding, "status" | "details">): string | null {
  const since = finding.details.noAccessSince;
  return finding.status !== "resolved" && typeof since === "string" && since !== "" ? since : null;
}

/** "Sin acceso / No access" since when; null when the project is readable. */
export function noAccessLine(
  ctx: Pick<RenderContext, "locale" | "timeZone">,
  finding: Finding,
): string | null {
  const since = noAccessSince(finding);
  if (since === null) return null;
  return t(ctx.locale, "finding.noAccess", { date: formatDateTime(ctx.locale, ctx.timeZone, since) });
}

/**
 * What happened to the finding since it was posted, and whether its project is without access;
 * null while it is simply open.
 */
export function statusLine(ctx: RenderContext, finding: Finding): string | null {
  const lines = [progressLine(ctx, finding), noAccessLine(ctx, finding)].filter((line) => line !== null);
  return lines.length === 0 ? null : lines.join("\n");
}

function progressLine(ctx: RenderContext, finding: Finding): string | null {
  const { locale, timeZone } = ctx;
  switch (finding.status) {
    case "open":
      return null;
    case "resolved": {
      const date = formatDateTime(locale, timeZone, finding.resolvedAt ?? finding.updatedAt);
      return finding.resolution === "manual" && finding.resolvedBy !== null
        ? t(locale, "finding.resolvedBy", { user: actor(locale, finding.resolvedBy), date })
        : t(locale, "finding.resolvedAuto", { date });
    }
    case "acknowledged": {
      const user = actor(locale, finding.acknowledgedBy);
      const comment = finding.ackComment?.trim() ?? "";
      return comment === ""
        ? t(locale, "finding.acknowledgedBy", { user })
        : t(locale, "finding.acknowledgedWithComment", {
            user,
            comment: escapeAndTruncate(comment, COMMENT_MAX),
          });
    }
    case "snoozed": {
      const date = formatDateTime(locale, timeZone, finding.snoozedUntil ?? finding.updatedAt);
      return finding.snoozedBy === null
        ? t(locale, "finding.snoozedUntil", { date })
        : t(locale, "finding.snoozedByUntil", { user: actor(locale, finding.snoozedBy), date });
    }
  }
}

const BUTTON_LABEL: { readonly [A in FindingActionId]: `button.${"acknowledge" | "resolve" | "snooze"}` } = {
  [FINDING_ACK]: "button.acknowledge",
  [FINDING_RESOLVE]: "button.resolve",
  [FINDING_SNOOZE]: "button.snooze",
};

/** The actions a finding still offers: none once resolved. */
export function actionsFor(finding: Pick<Finding, "status">): FindingActionId[] {
  switch (finding.status) {
    case "open":
      return [FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE];
    case "acknowledged":
      return [FINDING_RESOLVE, FINDING_SNOOZE];
    case "snoozed":
      return [FINDING_ACK, FINDING_RESOLVE];
    case "resolved":
      return [];
  }
}

export function findingButton(locale: Locale, actionId: FindingActionId, finding: Finding): Button {
  const label = t(locale, BUTTON_LABEL[actionId]);
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text: truncate(label, BLOCK_KIT.buttonText), emoji: true },
    value: encodeFindingRef(finding),
    ...(actionId === FINDING_ACK ? { style: "primary" as const } : {}),
  };
}

/** The finding's buttons in one actions block; null when it offers none. */
export function findingActions(locale: Locale, finding: Finding, blockId: string): ActionsBlock | null {
  const actions = actionsFor(finding);
  if (actions.length === 0) return null;
  return {
    type: "actions",
    block_id: blockId,
    elements: actions.map((actionId) => findingButton(locale, actionId, finding)),
  };
}

export function mrkdwn(text: string, max: number): MrkdwnElement {
  return { type: "mrkdwn", text: truncate(text, max) };
}

export function contextLine(text: string, blockId?: string): ContextBlock {
  return {
    type: "context",
    ...(blockId === undefined ? {} : { block_id: blockId }),
    elements: [mrkdwn(text, BLOCK_KIT.contextText)],
  };
}
