import type { Project } from "../model.ts";
import { findPmoIds, formatPmoId, pmoIdNumber } from "../pmo-id.ts";
import { findNameMatches, isFullMatch, nameMatchScore, nameWords } from "./fuzzy.ts";
import { type Span, wordsOf } from "./patterns.ts";
import { foldWord } from "./slack-text.ts";

/**
 * Which project a status update is about (pure). The text is the interpreter's reading: folded
 * (lower case, no accents, typos corrected, single spaces).
 *
 * - "PMO-123", "PMO 123", "pmo123", "PMO #123" name a project by PMO ID, leading zeros aside.
 *   "#123" does only as the very first thing in the message and only when a project has that
 *   number ("#123" is as often a ticket). IDs outside the writer's projects are looked up
 *   (at most MAX_PMO_LOOKUPS); an ID no project has is reported unknown.
 * - The writer's project names are found word by word, tolerating typos and words left out
 *   (fuzzy.ts); a part of a name counts ("Core Bancario", "el CRM"). Another PM's project counts
 *   by its full name only, and only when none of the writer's is named.
 * - A PMO ID or a name inside a risk, blocker or next step ("bloqueado por PMO-102") is listed
 *   but never chosen: it is what the project depends on, not the project. A PMO ID wins over
 *   names elsewhere; several PMO IDs, or (without one) several full names: no project, all
 *   listed. Among partial names the best wins only by a clear margin. With nothing named, a
 *   writer with a single project is taken to mean it, unless an unknown PMO ID was named.
 */

const MAX_PMO_LOOKUPS = 20;
const MAX_ALL_PROJECT_NAMES = 5_000;

export type ProjectRef = Pick<Project, "gid" | "name" | "pmoId">;
/** Finds a project outside the writer's own by PMO ID, given as "PMO-<number>" without leading zeros. */
export type PmoIdLookup = (pmoId: string) => ProjectRef | null;

export type ProjectMatchReason = "pmo_id" | "name" | "fuzzy_name" | "only_project";

export type ProjectCandidate = {
  project: ProjectRef;
  reason: ProjectMatchReason;
  score: number;
  /** The words that named it, as written; null for only_project. */
  matchedText: string | null;
  writersProject: boolean;
};

/** Where the text names a project. */
export type ProjectHit = Span & {
  project: ProjectRef;
  reason: Exclude<ProjectMatchReason, "only_project">;
  score: number;
  /** The whole name (or a PMO ID), not a part of it. */
  full: boolean;
  writersProject: boolean;
};

export type ProjectSearchInput = {
  /** The writer's own projects. */
  projects: readonly ProjectRef[];
  /** Every project, for PMO IDs (and exact names) outside the writer's list. */
  allProjects?: PmoIdLookup | readonly ProjectRef[];
};

export type ProjectSearch = { hits: ProjectHit[]; unknownPmoIds: string[] };

const LEADING_HASH_ID = /^[\s\p{P}\p{S}]{0,10}?#(\d{1,6})(?!\p{N})/u;

/** Every place the folded text names a project, and the PMO IDs it names that no project has. */
export function findProjects(text: string, input: ProjectSearchInput): ProjectSearch {
  const hits: ProjectHit[] = [];
  const unknownPmoIds: string[] = [];
  const own = new Map<number, ProjectRef>();
  for (const project of input.projects) {
    const number = pmoIdNumber(project.pmoId);
    if (number !== null && !own.has(number)) own.set(number, project);
  }
  const lookUp = pmoIdLookup(input.allProjects);
  const addPmoHit = (number: number, start: number, end: number, onlyIfKnown: boolean) => {
    const mine = own.get(number);
    const project = mine ?? lookUp(number);
    if (project === null) {
      const pmoId = formatPmoId(number);
      if (!onlyIfKnown && !unknownPmoIds.includes(pmoId)) unknownPmoIds.push(pmoId);
      return;
    }
    const writersProject = mine !== undefined;
    hits.push({
      start,
      end,
      project,
      reason: "pmo_id",
      score: writersProject ? 1 : 0.95,
      full: true,
      writersProject,
    });
  };
  for (const mention of findPmoIds(text)) addPmoHit(mention.number, mention.start, mention.end, false);
  const leadingHash = LEADING_HASH_ID.exec(text);
  if (leadingHash)
    addPmoHit(Number(leadingHash[1]), leadingHash[0].indexOf("#"), leadingHash[0].length, true);

  hits.push(...ownNameHits(text, input.projects));
  const all = input.allProjects;
  if (
    !hits.some((hit) => hit.reason !== "pmo_id") &&
    Array.isArray(all) &&
    all.length <= MAX_ALL_PROJECT_NAMES
  ) {
    hits.push(...exactNameHits(text, all, input.projects));
  }
  return { hits: withoutShadowedNames(hits), unknownPmoIds };
}

/** Projects outside the writer's list by PMO number, each number asked once, at most MAX_PMO_LOOKUPS. */
function pmoIdLookup(all: ProjectSearchInput["allProjects"]): (number: number) => ProjectRef | null {
  const lookedUp = new Map<number, ProjectRef | null>();
  return (number) => {
    if (lookedUp.has(number)) return lookedUp.get(number) ?? null;
    if (lookedUp.size >= MAX_PMO_LOOKUPS) return null;
    let found: ProjectRef | null = null;
    if (typeof all === "function") found = all(formatPmoId(number));
    else if (all !== undefined) found = all.find((project) => pmoIdNumber(project.pmoId) === number) ?? null;
    lookedUp.set(number, found);
    return found;
  };
}

/** The writer's project names, whole or in part, typos tolerated. */
function ownNameHits(text: string, projects: readonly ProjectRef[]): ProjectHit[] {
  const hits: ProjectHit[] = [];
  for (const match of findNameMatches(
    wordsOf(text),
    projects.map((project) => project.name),
  )) {
    const project = projects[match.index];
    if (project === undefined) continue;
    hits.push({
      start: match.start,
      end: match.end,
      project,
      reason: match.edits === 0 ? "name" : "fuzzy_name",
      score: nameMatchScore(match),
      full: isFullMatch(match),
      writersProject: true,
    });
  }
  return hits;
}

/** Names of projects outside the writer's list, only when written in full (cheap on 1,400 names). */
function exactNameHits(text: string, all: readonly ProjectRef[], own: readonly ProjectRef[]): ProjectHit[] {
  const ownGids = new Set(own.map((project) => project.gid));
  const hits: ProjectHit[] = [];
  for (const project of all) {
    if (ownGids.has(project.gid)) continue;
    const words = nameWords(project.name);
    if (words.length === 0) continue;
    const phrase = foldWord(project.name)
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
    const index = findWholePhrase(text, phrase);
    if (index === -1) continue;
    hits.push({
      start: index,
      end: index + phrase.length,
      project,
      reason: "name",
      score: 0.85,
      full: true,
      writersProject: false,
    });
  }
  return hits;
}

function findWholePhrase(text: string, phrase: string): number {
  let from = 0;
  while (phrase.length > 0) {
    const index = text.indexOf(phrase, from);
    if (index === -1) return -1;
    const before = text[index - 1] ?? " ";
    const after = text[index + phrase.length] ?? " ";
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return index;
    from = index + 1;
  }
  return -1;
}

/** A partial name match lying where a longer match of another project is: "Migración" in "Migración CRM". */
function withoutShadowedNames(hits: ProjectHit[]): ProjectHit[] {
  const words = (hit: ProjectHit) => hit.end - hit.start;
  return hits.filter(
    (hit) =>
      hit.reason === "pmo_id" ||
      !hits.some(
        (other) =>
          other !== hit &&
          other.reason !== "pmo_id" &&
          other.project.gid !== hit.project.gid &&
          other.start <= hit.start &&
          other.end >= hit.end &&
          (other.full || words(other) > words(hit)) &&
          !(hit.full && !other.full),
      ),
  );
}

export type ProjectChoice = {
  /** Null when none was named or several were (the conversation asks). */
  project: ProjectRef | null;
  /** Every project the text could be about, best first. */
  candidates: ProjectCandidate[];
};

export type ChoiceContext = {
  /** The writer's own projects. */
  projects: readonly ProjectRef[];
  /** Whether the place lies inside a list item (a risk, a blocker, a next step). */
  isInsideItem: (span: Span) => boolean;
  /** The words at that place, as written. */
  matchedText: (span: Span) => string;
  /** A PMO ID no project has was named: the writer's only project is not assumed then. */
  unknownPmoIdNamed: boolean;
};

/** The project the update is about, from where the text names one. */
export function chooseProject(hits: readonly ProjectHit[], context: ChoiceContext): ProjectChoice {
  const byGid = new Map<string, ProjectCandidate>();
  const outside: ProjectHit[] = [];
  for (const hit of hits) {
    const inside = context.isInsideItem(hit);
    if (!inside) outside.push(hit);
    const score = inside ? Math.round(hit.score * 50) / 100 : hit.score;
    const existing = byGid.get(hit.project.gid);
    if (existing === undefined || existing.score < score) {
      byGid.set(hit.project.gid, {
        project: hit.project,
        reason: hit.reason,
        score,
        matchedText: context.matchedText(hit),
        writersProject: hit.writersProject,
      });
    }
  }
  const candidates = [...byGid.values()].sort(
    (a, b) => b.score - a.score || Number(b.writersProject) - Number(a.writersProject),
  );
  const distinct = (list: readonly ProjectHit[]) => [
    ...new Map(list.map((hit) => [hit.project.gid, hit])).values(),
  ];
  const byPmoId = distinct(outside.filter((hit) => hit.reason === "pmo_id"));
  const fullNames = distinct(outside.filter((hit) => hit.reason !== "pmo_id" && hit.full));
  const partialNames = distinct(outside.filter((hit) => hit.reason !== "pmo_id" && !hit.full));

  let chosen: ProjectRef | null = null;
  if (byPmoId.length > 0) {
    chosen = byPmoId.length === 1 ? (byPmoId[0]?.project ?? null) : null;
  } else if (fullNames.length > 0) {
    chosen = fullNames.length === 1 ? (fullNames[0]?.project ?? null) : null;
  } else if (partialNames.length > 0) {
    const ranked = [...partialNames].sort((a, b) => b.score - a.score);
    const [top, second] = ranked;
    chosen =
      top !== undefined && (second === undefined || top.score >= second.score + 0.2) ? top.project : null;
  } else if (
    !context.unknownPmoIdNamed &&
    context.projects.length === 1 &&
    context.projects[0] !== undefined
  ) {
    chosen = context.projects[0];
    candidates.push({
      project: chosen,
      reason: "only_project",
      score: 0.5,
      matchedText: null,
      writersProject: true,
    });
  }
  return { project: chosen, candidates };
}
