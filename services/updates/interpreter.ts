import { HEALTHS, type Health, type Locale, type ParsedUpdate } from "../model.ts";
import { type DateContext, findDateMentions, todayIn } from "./dates.ts";
import { damerauLevenshtein, nameWords } from "./fuzzy.ts";
import { type MessageSegment, segmentMessage } from "./message-segments.ts";
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
  type ProjectSearch,
} from "./project-matching.ts";
import { foldWord, stripSlackFormatting } from "./slack-text.ts";
import {
  BACK_REFERENCES,
  BLOCKED_WORDS,
  CONCERNS,
  CONCESSION_MARKERS,
  CONDITION_MARKERS,
  CONJUNCTIONS,
  CONNECTORS,
  CONTINUATIONS,
  DATE_LEAD_WORDS,
  DONE_CUES,
  ENGLISH_COLOUR_HEALTH,
  ENGLISH_MARKERS,
  ETA_CUES,
  ETA_LABELS,
  FAILURE_PHRASES,
  FIELD_LABELS,
  FILLER_WORDS,
  FRACTION_WORDS,
  HALF_PHRASES,
  HEALTH_EMOJI,
  HEALTH_PHRASES,
  HEDGE_MARKERS,
  IMPACT_NOUNS,
  IMPACT_VERBS,
  LIST_ANNOUNCING_WORDS,
  LIST_CUES,
  LIST_HEADERS,
  MILD_RISK_PHRASES,
  MOVED_PHRASES,
  NEGATED_LIST_TAIL_WORDS,
  NEGATION_STOPS,
  NEGATORS,
  NO_LIST_CUES,
  NONE_ANSWERS,
  NONE_WORDS,
  NOT_A_CAUSE,
  NOT_ETA_WORDS,
  NOT_NEGATIONS,
  NOT_ORGANISATIONS,
  NOT_PROGRESS_NOUNS,
  NOT_SHARE_NOUNS,
  NOT_TYPOS,
  NOUN_DETERMINERS,
  OF_ARTICLES,
  OF_WORDS,
  OK_WORDS,
  OUT_OF_WORDS,
  OWN_SUBJECTS,
  PERCENT_ABBREVIATIONS,
  PERCENT_WORDS_EN,
  PERCENT_WORDS_ES,
  PROGRESS_AFTER,
  PROGRESS_CUES,
  PROGRESS_LINKS,
  PROGRESS_SECOND_LINKS,
  QUANTITY_UNITS,
  QUESTION_FIELDS,
  QUESTION_OPENERS,
  RISK_WORDS,
  SETTLED_PHRASES,
  SHARE_NOT_FOLLOWED_BY,
  SPANISH_MARKERS,
  STATUS_LABEL_WORDS,
  THIRD_PARTIES,
  TYPO_TARGETS,
  YES_ANSWERS,
} from "./vocabulary.ts";

export type { PmoIdLookup, ProjectCandidate, ProjectMatchReason, ProjectRef } from "./project-matching.ts";

/**
 * The status-update interpreter (DESIGN.md section 6): a PM's DM in Spanish or English becomes the
 * project it is about, progress, health, risks, blockers, next steps and an ETA. Pure: the clock
 * and the time zone come in, nothing goes out but the result.
 *
 * Decisions on ambiguous writing:
 * - Several projects: message-segments.ts splits the message where a project starts a line, a
 *   bullet, a sentence or a clause; each part is read on its own, one reading per project in the
 *   order named. A project named with nothing of its own shares what the next says ("PMO-101 y
 *   PMO-103 al 70%"), one joined by "ni" what the one before says; closing words about them all
 *   ("…, ambos sin novedad") go to each. With one project told apart, it is the message's.
 * - Project: see project-matching.ts. A name or PMO ID inside a risk, blocker or next step is
 *   listed but never chosen.
 * - Progress: a percentage ("70%", "70 por ciento", "setenta por ciento", "seventy percent"), or a
 *   number after a progress word or right after the project's name ("avance 70", "vamos en 70",
 *   "Intranet al 40"), or "a la mitad" / "halfway" (50), or a share of things done ("3 de 4
 *   entregables" 75, "7/10 test suites" 70, "dos tercios" 67). Named as progress beats a bare
 *   percentage, which beats a share; then the first. A percentage of something else ("el 30% del
 *   presupuesto", "probabilidad del 20%", "+10%"), a share of defects or people, and "9/12" read
 *   as a date ("el 3/4", "entrega 3/4") are not progress. Decimals are rounded; above 100 is
 *   invalid and reported unread.
 * - Health: the writer's own rating (an emoji, "Estado: …", "RAG: amber") wins unless it is on
 *   track; on_hold wins; else the worst said (off_track > at_risk > on_track). On track said
 *   beside a risk or a blocker ("on track, pero hay riesgo con el deploy") is at_risk. A negation
 *   up to six words before flips a phrase ("no creo que tengamos retrasos" is on_track, "no vamos
 *   a llegar a tiempo" off_track) unless a word that starts another thought comes between ("no hay
 *   QA y vamos atrasados"); "ni" / "or" carry it ("no hay riesgos ni bloqueos"). Without an
 *   explicit one, being blocked is off_track and a risk is at_risk. Trouble said to be over, small
 *   or a subject of work ("se levantó el bloqueo", "el riesgo de retraso es bajo", "la matriz de
 *   riesgos") says nothing. Colour words count in English, and in Spanish after a status label.
 * - A delay that may come is one risk, the project at_risk: a condition ("si el proveedor no
 *   entrega el viernes nos vamos a atrasar", "if legal doesn't sign off, the launch will be
 *   delayed"), a hedge ("podríamos retrasarnos", "there's a chance we miss the date") or a
 *   concession before a concern ("aunque el proveedor va lento"), from there to the end of the
 *   sentence. A date in the condition is not the ETA.
 * - Questions name their field: "¿Riesgos? Sí, la dependencia con Seguridad" is "Riesgos: …", the
 *   "Sí" dropped; "¿Bloqueos? No" leaves blockers empty.
 * - Lists: "riesgo(s): …", "en riesgo por …", "riesgo de que …", "ojo con …", "bloqueado por …",
 *   "blocked until …", "esperando …", "no podemos avanzar sin …", "impedimento: …", "próximos
 *   pasos: …", "next: …", "faltan …". The cause of a delay or a stop ("retrasado por …", "detenido
 *   por …", "se pospone … por …", "Causa: …") is a blocker, or a risk when the project is only at
 *   risk ("¿Por qué? …"); so is a clause next to a delay telling what did not happen ("vamos
 *   atrasados, el banco no ha liberado los ambientes") and what "eso nos bloquea" points back to.
 *   A cue ending in ":" (or "son", "are") runs over commas to the end of the sentence; a cue
 *   ending in a preposition ("por", "by") names one thing, its clause, and a "…, que …" after it.
 *   Either stops at the next thing read ("…, entrega el viernes"). Items split on commas,
 *   semicolons and "1) … 2) …", and on "y" / "and" when both sides have two words or more, or both
 *   one ("pruebas y despliegue"), or both start with an infinitive ("publicar en tiendas y
 *   monitorear"), or the list is already an enumeration: so "pruebas de carga y estrés" stays one.
 *   A header line ("Riesgos:") takes the bullet lines below it, one item per bullet. "sin
 *   riesgos", "no blockers", "riesgos: ninguno" leave a list empty.
 * - ETA: a date counts only after an ETA word within five words ("entrega el viernes", "ETA 15/07",
 *   "fecha: …", "termina el …", "listo para …", "on track for …") or right before one ("el viernes
 *   entregamos"); other dates (a meeting on Friday, a next step's day) are not the project's ETA,
 *   nor somebody else's delivery ("el proveedor entrega el ambiente el lunes", "la DIAN entrega …",
 *   "el cliente nos entrega …"). After "entregado" / "delivered" the date may be past. Inside a
 *   list of next steps only a label ("ETA:", "fecha:") or the go-live is. See dates.ts for the
 *   dates; `etaUncertain` flags one with two common readings ("el jueves que viene").
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
  /**
   * The ETA came from a relative phrase with more than one common reading ("el jueves que
   * viene"); it is still given, and the card flags it for the writer to confirm.
   */
  etaUncertain: boolean;
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
  const tokens = [...cleaned.matchAll(READING_TOKEN)];
  tokens.forEach((match, index) => {
    const token = match[0];
    const start = match.index;
    let read = token;
    if (WORD_TOKEN.test(token)) read = correct(foldWord(token));
    if (read === "x" && isBetweenWords(tokens, index)) read = "por";
    else if (token !== "\n" && token.trim() === "") read = " ";
    for (let index = 0; index < read.length; index++) {
      sourceStart.push(start + Math.min(index, token.length - 1));
      sourceEnd.push(
        index === read.length - 1 ? start + token.length : start + Math.min(index + 1, token.length),
      );
    }
    parts.push(read);
  });
  return { text: parts.join(""), sourceStart, sourceEnd, cleaned };
}

/** "retrasado x datos": a lone "x" between two words is chat for "por"; "3 x 4" is not. */
function isBetweenWords(tokens: readonly RegExpMatchArray[], index: number): boolean {
  const isWord = (token: RegExpMatchArray | undefined) => token !== undefined && /^\p{L}{2,}/u.test(token[0]);
  const isSpace = (token: RegExpMatchArray | undefined) =>
    token !== undefined && /^[^\S\n]+$/u.test(token[0]);
  return (
    isSpace(tokens[index - 1]) &&
    isSpace(tokens[index + 1]) &&
    isWord(tokens[index - 2]) &&
    isWord(tokens[index + 2])
  );
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
/**
 * How a progress was said, best first: named as progress ("avance 70", "70% completado", "a la
 * mitad"), a bare percentage ("70%"), a share of things done ("3 de 4 entregables", "two-thirds").
 * The best said wins, then the first.
 */
type ProgressRank = 0 | 1 | 2;
const NAMED: ProgressRank = 0;
const PERCENTAGE: ProgressRank = 1;
const SHARE: ProgressRank = 2;
type SignalBody =
  | { kind: "project" }
  | { kind: "progress"; value: number | null; rank: ProgressRank }
  | { kind: "health"; health: Health }
  | { kind: "mention"; list: "risks" | "blockers" }
  | { kind: "mild" }
  | { kind: "list"; list: ListKind; health: Health | null; cause: boolean }
  | { kind: "none"; list: "risks" | "blockers" }
  | { kind: "eta"; iso: string | null; labelled: boolean; uncertain: boolean }
  /** "eso nos bloquea", "sin eso no podemos avanzar": what was said just before blocks. */
  | { kind: "backref" }
  /** "movido al 3 de agosto": late only when a cause follows ("… por cambios de Apple"). */
  | { kind: "moved" };
/** `parts` are the places it occupies: one span, or an ETA's cue and its date with words between. */
type Signal = SignalBody & Span & { parts: Span[] };

function signal(body: SignalBody, start: number, end: number): Signal {
  return { ...body, start, end, parts: [{ start, end }] };
}

/** A list cue ends at the end of a word, or right after its label's punctuation ("riesgos:x"). */
const CUE_END = "(?:(?<=[:=\\-–—→][^\\S\\n]?)|(?![\\p{L}\\p{N}]))";
const HEALTH_MATCHERS = HEALTHS.map((health) => ({ health, regex: phraseRegex(HEALTH_PHRASES[health]) }));
const ENGLISH_COLOUR_REGEX = phraseRegex(Object.keys(ENGLISH_COLOUR_HEALTH));
const HEALTH_EMOJI_REGEX = new RegExp(alternation([...HEALTH_EMOJI.keys()]), "gu");
const LIST_CUE_MATCHERS = LIST_CUES.map((cue) => ({
  list: cue.list,
  health: cue.health,
  cause: cue.cause ?? false,
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
const NOT_A_QUANTITY = `(?![\\p{L}\\p{N}/-]|[.,]\\d| ?(?:${phrases(QUANTITY_UNITS).source}|${phrases(OUT_OF_WORDS).source}${SPACE}\\d+)${WORD_END})`;
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
const FRACTION_WORDS_REGEX = phraseRegex([...FRACTION_WORDS.keys()]);
const COUNT = `(\\d{1,3}|${NUMBER_WORD_PATTERN})`;
/** "3 de 4", "tres de cuatro", "18 of 24", "7 out of 10". */
const FRACTION_REGEX = new RegExp(
  `${WORD_START}${COUNT}${SPACE}(?:de|of|out of)${SPACE}${COUNT}(?![\\p{L}\\p{N}%]|[.,]\\d|${SPACE}de${SPACE}\\d)`,
  "gu",
);
const SLASH_FRACTION_REGEX = /(?<![\p{L}\p{N}/.,-])(\d{1,3})\/(\d{1,3})(?![\p{N}/%]|[.,]\d)/gu;
/** What a share counts follows it: "casos", "de las pruebas", "test suites". */
const SHARE_FOLLOWS = new RegExp(
  `^ (?:(?:de|del|of)${SPACE}(?:(?:las|los|la|el|the)${SPACE})?)?(?!${alternation(SHARE_NOT_FOLLOWED_BY)}${WORD_END})\\p{L}`,
  "u",
);
/** A number right after a project's name: "Intranet RRHH al 40", "App Ventas – 60". */
const AFTER_PROJECT_PROGRESS = new RegExp(
  `^(?: ?[:\\-–—→>]| al| en| at| is at)? ?(${NUMBER})(?:${PERCENT})?(?!${SPACE}(?:de|del|of)${SPACE}\\p{L})${NOT_A_QUANTITY}`,
  "u",
);
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
const YES_ANSWER = new RegExp(`^${phrases(YES_ANSWERS).source}(?:${SPACE}|[,:;.\\-–—]|$)`, "u");
const QUESTION_LABEL = new RegExp(
  `(?:(?:^|(?<=[\\n.!?;,:\\-–—]))[^\\S\\n]*¿?|¿)[^\\S\\n]*(?:${phrases(QUESTION_OPENERS).source}${SPACE})?${phrases(QUESTION_FIELDS).source}[^\\S\\n]*\\?`,
  "gu",
);
/** "no hay riesgos ni bloqueos", "no open risks or blockers": the second is negated too. */
const COORDINATED_NEGATION = new RegExp(
  `^[\\s,]*${phrases(["ni", "nor", "or", "o", "u", "y", "and", "ni tampoco"]).source}[\\s,]*(?:\\p{L}+[^\\S\\n]+)?$`,
  "u",
);
const PARENTHESIS_AFTER = /^[^\S\n]*\(([^()\n]{3,160})\)/u;
const FAILURE_REGEX = phraseRegex(FAILURE_PHRASES);
const TRAILING_CONNECTOR = new RegExp(
  `(?:[\\s,;:]+${phrases(["y", "and", "e", "pero", "but"]).source})?[\\s,;:]*$`,
  "u",
);
const SETTLED_REGEX = phraseRegex(SETTLED_PHRASES);
const UNSETTLED_REGEX = new RegExp(
  `${WORD_START}(?:no|not|sin|aun no|todavia no|un)${SPACE}(?:(?:se|ha|han|has|have|been|fue|esta|estan|is|are|was|yet)${SPACE}){0,2}${phrases(SETTLED_PHRASES).source}${WORD_END}`,
  "u",
);
const BACK_REFERENCE_REGEX = phraseRegex(BACK_REFERENCES);
const MOVED_REGEX = phraseRegex(MOVED_PHRASES);
/** "una semana", "a couple of weeks": how long, not why. */
const SPAN_OF_TIME = `${phrases(["un", "una", "unos", "unas", "dos", "tres", "cuatro", "a", "an", "one", "two", "three", "a few", "a couple of", "couple of", "algunos", "algunas"]).source}${SPACE}${phrases(["dia", "dias", "semana", "semanas", "mes", "meses", "day", "days", "week", "weeks", "month", "months", "hora", "horas"]).source}${WORD_END}`;
/** "… por cambios regulatorios", "… due to late data": a cause, not "por 2 semanas" or "por ahora". */
const CAUSE_AFTER = new RegExp(
  `${WORD_START}${phrases(["por culpa de", "por", "debido a", "a causa de", "due to", "because of", "because"]).source}${SPACE}(?!\\d|${phrases(NOT_A_CAUSE).source}${WORD_END}|${SPAN_OF_TIME})`,
  "u",
);
const CONCESSION_REGEX = phraseRegex(CONCESSION_MARKERS);
const OFF_TRACK_REGEX = phraseRegex(HEALTH_PHRASES.off_track);
const CONCERN_REGEX = phraseRegex(CONCERNS);
/** "si", "if", "podría", "could", "may" (not the month: "may 15"). */
/** "on track for end of month", "a tiempo para el 31": the date is the ETA. */
const ON_TRACK_FOR = new RegExp(
  `${phrases(["on track", "on schedule", "on time", "a tiempo", "en tiempo", "en fecha", "encaminados", "encaminado"]).source}${SPACE}(?:for|para)(?:${SPACE}(?:el|la|the))?${SPACE}?$`,
  "u",
);
const HEDGE_MARKER_REGEX = new RegExp(
  `${WORD_START}(?:${phrases(CONDITION_MARKERS).source}(?!${SPACE}?[,.:;!?]|$)|${phrases(HEDGE_MARKERS).source}(?!${SPACE}\\d))${WORD_END}`,
  "gu",
);
const CONDITION_MARKER = new RegExp(`^${phrases(CONDITION_MARKERS).source}$`, "u");
const IMPACT_REGEX = phraseRegex([...IMPACT_VERBS, ...IMPACT_NOUNS]);
const IMPACT_VERB_REGEX = phraseRegex(IMPACT_VERBS);
const CONJUNCTION = new RegExp(`(?<= )${phrases(CONJUNCTIONS).source}(?= )`, "gu");

// ---------------------------------------------------------------------------------------------

type ListItem = Span & { list: ListKind; text: string };
/** `clauseOnly`: a cue ending in a preposition names one thing; only "…, que …" goes on with it. */
type OpenList = { list: ListKind; last: ListItem | null; items: number; clauseOnly?: boolean };

class UpdateReader {
  private readonly text: string;
  private readonly covered: Uint8Array;
  private readonly clauses: Span[] = [];
  private openList: OpenList | null = null;
  readonly progress: { value: number; rank: ProgressRank }[] = [];
  readonly explicitHealth: Health[] = [];
  /** Health the writer rated: an emoji, "Estado: en riesgo", "RAG: amber". */
  private readonly declaredHealth: Health[] = [];
  /** Sentences left in which a clause telling what did not happen is the cause of a delay. */
  private causeAwaited = 0;
  /** Where the delay or block awaiting its cause was read. */
  private causeAwaitedFrom = -1;
  /** The hedged or conditional delay being read, and its condition ("si el proveedor no entrega"). */
  private hedge: { conditionStart: number; conditionEnd: number } | null = null;
  private sentence: Span | null = null;
  /** The last clause of the sentence in which nothing was read. */
  private quietClause: Span | null = null;
  private previousSentence: Span | null = null;
  private blockedMentioned = false;
  private riskMentioned = false;
  readonly items: ListItem[] = [];
  readonly etas: { iso: string; uncertain: boolean }[] = [];
  private ranges: readonly Span[] = [];

  constructor(
    private readonly reading: Reading,
    private readonly language: Locale,
    private readonly dateContext: DateContext,
    private readonly projectHits: readonly ProjectHit[],
    /** What was scanned where, shared by the readers of one message: the text does not change. */
    private readonly scanned: Map<string, readonly Signal[]> = new Map(),
  ) {
    this.text = reading.text;
    this.covered = new Uint8Array(reading.text.length);
  }

  /** Reads the parts of the text given, in order; a list never runs from one part into the next. */
  read(ranges: readonly Span[]): void {
    this.ranges = ranges;
    this.readHealthEmoji();
    for (const hit of this.projectHits) this.cover(hit.start, hit.end);
    for (const range of ranges) {
      let block: OpenList | null = null;
      let blankBefore = false;
      let lineStart = range.start;
      while (lineStart <= range.end) {
        const newline = this.text.indexOf("\n", lineStart);
        const lineEnd = newline === -1 || newline > range.end ? range.end : newline;
        const line = this.text.slice(lineStart, lineEnd);
        if (line.trim() === "") {
          blankBefore = true;
        } else {
          block = this.readLine(lineStart, lineEnd, block, blankBefore);
          blankBefore = false;
        }
        lineStart = lineEnd + 1;
      }
      this.openList = null;
    }
  }

  private inRanges(position: number): boolean {
    return this.ranges.some((range) => position >= range.start && position < range.end);
  }

  /** Whether something other than a project is read in [start, end). */
  hasStatusBetween(start: number, end: number): boolean {
    return this.scan(start, end).some((found) => found.kind !== "project");
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
      this.previousSentence = this.sentence;
      this.sentence = sentence;
      this.quietClause = null;
      this.readSentence(sentence);
      if (this.causeAwaited > 0) this.causeAwaited--;
    }
    return this.takeOpenList();
  }

  /**
   * A sentence clause by clause. From a hedged or conditional delay on ("pero si el proveedor no
   * entrega el viernes nos vamos a atrasar", "we could slip a week if …") to the end of the
   * sentence is one risk; what comes before it is read as usual.
   */
  private readSentence(sentence: Span): void {
    const hedged = this.hedgedPart(sentence);
    for (const clause of clausesOf(this.text, sentence.start, sentence.end)) {
      if (hedged === null || clause.end <= hedged.start) {
        this.readClause(clause.start, clause.end);
        continue;
      }
      if (clause.start < hedged.start) this.readClause(clause.start, hedged.start);
      this.openList = null;
      this.hedge = hedged;
      this.readClause(Math.max(clause.start, hedged.start), clause.end);
      this.hedge = null;
    }
    if (hedged !== null) this.addOneItem("risks", hedged.start, sentence.end);
  }

  /**
   * Where a sentence starts saying that a delay may come: a condition ("si", "if", "en caso de
   * que") or a hedge ("podría", "puede que", "could", "might", "there's a chance") with a delay or
   * an impact after it ("nos vamos a atrasar", "slip", "no lleguemos a la fecha", "en riesgo"), or a
   * delay said as a verb just before a condition ("nos atrasamos si …"). Null when there is none,
   * or when a risk or blocker list already holds it.
   */
  private hedgedPart(sentence: Span): (Span & { conditionStart: number; conditionEnd: number }) | null {
    const part = this.hedgeOrCondition(sentence) ?? this.concession(sentence);
    if (part === null || isSettled(this.text.slice(part.start, part.end))) return null;
    const earlier = this.scan(sentence.start, part.start);
    if (earlier.some((found) => found.kind === "list" && found.list !== "nextSteps")) return null;
    return part;
  }

  /** "aunque el proveedor va un poco lento", "though the timeline is tight": a concern conceded. */
  private concession(sentence: Span): (Span & { conditionStart: number; conditionEnd: number }) | null {
    const text = this.text.slice(sentence.start, sentence.end);
    const marker = firstMatch(CONCESSION_REGEX, text);
    if (marker === null) return null;
    if (!hasUnnegated(CONCERN_REGEX, text.slice(marker.index + marker.text.length))) return null;
    return { start: sentence.start + marker.index, end: sentence.end, conditionStart: -1, conditionEnd: -1 };
  }

  private hedgeOrCondition(sentence: Span): (Span & { conditionStart: number; conditionEnd: number }) | null {
    const text = this.text.slice(sentence.start, sentence.end);
    const marker = firstMatch(HEDGE_MARKER_REGEX, text);
    if (marker === null) return null;
    const wordsBefore = wordsOf(text.slice(Math.max(0, marker.index - 30), marker.index)).slice(-2);
    if (wordsBefore.some((word) => NEGATORS.has(word.word))) return null;
    const conditional = CONDITION_MARKER.test(marker.text);
    const markerAt = sentence.start + marker.index;
    const clauses = clausesOf(this.text, sentence.start, sentence.end);
    const markerClause = clauses.find((clause) => markerAt >= clause.start && markerAt < clause.end);
    if (markerClause === undefined) return null;
    let start = markerAt;
    const after = text.slice(marker.index + marker.text.length);
    let impact = hasUnnegated(IMPACT_REGEX, after);
    if (!impact && conditional) {
      const index = clauses.indexOf(markerClause);
      const before = clauses[index - 1];
      const inClause = this.text.slice(markerClause.start, markerAt);
      if (hasUnnegated(IMPACT_VERB_REGEX, inClause)) {
        impact = true;
        start = markerClause.start;
      } else if (
        before !== undefined &&
        hasUnnegated(IMPACT_VERB_REGEX, this.text.slice(before.start, before.end))
      ) {
        impact = true;
        start = before.start;
      }
    }
    if (!impact) return null;
    start = skipSpaces(this.text, start, sentence.end);
    const lead = CONNECTOR.exec(this.text.slice(start, sentence.end));
    if (lead !== null && start === markerClause.start) start += lead[0].length;
    return {
      start,
      end: sentence.end,
      conditionStart: conditional ? markerAt : -1,
      conditionEnd: conditional ? markerClause.end : -1,
    };
  }

  private takeOpenList(): OpenList | null {
    const open = this.openList;
    this.openList = null;
    return open?.clauseOnly === true ? null : open;
  }

  private readClause(rawStart: number, rawEnd: number): void {
    const start = skipSpaces(this.text, rawStart, rawEnd);
    const end = trimEnd(this.text, start, rawEnd);
    if (start >= end) return;
    this.clauses.push({ start, end });
    const open = this.openList;
    if (open?.clauseOnly === true) {
      this.openList = null;
      if (CONTINUATION.test(this.text.slice(start, end)) && open.last !== null) {
        this.extendItem(open.last, end);
        this.openList = open;
        return;
      }
    } else if (open !== null) {
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
    this.readOkay(start, end);
  }

  /** "Mesa de ayuda: OK", "Estado: bien": one word left after a project or a label says on track. */
  private readOkay(start: number, end: number): void {
    if (this.hedge !== null) return;
    const words = wordsOf(this.text.slice(start, end), start);
    const named = words.some(
      (word) => STATUS_LABEL_WORDS.has(word.word) || this.projectHits.some((hit) => hit.start === word.start),
    );
    const left = words.filter((word) => this.covered[word.start] !== 1 && !STATUS_LABEL_WORDS.has(word.word));
    const [only] = left;
    if (named && left.length === 1 && only !== undefined && OK_WORDS.has(only.word)) {
      this.explicitHealth.push("on_track");
      this.cover(only.start, only.end);
    }
  }

  /**
   * Applies every signal of [start, end) in order; a list takes the rest of the clause. In a clause
   * that says its trouble is over or small ("ya se resolvió", "el riesgo es bajo") risks, blockers
   * and bad health are understood but not kept; inside a hedged or conditional delay (`this.hedge`)
   * they are the one risk the hedge makes.
   */
  private readSignals(start: number, end: number, scanned?: readonly Signal[]): void {
    const signals = scanned ?? this.scan(start, end);
    const settled = isSettled(this.text.slice(start, end));
    const hedge = this.hedge;
    let lastEnd = start;
    let previousNegated = false;
    for (let index = 0; index < signals.length; index++) {
      const found = signals[index];
      if (found === undefined || found.start < lastEnd) continue;
      const between = this.text.slice(lastEnd, found.start);
      const negated: boolean =
        this.isNegated(Math.max(lastEnd, found.start - 60), found.start) ||
        (previousNegated && COORDINATED_NEGATION.test(between));
      previousNegated = negated || found.kind === "none";
      for (const part of found.parts) this.cover(part.start, part.end);
      lastEnd = Math.max(lastEnd, found.parts[0]?.end ?? found.end);
      switch (found.kind) {
        case "project":
        case "mild":
          break;
        case "progress":
          if (found.value === null) this.uncover(found.start, found.end);
          else this.progress.push({ value: found.value, rank: found.rank });
          break;
        case "health": {
          if (hedge !== null) {
            if (found.health === "at_risk" && !negated) this.explicitHealth.push("at_risk");
            break;
          }
          if (settled && (found.health === "at_risk" || found.health === "off_track")) break;
          this.addHealth(found.health, negated, this.isLabelled(found.start));
          if (!negated && (found.health === "at_risk" || found.health === "off_track")) {
            const reason = PARENTHESIS_AFTER.exec(this.text.slice(found.end, end));
            if (reason !== null) {
              const from = found.end + reason[0].indexOf("(") + 1;
              this.addOneItem(
                found.health === "at_risk" ? "risks" : "blockers",
                from,
                from + (reason[1]?.length ?? 0),
              );
              this.cover(found.end, found.end + reason[0].length);
              lastEnd = found.end + reason[0].length;
            } else if (found.health === "off_track" && !this.readCauseAfter(found.end, end)) {
              this.awaitCause(found.start);
            }
          }
          break;
        }
        case "moved":
          if (!negated && !settled && hedge === null && this.readCauseAfter(found.end, end))
            this.explicitHealth.push("off_track");
          break;
        case "mention":
          if (negated || settled || hedge !== null) break;
          if (found.list === "risks") {
            this.riskMentioned = true;
          } else {
            this.blockedMentioned = true;
            this.awaitCause(found.start);
          }
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
          } else if (
            hedge === null ||
            found.start < hedge.conditionStart ||
            found.start >= hedge.conditionEnd
          ) {
            this.etas.push({ iso: found.iso, uncertain: found.uncertain });
          }
          break;
        case "backref":
          if (!negated && !settled && hedge === null) this.addBackReference(found.start, found.end, end);
          break;
        case "list": {
          if (negated || settled || hedge !== null) {
            this.cover(found.end, end);
            return;
          }
          if (found.health !== null) this.explicitHealth.push(found.health);
          const list = found.cause && this.health() === "at_risk" ? "risks" : found.list;
          this.openList = { list, last: null, items: 0 };
          const resumeAt = this.addItems(found.end, end);
          if (resumeAt === null) {
            const open = this.openList;
            if (open !== null && !ANNOUNCES_A_LIST.test(this.text.slice(found.start, found.end)))
              this.openList = { ...open, clauseOnly: true };
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
    if (this.causeAwaited > 0 && hedge === null && !settled) this.readCause(start, lastEnd, end);
    if (signals.every((found) => found.kind === "project")) this.quietClause = { start, end };
  }

  /**
   * A delay or a block was read without its cause: a clause around it telling what did not happen
   * is the blocker, the one just before ("the vendor API is still not ready, we're blocked") or
   * those that follow.
   */
  private awaitCause(at: number): void {
    if (this.causeAwaited === 0) this.causeAwaitedFrom = at;
    this.causeAwaited = 2;
    const before = this.quietClause;
    if (before !== null && this.isCause(before.start, before.end)) {
      this.addOneItem("blockers", before.start, before.end);
      this.quietClause = null;
    }
  }

  /** "el banco no ha liberado los ambientes", "the hardware vendor delayed the shipment". */
  private isCause(start: number, end: number): boolean {
    const clause = this.text.slice(start, end);
    FAILURE_REGEX.lastIndex = 0;
    if (FAILURE_REGEX.test(clause)) return true;
    const third = wordsOf(clause).some((word) => THIRD_PARTIES.has(word.word));
    OFF_TRACK_REGEX.lastIndex = 0;
    return third && OFF_TRACK_REGEX.test(clause);
  }

  /**
   * After "vamos atrasados" / "in red", a clause telling what did not happen ("el banco no ha
   * liberado los ambientes", "the vendor missed the deadline") is the blocker.
   */
  private readCause(clauseStart: number, rawStart: number, end: number): void {
    if (this.items.some((item) => item.list === "blockers" && item.start >= clauseStart && item.end <= end))
      return;
    const start = skipSpaces(this.text, rawStart, end);
    if (start < end && this.isCause(start, end)) {
      this.addOneItem("blockers", start, end);
    } else if (
      this.causeAwaitedFrom < clauseStart &&
      this.isCause(clauseStart, end) &&
      !this.isInsideItem({ start: clauseStart, end })
    ) {
      this.addOneItem("blockers", clauseStart, end);
    }
  }

  /**
   * "se pospone el go live al 15 de agosto por cambios regulatorios": the cause later in the
   * clause is the blocker. Returns whether there was one.
   */
  private readCauseAfter(from: number, end: number): boolean {
    const cause = CAUSE_AFTER.exec(this.text.slice(from, end));
    if (cause === null) return false;
    const start = from + cause.index + cause[0].length;
    if (!hasContent(this.text.slice(start, end))) return false;
    this.cover(from + cause.index, start);
    this.addOneItem("blockers", start, end);
    return true;
  }

  /**
   * "El banco no liberó los accesos y sin eso no podemos avanzar", "data quality issues are
   * blocking the dashboards": the words before; else what follows ("nos bloquea el proveedor"); else
   * the sentence before ("Eso nos bloquea.").
   */
  private addBackReference(at: number, phraseEnd: number, clauseEnd: number): void {
    const sentence = this.sentence;
    let from = sentence?.start ?? at;
    for (let index = at - 1; index > from; index--) {
      if (
        this.covered[index] === 1 &&
        !this.projectHits.some((hit) => index >= hit.start && index < hit.end)
      ) {
        from = skipSpaces(this.text, index + 1, at);
        break;
      }
    }
    const leading = this.projectHits.find((hit) => hit.start === from);
    if (leading !== undefined) from = skipSpaces(this.text, leading.end, at);
    let to = trimEnd(this.text, from, at);
    to = from + (TRAILING_CONNECTOR.exec(this.text.slice(from, to))?.index ?? to - from);
    const after = skipSpaces(this.text, phraseEnd, clauseEnd);
    if (!hasContent(this.text.slice(from, to)) && hasContent(this.text.slice(after, clauseEnd))) {
      from = after;
      to = clauseEnd;
    } else if (!hasContent(this.text.slice(from, to)) && this.previousSentence !== null) {
      from = this.previousSentence.start;
      to = this.previousSentence.end;
    }
    if (hasContent(this.text.slice(from, to))) this.addOneItem("blockers", from, to);
    else this.blockedMentioned = true;
  }

  /** One item of a list, outside any list being read. */
  private addOneItem(list: ListKind, rawStart: number, end: number): void {
    let start = rawStart;
    const named = this.projectHits.find((hit) => hit.start === start);
    if (named !== undefined) start = skipSpaces(this.text, named.end, end);
    if (start >= end) return;
    const open = this.openList;
    this.openList = { list, last: null, items: 0 };
    this.addItem(start, trimEnd(this.text, start, end));
    this.openList = open;
    if (list === "blockers") this.causeAwaited = 0;
  }

  /** A health right after "Estado:", "Status", "Semáforo", "RAG:" is the writer's own rating. */
  private isLabelled(position: number): boolean {
    const lineStart = this.text.lastIndexOf("\n", position - 1) + 1;
    const before = wordsOf(this.text.slice(Math.max(lineStart, position - 30), position)).slice(-2);
    return before.some((word) => STATUS_LABEL_WORDS.has(word.word));
  }

  private addHealth(health: Health, negated: boolean, labelled: boolean): void {
    if (!negated) {
      (labelled ? this.declaredHealth : this.explicitHealth).push(health);
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
    let start = skipSpaces(this.text, rawStart, end);
    if (open === null || start >= end) return null;
    const yes = open.items === 0 ? YES_ANSWER.exec(this.text.slice(start, end)) : null;
    if (yes !== null) {
      this.cover(start, start + yes[0].length);
      start = skipSpaces(this.text, start + yes[0].length, end);
      if (start >= end) return null;
    }
    if (isNoneAnswer(this.text.slice(start, end))) {
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
    if (isNoneAnswer(this.text.slice(start, end))) return;
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
      case "project": {
        // Another of the writer's projects with its own status starts its own part of the message.
        const own = this.projectHits.some((hit) => hit.start === start && hit.writersProject);
        return own && this.hasStatusBetween(first.end, end);
      }
      default:
        return false;
    }
  }

  /** Every signal in [start, end), leftmost first, none overlapping another. */
  private scan(start: number, end: number): readonly Signal[] {
    const key = `${start}:${end}`;
    const known = this.scanned.get(key);
    if (known !== undefined) return known;
    const found = this.scanAnew(start, end);
    this.scanned.set(key, found);
    return found;
  }

  private scanAnew(start: number, end: number): Signal[] {
    const clause = this.text.slice(start, end);
    const found: Signal[] = [];
    const add = (body: SignalBody, from: number, to: number) =>
      found.push(signal(body, start + from, start + to));
    const hits = this.projectHits.filter((hit) => hit.start >= start && hit.end <= end);
    for (const hit of hits) found.push(signal({ kind: "project" }, hit.start, hit.end));
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
        const body = { kind: "list", list: cue.list, health: cue.health, cause: cue.cause } as const;
        add(body, match.index, match.index + match[0].length);
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
    for (const match of clause.matchAll(BACK_REFERENCE_REGEX))
      add({ kind: "backref" }, match.index, match.index + match[0].length);
    for (const match of clause.matchAll(MOVED_REGEX))
      add({ kind: "moved" }, match.index, match.index + match[0].length);
    this.scanProgress(clause, start, hits, add);
    found.push(...this.scanEtas(clause, start));
    return withoutOverlaps(found);
  }

  private scanProgress(
    clause: string,
    offset: number,
    hits: readonly ProjectHit[],
    add: (body: SignalBody, from: number, to: number) => void,
  ): void {
    const isProjectName = (at: number) =>
      hits.some((hit) => offset + at >= hit.start && offset + at < hit.end);
    const consider = (match: RegExpMatchArray, value: number | null, rank: ProgressRank) => {
      const from = match.index ?? 0;
      const to = from + match[0].length;
      if (isAboutSomethingElse(clause, from, to, isProjectName)) return;
      const valid = value === null || value > 100 ? null : Math.round(value);
      const after = PROGRESS_AFTER_REGEX.exec(clause.slice(to));
      const said = after !== null && rank === PERCENTAGE ? NAMED : rank;
      add({ kind: "progress", value: valid, rank: said }, from, to + (after?.[0].length ?? 0));
    };
    const number = (text: string | undefined) => readNumber(text ?? "");
    for (const match of clause.matchAll(CUED_PROGRESS_REGEX)) consider(match, number(match[1]), NAMED);
    for (const match of clause.matchAll(PERCENT_REGEX)) consider(match, number(match[1]), PERCENTAGE);
    for (const match of clause.matchAll(WORDS_PERCENT_REGEX)) consider(match, number(match[1]), PERCENTAGE);
    for (const match of clause.matchAll(HALF_REGEX)) consider(match, 50, NAMED);
    for (const match of clause.matchAll(FRACTION_WORDS_REGEX))
      consider(match, FRACTION_WORDS.get(match[0].replace(/[\s-]+/gu, " ")) ?? null, SHARE);
    for (const match of [...clause.matchAll(FRACTION_REGEX), ...clause.matchAll(SLASH_FRACTION_REGEX)]) {
      const done = number(match[1]);
      const all = number(match[2]);
      if (done === null || all === null || all < 2 || done > all) continue;
      const from = match.index ?? 0;
      const to = from + match[0].length;
      if (match[0].includes("/") && !isSlashFraction(clause, from, to)) continue;
      const counted = FOLLOWING_NOUN.exec(clause.slice(to, to + 40))?.[1] ?? "";
      if (NOT_SHARE_NOUNS.has(counted)) continue;
      const value = Math.round((100 * done) / all);
      add({ kind: "progress", value, rank: SHARE }, from, to);
    }
    for (const hit of hits) {
      const match = AFTER_PROJECT_PROGRESS.exec(clause.slice(hit.end - offset));
      if (match === null) continue;
      const from = hit.end - offset + match.index + match[0].length - (match[1]?.length ?? 0);
      const value = number(match[1]);
      if (value !== null && value <= 100)
        add({ kind: "progress", value, rank: NAMED }, from, from + (match[1]?.length ?? 0));
    }
  }

  /** Dates with an ETA word before (within five words) or right after. */
  private scanEtas(clause: string, offset: number): Signal[] {
    const etas: Signal[] = [];
    for (const mention of findDateMentions(clause, this.dateContext)) {
      const written = clause.slice(mention.start, mention.end);
      const share = /^(\d{1,3})\/(\d{1,3})$/u.exec(written);
      if (share !== null && Number(share[1]) <= Number(share[2])) {
        if (isSlashFraction(clause, mention.start, mention.end)) continue;
      }
      const before = wordsOf(clause.slice(0, mention.start)).slice(-5);
      const cueIndex = findLastIndex(before, (word) => ETA_CUES.has(word.word));
      let cue: TextWord | undefined;
      const cueWord = before[cueIndex];
      if (cueWord !== undefined) {
        const gap = before.slice(cueIndex + 1);
        if (gap.some((word) => NOT_ETA_WORDS.has(word.word))) continue;
        if (this.isSomeoneElses(clause, offset, cueWord)) continue;
        cue = widenCue(before, cueIndex);
      } else if (ON_TRACK_FOR.test(clause.slice(0, mention.start))) {
        cue = before.at(-1);
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
        iso: DONE_CUES.has(cue.word) ? this.latestPast(mention.iso) : mention.iso,
        uncertain: mention.uncertain,
        labelled: ETA_LABELS.has(cue.word),
        start: offset + start,
        end: offset + end,
        parts,
      });
    }
    return etas;
  }

  /**
   * "el proveedor entrega el ambiente el lunes", "the vendor delivers on Friday", "la DIAN entrega
   * …", "el cliente nos entrega …": somebody else's delivery, not the project's ETA. "la entrega",
   * "entregamos", "we deliver", "el equipo entrega" are the project's own.
   */
  private isSomeoneElses(clause: string, offset: number, cue: TextWord): boolean {
    if (ETA_LABELS.has(cue.word) || cue.word.endsWith("mos")) return false;
    const words = wordsOf(clause.slice(0, cue.start));
    const previous = words.at(-1)?.word ?? "";
    if (NOUN_DETERMINERS.has(previous)) return false;
    if (previous === "nos") return true;
    for (let index = words.length - 1; index >= Math.max(0, words.length - 6); index--) {
      const word = words[index];
      if (word === undefined) continue;
      const at = offset + word.start;
      if (this.projectHits.some((hit) => at >= hit.start && at < hit.end)) return false;
      const next = words[index + 1]?.word ?? "";
      if (THIRD_PARTIES.has(word.word)) return true;
      if ((word.word === "equipo" || word.word === "area") && (next === "de" || next === "del")) return true;
      if (OWN_SUBJECTS.has(word.word)) return false;
      if (isAcronym(sourceText(this.reading, at, at + word.word.length))) return true;
    }
    return false;
  }

  /** "entregado el 6/7": a day already past, not the same day next year. */
  private latestPast(iso: string | null): string | null {
    if (iso === null) return null;
    const today = todayIn(this.dateContext.now, this.dateContext.timezone);
    const year = Number(iso.slice(0, 4));
    const lastYear = `${year - 1}${iso.slice(4)}`;
    const todayIso = `${today.year}-${String(today.month).padStart(2, "0")}-${String(today.day).padStart(2, "0")}`;
    if (iso <= todayIso || year !== today.year + 1 || lastYear > todayIso) return iso;
    return Number.isNaN(Date.parse(lastYear)) ? iso : lastYear;
  }

  private readHealthEmoji(): void {
    for (const match of this.text.matchAll(HEALTH_EMOJI_REGEX)) {
      const health = HEALTH_EMOJI.get(match[0]);
      if (health === undefined || !this.inRanges(match.index)) continue;
      this.declaredHealth.push(health);
      this.cover(match.index, match.index + match[0].length);
    }
  }

  /** A negation within six words before, with nothing between that starts another thought. */
  private isNegated(from: number, to: number): boolean {
    const before = this.text.slice(from, to);
    if (NOT_NEGATIONS.some((phrase) => before.includes(phrase))) return false;
    const words = wordsOf(before).slice(-6);
    for (let index = words.length - 1; index >= 0; index--) {
      const word = words[index]?.word ?? "";
      if (NEGATION_STOPS.has(word)) return false;
      if (NEGATORS.has(word)) return true;
    }
    return false;
  }

  private cover(start: number, end: number): void {
    this.covered.fill(1, Math.max(0, start), Math.min(this.covered.length, end));
  }

  private uncover(start: number, end: number): void {
    this.covered.fill(0, Math.max(0, start), Math.min(this.covered.length, end));
  }

  /**
   * The writer's own rating (an emoji, "Estado: …") wins unless it says on track; then the worst
   * health said; on track said beside a risk or a blocker is at risk; else what the lists imply.
   */
  health(): Health | null {
    const said = [...this.declaredHealth, ...this.explicitHealth];
    if (said.includes("on_hold")) return "on_hold";
    const worst = (list: readonly Health[]) =>
      (["off_track", "at_risk", "on_track"] as const).find((health) => list.includes(health)) ?? null;
    const declared = worst(this.declaredHealth.filter((health) => health !== "on_track"));
    if (declared !== null) return declared;
    const blocked = this.blockedMentioned || this.items.some((item) => item.list === "blockers");
    const risky = this.riskMentioned || this.items.some((item) => item.list === "risks");
    const explicit = worst(said);
    if (explicit === "on_track" && (blocked || risky)) return "at_risk";
    if (explicit !== null) return explicit;
    if (blocked) return "off_track";
    if (risky) return "at_risk";
    return null;
  }

  eta(): { iso: string; uncertain: boolean } | null {
    return this.etas[0] ?? null;
  }

  /** Whether anything at all was read: a progress, a health, a list item or a date. */
  saysAnything(): boolean {
    return (
      this.progress.length > 0 || this.health() !== null || this.items.length > 0 || this.etas.length > 0
    );
  }

  chosenProgress(): number | null {
    const best = Math.min(...this.progress.map((found) => found.rank));
    return this.progress.find((found) => found.rank === best)?.value ?? null;
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
      if (FILLER_WORDS.has(word.word) || !this.inRanges(word.start)) continue;
      total++;
      if (this.covered[word.start] === 1) understood++;
    }
    for (const match of this.text.matchAll(HEALTH_EMOJI_REGEX)) {
      if (!this.inRanges(match.index)) continue;
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
  let open = 0;
  for (let index = start; index < end; index++) {
    const char = text[index] ?? "";
    if (char === "(") open++;
    if (char === ")" && open > 0) open--;
    const decimalComma = char === "," && /\d/.test(text[index - 1] ?? "") && /\d/.test(text[index + 1] ?? "");
    if ((char === "," && !decimalComma) || char === ";" || char === "|") {
      spans.push({ start: clauseStart, end: index });
      clauseStart = index + 1;
      continue;
    }
    const numbering = open > 0 ? null : INLINE_NUMBERING.exec(text.slice(index, index + 5));
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

/** "DIAN", "IBM", "QA": an organisation's name, written in capitals. */
function isAcronym(written: string): boolean {
  return /^\p{Lu}{2,6}$/u.test(written) && !NOT_ORGANISATIONS.has(foldWord(written));
}

/** The first match of a global regex in a text, or null. */
function firstMatch(pattern: RegExp, text: string): { index: number; text: string } | null {
  pattern.lastIndex = 0;
  const match = pattern.exec(text);
  pattern.lastIndex = 0;
  return match === null ? null : { index: match.index, text: match[0] };
}

/** Whether the text has a match not negated just before ("no habrá retrasos" has none). */
function hasUnnegated(pattern: RegExp, text: string): boolean {
  for (const match of text.matchAll(pattern)) {
    if (match[0].startsWith("no ")) return true;
    const before = wordsOf(text.slice(Math.max(0, match.index - 30), match.index)).slice(-3);
    if (!before.some((word) => NEGATORS.has(word.word))) return true;
  }
  return false;
}

/** "ya se resolvió", "quedaron mitigados", "el riesgo es bajo", unless "no se ha resuelto". */
function isSettled(clause: string): boolean {
  SETTLED_REGEX.lastIndex = 0;
  return SETTLED_REGEX.test(clause) && !UNSETTLED_REGEX.test(clause);
}

/** "ninguno", "N/A", "none so far", "ninguno relevante": the list is empty. */
function isNoneAnswer(text: string): boolean {
  const answer = answerOf(text);
  if (NONE_ANSWERS.has(answer)) return true;
  const words = answer.split(" ");
  return words.length <= 3 && NONE_WORDS.has(words[0] ?? "");
}

/**
 * "¿Riesgos? Sí, …", "Any blockers? No.", "Avance? 60%": a question that names a field is read as
 * its label ("riesgos: sí, …"). The text keeps its length: "¿" becomes a space, "?" a colon.
 */
function questionsAsLabels(text: string): string {
  return text.replace(QUESTION_LABEL, (question) => question.replace("¿", " ").replace(/\?$/u, ":"));
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

/** A percentage of a budget, a probability, people: not the project's progress. Its own name aside. */
function isAboutSomethingElse(
  clause: string,
  from: number,
  to: number,
  isProjectName: (at: number) => boolean,
): boolean {
  const following = FOLLOWING_NOUN.exec(clause.slice(to, to + 40));
  if (following?.[1] !== undefined && NOT_PROGRESS_NOUNS.has(following[1])) return true;
  const windowStart = Math.max(0, from - 40);
  return wordsOf(clause.slice(windowStart, from), windowStart)
    .slice(-3)
    .some((word) => NOT_PROGRESS_NOUNS.has(word.word) && !isProjectName(word.start));
}

/**
 * "9/12 casos", "3/4 de las pruebas" is a share of things; "el 3/4", "entrega 3/4", "3/4/2026" is a
 * date: a share is followed by what it counts and not preceded by a date's words.
 */
function isSlashFraction(clause: string, from: number, to: number): boolean {
  const previous = wordsOf(clause.slice(Math.max(0, from - 30), from)).at(-1)?.word ?? "";
  if (DATE_LEAD_WORDS.has(previous) || ETA_CUES.has(previous)) return false;
  return SHARE_FOLLOWS.test(clause.slice(to, to + 40));
}

// ---------------------------------------------------------------------------------------------
// Language.

/** Counts the words that say each language, project names left out ("Mobile Banking App"). */
function detectLanguage(text: string, fallback: Locale, names: ReadonlySet<string>): Locale {
  let spanish = 0;
  let english = 0;
  for (const { word } of wordsOf(text)) {
    if (names.has(word)) continue;
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

/** A message cleaned, folded and searched for projects, ready to be read in parts. */
type PreparedMessage = {
  input: InterpretInput;
  /** Where reading stops (MAX_READ_CHARACTERS). */
  cut: number;
  reading: Reading;
  language: Locale;
  dateContext: DateContext;
  projects: ProjectSearch;
};

function prepare(input: InterpretInput): PreparedMessage {
  const cut = readingCut(input.text, MAX_READ_CHARACTERS);
  const cleaned = stripSlackFormatting(input.text.slice(0, cut));
  const protectedWords = new Set(input.projects.flatMap((project) => nameWords(project.name)));
  const reading = buildReading(cleaned, typoCorrector(protectedWords));
  reading.text = questionsAsLabels(reading.text);
  const language = detectLanguage(reading.text, input.locale, protectedWords);
  const dateContext: DateContext = { now: input.now, timezone: input.timezone, language };
  return { input, cut, reading, language, dateContext, projects: findProjects(reading.text, input) };
}

/** The rule-based reading of a whole message (pure): one reading per project it reports on. */
export function readMessage(input: InterpretInput): MessageReading {
  const message = prepare(input);
  const { reading, language, dateContext, projects } = message;
  const scanned = new Map<string, readonly Signal[]>();
  const whole = new UpdateReader(reading, language, dateContext, projects.hits, scanned);
  const everything = [{ start: 0, end: reading.text.length }];
  whole.read(everything);
  const { segments, shared } = segmentMessage(reading.text, projects.hits, {
    isInsideItem: (span) => whole.isInsideItem(span),
    hasStatusBetween: (start, end) => whole.hasStatusBetween(start, end),
  });
  const [only] = segments;
  if (segments.length <= 1) {
    return { language, readings: [interpretationOf(message, whole, everything, only ?? null, true)] };
  }
  const readerOf = (ranges: readonly Span[]) => {
    const reader = new UpdateReader(reading, language, dateContext, projects.hits, scanned);
    reader.read(ranges);
    return reader;
  };
  // A project named with nothing of its own shares what the next one says ("PMO-101 y PMO-103 al
  // 70%"); closing words about them all ("…, ambos sin novedad") belong to each.
  const says = segments.map((segment) => readerOf(segment.ranges).saysAnything());
  const ranges: Span[][] = segments.map((segment) => [...segment.ranges]);
  for (let index = segments.length - 2; index >= 0; index--) {
    if (!says[index]) ranges[index] = [...(segments[index]?.ranges ?? []), ...(ranges[index + 1] ?? [])];
  }
  // After the last project that says anything, one joined by "ni" shares it ("sin novedades en X
  // ni en Y"); any other is only named (a dependency listed last) and reports nothing.
  const lastSaying = says.lastIndexOf(true);
  const sharing = segments.map((segment, index) => index > lastSaying && segment.sharesPrevious);
  for (let index = lastSaying + 1; lastSaying >= 0 && index < segments.length; index++) {
    if (sharing[index]) ranges[index] = [...(segments[index]?.ranges ?? []), ...(ranges[lastSaying] ?? [])];
  }
  const kept = segments
    .map((segment, index) => ({ segment, ranges: [...(ranges[index] ?? []), ...(shared ? [shared] : [])] }))
    .filter((_part, index) => lastSaying === -1 || index <= lastSaying || sharing[index]);
  const readings = kept.map((part, index) =>
    interpretationOf(message, readerOf(part.ranges), part.ranges, part.segment, index === kept.length - 1, {
      first: index === 0,
    }),
  );
  return { language, readings };
}

/** The reading of one part of a message (or all of it, when `segment` is null). */
function interpretationOf(
  message: PreparedMessage,
  reader: UpdateReader,
  ranges: readonly Span[],
  segment: MessageSegment | null,
  last: boolean,
  position: { first: boolean } = { first: true },
): Interpretation {
  const { input, reading, cut, projects } = message;
  const inside = (span: Span) => ranges.some((range) => span.start >= range.start && span.end <= range.end);
  const choice = chooseProject(segment === null ? projects.hits : projects.hits.filter(inside), {
    projects: input.projects,
    isInsideItem: (span) => reader.isInsideItem(span),
    matchedText: (span) => tidyFragment(sourceText(reading, span.start, span.end), MAX_UNREAD_CHARACTERS),
    unknownPmoIdNamed: projects.unknownPmoIds.length > 0,
  });
  let project = choice.project;
  let candidates = choice.candidates;
  if (segment !== null) {
    project = segment.project;
    const named = candidates.find((candidate) => candidate.project.gid === segment.project.gid);
    candidates = [
      named ?? {
        project: segment.project,
        reason: segment.hit.reason,
        score: segment.hit.score,
        matchedText: tidyFragment(
          sourceText(reading, segment.hit.start, segment.hit.end),
          MAX_UNREAD_CHARACTERS,
        ),
        writersProject: segment.hit.writersProject,
      },
      ...candidates.filter((candidate) => candidate !== named),
    ];
  }
  const unread = reader.unreadFragments();
  const unreadCharacters = last ? input.text.length - cut : 0;
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
  const eta = reader.eta();
  return {
    projectRefs: candidates,
    project,
    progress: reader.chosenProgress(),
    health: reader.health(),
    risks: itemsOf("risks"),
    blockers: itemsOf("blockers"),
    nextSteps: itemsOf("nextSteps"),
    eta: eta?.iso ?? null,
    etaUncertain: eta?.uncertain ?? false,
    unread,
    unreadCharacters,
    unknownPmoIds: position.first ? projects.unknownPmoIds : [],
    confidence,
    language: message.language,
  };
}

/** The first reading of a message (the whole message when it names at most one project). */
export function interpretStatusUpdate(input: InterpretInput): Interpretation {
  const [first] = readMessage(input).readings;
  if (first === undefined) throw new Error("readMessage returned no reading");
  return first;
}
