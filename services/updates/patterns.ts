import { foldWord } from "./slack-text.ts";

/**
 * The interpreter's regular expressions, built from phrase lists. A phrase is written as a person
 * would ("próximos pasos", "At risk", "to-do"); the helpers fold it as the interpreter folds the
 * text it reads (lower case, no accents: foldPhrase), escape it, and let a space stand for any run
 * of spaces within a line (never a line break: lines are the interpreter's structure). Accents and
 * case are so ignored on both sides; the regexes are meant for folded text. What words cannot say
 * (numbers, punctuation) is a small named regex joined in.
 *
 * Every pattern is an alternation of literals with bounded optional parts: no quantifier is nested
 * inside another, so no input can make a match backtrack more than linearly.
 */

/** No letter or digit just before: the start of a word (Unicode-aware, unlike `\b`). */
export const WORD_START = "(?<![\\p{L}\\p{N}])";
/** No letter or digit just after: the end of a word. */
export const WORD_END = "(?![\\p{L}\\p{N}])";
/** Between two words of a phrase: spaces and tabs, not a line break. */
export const SPACE = "[^\\S\\n]+";

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** A non-capturing alternation of literal strings, longest first so the longest one wins. */
export function alternation(literals: readonly string[]): string {
  const unique = [...new Set(literals)].sort((a, b) => b.length - a.length);
  return `(?:${unique.map(escapeRegExp).join("|")})`;
}

/**
 * A piece of a pattern. `source` never matches the empty string on its own account; `optional`
 * and `attached` only say how a sequence joins it to the piece before.
 */
export type Pattern = {
  readonly source: string;
  /** May be left out (see maybe). */
  readonly optional: boolean;
  /** Follows the piece before without a space: punctuation ("riesgos:"), a lookahead. */
  readonly attached: boolean;
};

/** A phrase folded to the form the interpreter reads: lower case, no accents, single spaces. */
export function foldPhrase(phrase: string): string {
  return foldWord(phrase).trim().replace(/\s+/g, " ");
}

function phraseSource(folded: string): string {
  return folded.split(" ").map(escapeRegExp).join(SPACE);
}

/** Any of the phrases; the longest first, so "no hay" wins over "no" where both fit. */
export function phrases(list: readonly string[]): Pattern {
  const folded = [...new Set(list.map(foldPhrase))].filter((phrase) => phrase !== "");
  if (folded.length === 0) throw new Error("phrases: the list is empty");
  folded.sort((a, b) => b.length - a.length);
  return { source: `(?:${folded.map(phraseSource).join("|")})`, optional: false, attached: false };
}

/** A small named regex for what is not words: numbers, punctuation, a capture. */
export function regex(source: string, options: { attached?: boolean } = {}): Pattern {
  return { source, optional: false, attached: options.attached ?? false };
}

/** The pattern (or any of the phrases), or nothing. */
export function maybe(part: Pattern | readonly string[]): Pattern {
  const pattern = isPattern(part) ? part : phrases(part);
  return { ...pattern, optional: true };
}

/** The first of the patterns that matches here, tried in the order given. */
export function either(...parts: readonly Pattern[]): Pattern {
  if (parts.length === 0) throw new Error("either: nothing to choose from");
  if (parts.some((part) => part.optional)) throw new Error("either: a choice cannot be optional");
  const attached = parts.every((part) => part.attached);
  if (!attached && parts.some((part) => part.attached))
    throw new Error("either: mixes attached and separate parts");
  return { source: `(?:${parts.map((part) => part.source).join("|")})`, optional: false, attached };
}

/**
 * The patterns one after another, a space between them unless the next one is attached. Optional
 * parts before the first required one carry the space after them, later ones the space before.
 */
export function sequence(...parts: readonly Pattern[]): Pattern {
  const anchor = parts.findIndex((part) => !part.optional);
  if (anchor === -1) throw new Error("sequence: every part is optional");
  let source = "";
  parts.forEach((part, index) => {
    const group = `(?:${part.source})`;
    if (index <= anchor) {
      if (part.attached) throw new Error("sequence: an attached part must follow a required one");
      source += index < anchor ? `(?:${group}${SPACE})?` : group;
      return;
    }
    const joined = `${part.attached ? "" : SPACE}${group}`;
    source += part.optional ? `(?:${joined})?` : joined;
  });
  return { source, optional: false, attached: false };
}

/** Not followed by (a space and) the pattern: a lookahead, attached to what it follows. */
export function notFollowedBy(part: Pattern): Pattern {
  if (part.optional) throw new Error("notFollowedBy: the pattern cannot be optional");
  return regex(`(?!${part.attached ? "" : SPACE}(?:${part.source}))`, { attached: true });
}

/** A global regex finding the pattern as whole words; `end` replaces the end-of-word check. */
export function wordsRegex(pattern: Pattern, options: { end?: string } = {}): RegExp {
  return new RegExp(`${WORD_START}${topLevel(pattern)}${options.end ?? WORD_END}`, "gu");
}

/** A global regex finding any of the phrases as whole words. */
export function phraseRegex(list: readonly string[]): RegExp {
  return wordsRegex(phrases(list));
}

/**
 * A regex matching the pattern at the very start of a text (`^`), after `before` (a regex, nothing
 * by default) and followed by `end` (the end of a word by default).
 */
export function startRegex(pattern: Pattern, options: { before?: string; end?: string } = {}): RegExp {
  return new RegExp(`^${options.before ?? ""}${topLevel(pattern)}${options.end ?? WORD_END}`, "u");
}

function topLevel(pattern: Pattern): string {
  if (pattern.optional || pattern.attached)
    throw new Error("a regex is built from a required pattern that stands on its own");
  return `(?:${pattern.source})`;
}

function isPattern(part: Pattern | readonly string[]): part is Pattern {
  return !Array.isArray(part);
}

const WORD = /[\p{L}\p{N}']+/gu;

export type TextWord = { word: string; start: number; end: number };
export type Span = { start: number; end: number };

/** The words of a text with their positions. */
export function wordsOf(text: string, offset = 0): TextWord[] {
  return [...text.matchAll(WORD)].map((match) => ({
    word: match[0],
    start: match.index + offset,
    end: match.index + offset + match[0].length,
  }));
}
