import type { Membership, Project } from "../model.ts";

/**
 * Who may do what (DESIGN.md section 6), for every surface alike: the Slack listeners, the jobs'
 * messages and the web dashboard all ask here. PMO admins (PMO_ADMIN_USER_IDS) may do everything;
 * a project's responsable may acknowledge its findings and send its status updates; members of the
 * workspace the app is installed in may look things up (guests only with PMO_ALLOW_GUESTS, people
 * of other organisations in shared channels never), and nobody else may do anything.
 */

export const PERMISSIONS = ["read", "acknowledge", "resolve", "snooze", "sync", "export", "update"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Actions a project's responsable may take on that project without being an admin. */
const RESPONSABLE_MAY: ReadonlySet<Permission> = new Set(["acknowledge", "update"]);

export type Role = "admin" | "member";

/** The person asking: their Slack user and, once mapped, their Asana user. */
export type Actor = { slackUserId: string; asanaUserGid: string | null };

/** Why someone may not use the app at all. */
export type ReadRefusal = "other_team" | "guest" | "unverified";
export type ReadAccess = { allowed: true } | { allowed: false; reason: ReadRefusal };

export type AuthorizationDeps = {
  adminUserIds: readonly string[];
  /** The team the app is installed in (auth.test at start); null when it could not be learnt. */
  installedTeamId?: () => string | null;
  allowGuests?: boolean;
  /** The person's team and guest flags (users.info, cached in the profile); null when unknown. */
  membershipOf?(slackUserId: string): Promise<Membership | null>;
  /** The person's Asana user (through the user directory); null when unmapped or unknown. */
  asanaUserOf(slackUserId: string): Promise<string | null>;
};

export class Authorization {
  constructor(private readonly deps: AuthorizationDeps) {}

  role(slackUserId: string): Role {
    return this.deps.adminUserIds.includes(slackUserId) ? "admin" : "member";
  }

  isAdmin(slackUserId: string): boolean {
    return this.role(slackUserId) === "admin";
  }

  /** The configured admins: named in a denial so the person knows whom to ask. */
  admins(): readonly string[] {
    return this.deps.adminUserIds;
  }

  /**
   * Whether the person may take the action; project-bound actions (acknowledge, update) name the
   * project. The Asana user is looked up only when the answer depends on it.
   */
  async may(
    slackUserId: string,
    action: Permission,
    project: Pick<Project, "responsableKey"> | null = null,
  ): Promise<boolean> {
    if (this.isAdmin(slackUserId)) return true;
    if (!(await this.readAccess(slackUserId, null)).allowed) return false;
    if (action === "read") return true;
    if (!RESPONSABLE_MAY.has(action) || project?.responsableKey == null) return false;
    const asanaUserGid = await this.deps.asanaUserOf(slackUserId).catch(() => null);
    return this.decide({ slackUserId, asanaUserGid }, action, project);
  }

  /**
   * Whether the person may use the app at all (the `read` permission): `payloadTeamId` is the team
   * the request came from (a payload's `team_id` or `user.team_id`), null when it carries none.
   */
  async readAccess(slackUserId: string, payloadTeamId: string | null): Promise<ReadAccess> {
    if (this.isAdmin(slackUserId)) return { allowed: true };
    const installed = this.deps.installedTeamId?.() ?? null;
    if (installed !== null && payloadTeamId !== null && payloadTeamId !== installed)
      return { allowed: false, reason: "other_team" };
    if (this.deps.membershipOf === undefined) return { allowed: true };
    const membership = await this.deps.membershipOf(slackUserId).catch(() => null);
    if (membership === null) return { allowed: false, reason: "unverified" };
    if (installed !== null && membership.teamId !== null && membership.teamId !== installed)
      return { allowed: false, reason: "other_team" };
    if ((membership.restricted || membership.ultraRestricted) && this.deps.allowGuests !== true)
      return { allowed: false, reason: "guest" };
    return { allowed: true };
  }

  /** The same decision for a caller who already holds the person's Asana user. Pure. */
  decide(actor: Actor, action: Permission, project: Pick<Project, "responsableKey"> | null = null): boolean {
    if (action === "read" || this.isAdmin(actor.slackUserId)) return true;
    if (!RESPONSABLE_MAY.has(action)) return false;
    const responsableKey = project?.responsableKey ?? null;
    return responsableKey !== null && actor.asanaUserGid !== null && actor.asanaUserGid === responsableKey;
  }
}
