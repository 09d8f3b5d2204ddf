import { tz } from "@date-fns/tz";
import { differenceInCalendarDays } from "date-fns/differenceInCalendarDays";
import { differenceInDays } from "date-fns/differenceInDays";
import { parseISO } from "date-fns/parseISO";
import { subDays } from "date-fns/subDays";
import {
  bySeverityDescending,
  type FindingCandidate,
  type FindingDetails,
  type Project,
  type Severity,
} from "../model.ts";

/**
 * The rules (DESIGN.md section 5): pure functions of a project, the thresholds and the clock.
 * Dates are read in the PMO's time zone, so "due today" is today in Bogotá, not in UTC.
 */

export type RuleKind = "health" | "data_quality";

/** Every rule the engine manages, with its kind; Slack texts key on these ids. */
export const RULES = [
  { id: "no_status_update", kind: "health" },
  { id: "no_activity", kind: "health" },
  { id: "schedule_risk", kind: "health" },
  { id: "overdue", kind: "health" },
  { id: "amount_of_tasks", kind: "health" },
  { id: "progress_mismatch", kind: "health" },
  { id: "missing_pmo_id", kind: "data_quality" },
  { id: "missing_responsable", kind: "data_quality" },
  { id: "missing_vertical", kind: "data_quality" },
  { id: "missing_due_date", kind: "data_quality" },
] as const satisfies readonly { id: string; kind: RuleKind }[];

export type RuleId = (typeof RULES)[number]["id"];
export const RULE_IDS: readonly RuleId[] = RULES.map((rule) => rule.id);

const KIND_OF = new Map<string, RuleKind>(RULES.map((rule) => [rule.id, rule.kind]));

export function isRuleId(value: string): value is RuleId {
  return KIND_OF.has(value);
}

/** The kind of a rule; null for an id no rule has (a finding some other code raised). */
export function ruleKind(ruleId: string): RuleKind | null {
  return KIND_OF.get(ruleId) ?? null;
}

/** The rules' thresholds and switches: the `rules` section of the configuration. */
export type RuleSettings = {
  noStatusUpdateDays: number;
  noActivityDays: number;
  /** Schedule-risk windows: due within `days` with less than `progress` % done. */
  schedule: { days: number; progress: number; severity: Severity }[];
  minTasks: number;
  progressMismatchPoints: number;
  /** Health rules skip projects without a business vertical. */
  requireVertical: boolean;
  dataQuality: readonly ("pmo_id" | "responsable" | "vertical" | "due_date")[];
};
export type RuleContext = { rules: RuleSettings; timezone: string };
export type Rule = (project: Project, context: RuleContext, now: Date) => FindingCandidate | null;

type DataQualitySwitch = RuleSettings["dataQuality"][number];

/** Still in the sync's scope and neither archived nor completed. */
export function isActiveProject(project: Project): boolean {
  return !project.archived && !project.completed && project.removedAt === null;
}

/**
 * Asana refuses to show the project (403): its data cannot be read, which proves nothing about its
 * findings; they stay open and are shown "sin acceso" until access returns or a person resolves them.
 */
export function isWithoutAccess(project: Pick<Project, "removedAt" | "removedReason">): boolean {
  return project.removedAt !== null && project.removedReason === "no_access";
}

const isBlank = (value: string | null): boolean => value === null || value.trim() === "";

/** Health rules look only at active projects, and only at those with a vertical when so configured. */
export function inHealthScope(project: Project, rules: RuleSettings): boolean {
  return isActiveProject(project) && (!rules.requireVertical || !isBlank(project.businessVertical));
}

const candidate = (
  project: Project,
  ruleId: RuleId,
  severity: Severity,
  details: FindingDetails,
): FindingCandidate => ({ projectGid: project.gid, ruleId, severity, details });

/** Whole days from today to the due date in the PMO's zone: 0 = due today, negative = overdue. */
function daysToDue(dueOn: string, timezone: string, now: Date): number {
  const zone = tz(timezone);
  return differenceInCalendarDays(parseISO(dueOn, { in: zone }), now, { in: zone });
}

/** Fires when `at` is missing or older than `days` days (calendar days in the PMO's zone). */
function staleSince(at: string | null, days: number, timezone: string, now: Date) {
  const zone = tz(timezone);
  if (at === null) return { fires: true, daysSince: null };
  const instant = parseISO(at);
  return {
    fires: instant.getTime() < subDays(now, days, { in: zone }).getTime(),
    daysSince: differenceInDays(now, instant, { in: zone }),
  };
}

const isDeclaredComplete = (project: Project): boolean => project.status === "complete" || project.completed;

const healthRule =
  (rule: Rule): Rule =>
  (project, context, now) =>
    inHealthScope(project, context.rules) ? rule(project, context, now) : null;

const dataQualityRule =
  (toggle: DataQualitySwitch, rule: (project: Project) => FindingCandidate | null): Rule =>
  (project, context) =>
    isActiveProject(project) && context.rules.dataQuality.includes(toggle) ? rule(project) : null;

export const noStatusUpdate: Rule = healthRule((project, { rules, timezone }, now) => {
  const { fires, daysSince } = staleSince(
    project.lastStatusUpdateAt,
    rules.noStatusUpdateDays,
    timezone,
    now,
  );
  if (!fires) return null;
  return candidate(project, "no_status_update", "medium", {
    daysSinceUpdate: daysSince,
    lastStatusUpdateAt: project.lastStatusUpdateAt,
  });
});

export const noActivity: Rule = healthRule((project, { rules, timezone }, now) => {
  const { fires, daysSince } = staleSince(project.lastActivityAt, rules.noActivityDays, timezone, now);
  if (!fires) return null;
  return candidate(project, "no_activity", "medium", {
    daysSinceActivity: daysSince,
    lastActivityAt: project.lastActivityAt,
  });
});

/**
 * Close to the due date with too little done; the tightest window that matches wins. A project
 * already past its date is `overdue`, and one whose owner reported it complete is not at risk.
 */
export const scheduleRisk: Rule = healthRule((project, { rules, timezone }, now) => {
  const { dueOn, progressPercent: progress } = project;
  if (dueOn === null || progress === null || isDeclaredComplete(project)) return null;
  const days = daysToDue(dueOn, timezone, now);
  if (days < 0) return null;
  const bySeverity = [...rules.schedule].sort((a, b) => bySeverityDescending(a.severity, b.severity));
  const match = bySeverity.find((threshold) => days <= threshold.days && progress < threshold.progress);
  if (match === undefined) return null;
  return candidate(project, "schedule_risk", match.severity, { daysToDue: days, progress, dueOn });
});

export const overdue: Rule = healthRule((project, { timezone }, now) => {
  if (project.dueOn === null || isDeclaredComplete(project)) return null;
  const days = daysToDue(project.dueOn, timezone, now);
  if (days >= 0) return null;
  return candidate(project, "overdue", "high", {
    daysOverdue: -days,
    progress: project.progressPercent,
    dueOn: project.dueOn,
  });
});

export const amountOfTasks: Rule = healthRule((project, { rules }) => {
  if (project.totalTasks === null || project.totalTasks > rules.minTasks) return null;
  return candidate(project, "amount_of_tasks", "medium", { taskCount: project.totalTasks });
});

export const progressMismatch: Rule = healthRule((project, { rules }) => {
  const { reportedProgress, progressPercent: progress } = project;
  if (reportedProgress === null || progress === null) return null;
  const difference = Math.abs(reportedProgress - progress);
  if (difference < rules.progressMismatchPoints) return null;
  return candidate(project, "progress_mismatch", "low", { reportedProgress, progress, difference });
});

export const missingPmoId: Rule = dataQualityRule("pmo_id", (project) =>
  isBlank(project.pmoId) ? candidate(project, "missing_pmo_id", "low", {}) : null,
);

export const missingResponsable: Rule = dataQualityRule("responsable", (project) =>
  isBlank(project.responsable) && project.responsableKey === null
    ? candidate(project, "missing_responsable", "low", {})
    : null,
);

export const missingVertical: Rule = dataQualityRule("vertical", (project) =>
  isBlank(project.businessVertical) ? candidate(project, "missing_vertical", "low", {}) : null,
);

export const missingDueDate: Rule = dataQualityRule("due_date", (project) =>
  project.dueOn === null ? candidate(project, "missing_due_date", "low", {}) : null,
);

export const RULE_FUNCTIONS: Record<RuleId, Rule> = {
  no_status_update: noStatusUpdate,
  no_activity: noActivity,
  schedule_risk: scheduleRisk,
  overdue,
  amount_of_tasks: amountOfTasks,
  progress_mismatch: progressMismatch,
  missing_pmo_id: missingPmoId,
  missing_responsable: missingResponsable,
  missing_vertical: missingVertical,
  missing_due_date: missingDueDate,
};

/** Every rule that fires for the project, in RULES order. */
export function evaluateProjectRules(project: Project, context: RuleContext, now: Date): FindingCandidate[] {
  return RULE_IDS.flatMap((ruleId) => {
    const fired = RULE_FUNCTIONS[ruleId](project, context, now);
    return fired === null ? [] : [fired];
  });
}
