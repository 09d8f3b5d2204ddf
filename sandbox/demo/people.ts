import type { SandboxWorkspace } from "../asana/workspace.ts";
import type { SandboxSlackUser } from "../slack/directory.ts";

/**
 * The demo's Slack workspace: a PMO admin, the project managers who own the most active projects
 * in the sandbox Asana (same name and email, so "mis proyectos" finds their projects), and a
 * colleague who owns nothing and reads Slack in English.
 */

export type DemoUser = SandboxSlackUser & {
  /** What the person is in the demo, shown by `users`. */
  role: "admin" | "pm" | "colleague";
  /** Active projects they own in the sandbox Asana. */
  projects: number;
};

export const DEMO_ADMIN_ID = "U0DEMOADM1";
const PM_IDS = ["U0DEMOPM01", "U0DEMOPM02", "U0DEMOPM03"];
const COLLEAGUE_ID = "U0DEMOCOL1";
const PM_ZONES = ["America/Bogota", "America/Mexico_City", "America/Lima"];

export function demoUsers(workspace: SandboxWorkspace): DemoUser[] {
  const owned = new Map<string, number>();
  for (const project of workspace.projects()) {
    if (project.ownerGid === null || project.archived || project.completed) continue;
    owned.set(project.ownerGid, (owned.get(project.ownerGid) ?? 0) + 1);
  }
  const owners = [...owned.entries()]
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .slice(0, PM_IDS.length)
    .flatMap(([gid, count]) => {
      const person = workspace.user(gid);
      return person === undefined ? [] : [{ person, count }];
    });
  const pms = owners.map(
    ({ person, count }, i): DemoUser => ({
      id: PM_IDS[i] ?? `U0DEMOPM${i + 1}`,
      name: person.email.split("@")[0] ?? person.name,
      realName: person.name,
      email: person.email,
      locale: "es-LA",
      tz: PM_ZONES[i % PM_ZONES.length] ?? "America/Bogota",
      isAdmin: false,
      role: "pm",
      projects: count,
    }),
  );
  const admin: DemoUser = {
    id: DEMO_ADMIN_ID,
    name: "pmo.lider",
    realName: "Laura Gómez (PMO)",
    email: "pmo.lider@empresa.example",
    locale: "es-LA",
    tz: "America/Bogota",
    isAdmin: true,
    role: "admin",
    projects: 0,
  };
  const colleague: DemoUser = {
    id: COLLEAGUE_ID,
    name: "john.smith",
    realName: "John Smith",
    email: "john.smith@empresa.example",
    locale: "en-US",
    tz: "America/New_York",
    isAdmin: false,
    role: "colleague",
    projects: 0,
  };
  return [admin, ...pms, colleague];
}
