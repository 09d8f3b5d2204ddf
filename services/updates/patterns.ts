/**
 * Small helpers to build the interpreter's regular expressions from word lists. Every pattern is a
 * flat alternation of literals with bounded optional parts: no quantifier is nested inside another,
 * so no input can make a match backtrack more than linearly.
 */

/** No letter or digit just before: the start of a word (Unicode-aware, unlike `\b`). */
export const WORD_START = "(?<![\\p{L}\\p{N}])";
/** No letter or digit just after: the end of a word. */
export const WORD_END = "(?![\\p{L}\\p{N}])";

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

/** A non-capturing alternation of the phrases, longest first so the longest phrase wins. */
export function alternation(phrases: readonly string[]): string {
  const unique = [...new Set(phrases)].sort((a, b) => b.length - a.length);
  return `(?:${unique.map(escapeRegExp).join("|")})`;
}

/** A global regex finding any of the phrases as whole words. */
export function phraseRegex(phrases: readonly string[]): RegExp {
  return new RegExp(`${WORD_START}${alternation(phrases)}${WORD_END}`, "gu");
}

/** A global Unicode regex from a source built with the helpers above. */
export function wordRegex(source: string): RegExp {
  return new RegExp(`${WORD_START}(?:${source})`, "gu");
}

const WORD = /[\p{L}\p{N}']+/gu;

export type TextWord = { word: string; start: number; end: number };

/** The words of a text with their positions. */
export function wordsOf(text: string, offset = 0): TextWord[] {
  return [...text.matchAll(WORD)].map((match) => ({
    word: match[0],
    start: match.index + offset,
    end: match.index + offset + match[0].length,
  }));
}
