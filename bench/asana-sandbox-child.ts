// The sandbox Asana of the sync benchmark, in a process of its own so that the benchmark's
// memory figures are the app's alone. Driven over the IPC channel of child_process.fork.
import { z } from "zod";
import { startSandboxAsana } from "../sandbox/asana/server.ts";

const settings = z
  .object({
    projects: z.coerce.number().int().min(1),
    seed: z.coerce.number().int(),
    latencyMs: z.coerce.number().int().min(0),
    plan: z.enum(["paid", "free"]),
    requestsPerMinute: z.coerce.number().int().min(1),
  })
  .parse(JSON.parse(process.argv[2] ?? "{}"));

const command = z.discriminatedUnion("type", [
  z.object({ type: z.literal("mutate"), share: z.number().min(0).max(1) }),
  z.object({ type: z.literal("stop") }),
]);

const sandbox = await startSandboxAsana(settings);
const listed = () => sandbox.workspace.projects().filter((p) => !p.archived);
const firstOwner = listed().find((p) => p.ownerGid !== null)?.ownerGid ?? null;
/** The five people who own the most active projects, most first (the cost benchmark's PMs). */
const projectsByOwner = new Map<string, number>();
for (const project of listed()) {
  if (project.ownerGid !== null && !project.completed)
    projectsByOwner.set(project.ownerGid, (projectsByOwner.get(project.ownerGid) ?? 0) + 1);
}
const topOwnerEmails = [...projectsByOwner.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 5)
  .flatMap(([gid]) => sandbox.workspace.user(gid)?.email ?? []);

process.send?.({
  type: "ready",
  baseUrl: sandbox.baseUrl,
  token: sandbox.token,
  workspaceGid: sandbox.workspaceGid,
  projects: listed().length,
  /** Someone who owns projects, for a benchmark user with projects of their own. */
  ownerEmail: firstOwner === null ? null : (sandbox.workspace.user(firstOwner)?.email ?? null),
  ownerEmails: topOwnerEmails,
});

process.on("message", (raw: unknown) => {
  const message = command.parse(raw);
  if (message.type === "stop") {
    void sandbox.stop().then(() => process.exit(0));
    return;
  }
  // A mix of what people do between two partial syncs: tasks completed, a due date moved,
  // a status update posted, a project renamed. Only the first kind touches task counts.
  const projects = listed();
  const step = Math.max(1, Math.round(1 / Math.max(message.share, 1e-9)));
  let changed = 0;
  let tasksChanged = 0;
  for (let i = 0; i < projects.length; i += step) {
    const project = projects[i];
    if (project === undefined) continue;
    switch (changed % 4) {
      case 0:
        if (sandbox.workspace.completeTasks(project.gid, 2).length > 0) tasksChanged++;
        else sandbox.workspace.setDueOn(project.gid, "2031-03-01");
        break;
      case 1:
        sandbox.workspace.setDueOn(project.gid, "2031-06-30");
        break;
      case 2:
        sandbox.workspace.postStatusUpdate(project.gid, {
          statusType: "at_risk",
          text: "Proveedor retrasado",
        });
        break;
      default:
        sandbox.workspace.renameProject(project.gid, `${project.name} (fase 2)`);
    }
    changed++;
  }
  process.send?.({ type: "mutated", changed, tasksChanged });
});
