import type { Project } from "../model.ts";

/**
 * Who may do what (DESIGN.md section 6), for every surface alike: the Slack listeners, the jobs'
 * messages and the web dashboard all ask here. PMO admins (PMO_ADMIN_USER_IDS) may do everything;
 * a project's responsable may acknowledge its findings and send its status updates; anyone in the
 * workspace may look things up.
 */

export const PERMISSIONS = ["read", "acknowledge", "resolve", "snooze", "sync", "export", "update"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Actions a project's responsable may take on that project without being an admin. */
const RESPONSABLE_MAY: ReadonlySet<Permission> = new Set(["acknowledge", "update"]);

export type Role = "admin" | "member";

/** The person asking: their Slack user and, once mapped, their Asana user. */
export type Actor = { slackUserId: string; asanaUserGid: string | null };

export type AuthorizationDeps = {
  adminUserIds: readonly string[];
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
    if (action === "read" || this.isAdmin(slackUserId)) return true;
    if (!RESPONSABLE_MAY.has(action) || project?.responsableKey == null) return false;
    const asanaUserGid = await this.deps.asanaUserOf(slackUserId).catch(() => null);
    return this.decide({ slackUserId, asanaUserGid }, action, project);
  }

  /** The same decision for a caller who already holds the person's Asana user. Pure. */
  decide(actor: Actor, action: Permission, project: Pick<Project, "responsableKey"> | null = null): boolean {
    if (action === "read" || this.isAdmin(actor.slackUserId)) return true;
    if (!RESPONSABLE_MAY.has(action)) return false;
    const responsableKey = project?.responsableKey ?? null;
    return responsableKey !== null && actor.asanaUserGid !== null && actor.asanaUserGid === responsableKey;
  }
}
