import { HEALTHS, type Health, type Locale, type ParsedUpdate } from "../model.ts";
import { type DateContext, findDateMentions } from "./dates.ts";
import { damerauLevenshtein, nameWords } from "./fuzzy.ts";
import { NUMBER_WORD_PATTERN, NUMBER_WORDS, readNumber } from "./numbers.ts";
import {
  alternation,
  maybe,
  phraseRegex,
  phrases,
  regex,
  SPACE,
  type Span,
  sequence,
  startRegex,
  type TextWord,
  WORD_END,
  WORD_START,
  wordsOf,
  wordsRegex,
} from "./patterns.ts";
import {
  chooseProject,
  findProjects,
  type PmoIdLookup,
  type ProjectCandidate,
  type ProjectHit,
  type ProjectRef,
} from "./project-matching.ts";
import { foldWord, stripSlackFormatting } from "./slack-text.ts";
import {
  BLOCKED_WORDS,
  CONJUNCTIONS,
  CONNECTORS,
  CONTINUATIONS,
  ENGLISH_COLOUR_HEALTH,
  ENGLISH_MARKERS,
  ETA_CUES,
  ETA_LABELS,
  FIELD_LABELS,
  FILLER_WORDS,
  HALF_PHRASES,
  HEALTH_EMOJI,
  HEALTH_PHRASES,
  LIST_ANNOUNCING_WORDS,
  LIST_CUES,
  LIST_HEADERS,
  MILD_RISK_PHRASES,
  NEGATED_LIST_TAIL_WORDS,
  NEGATORS,
  NO_LIST_CUES,
  NONE_ANSWERS,
  NOT_ETA_WORDS,
  NOT_NEGATIONS,
  NOT_PROGRESS_NOUNS,
  NOT_TYPOS,
  OF_ARTICLES,
  OF_WORDS,
  OUT_OF_WORDS,
  PERCENT_ABBREVIATIONS,
  PERCENT_WORDS_EN,
  PERCENT_WORDS_ES,
  PROGRESS_AFTER,
  PROGRESS_CUES,
  PROGRESS_LINKS,
  PROGRESS_SECOND_LINKS,
  QUANTITY_UNITS,
  RISK_WORDS,
  SPANISH_MARKERS,
  TYPO_TARGETS,
} from "./vocabulary.ts";

export type { PmoIdLookup, ProjectCandidate, ProjectMatchReason, ProjectRef } from "./project-matching.ts";

/**
 * The status-update interpreter (DESIGN.md section 6): a PM's DM in Spanish or English becomes the
 * project it is about, progress, health, risks, blockers, next steps and an ETA. Pure: the clock
 * and the time zone come in, nothing goes out but the result.
 *
 * Decisions on ambiguous writing:
 * - Project: see project-matching.ts. A name or PMO ID inside a risk, blocker or next step is
 *   listed but never chosen.
 * - Progress: a percentage ("70%", "70 por ciento", "setenta por ciento", "seventy percent"), or a
 *   number after a progress word ("avance 70", "vamos en 70", "progress 70"), or "a la mitad" /
 *   "halfway" (50); the first one named as progress wins, else the first. A percentage of
 *   something else ("el 30% del presupuesto", "probabilidad del 20%", "+10%") is not progress and
 *   is reported unread. "casi terminado" / "terminado" without a number are not read. Decimals are
 *   rounded; above 100 is invalid and reported unread.
 * - Health: an explicit phrase or emoji wins; among several, on_hold wins, then the worst
 *   (off_track > at_risk > on_track). A negated phrase flips: "no está atrasado" / "not delayed" /
 *   "sin retrasos" is on_track, "no vamos a llegar a tiempo" is off_track. "se pospone" /
 *   "postponed" is off_track. Without an explicit one, being blocked ("bloqueado", "nos bloquea",
 *   any blocker) is off_track and a risk ("riesgo", any risk) is at_risk. "riesgo bajo" / "low
 *   risk" says nothing. English colour words (green, yellow, red) count only in English.
 * - Lists: "riesgo(s): …", "en riesgo por …", "riesgo de que …", "bloqueado por …", "blocked
 *   until …", "impedimento: …", "próximos pasos: …", "next: …", "faltan …". The cause of a delay
 *   or a stop ("retrasado por …", "detenido por …", "Causa: …") is a blocker. A cue ending in ":"
 *   (or "son", "are") runs over commas to the end of the sentence; a cue ending in a preposition
 *   ("por", "by") names one thing, its clause. Either stops at the next thing read ("…, entrega
 *   el viernes"). Items split on commas, semicolons and "1) … 2) …", and on "y" / "and" when both
 *   sides have two words or more, or both one ("pruebas y despliegue"), or both start with an
 *   infinitive ("publicar en tiendas y monitorear"), or the list is already an enumeration: so
 *   "pruebas de carga y estrés" stays one. A header line ("Riesgos:") takes the bullet lines below
 *   it, one item per bullet. "sin riesgos", "no blockers", "riesgos: ninguno" leave a list empty.
 * - ETA: a date counts only after an ETA word within five words ("entrega el viernes", "ETA 15/07",
 *   "fecha: …", "termina el …", "listo para …") or right before one ("el viernes entregamos");
 *   other dates (a meeting on Friday, a next step's day) are not the project's ETA. Inside a list
 *   of next steps only a label ("ETA:", "fecha:") or the go-live is. See dates.ts for the dates.
 * - Size: only the first 4,000 characters are read; the rest is counted in `unreadCharacters` and
 *   its beginning reported in `unread`.
 */

export const MAX_READ_CHARACTERS = 4_000;
const MAX_ITEM_CHARACTERS = 300;
const MAX_UNREAD_CHARACTERS = 200;

export type InterpretInput = {
  text: string;
  /** The writer's own projects. */
  projects: readonly ProjectRef[];
  /** Every project, for PMO IDs (and exact names) outside the writer's list. */
  allProjects?: PmoIdLookup | readonly ProjectRef[];
  now: Date;
  timezone: string;
  locale: Locale;
};

export type Interpretation = ParsedUpdate & {
  /** Every project the text could be about, best first. */
  projectRefs: ProjectCandidate[];
  /** The project chosen; null when none was named or several were (the conversation asks). */
  project: ProjectRef | null;
  /** Fragments that were not understood, as written (Slack formatting removed). */
  unread: string[];
  /** Characters past the reading limit, not read at all. */
  unreadCharacters: number;
  /** PMO IDs named that no project has. */
  unknownPmoIds: string[];
  confidence: number;
  language: Locale;
};

/**
 * A whole message read: one reading per project it reports on, in the order they appear; when no
 * project can be told apart, one reading whose `project` is null.
 */
export type MessageReading = { language: Locale; readings: Interpretation[] };

/** Any interpreter (rules, a language model): asynchronous, so one may call out. */
export interface StatusUpdateInterpreter {
  interpret(input: InterpretInput): Promise<MessageReading>;
}

export class RuleBasedInterpreter implements StatusUpdateInterpreter {
  interpret(input: InterpretInput): Promise<MessageReading> {
    return Promise.resolve(readMessage(input));
  }
}

/** The rule-based reading of a whole message (pure). */
export function readMessage(input: InterpretInput): MessageReading {
  const reading = interpretStatusUpdate(input);
  return { language: reading.language, readings: [reading] };
}

export function toParsedUpdate(interpretation: Interpretation): ParsedUpdate {
  const { progress, health, risks, blockers, nextSteps, eta } = interpretation;
  return { progress, health, risks, blockers, nextSteps, eta };
}

// ---------------------------------------------------------------------------------------------
// Reading: the text folded (lower case, no accents, typos corrected, one space between words),
// each character knowing where it came from in the cleaned text, so fragments are returned as
// written.

type Reading = { text: string; sourceStart: number[]; sourceEnd: number[]; cleaned: string };

const READING_TOKEN = /[\p{L}\p{N}\p{M}]+(?:'\p{L}+)?|[^\S\n]+|\n|[\s\S]/gu;
const WORD_TOKEN = /^[\p{L}\p{N}\p{M}]/u;

const KNOWN_WORDS: ReadonlySet<string> = new Set([
  ...FILLER_WORDS,
  ...NOT_TYPOS,
  ...ETA_CUES,
  ...NOT_PROGRESS_NOUNS,
  ...NUMBER_WORDS.keys(),
  ...HEALTHS.flatMap((health) => HEALTH_PHRASES[health].flatMap((phrase) => phrase.split(" "))),
]);
const TYPO_TARGET_SET: ReadonlySet<string> = new Set(TYPO_TARGETS);

function typoCorrector(protectedWords: ReadonlySet<string>): (word: string) => string {
  const corrections = new Map<string, string>();
  return (word) => {
    const known = corrections.get(word);
    if (known !== undefined) return known;
    let corrected = word;
    const eligible =
      word.length >= 5 &&
      !/\d/.test(word) &&
      !TYPO_TARGET_SET.has(word) &&
      !KNOWN_WORDS.has(word) &&
      !protectedWords.has(word);
    if (eligible) {
      const target = TYPO_TARGETS.find(
        (candidate) =>
          candidate[0] === word[0] &&
          Math.abs(candidate.length - word.length) <= 1 &&
          damerauLevenshtein(word, candidate, 1) <= 1,
      );
      if (target !== undefined) corrected = target;
    }
    corrections.set(word, corrected);
    return corrected;
  };
}

function buildReading(cleaned: string, correct: (word: string) => string): Reading {
  const parts: string[] = [];
  const sourceStart: number[] = [];
  const sourceEnd: number[] = [];
  for (const match of cleaned.matchAll(READING_TOKEN)) {
    const token = match[0];
    const start = match.index;
    let read = token;
    if (WORD_TOKEN.test(token)) read = correct(foldWord(token));
    else if (token !== "\n" && token.trim() === "") read = " ";
    for (let index = 0; index < read.length; index++) {
      sourceStart.push(start + Math.min(index, token.length - 1));
      sourceEnd.push(
        index === read.length - 1 ? start + token.length : start + Math.min(index + 1, token.length),
      );
    }
    parts.push(read);
  }
  return { text: parts.join(""), sourceStart, sourceEnd, cleaned };
}

function sourceText(reading: Reading, start: number, end: number): string {
  if (end <= start) return "";
  const from = reading.sourceStart[start] ?? 0;
  const to = reading.sourceEnd[end - 1] ?? from;
  return reading.cleaned.slice(from, to);
}

// ---------------------------------------------------------------------------------------------
// Signals: the things read in a clause, each at a place in the reading.

type ListKind = "risks" | "blockers" | "nextSteps";
type SignalBody =
  | { kind: "project" }
  | { kind: "progress"; value: number | null; cued: boolean }
  | { kind: "health"; health: Health }
  | { kind: "mention"; list: "risks" | "blockers" }
  | { kind: "mild" }
  | { kind: "list"; list: ListKind; health: Health | null }
  | { kind: "none"; list: "risks" | "blockers" }
  | { kind: "eta"; iso: string | null; labelled: boolean };
/** `parts` are the places it occupies: one span, or an ETA's cue and its date with words between. */
type Signal = SignalBody & Span & { parts: Span[] };

function signal(body: SignalBody, start: number, end: number): Signal {
  return { ...body, start, end, parts: [{ start, end }] };
}

/** A list cue ends at the end of a word, or right after its label's punctuation ("riesgos:x"). */
const CUE_END = "(?:(?<=[:=\\-–—])|(?![\\p{L}\\p{N}]))";
const HEALTH_MATCHERS = HEALTHS.map((health) => ({ health, regex: phraseRegex(HEALTH_PHRASES[health]) }));
const ENGLISH_COLOUR_REGEX = phraseRegex(Object.keys(ENGLISH_COLOUR_HEALTH));
const HEALTH_EMOJI_REGEX = new RegExp(alternation([...HEALTH_EMOJI.keys()]), "gu");
const LIST_CUE_MATCHERS = LIST_CUES.map((cue) => ({
  list: cue.list,
  health: cue.health,
  regex: wordsRegex(cue.pattern, { end: CUE_END }),
}));
const NO_LIST_MATCHERS = NO_LIST_CUES.map((cue) => ({ list: cue.list, regex: wordsRegex(cue.pattern) }));
const RISK_WORD_REGEX = phraseRegex(RISK_WORDS);
const BLOCKED_WORD_REGEX = phraseRegex(BLOCKED_WORDS);
const MILD_RISK_REGEX = phraseRegex(MILD_RISK_PHRASES);

/** A progress: up to three digits, maybe two decimals. */
const NUMBER = "\\d{1,3}(?:[.,]\\d{1,2})?";
/** "70%", "70 por ciento" (the space may be left out in Spanish), "70 percent", "70 pct". */
const PERCENT = `(?: ?%|(?: ?${phrases(PERCENT_WORDS_ES).source}|${SPACE}${phrases([...PERCENT_WORDS_EN, ...PERCENT_ABBREVIATIONS]).source})${WORD_END})`;
/** "70 días", "7 de 10", "70/100", "70.5.1": a number that is not a progress. */
const NOT_A_QUANTITY = `(?![\\p{L}\\p{N}/-]|[.,]\\d| ?(?:${phrases(QUANTITY_UNITS).source}|${phrases(OUT_OF_WORDS).source}${SPACE}\\d)${WORD_END})`;
const CUED_PROGRESS_REGEX = wordsRegex(
  sequence(
    phrases(PROGRESS_CUES),
    maybe(PROGRESS_LINKS),
    maybe(PROGRESS_SECOND_LINKS),
    regex(` ?[:=~]? ?(${NUMBER}|${NUMBER_WORD_PATTERN})(${PERCENT})?`, { attached: true }),
  ),
  { end: NOT_A_QUANTITY },
);
const PERCENT_REGEX = new RegExp(`(?<![\\p{L}\\p{N}.,+\\-−/])(${NUMBER})${PERCENT}`, "gu");
const WORDS_PERCENT_REGEX = wordsRegex(
  sequence(regex(`(${NUMBER_WORD_PATTERN})`), phrases([...PERCENT_WORDS_ES, ...PERCENT_WORDS_EN])),
);
const HALF_REGEX = phraseRegex(HALF_PHRASES);
const PROGRESS_AFTER_REGEX = startRegex(phrases(PROGRESS_AFTER), { before: SPACE });
/** The noun a percentage is of: "30% del presupuesto" -> "presupuesto". */
const FOLLOWING_NOUN = startRegex(
  sequence(maybe(sequence(phrases(OF_WORDS), maybe(OF_ARTICLES))), regex("(\\p{L}+)")),
  { before: " ?", end: "" },
);

const BULLET = /^ ?(?:[-*•◦▪·‣–—+>]|\d{1,2}[.)]|\p{Extended_Pictographic}\uFE0F?)(?= )/u;
const LIST_HEADER_MATCHERS = (["risks", "blockers", "nextSteps"] as const).map((list) => ({
  list,
  regex: startRegex(phrases(LIST_HEADERS[list]), { before: " ?", end: " ?:? ?$" }),
}));
const STATUS_LABEL = startRegex(phrases(FIELD_LABELS), { end: " ?:" });
/**
 * "Riesgos: a, b, c" runs on past commas; "bloqueado por el proveedor, se recupera …" does not: a
 * cue introduced by a preposition names one thing, its clause.
 */
const ANNOUNCES_A_LIST = new RegExp(
  `(?:[:=\\-–—]|${WORD_START}${phrases(LIST_ANNOUNCING_WORDS).source})$`,
  "u",
);
const CONTINUATION = startRegex(phrases(CONTINUATIONS));
const INLINE_NUMBERING = /^\d{1,2}\)(?= )/u;
const CONNECTOR = startRegex(phrases(CONNECTORS), { end: `${WORD_END} ?` });
const NEGATED_LIST_TAIL = startRegex(phrases(NEGATED_LIST_TAIL_WORDS), { before: " ?" });
const CONJUNCTION = new RegExp(`(?<= )${phrases(CONJUNCTIONS).source}(?= )`, "gu");

// ---------------------------------------------------------------------------------------------

type ListItem = Span & { list: ListKind; text: string };
type OpenList = { list: ListKind; last: ListItem | null; items: number };

class UpdateReader {
  private readonly text: string;
  private readonly covered: Uint8Array;
  private readonly clauses: Span[] = [];
  private openList: OpenList | null = null;
  readonly progress: { value: number; cued: boolean }[] = [];
  readonly explicitHealth: Health[] = [];
  private blockedMentioned = false;
  private riskMentioned = false;
  readonly items: ListItem[] = [];
  readonly etas: string[] = [];

  constructor(
    private readonly reading: Reading,
    private readonly language: Locale,
    private readonly dateContext: DateContext,
    private readonly projectHits: readonly ProjectHit[],
  ) {
    this.text = reading.text;
    this.covered = new Uint8Array(reading.text.length);
  }

  read(): void {
    this.readHealthEmoji();
    for (const hit of this.projectHits) this.cover(hit.start, hit.end);
    let block: OpenList | null = null;
    let blankBefore = false;
    let lineStart = 0;
    while (lineStart <= this.text.length) {
      const newline = this.text.indexOf("\n", lineStart);
      const lineEnd = newline === -1 ? this.text.length : newline;
      const line = this.text.slice(lineStart, lineEnd);
      if (line.trim() === "") {
        blankBefore = true;
      } else {
        block = this.readLine(lineStart, lineEnd, block, blankBefore);
        blankBefore = false;
      }
      lineStart = lineEnd + 1;
    }
  }

  private readLine(
    start: number,
    end: number,
    block: OpenList | null,
    blankBefore: boolean,
  ): OpenList | null {
    const bullet = BULLET.exec(this.text.slice(start, end));
    const contentStart = skipSpaces(this.text, bullet ? start + bullet[0].length : start, end);
    const contentEnd = trimEnd(this.text, contentStart, end);
    if (contentStart >= contentEnd) return block;
    const header = listOfHeader(this.text.slice(contentStart, end));
    if (header !== null) {
      this.cover(contentStart, contentEnd);
      this.clauses.push({ start: contentStart, end: contentEnd });
      return { list: header, last: null, items: 0 };
    }
    if (block && (bullet !== null || (block.items === 0 && !blankBefore))) {
      if (!this.startsWithSignal(contentStart, contentEnd, block.list, true)) {
        this.clauses.push({ start: contentStart, end: contentEnd });
        this.openList = block;
        for (const piece of splitOn(this.text, contentStart, contentEnd, ";"))
          this.addItem(piece.start, piece.end);
        this.openList = null;
        block.items++;
        return block;
      }
    }
    this.openList = null;
    for (const sentence of sentencesOf(this.text, contentStart, contentEnd)) {
      this.openList = null;
      for (const clause of clausesOf(this.text, sentence.start, sentence.end))
        this.readClause(clause.start, clause.end);
    }
    return this.takeOpenList();
  }

  private takeOpenList(): OpenList | null {
    const open = this.openList;
    this.openList = null;
    return open;
  }

  private readClause(rawStart: number, rawEnd: number): void {
    const start = skipSpaces(this.text, rawStart, rawEnd);
    const end = trimEnd(this.text, start, rawEnd);
    if (start >= end) return;
    this.clauses.push({ start, end });
    const open = this.openList;
    if (open !== null) {
      if (!this.startsWithSignal(start, end, open.list, false)) {
        if (CONTINUATION.test(this.text.slice(start, end)) && open.last !== null) {
          this.extendItem(open.last, end);
        } else {
          const resumeAt = this.addItems(start, end);
          if (resumeAt !== null) this.readSignals(resumeAt, end);
        }
        return;
      }
      this.openList = null;
    }
    this.readSignals(start, end);
  }

  /** Applies every signal of [start, end) in order; a list takes the rest of the clause. */
  private readSignals(start: number, end: number, scanned?: readonly Signal[]): void {
    const signals = scanned ?? this.scan(start, end);
    let lastEnd = start;
    for (let index = 0; index < signals.length; index++) {
      const found = signals[index];
      if (found === undefined || found.start < lastEnd) continue;
      const negated = this.isNegated(Math.max(lastEnd, found.start - 40), found.start);
      for (const part of found.parts) this.cover(part.start, part.end);
      lastEnd = Math.max(lastEnd, found.parts[0]?.end ?? found.end);
      switch (found.kind) {
        case "project":
        case "mild":
          break;
        case "progress":
          if (found.value === null) this.uncover(found.start, found.end);
          else this.progress.push({ value: found.value, cued: found.cued });
          break;
        case "health":
          this.addHealth(found.health, negated);
          break;
        case "mention":
          if (negated) break;
          if (found.list === "risks") this.riskMentioned = true;
          else this.blockedMentioned = true;
          break;
        case "none":
          if (NEGATED_LIST_TAIL.test(this.text.slice(found.end, end))) {
            this.cover(found.end, end);
            return;
          }
          break;
        case "eta":
          if (found.iso === null) {
            for (const part of found.parts) this.uncover(part.start, part.end);
          } else {
            this.etas.push(found.iso);
          }
          break;
        case "list": {
          if (negated) {
            this.cover(found.end, end);
            return;
          }
          if (found.health !== null) this.explicitHealth.push(found.health);
          this.openList = { list: found.list, last: null, items: 0 };
          const resumeAt = this.addItems(found.end, end);
          if (resumeAt === null) {
            if (!ANNOUNCES_A_LIST.test(this.text.slice(found.start, found.end))) this.openList = null;
            return;
          }
          // The list ended where something else starts: read on from there with what was
          // scanned, unless the scan (over the whole clause) saw that place differently.
          const rest = signals.slice(index + 1).filter((later) => later.start >= resumeAt);
          this.readSignals(resumeAt, end, rest[0]?.start === resumeAt ? rest : undefined);
          return;
        }
      }
    }
  }

  private addHealth(health: Health, negated: boolean): void {
    if (!negated) {
      this.explicitHealth.push(health);
    } else if (health === "on_track") {
      this.explicitHealth.push("off_track");
    } else if (health !== "on_hold") {
      this.explicitHealth.push("on_track");
    }
  }

  /**
   * The list's text in [start, end): items split on "y"/"and" where that reads as two things.
   * Returns where reading resumes when something else starts after a "y", else null.
   */
  private addItems(rawStart: number, end: number): number | null {
    const open = this.openList;
    const start = skipSpaces(this.text, rawStart, end);
    if (open === null || start >= end) return null;
    if (NONE_ANSWERS.has(answerOf(this.text.slice(start, end)))) {
      this.cover(start, end);
      this.openList = null;
      return null;
    }
    const pieces: Span[] = [];
    let pieceStart = start;
    for (const conjunction of this.text.slice(start, end).matchAll(CONJUNCTION)) {
      const at = start + conjunction.index;
      const next = skipSpaces(this.text, at + conjunction[0].length, end);
      if (this.startsWithSignal(next, end, open.list, false)) {
        this.addMergedItems(open, [...pieces, { start: pieceStart, end: at }]);
        this.cover(at, next);
        this.openList = null;
        return next;
      }
      pieces.push({ start: pieceStart, end: at });
      pieceStart = next;
    }
    pieces.push({ start: pieceStart, end });
    this.addMergedItems(open, pieces);
    return null;
  }

  private addMergedItems(open: OpenList, pieces: readonly Span[]): void {
    const enumeration = open.items > 0;
    let current: Span | null = null;
    for (const piece of pieces) {
      if (current === null) {
        current = piece;
        continue;
      }
      const leftWords = wordCount(this.text, current.start, current.end);
      const rightWords = wordCount(this.text, piece.start, piece.end);
      const separate =
        enumeration ||
        (leftWords >= 2 && rightWords >= 2) ||
        (leftWords === 1 && rightWords === 1) ||
        (startsWithInfinitive(this.text, current) && startsWithInfinitive(this.text, piece));
      if (separate) {
        this.addItem(current.start, current.end);
        current = piece;
      } else {
        current = { start: current.start, end: piece.end };
      }
    }
    if (current !== null) this.addItem(current.start, current.end);
  }

  private addItem(start: number, end: number): void {
    const open = this.openList;
    if (open === null) return;
    this.cover(start, end);
    if (NONE_ANSWERS.has(answerOf(this.text.slice(start, end)))) return;
    const text = tidyFragment(sourceText(this.reading, start, end), MAX_ITEM_CHARACTERS);
    if (text === "") return;
    const item: ListItem = { list: open.list, start, end, text };
    this.items.push(item);
    open.last = item;
    open.items++;
  }

  private extendItem(item: ListItem, end: number): void {
    this.cover(item.end, end);
    item.end = end;
    item.text = tidyFragment(sourceText(this.reading, item.start, end), MAX_ITEM_CHARACTERS);
  }

  /**
   * Whether [start, end) opens with something read on its own, which ends the open list. Another
   * list, a progress or an "explicitly none" always do; a health or an ETA does inside a running
   * sentence, not as a bullet; an ETA ends a list of next steps only when labelled ("ETA: …"),
   * since "entregar la documentación el viernes" is itself a next step.
   */
  private startsWithSignal(rawStart: number, end: number, list: ListKind, bullet: boolean): boolean {
    let start = skipSpaces(this.text, rawStart, end);
    const connector = CONNECTOR.exec(this.text.slice(start, end));
    if (connector) start += connector[0].length;
    if (STATUS_LABEL.test(this.text.slice(start, end))) return true;
    const first = this.scan(start, Math.min(end, start + 120)).find((found) => found.start === start);
    if (first === undefined) return false;
    switch (first.kind) {
      case "list":
      case "none":
      case "progress":
        return true;
      case "health":
      case "mention":
        return !bullet;
      case "eta":
        return first.labelled || (!bullet && list !== "nextSteps");
      default:
        return false;
    }
  }

  /** Every signal in [start, end), leftmost first, none overlapping another. */
  private scan(start: number, end: number): Signal[] {
    const clause = this.text.slice(start, end);
    const found: Signal[] = [];
    const add = (body: SignalBody, from: number, to: number) =>
      found.push(signal(body, start + from, start + to));
    for (const hit of this.projectHits) {
      if (hit.start >= start && hit.end <= end) found.push(signal({ kind: "project" }, hit.start, hit.end));
    }
    for (const { health, regex } of HEALTH_MATCHERS) {
      for (const match of clause.matchAll(regex)) {
        if (match[0] === "en espera" && clause.startsWith(" de", match.index + match[0].length)) continue;
        add({ kind: "health", health }, match.index, match.index + match[0].length);
      }
    }
    if (this.language === "en") {
      for (const match of clause.matchAll(ENGLISH_COLOUR_REGEX)) {
        const health = ENGLISH_COLOUR_HEALTH[match[0]];
        if (health !== undefined) add({ kind: "health", health }, match.index, match.index + match[0].length);
      }
    }
    for (const cue of LIST_CUE_MATCHERS) {
      for (const match of clause.matchAll(cue.regex)) {
        add({ kind: "list", list: cue.list, health: cue.health }, match.index, match.index + match[0].length);
      }
    }
    for (const cue of NO_LIST_MATCHERS) {
      for (const match of clause.matchAll(cue.regex)) {
        add({ kind: "none", list: cue.list }, match.index, match.index + match[0].length);
      }
    }
    for (const match of clause.matchAll(RISK_WORD_REGEX)) {
      add({ kind: "mention", list: "risks" }, match.index, match.index + match[0].length);
    }
    for (const match of clause.matchAll(BLOCKED_WORD_REGEX)) {
      add({ kind: "mention", list: "blockers" }, match.index, match.index + match[0].length);
    }
    for (const match of clause.matchAll(MILD_RISK_REGEX))
      add({ kind: "mild" }, match.index, match.index + match[0].length);
    this.scanProgress(clause, add);
    found.push(...this.scanEtas(clause, start));
    return withoutOverlaps(found);
  }

  private scanProgress(clause: string, add: (body: SignalBody, from: number, to: number) => void): void {
    const consider = (
      match: RegExpMatchArray,
      numberText: string | undefined,
      cued: boolean,
      fixed?: number,
    ) => {
      const from = match.index ?? 0;
      const to = from + match[0].length;
      if (isAboutSomethingElse(clause, from, to)) return;
      const raw = fixed ?? readNumber(numberText ?? "");
      const value = raw === null || raw > 100 ? null : Math.round(raw);
      const after = PROGRESS_AFTER_REGEX.exec(clause.slice(to));
      add({ kind: "progress", value, cued: cued || after !== null }, from, to + (after?.[0].length ?? 0));
    };
    for (const match of clause.matchAll(CUED_PROGRESS_REGEX)) consider(match, match[1], true);
    for (const match of clause.matchAll(PERCENT_REGEX)) consider(match, match[1], false);
    for (const match of clause.matchAll(WORDS_PERCENT_REGEX)) consider(match, match[1], false);
    for (const match of clause.matchAll(HALF_REGEX)) consider(match, undefined, true, 50);
  }

  /** Dates with an ETA word before (within five words) or right after. */
  private scanEtas(clause: string, offset: number): Signal[] {
    const etas: Signal[] = [];
    for (const mention of findDateMentions(clause, this.dateContext)) {
      const before = wordsOf(clause.slice(0, mention.start)).slice(-5);
      const cueIndex = findLastIndex(before, (word) => ETA_CUES.has(word.word));
      let cue: TextWord | undefined;
      if (cueIndex >= 0) {
        const gap = before.slice(cueIndex + 1);
        if (gap.some((word) => NOT_ETA_WORDS.has(word.word))) continue;
        cue = widenCue(before, cueIndex);
      } else {
        const after = wordsOf(clause.slice(mention.end, mention.end + 30), mention.end).slice(0, 3);
        const afterIndex = after.findIndex((word) => ETA_CUES.has(word.word));
        cue = afterIndex === -1 ? undefined : widenCue(after, afterIndex);
      }
      if (cue === undefined) continue;
      const start = Math.min(cue.start, mention.start);
      const end = Math.max(cue.end, mention.end);
      const parts = [cue, mention]
        .map((part) => ({ start: offset + part.start, end: offset + part.end }))
        .sort((a, b) => a.start - b.start);
      etas.push({
        kind: "eta",
        iso: mention.iso,
        labelled: ETA_LABELS.has(cue.word),
        start: offset + start,
        end: offset + end,
        parts,
      });
    }
    return etas;
  }

  private readHealthEmoji(): void {
    for (const match of this.text.matchAll(HEALTH_EMOJI_REGEX)) {
      const health = HEALTH_EMOJI.get(match[0]);
      if (health === undefined) continue;
      this.explicitHealth.push(health);
      this.cover(match.index, match.index + match[0].length);
    }
  }

  private isNegated(from: number, to: number): boolean {
    const before = this.text.slice(from, to);
    if (NOT_NEGATIONS.some((phrase) => before.includes(phrase))) return false;
    return wordsOf(before)
      .slice(-4)
      .some((word) => NEGATORS.has(word.word));
  }

  private cover(start: number, end: number): void {
    this.covered.fill(1, Math.max(0, start), Math.min(this.covered.length, end));
  }

  private uncover(start: number, end: number): void {
    this.covered.fill(0, Math.max(0, start), Math.min(this.covered.length, end));
  }

  health(): Health | null {
    if (this.explicitHealth.includes("on_hold")) return "on_hold";
    for (const health of ["off_track", "at_risk", "on_track"] as const) {
      if (this.explicitHealth.includes(health)) return health;
    }
    if (this.blockedMentioned || this.items.some((item) => item.list === "blockers")) return "off_track";
    if (this.riskMentioned || this.items.some((item) => item.list === "risks")) return "at_risk";
    return null;
  }

  chosenProgress(): number | null {
    return (this.progress.find((found) => found.cued) ?? this.progress[0])?.value ?? null;
  }

  isInsideItem(span: Span): boolean {
    return this.items.some((item) => span.start >= item.start && span.end <= item.end);
  }

  /** Parts of clauses nothing was read from, holding at least one word that is not filler. */
  unreadFragments(): string[] {
    const fragments: string[] = [];
    for (const clause of this.clauses) {
      let runStart = -1;
      for (let index = clause.start; index <= clause.end; index++) {
        const isCovered = index === clause.end || this.covered[index] === 1;
        if (!isCovered && runStart === -1) runStart = index;
        if (isCovered && runStart !== -1) {
          if (hasContent(this.text.slice(runStart, index))) {
            const fragment = tidyFragment(sourceText(this.reading, runStart, index), MAX_UNREAD_CHARACTERS);
            if (fragment !== "") fragments.push(fragment);
          }
          runStart = -1;
        }
      }
    }
    return fragments;
  }

  /** Content words (not filler) read / all content words, counted by where each word starts. */
  understoodShare(): number {
    let total = 0;
    let understood = 0;
    for (const word of wordsOf(this.text)) {
      if (FILLER_WORDS.has(word.word)) continue;
      total++;
      if (this.covered[word.start] === 1) understood++;
    }
    for (const match of this.text.matchAll(HEALTH_EMOJI_REGEX)) {
      total++;
      if (this.covered[match.index] === 1) understood++;
    }
    return total === 0 ? 0 : understood / total;
  }
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

function withoutOverlaps(signals: Signal[]): Signal[] {
  signals.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const kept: Signal[] = [];
  const taken: Span[] = [];
  for (const candidate of signals) {
    const overlaps = candidate.parts.some((part) =>
      taken.some((span) => part.start < span.end && span.start < part.end),
    );
    if (overlaps) continue;
    kept.push(candidate);
    taken.push(...candidate.parts);
  }
  return kept;
}

/** The cue with the cue words just before it: "fecha estimada", "cierre previsto", "go live". */
function widenCue(words: readonly TextWord[], index: number): TextWord | undefined {
  const cue = words[index];
  if (cue === undefined) return undefined;
  let first = index;
  while (first > 0) {
    const previous = words[first - 1]?.word ?? "";
    const beforePrevious = words[first - 2]?.word ?? "";
    if (ETA_CUES.has(previous) || previous === "go") first--;
    else if (FILLER_WORDS.has(previous) && ETA_CUES.has(beforePrevious)) first -= 2;
    else break;
  }
  return { word: cue.word, start: words[first]?.start ?? cue.start, end: cue.end };
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index];
    if (item !== undefined && test(item)) return index;
  }
  return -1;
}

function skipSpaces(text: string, start: number, end: number): number {
  let position = start;
  while (position < end && /[\s:;,.\-–—]/.test(text[position] ?? "")) position++;
  return position;
}

function trimEnd(text: string, start: number, end: number): number {
  let position = end;
  while (position > start && /[\s;,.!?]/.test(text[position - 1] ?? "")) position--;
  return position;
}

function splitOn(text: string, start: number, end: number, separator: string): Span[] {
  const spans: Span[] = [];
  let pieceStart = start;
  for (let index = start; index <= end; index++) {
    if (index === end || text[index] === separator) {
      spans.push({ start: pieceStart, end: index });
      pieceStart = index + 1;
    }
  }
  return spans;
}

/** Sentences end at ".", "!" or "?" followed by a space or the end (not "70.5"). */
function sentencesOf(text: string, start: number, end: number): Span[] {
  const spans: Span[] = [];
  let sentenceStart = start;
  for (let index = start; index < end; index++) {
    const char = text[index] ?? "";
    if ((char === "." || char === "!" || char === "?") && (index + 1 === end || text[index + 1] === " ")) {
      spans.push({ start: sentenceStart, end: index });
      sentenceStart = index + 1;
    }
  }
  spans.push({ start: sentenceStart, end });
  return spans;
}

/**
 * Clauses end at ";", "|", commas that are not a decimal separator ("70,5") and inline numbering
 * ("Riesgos: 1) … 2) …").
 */
function clausesOf(text: string, start: number, end: number): Span[] {
  const spans: Span[] = [];
  let clauseStart = start;
  for (let index = start; index < end; index++) {
    const char = text[index] ?? "";
    const decimalComma = char === "," && /\d/.test(text[index - 1] ?? "") && /\d/.test(text[index + 1] ?? "");
    if ((char === "," && !decimalComma) || char === ";" || char === "|") {
      spans.push({ start: clauseStart, end: index });
      clauseStart = index + 1;
      continue;
    }
    const numbering = INLINE_NUMBERING.exec(text.slice(index, index + 5));
    if (numbering !== null && /[\s:]/.test(text[index - 1] ?? " ")) {
      spans.push({ start: clauseStart, end: index });
      clauseStart = index + numbering[0].length;
      index = clauseStart - 1;
    }
  }
  spans.push({ start: clauseStart, end });
  return spans;
}

function wordCount(text: string, start: number, end: number): number {
  return wordsOf(text.slice(start, end)).length;
}

/** "publicar en tiendas y monitorear": two actions, whatever their length. */
function startsWithInfinitive(text: string, span: Span): boolean {
  const first = wordsOf(text.slice(span.start, span.end))[0]?.word ?? "";
  return first.length >= 5 && /(?:ar|er|ir)$/.test(first);
}

function hasContent(text: string): boolean {
  return wordsOf(text).some((word) => !FILLER_WORDS.has(word.word));
}

function answerOf(text: string): string {
  return text
    .replace(/[^\p{L}\p{N}/\s-]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The list a header line ("Riesgos:", "Next steps") opens, or null when the line is no header. */
function listOfHeader(line: string): ListKind | null {
  return LIST_HEADER_MATCHERS.find((header) => header.regex.test(line))?.list ?? null;
}

const PICTOGRAPHS = /\p{Extended_Pictographic}|\uFE0F|\u200D|\u20E3/gu;
const EDGE_PUNCTUATION_START = /^[\s.,;:!?¡¿\-–—•·*"'+)]+/u;
const EDGE_PUNCTUATION_END = /[\s.,;:!¡¿\-–—•·*"'+(]+$/u;

/** A fragment as a person would write it back: no emoji, no stray punctuation, one line, capped. */
function tidyFragment(text: string, limit: number): string {
  let tidy = text.replace(PICTOGRAPHS, " ").replace(/\s+/g, " ");
  tidy = tidy.replace(EDGE_PUNCTUATION_START, "").replace(EDGE_PUNCTUATION_END, "");
  tidy = tidy.replace(/^(?:y|and|e)\s+/iu, "");
  if (tidy.length > limit) tidy = `${sliceWhole(tidy, limit - 1).trimEnd()}…`;
  return tidy.replace(/[<>]/g, "");
}

/** The first `length` UTF-16 units, one less if that would split a surrogate pair. */
function sliceWhole(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

function isAboutSomethingElse(clause: string, from: number, to: number): boolean {
  const following = FOLLOWING_NOUN.exec(clause.slice(to, to + 40));
  if (following?.[1] !== undefined && NOT_PROGRESS_NOUNS.has(following[1])) return true;
  return wordsOf(clause.slice(Math.max(0, from - 40), from))
    .slice(-3)
    .some((word) => NOT_PROGRESS_NOUNS.has(word.word));
}

// ---------------------------------------------------------------------------------------------
// Language.

function detectLanguage(text: string, fallback: Locale): Locale {
  let spanish = 0;
  let english = 0;
  for (const { word } of wordsOf(text)) {
    if (SPANISH_MARKERS.has(word)) spanish++;
    if (ENGLISH_MARKERS.has(word)) english++;
  }
  if (spanish === english) return fallback;
  return spanish > english ? "es" : "en";
}

// ---------------------------------------------------------------------------------------------

/** Where to stop reading: at most `limit` characters, at a space when one is near, never inside a pair. */
function readingCut(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  const space = text.lastIndexOf(" ", limit);
  const newline = text.lastIndexOf("\n", limit);
  const boundary = Math.max(space, newline);
  if (boundary > limit - 200) return boundary;
  const code = text.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

export function interpretStatusUpdate(input: InterpretInput): Interpretation {
  const cut = readingCut(input.text, MAX_READ_CHARACTERS);
  const cleaned = stripSlackFormatting(input.text.slice(0, cut));
  const protectedWords = new Set(input.projects.flatMap((project) => nameWords(project.name)));
  const reading = buildReading(cleaned, typoCorrector(protectedWords));
  const language = detectLanguage(reading.text, input.locale);
  const dateContext: DateContext = { now: input.now, timezone: input.timezone, language };

  const projects = findProjects(reading.text, input);
  const reader = new UpdateReader(reading, language, dateContext, projects.hits);
  reader.read();

  const choice = chooseProject(projects.hits, {
    projects: input.projects,
    isInsideItem: (span) => reader.isInsideItem(span),
    matchedText: (span) => tidyFragment(sourceText(reading, span.start, span.end), MAX_UNREAD_CHARACTERS),
    unknownPmoIdNamed: projects.unknownPmoIds.length > 0,
  });
  const unread = reader.unreadFragments();
  const unreadCharacters = input.text.length - cut;
  if (unreadCharacters > 0) {
    const rest = tidyFragment(
      stripSlackFormatting(input.text.slice(cut, cut + 2 * MAX_UNREAD_CHARACTERS)),
      MAX_UNREAD_CHARACTERS,
    );
    if (rest !== "") unread.push(rest.endsWith("…") ? rest : `${rest}…`);
  }
  const itemsOf = (list: ListKind) =>
    reader.items.filter((item) => item.list === list).map((item) => item.text);
  // Confidence: the share of content words (fillers and greetings left out) that some rule read,
  // times the share of the message that was read at all (1 unless it was longer than the limit).
  const readShare = input.text.length === 0 ? 1 : cut / input.text.length;
  const confidence = Math.round(reader.understoodShare() * readShare * 100) / 100;

  return {
    projectRefs: choice.candidates,
    project: choice.project,
    progress: reader.chosenProgress(),
    health: reader.health(),
    risks: itemsOf("risks"),
    blockers: itemsOf("blockers"),
    nextSteps: itemsOf("nextSteps"),
    eta: reader.etas[0] ?? null,
    unread,
    unreadCharacters,
    unknownPmoIds: projects.unknownPmoIds,
    confidence,
    language,
  };
}
