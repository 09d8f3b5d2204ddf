import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Project, type ProjectInput, projectSchema } from "../../../services/model.ts";
import { loadMyProjects, myProjects } from "../../../services/portfolio/my-projects.ts";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const aProject = (gid: string, overrides: Partial<ProjectInput> = {}): Project =>
  projectSchema.parse({
    gid,
    name: `Proyecto ${gid}`,
    pmoId: `PMO-${gid}`,
    responsable: "Ana Pérez",
    responsableKey: "u-ana",
    ...overrides,
  });

const PROJECTS: readonly Project[] = [
  aProject("10"),
  aProject("9"),
  aProject("11", { pmoId: null, name: "Beta" }),
  aProject("12", { pmoId: null, name: "Alfa" }),
  aProject("20", { responsableKey: "u-bea" }),
  aProject("21", { responsableKey: null }),
  aProject("30", { archived: true }),
  aProject("31", { completed: true }),
  aProject("32", { removedAt: "2026-03-01T00:00:00.000Z", removedReason: "out_of_scope" }),
];

describe("myProjects", () => {
  it.each<[string, string | null, string[]]>([
    ["Ana's active projects, by PMO ID (numeric) then name", "u-ana", ["9", "10", "12", "11"]],
    ["only Bea's", "u-bea", ["20"]],
    ["none for someone who owns nothing", "u-nobody", []],
    ["none for a user not mapped to Asana", null, []],
  ])("%s", (_what, asanaUserGid, gids) => {
    expect(myProjects({ asanaUserGid }, PROJECTS).map((project) => project.gid)).toEqual(gids);
  });

  it("never counts a project without a responsable as an unmapped user's", () => {
    expect(myProjects({ asanaUserGid: null }, [aProject("21", { responsableKey: null })])).toEqual([]);
  });
});

describe("loadMyProjects", () => {
  let store: Store;
  let repos: Repositories;

  beforeAll(async () => {
    ({ store, repos } = await memoryStore());
    for (const project of PROJECTS) await repos.projects.upsert(project, 0);
  });

  afterAll(async () => {
    await store.close();
  });

  it("reads the user's active projects through the responsable index", async () => {
    const mine = await loadMyProjects(repos.projects, { asanaUserGid: "u-ana" });
    expect(mine.map((project) => project.gid)).toEqual(["9", "10", "12", "11"]);
  });

  it("asks the store nothing for a user not mapped to Asana", async () => {
    const asked: string[] = [];
    const projects = {
      listByResponsable: async (gid: string) => {
        asked.push(gid);
        return [];
      },
    };
    expect(await loadMyProjects(projects, { asanaUserGid: null })).toEqual([]);
    expect(asked).toEqual([]);
  });
});
