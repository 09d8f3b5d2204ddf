import { byPmoIdThenName } from "../collation.ts";
import type { Project, UserProfile } from "../model.ts";
import { isActiveProject } from "../rules/rules.ts";
import type { ProjectsRepository } from "../store/projects-repository.ts";

/**
 * "My projects" (DESIGN.md section 6): the active projects whose responsable is the user's Asana
 * user, by PMO ID then name. A user not mapped to Asana has none. The same list for `/pmo
 * mis-proyectos`, the Home tab, and the projects a status update may be about.
 */
export function myProjects(
  profile: Pick<UserProfile, "asanaUserGid">,
  projects: Iterable<Project>,
): Project[] {
  const owner = profile.asanaUserGid;
  if (owner === null) return [];
  return [...projects]
    .filter((project) => project.responsableKey === owner && isActiveProject(project))
    .sort(byPmoIdThenName);
}

/** The user's projects read from the store: the responsable index holds exactly theirs. */
export async function loadMyProjects(
  projects: Pick<ProjectsRepository, "listByResponsable">,
  profile: Pick<UserProfile, "asanaUserGid">,
): Promise<Project[]> {
  if (profile.asanaUserGid === null) return [];
  return myProjects(profile, await projects.listByResponsable(profile.asanaUserGid));
}
