import { afterAll, describe, expect, it } from "vitest";
import { runSync } from "../../jobs/asana-sync.ts";
import type { ChangeEntryInput } from "../../services/model.ts";
import { type RulesWorld, rulesWorld } from "../fixtures/rules-world.ts";

/** Items 3 and 5 of issue #12: a stale flag stays honest; a person's write during a sync is kept. */

const worlds: RulesWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

async function world(projects: number, seed: number): Promise<RulesWorld> {
  const w = await rulesWorld({ projects, seed });
  worlds.push(w);
  return w;
}

function withOpenTasks(w: RulesWorld) {
  const project = w.sandbox.workspace
    .projects()
    .find((p) => !p.archived && !p.completed && p.tasks.filter((t) => !t.completed).length >= 2);
  if (project === undefined) throw new Error("the sandbox has no project with open tasks");
  return project;
}

describe("a partial sync whose task counts fail", () => {
  it("leaves the project stale until its counts are really read again", async () => {
    const w = await world(25, 13);
    expect((await runSync("full", w.syncDeps())).status).toBe("completed");
    const project = withOpenTasks(w);
    const before = await w.repos.projects.get(project.gid);
    w.sandbox.workspace.completeTasks(project.gid, 1);
    const done = project.tasks.filter((t) => t.completed).length;

    w.sandbox.setFaults({ taskCountsFailureShare: 1 });
    const failing = await runSync("partial", w.syncDeps());
    expect(failing.status).toBe("completed");
    const stale = await w.repos.projects.get(project.gid);
    expect(stale).toMatchObject({ stale: true, completedTasks: before?.completedTasks });
    expect(stale?.staleReason).toContain("task counts");

    // Nothing new happens in Asana: the events say nothing, the missed counts are still read.
    w.sandbox.setFaults({});
    const clean = await runSync("partial", w.syncDeps());
    expect(clean.status).toBe("completed");
    const fresh = await w.repos.projects.get(project.gid);
    expect(fresh).toMatchObject({ stale: false, staleReason: null, completedTasks: done });
    expect(fresh?.pendingTasks).toBe(project.tasks.length - done);
  });
});

describe("a status update landing while the sync crawls the project", () => {
  it("is merged: the run completes, rules run, both changes are kept with one changelog entry each", async () => {
    const w = await world(20, 17);
    expect((await w.sync("full")).rules?.status).toBe("completed");
    const project = withOpenTasks(w);
    w.sandbox.workspace.setDueOn(project.gid, "2031-02-20");
    const reportedAt = new Date().toISOString();

    const upsert = w.repos.projects.upsert.bind(w.repos.projects);
    let injected = 0;
    w.repos.projects.upsert = async (input, expectedVersion) => {
      if (injected === 0 && input.gid === project.gid) {
        injected++;
        // What submit-update does for a DM: entries first, then the project, versioned.
        const current = await w.repos.projects.get(project.gid);
        if (current === null) throw new Error("the project is not stored");
        const entry = (fieldName: string, oldValue: string | number | null, newValue: string | number) =>
          ({
            projectGid: project.gid,
            fieldName,
            oldValue,
            newValue,
            syncId: null,
            detectedAt: reportedAt,
            source: "slack",
            actor: "UPM0000001",
          }) satisfies ChangeEntryInput;
        await w.repos.changelog.append([
          entry("reportedProgress", current.reportedProgress, 65),
          entry("lastStatusUpdateAt", current.lastStatusUpdateAt, reportedAt),
        ]);
        await upsert({ ...current, reportedProgress: 65, lastStatusUpdateAt: reportedAt }, current.version);
      }
      return upsert(input, expectedVersion);
    };

    const outcome = await w.sync("partial");
    expect(injected).toBe(1);
    expect(outcome.sync.status).toBe("completed");
    expect(outcome.rules?.status).toBe("completed");
    const stored = await w.repos.projects.get(project.gid);
    expect(stored).toMatchObject({
      dueOn: "2031-02-20",
      reportedProgress: 65,
      lastStatusUpdateAt: reportedAt,
    });
    const entries = await w.repos.changelog.listForProject(project.gid);
    expect(entries.filter((e) => e.fieldName === "dueOn")).toHaveLength(1);
    expect(entries.filter((e) => e.fieldName === "reportedProgress")).toHaveLength(1);
    expect(entries.find((e) => e.fieldName === "dueOn")).toMatchObject({
      newValue: "2031-02-20",
      source: "asana",
      syncId: outcome.sync.syncId,
    });
  });
});
