import { TZDate } from "@date-fns/tz";
import { pmoDay } from "../services/digest/digest-facts.ts";
import type { Logger } from "../services/logger.ts";
import type { Clock, Locale, Project } from "../services/model.ts";
import { isActiveProject } from "../services/rules/rules.ts";
import { reminderMessage, unmappedOwnersMessage } from "../services/slack/blocks/reminders.ts";
import type { DirectMessenger } from "../services/slack/direct-messenger.ts";
import type { Repositories } from "../services/store/repositories.ts";
import { runExclusive } from "./lease.ts";

export const REMINDERS_LEASE = "remind-owners";

export type RemindDeps = {
  repos: Repositories;
  messenger: DirectMessenger;
  clock: Clock;
  logger: Logger;
  owner: string;
  settings: {
    timeZone: string;
    defaultLocale: Locale;
    adminUserIds: readonly string[];
    freshUpdateDays: number;
  };
};

export type RemindSummary = {
  status: "completed" | "skipped" | "failed";
  reason: string | null;
  /** People who got a DM, and how many projects those DMs listed. */
  remindedPeople: number;
  remindedProjects: number;
  /** People already reminded today (at most one such DM a person a day). */
  alreadyReminded: number;
  /** Owners with no Slack user, listed for the admins instead. */
  unmappedOwners: number;
  failed: number;
};

const empty = (): RemindSummary => ({
  status: "completed",
  reason: null,
  remindedPeople: 0,
  remindedProjects: 0,
  alreadyReminded: 0,
  unmappedOwners: 0,
  failed: 0,
});

/** Monday to Friday in the PMO's time zone. */
export function isWorkingDay(now: Date, timeZone: string): boolean {
  const day = new TZDate(now.getTime(), timeZone).getDay();
  return day >= 1 && day <= 5;
}

/**
 * Weekly (REMINDER_CRON): every responsable with projects lacking a fresh status update gets one
 * DM listing them with "Actualizar estado" buttons; working days only.
 */
export async function remindOwnersWeekly(deps: RemindDeps): Promise<RemindSummary> {
  const now = deps.clock();
  if (!isWorkingDay(now, deps.settings.timeZone))
    return { ...empty(), status: "skipped", reason: "not a working day" };
  const freshAfter = now.getTime() - deps.settings.freshUpdateDays * 86_400_000;
  return remind(
    deps,
    "weekly",
    (p) =>
      isActiveProject(p) && (p.lastStatusUpdateAt === null || Date.parse(p.lastStatusUpdateAt) < freshAfter),
  );
}

/** When no_status_update opens for projects: one nudge DM per responsable (at most one a day). */
export async function nudgeOwners(deps: RemindDeps, projectGids: readonly string[]): Promise<RemindSummary> {
  if (projectGids.length === 0) return empty();
  const wanted = new Set(projectGids);
  return remind(deps, "nudge", (p) => isActiveProject(p) && wanted.has(p.gid));
}

async function remind(
  deps: RemindDeps,
  kind: "weekly" | "nudge",
  selected: (p: Project) => boolean,
): Promise<RemindSummary> {
  const outcome = await runExclusive(
    { leases: deps.repos.meta.leases, name: REMINDERS_LEASE, owner: deps.owner, ttlMs: 5 * 60_000 },
    () => remindUnderLease(deps, kind, selected),
  ).catch((error: unknown) => {
    deps.logger.error({ err: error, kind }, "reminders failed");
    return {
      status: "ran" as const,
      value: {
        ...empty(),
        status: "failed" as const,
        reason: error instanceof Error ? error.message : String(error),
      },
    };
  });
  return outcome.status === "ran" ? outcome.value : { ...empty(), status: "skipped", reason: outcome.reason };
}

async function remindUnderLease(
  deps: RemindDeps,
  kind: "weekly" | "nudge",
  selected: (p: Project) => boolean,
): Promise<RemindSummary> {
  const now = deps.clock();
  const day = pmoDay(now, deps.settings.timeZone);
  const summary = empty();
  const byOwner = new Map<string, Project[]>();
  const noOwner: Project[] = [];
  for await (const page of deps.repos.projects.iterateAll()) {
    for (const project of page) {
      if (!selected(project)) continue;
      if (project.responsableKey === null) noOwner.push(project);
      else byOwner.set(project.responsableKey, [...(byOwner.get(project.responsableKey) ?? []), project]);
    }
  }
  const unmapped: { name: string; projects: Project[] }[] = [];
  for (const [asanaUserGid, projects] of byOwner) {
    const [profile] = await deps.repos.users.findByAsanaUserGid(asanaUserGid);
    if (profile === undefined) {
      unmapped.push({ name: projects[0]?.responsable ?? asanaUserGid, projects });
      continue;
    }
    // Recorded before sending: a second instance, or a second run today, never sends it again.
    if ((await deps.repos.meta.events.record(`reminder:${kind}:${day}:${profile.slackUserId}`)) === "seen") {
      summary.alreadyReminded++;
      continue;
    }
    const sorted = [...projects].sort((a, b) =>
      (a.lastStatusUpdateAt ?? "").localeCompare(b.lastStatusUpdateAt ?? ""),
    );
    try {
      await deps.messenger.post(
        profile.slackUserId,
        reminderMessage(profile.locale ?? deps.settings.defaultLocale, kind, sorted, now),
      );
      summary.remindedPeople++;
      summary.remindedProjects += projects.length;
    } catch (error) {
      summary.failed++;
      deps.logger.warn({ err: error, user: profile.slackUserId }, "reminder DM failed");
    }
  }
  if (noOwner.length > 0) unmapped.push({ name: "—", projects: noOwner });
  summary.unmappedOwners = unmapped.length;
  if (unmapped.length > 0) {
    for (const admin of deps.settings.adminUserIds) {
      if ((await deps.repos.meta.events.record(`reminder-admins:${kind}:${day}:${admin}`)) === "seen")
        continue;
      const locale = (await deps.repos.users.get(admin))?.locale ?? deps.settings.defaultLocale;
      await deps.messenger
        .post(admin, unmappedOwnersMessage(locale, unmapped, now))
        .catch((error: unknown) =>
          deps.logger.warn({ err: error, user: admin }, "unmapped-owners DM failed"),
        );
    }
  }
  deps.logger.info({ kind, ...summary }, "owners reminded");
  return summary;
}
