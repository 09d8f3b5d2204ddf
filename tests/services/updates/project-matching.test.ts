import { describe, expect, it } from "vitest";
import type { Span } from "../../../services/updates/patterns.ts";
import {
  chooseProject,
  findProjects,
  type ProjectHit,
  type ProjectRef,
  type ProjectSearchInput,
} from "../../../services/updates/project-matching.ts";
import { foldWord } from "../../../services/updates/slack-text.ts";
import { OTHER_PROJECTS, WRITERS_PROJECTS } from "./interpreter-cases.ts";

const INPUT: ProjectSearchInput = {
  projects: WRITERS_PROJECTS,
  allProjects: [...WRITERS_PROJECTS, ...OTHER_PROJECTS],
};

/** The hits of a text as "gid reason full score", in the order found. */
function hitsIn(text: string, input: ProjectSearchInput = INPUT): string[] {
  return findProjects(foldWord(text), input).hits.map(
    (hit) => `${hit.project.gid} ${hit.reason} ${hit.full ? "full" : "part"} ${hit.score}`,
  );
}

describe("findProjects", () => {
  it.each([
    ["PMO-103 avance 10%", ["103 pmo_id full 1"]],
    ["pmo 0103", ["103 pmo_id full 1"]],
    ["PMO-230 avance", ["230 pmo_id full 0.95"]],
    ["#103 avance", ["103 pmo_id full 1"]],
    ["Portal Clientes 10%", ["103 name full 0.9"]],
    ["Portal Clietnes 10%", ["103 fuzzy_name full 0.85"]],
    ["el CRM va bien", ["102 name part 0.4"]],
    ["Core Bancario listo", ["101 name part 0.53"]],
    ["Intranet Corporativa 10%", ["231 name full 0.85"]],
    ["ninguno", []],
  ])("%j -> %j", (text, hits) => {
    expect(hitsIn(text)).toEqual(hits);
  });

  it("keeps a part of a name out where a longer name of another project stands", () => {
    expect(hitsIn("Migración CRM al día")).toEqual(["102 name full 0.9"]);
  });

  it("looks for other PMs' names only when none of the writer's is named", () => {
    expect(hitsIn("Portal Clientes e Intranet Corporativa")).toEqual(["103 name full 0.9"]);
  });

  it("reports PMO IDs no project has, each once, but not a '#' number", () => {
    const search = findProjects(foldWord("PMO-999, pmo 999 y PMO-998"), INPUT);
    expect(search.unknownPmoIds).toEqual(["PMO-999", "PMO-998"]);
    expect(findProjects("#999 avance", INPUT).unknownPmoIds).toEqual([]);
    expect(findProjects("avance, ticket #103", INPUT).hits).toEqual([]);
  });

  it("asks a lookup function for other IDs once each, as PMO-<number>, at most 20", () => {
    const asked: string[] = [];
    const lookup = (pmoId: string): ProjectRef | null => {
      asked.push(pmoId);
      return OTHER_PROJECTS.find((project) => project.pmoId === pmoId) ?? null;
    };
    const ids = Array.from({ length: 25 }, (_, index) => `PMO-${500 + index}`).join(" ");
    const search = findProjects(foldWord(`PMO-0231 pmo 231 ${ids}`), { projects: [], allProjects: lookup });
    expect(asked.slice(0, 2)).toEqual(["PMO-231", "PMO-500"]);
    expect(asked).toHaveLength(20);
    expect(search.hits.map((hit) => [hit.project.gid, hit.writersProject])).toEqual([
      ["231", false],
      ["231", false],
    ]);
  });
});

const never = (): boolean => false;
const textOf = (span: Span) => `${span.start}-${span.end}`;

function choose(text: string, options: { insideItems?: Span[]; projects?: readonly ProjectRef[] } = {}) {
  const projects = options.projects ?? WRITERS_PROJECTS;
  const search = findProjects(foldWord(text), { ...INPUT, projects });
  const inside = options.insideItems ?? [];
  return chooseProject(search.hits, {
    projects,
    isInsideItem: (span) => inside.some((item) => span.start >= item.start && span.end <= item.end),
    matchedText: textOf,
    unknownPmoIdNamed: search.unknownPmoIds.length > 0,
  });
}

const hit = (gid: string, overrides: Partial<ProjectHit> = {}): ProjectHit => {
  const project = WRITERS_PROJECTS.find((p) => p.gid === gid) ?? OTHER_PROJECTS.find((p) => p.gid === gid);
  if (project === undefined) throw new Error(`no project ${gid}`);
  return {
    start: 0,
    end: 5,
    project,
    reason: "name",
    score: 0.8,
    full: false,
    writersProject: true,
    ...overrides,
  };
};

describe("chooseProject", () => {
  it.each<[string, string, string | null]>([
    ["a PMO ID wins over a name elsewhere", "PMO-103 avance 10%, depende de Migración CRM", "103"],
    ["two PMO IDs: none chosen", "PMO-101 y PMO-102 avance 10%", null],
    ["a full name", "Portal Clientes 10%", "103"],
    ["two full names: none chosen", "Portal Clientes y Nómina Electrónica 10%", null],
    ["a part of a name", "el CRM avanza", "102"],
  ])("%s", (_what, text, gid) => {
    expect(choose(text).project?.gid ?? null).toBe(gid);
  });

  it("never chooses what is named inside a list item, and halves its score", () => {
    const result = choose("bloqueado por Migración CRM", { insideItems: [{ start: 14, end: 27 }] });
    expect(result.project).toBeNull();
    expect(result.candidates).toEqual([
      {
        project: expect.objectContaining({ gid: "102" }),
        reason: "name",
        score: 0.45,
        matchedText: "14-27",
        writersProject: true,
      },
    ]);
  });

  it("takes a partial name only by a clear margin", () => {
    const context = {
      projects: WRITERS_PROJECTS,
      isInsideItem: never,
      matchedText: textOf,
      unknownPmoIdNamed: false,
    };
    expect(
      chooseProject([hit("101", { score: 0.7 }), hit("102", { score: 0.4 })], context).project?.gid,
    ).toBe("101");
    expect(
      chooseProject([hit("101", { score: 0.6 }), hit("102", { score: 0.45 })], context).project,
    ).toBeNull();
  });

  it("ranks candidates by score, the writer's own first on a tie", () => {
    const context = {
      projects: WRITERS_PROJECTS,
      isInsideItem: never,
      matchedText: textOf,
      unknownPmoIdNamed: false,
    };
    const ranked = chooseProject(
      [
        hit("231", { score: 0.9, writersProject: false, full: true }),
        hit("103", { score: 0.9, full: true }),
        hit("101", { score: 1 }),
      ],
      context,
    ).candidates.map((candidate) => candidate.project.gid);
    expect(ranked).toEqual(["101", "103", "231"]);
  });

  it("takes the writer's only project when none is named, unless an unknown PMO ID was", () => {
    const only = WRITERS_PROJECTS.filter((project) => project.gid === "103");
    const taken = choose("avance 10%", { projects: only });
    expect(taken.project?.gid).toBe("103");
    expect(taken.candidates).toEqual([
      { project: only[0], reason: "only_project", score: 0.5, matchedText: null, writersProject: true },
    ]);
    expect(choose("PMO-999 avance 10%", { projects: only }).project).toBeNull();
    expect(choose("avance 10%").project).toBeNull();
  });
});
