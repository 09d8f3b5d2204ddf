import type { TextWord } from "./patterns.ts";
import { foldWord } from "./slack-text.ts";

/**
 * Fuzzy matching of project names in a status update: names and text are compared word by word,
 * folded (no case, no accents), tolerating small typos per word.
 */

/**
 * Edits (insertion, deletion, substitution, swap of two neighbours) between two strings: the
 * optimal-string-alignment form of Damerau-Levenshtein. Stops early once every path costs more
 * than `limit`, returning `limit + 1`.
 */
export function damerauLevenshtein(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMinimum = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current.push(distance);
      rowMinimum = Math.min(rowMinimum, distance);
    }
    if (rowMinimum > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Words a project name can leave out or a writer can add without changing which project it is. */
export const NAME_FILLER_WORDS: ReadonlySet<string> = new Set([
  "de",
  "del",
  "la",
  "las",
  "el",
  "los",
  "y",
  "e",
  "en",
  "para",
  "con",
  "a",
  "al",
  "of",
  "the",
  "and",
  "for",
  "to",
]);

/** Too common on their own to name a project. */
const GENERIC_NAME_WORDS: ReadonlySet<string> = new Set([
  "proyecto",
  "project",
  "programa",
  "program",
  "fase",
  "phase",
  "sistema",
  "system",
  "nuevo",
  "nueva",
  "new",
]);

/** The words that identify a project name, folded, fillers left out. */
export function nameWords(name: string): string[] {
  return (foldWord(name).match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !NAME_FILLER_WORDS.has(word));
}

/** Typos tolerated in a word of this length: none up to 3 letters, 1 up to 7, 2 from 8. */
function toleratedEdits(length: number): number {
  if (length >= 8) return 2;
  return length >= 4 ? 1 : 0;
}

/** Edits between a name word and a text word, or null when they are not the same word. */
export function wordDistance(nameWord: string, textWord: string): number | null {
  if (nameWord === textWord) return 0;
  if (/\d/.test(nameWord) || /\d/.test(textWord)) return null;
  const tolerated = toleratedEdits(Math.min(nameWord.length, textWord.length));
  if (tolerated === 0) return null;
  const distance = damerauLevenshtein(nameWord, textWord, tolerated);
  return distance <= tolerated ? distance : null;
}

export type NameMatch = {
  /** Index of the name in the list searched. */
  index: number;
  start: number;
  end: number;
  matchedWords: number;
  nameWords: number;
  edits: number;
};

export function isFullMatch(match: NameMatch): boolean {
  return match.matchedWords === match.nameWords;
}

/**
 * Runs of consecutive name words found in the text (a filler word may sit between two of them).
 * A run is kept when it is the whole name, or at least two of its words, or a single word that is
 * written exactly, has 3 letters or more and is not generic ("proyecto", "fase"). For each name the
 * best run is returned: the whole name first, then the most words, then the fewest typos.
 */
export function findNameMatches(words: readonly TextWord[], names: readonly string[]): NameMatch[] {
  const distance = textWordDistances(words);
  const matches: NameMatch[] = [];
  names.forEach((name, index) => {
    const wanted = nameWords(name);
    let best: NameMatch | null = null;
    for (let first = 0; first < wanted.length; first++) {
      for (const start of distance.positionsOf(wanted[first] ?? "")) {
        const run = readRun(words, start, wanted, first, distance.between);
        if (run === null) continue;
        const candidate: NameMatch = { index, ...run, nameWords: wanted.length };
        if (!isAcceptable(candidate, wanted[first] ?? "")) continue;
        if (
          best === null ||
          isBetter(candidate, best) ||
          (!isBetter(best, candidate) && candidate.start < best.start)
        ) {
          best = candidate;
        }
      }
    }
    if (best !== null) matches.push(best);
  });
  return matches;
}

type Distances = {
  /** Where in the text a word matching this name word stands. */
  positionsOf: (nameWord: string) => number[];
  between: (nameWord: string, textWord: string) => number | null;
};

/** Word distances against the text's distinct words, each computed once. */
function textWordDistances(words: readonly TextWord[]): Distances {
  const positions = new Map<string, number[]>();
  words.forEach((word, index) => {
    const list = positions.get(word.word);
    if (list === undefined) positions.set(word.word, [index]);
    else list.push(index);
  });
  const matching = new Map<string, Map<string, number>>();
  const matchesOf = (nameWord: string): Map<string, number> => {
    const known = matching.get(nameWord);
    if (known !== undefined) return known;
    const found = new Map<string, number>();
    for (const textWord of positions.keys()) {
      const edits = wordDistance(nameWord, textWord);
      if (edits !== null) found.set(textWord, edits);
    }
    matching.set(nameWord, found);
    return found;
  };
  return {
    positionsOf: (nameWord) =>
      [...matchesOf(nameWord).keys()]
        .flatMap((textWord) => positions.get(textWord) ?? [])
        .sort((a, b) => a - b),
    between: (nameWord, textWord) => matchesOf(nameWord).get(textWord) ?? null,
  };
}

function readRun(
  words: readonly TextWord[],
  start: number,
  wanted: readonly string[],
  first: number,
  distanceBetween: (nameWord: string, textWord: string) => number | null,
): { start: number; end: number; matchedWords: number; edits: number } | null {
  let matched = 0;
  let edits = 0;
  let position = start;
  let lastMatched = -1;
  let fillersSkipped = 0;
  while (first + matched < wanted.length && position < words.length) {
    const textWord = words[position]?.word ?? "";
    const distance = distanceBetween(wanted[first + matched] ?? "", textWord);
    if (distance !== null) {
      matched++;
      edits += distance;
      lastMatched = position;
      position++;
    } else if (matched > 0 && fillersSkipped === 0 && NAME_FILLER_WORDS.has(textWord)) {
      fillersSkipped++;
      position++;
    } else {
      break;
    }
  }
  const firstWord = words[start];
  const lastWord = words[lastMatched];
  if (matched === 0 || firstWord === undefined || lastWord === undefined) return null;
  return { start: firstWord.start, end: lastWord.end, matchedWords: matched, edits };
}

function isAcceptable(match: NameMatch, firstWord: string): boolean {
  if (isFullMatch(match)) return match.nameWords > 1 || match.edits === 0 || firstWord.length >= 5;
  if (match.matchedWords >= 2) return true;
  return match.edits === 0 && firstWord.length >= 3 && !GENERIC_NAME_WORDS.has(firstWord);
}

function isBetter(candidate: NameMatch, best: NameMatch): boolean {
  if (isFullMatch(candidate) !== isFullMatch(best)) return isFullMatch(candidate);
  if (candidate.matchedWords !== best.matchedWords) return candidate.matchedWords > best.matchedWords;
  return candidate.edits < best.edits;
}

/**
 * How sure a name match is, 0..1: the whole name 0.9 (less 0.05 a typo), part of it 0.8 times the
 * share of its words found (less 0.05 a typo).
 */
export function nameMatchScore(match: NameMatch): number {
  const base = isFullMatch(match) ? 0.9 : (0.8 * match.matchedWords) / match.nameWords;
  return Math.max(0.1, Math.round((base - 0.05 * match.edits) * 100) / 100);
}
