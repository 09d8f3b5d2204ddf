import { phrases, SPACE, type Span, wordsOf } from "./patterns.ts";
import type { ProjectHit, ProjectRef } from "./project-matching.ts";
import {
  COMMON_NAME_WORDS,
  SEGMENT_CONJUNCTIONS,
  SEGMENT_LEAD_INS,
  SHARED_TAIL_WORDS,
} from "./vocabulary.ts";

/**
 * Which part of a message reports on which project (pure). The text is the interpreter's folded
 * reading; the hits are where it names projects.
 *
 * A message is split where a new project starts a line, a bullet, a sentence or a clause: its PMO ID
 * or name comes right after a line break, a bullet, ". ", ";", ",", " / ", a dash, or a
 * conjunction ("y", "and", "mientras que"), with at most a few lead-in words between ("en cuanto
 * a", "sobre el", "as for the"). A project named anywhere else ("depende de la API de App Ventas",
 * "bloqueado por PMO-101") does not start a part, and neither does one named inside a risk, a
 * blocker or a next step. A single word of a name ("Facturación", "SAP") starts a part only when
 * a label's punctuation follows it, or some status follows it in its sentence and it is not a
 * common word ("app", "portal", "data" are as often just words). Where the words fit several projects equally, none is told apart.
 * Text before the first project belongs to the first, and the first project named starts the
 * message even in running text once another starts a part; a project named again later gets that part
 * too. After several projects, a last clause about them all ("…, ambos sin novedad", "both on
 * track") is `shared`: it belongs to each. A single project told apart this way is the message's project even when others are named
 * inside it ("Portal Clientes 60%, depende de la API de App Ventas").
 */

export type MessageSegment = {
  project: ProjectRef;
  /** Where the text names it at the start of its first part. */
  hit: ProjectHit;
  /** The parts of the text about it, in order. */
  ranges: Span[];
  /** "ni" / "nor" joined it to the project before: what was said of that one is said of it too. */
  sharesPrevious: boolean;
};

export type Segmentation = {
  segments: MessageSegment[];
  /** The closing words about every project, when the message ends with them. */
  shared: Span | null;
};

export type SegmentContext = {
  /** Whether the place lies inside a list item (a risk, a blocker, a next step). */
  isInsideItem: (span: Span) => boolean;
  /** Whether some status (progress, health, a list, a date) is read between the two places. */
  hasStatusBetween: (start: number, end: number) => boolean;
};

const MAX_LEAD_INS = 4;
const NEGATIVE_JOINERS = new Set(["ni", "nor"]);
/** Characters that separate a new part from the text before it. */
const SEPARATORS = /[\n.!?;|,/•·\-–—:>)*]|\p{Extended_Pictographic}/u;
const LABEL_AFTER = /^[^\S\n]*[:\-–—=]/u;
const SHARED_TAIL = new RegExp(
  `(?:[,;.!]|\\n|${SPACE}(?:y|and|e))[^\\S\\n]*(?:(?:y|and|e|pero|but)${SPACE})?${phrases(SHARED_TAIL_WORDS).source}(?![\\p{L}\\p{N}])`,
  "u",
);

/**
 * The project each part of the message is about, in order; one segment covering everything when a
 * single project starts a part, [] when none does.
 */
export function segmentMessage(
  text: string,
  hits: readonly ProjectHit[],
  context: SegmentContext,
): Segmentation {
  const starts: { at: number; hit: ProjectHit }[] = [];
  let firstNamed: ProjectHit | null = null;
  for (const group of overlappingGroups(hits)) {
    const hit = decisiveHit(group);
    if (hit === null || context.isInsideItem(hit)) continue;
    const labelled = LABEL_AFTER.test(text.slice(hit.end, hit.end + 4));
    if (isSingleWordOfName(text, hit) && !labelled) {
      const word = text.slice(hit.start, hit.end);
      if (COMMON_NAME_WORDS.has(word) || !context.hasStatusBetween(hit.end, sentenceEnd(text, hit.end)))
        continue;
    }
    firstNamed ??= hit;
    const at = partStart(text, hit.start);
    if (at !== null) starts.push({ at, hit });
  }
  const [firstStart] = starts;
  if (firstStart === undefined) return { segments: [], shared: null };
  // "Les cuento que el Portal Clientes va al 80% y que Migración SAP está bloqueada": the first
  // project named starts the message even inside running text, once another one starts a part.
  if (
    firstNamed !== null &&
    firstNamed.start < firstStart.hit.start &&
    firstNamed.project.gid !== firstStart.hit.project.gid
  ) {
    starts.unshift({ at: 0, hit: firstNamed });
  }

  const segments: MessageSegment[] = [];
  let current: MessageSegment | null = null;
  for (const [index, start] of starts.entries()) {
    if (current !== null && current.project.gid === start.hit.project.gid) continue;
    const from = index === 0 ? 0 : start.at;
    const last = current?.ranges.at(-1);
    if (last !== undefined) last.end = from;
    const existing = segments.find((segment) => segment.project.gid === start.hit.project.gid);
    const range = { start: from, end: text.length };
    if (existing !== undefined) {
      existing.ranges.push(range);
      current = existing;
    } else {
      const joiner = wordsOf(text.slice(from, start.hit.start))[0]?.word ?? "";
      current = {
        project: start.hit.project,
        hit: start.hit,
        ranges: [range],
        sharesPrevious: NEGATIVE_JOINERS.has(joiner),
      };
      segments.push(current);
    }
  }
  return { segments, shared: segments.length > 1 ? sharedTail(text, current?.ranges.at(-1)) : null };
}

/** Cuts the closing words about every project off the last part ("…, ambos sin novedad"). */
function sharedTail(text: string, last: Span | undefined): Span | null {
  if (last === undefined) return null;
  const tail = SHARED_TAIL.exec(text.slice(last.start, last.end));
  if (tail === null) return null;
  const start = last.start + tail.index;
  const shared = { start, end: last.end };
  last.end = start;
  return shared;
}

/** Hits over the same words (a PMO ID, or a name two projects share) as one group each, in order. */
function overlappingGroups(hits: readonly ProjectHit[]): ProjectHit[][] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end);
  const groups: ProjectHit[][] = [];
  let groupEnd = -1;
  for (const hit of sorted) {
    const group = groups.at(-1);
    if (group !== undefined && hit.start < groupEnd) {
      group.push(hit);
      groupEnd = Math.max(groupEnd, hit.end);
    } else {
      groups.push([hit]);
      groupEnd = hit.end;
    }
  }
  return groups;
}

/** The one project a group of hits names, or null when it fits several about as well. */
function decisiveHit(group: readonly ProjectHit[]): ProjectHit | null {
  const byPmoId = group.find((hit) => hit.reason === "pmo_id");
  if (byPmoId !== undefined) return byPmoId;
  const ranked = [...group].sort((a, b) => Number(b.full) - Number(a.full) || b.score - a.score);
  const [top, second] = ranked;
  if (top === undefined) return null;
  if (second === undefined || second.project.gid === top.project.gid) return top;
  if (top.full && !second.full) return top;
  return top.score >= second.score + 0.2 ? top : null;
}

function isSingleWordOfName(text: string, hit: ProjectHit): boolean {
  return hit.reason !== "pmo_id" && !hit.full && wordsOf(text.slice(hit.start, hit.end)).length === 1;
}

/**
 * Where the part a project named at `position` starts: before its lead-in words, when a separator or
 * a conjunction comes before them; null when the name sits inside running text.
 */
function partStart(text: string, position: number): number | null {
  let cursor = position;
  for (let count = 0; count <= MAX_LEAD_INS; count++) {
    const gapStart = previousWordEnd(text, cursor);
    const gap = text.slice(gapStart, cursor);
    if (gapStart === 0 || SEPARATORS.test(gap)) return gapStart === 0 ? 0 : cursor;
    const word = wordBefore(text, gapStart);
    if (SEGMENT_CONJUNCTIONS.has(word.word)) return word.start;
    if (!SEGMENT_LEAD_INS.has(word.word) || count === MAX_LEAD_INS) return null;
    cursor = word.start;
  }
  return null;
}

function previousWordEnd(text: string, position: number): number {
  let index = position;
  while (index > 0 && !/[\p{L}\p{N}]/u.test(text[index - 1] ?? "")) index--;
  return index;
}

function wordBefore(text: string, end: number): { word: string; start: number } {
  let start = end;
  while (start > 0 && /[\p{L}\p{N}']/u.test(text[start - 1] ?? "")) start--;
  return { word: text.slice(start, end), start };
}

function sentenceEnd(text: string, from: number): number {
  const match = /[.!?](?=\s|$)|\n/u.exec(text.slice(from));
  return match === null ? text.length : from + match.index;
}
