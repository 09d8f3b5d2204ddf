import { z } from "zod";
import { SEVERITIES, type Severity, type SyncKind } from "../model.ts";
import { parsePmoId } from "../pmo-id.ts";
import { unescapeMrkdwn } from "../slack/mrkdwn.ts";

/**
 * `/pmo` text -> one command (pure). Spanish first, English aliases, case and accents ignored:
 *
 *   ""  | ayuda | help | ?                              -> help
 *   mis-proyectos | mis proyectos | mine | my projects  -> mine
 *   PMO-123 | pmo-123 | PMO 123 | PMO_123 | PMO#123 | 123
 *   | proyecto PMO-123 | project 123                    -> project (the PMO ID as the sync stores it)
 *   buscar | search | find <texto>                      -> search
 *   hallazgos | findings [alta|media|baja|high|medium|low]… [vertical:<nombre>] [@responsable]
 *                                                       -> findings
 *   estado | status                                     -> status
 *   sync | sincronizar [full|completa|parcial|partial]  -> sync (partial unless full is asked)
 *   sync confirmar-bajas | sync confirm-removals        -> sync (full, allowed to mark a mass removal)
 *   anything else                                       -> help, naming what was not understood
 *
 * Slack sends the text with `&`, `<` and `>` typed by the user escaped, and mentions as
 * `<@U123|name>`: free text is unescaped here and escaped again when it is shown.
 */

/** Longest search text: a project name is far shorter, and the "more" button carries it. */
export const SEARCH_MAX = 100;
/** Longest vertical or responsable name in a filter. */
export const FILTER_MAX = 100;
/** How much of something not understood is kept to be shown back. */
export const ECHO_MAX = 40;

const slackUserId = z.string().regex(/^[UW][A-Z0-9]{1,30}$/);

export const responsableFilterSchema = z.discriminatedUnion("kind", [
  /** A Slack mention: mapped to the Asana user through the user directory. */
  z.object({
    kind: z.literal("slack_user"),
    slackUserId,
    label: z.string().min(1).max(FILTER_MAX).nullable(),
  }),
  /** A name, matched word by word against the project's responsable. */
  z.object({ kind: z.literal("name"), name: z.string().min(1).max(FILTER_MAX) }),
]);
export type ResponsableFilter = z.output<typeof responsableFilterSchema>;

export const findingFiltersSchema = z.object({
  /** Empty: every severity. Unique, in severity order. */
  severities: z.array(z.enum(SEVERITIES)).max(SEVERITIES.length),
  vertical: z.string().min(1).max(FILTER_MAX).nullable(),
  responsable: responsableFilterSchema.nullable(),
});
export type FindingFilters = z.output<typeof findingFiltersSchema>;

export type FilterName = "vertical" | "responsable";

export type PmoInputProblem =
  | { code: "missing_query" }
  | { code: "query_too_long"; max: number }
  | { code: "filter_too_long"; max: number }
  | { code: "repeated_filter"; filter: FilterName }
  | { code: "empty_filter"; filter: FilterName }
  | { code: "unknown_filter"; excerpt: string }
  | { code: "unknown_sync_kind"; excerpt: string };

export type PmoCommand =
  | { kind: "help"; notUnderstood: string | null }
  | { kind: "mine" }
  | { kind: "project"; pmoId: string }
  | { kind: "search"; query: string }
  | { kind: "findings"; filters: FindingFilters }
  | { kind: "status" }
  /** `confirmRemovals`: an admin applies a removal a sync held back (set only when asked). */
  | { kind: "sync"; syncKind: SyncKind; confirmRemovals?: true }
  | { kind: "export"; filters: FindingFilters }
  | { kind: "update"; pmoId: string | null }
  | { kind: "invalid"; subcommand: "search" | "findings" | "sync" | "export"; problem: PmoInputProblem };

/** The commands whose answers are paged, as the "more" button carries them. */
export type PageableCommand = Extract<PmoCommand, { kind: "mine" | "search" | "findings" }>;

/** Lower case, accents removed (NFD, combining marks dropped), spaces collapsed. */
export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Longest PMO ID number a command may name: anything longer is shown back as not understood. */
const PMO_ID_MAX_DIGITS = 20;

/** The same forms the sync stores (services/pmo-id.ts), bare numbers included. */
const typedPmoId = (text: string): string | null => parsePmoId(text, { maxDigits: PMO_ID_MAX_DIGITS });

/** How Slack sends a mention typed in a command: `<@U123|name>` or `<@U123>`. */
const SLACK_MENTION = /^<@([UW][A-Z0-9]{1,30})(?:\|([^<>]*))?>$/;

const mentionSchema = z
  .string()
  .regex(SLACK_MENTION)
  .transform((token): ResponsableFilter => {
    const [, id = "", label = ""] = SLACK_MENTION.exec(token) ?? [];
    const cleanLabel = cutTo(cleanText(unescapeMrkdwn(label)), FILTER_MAX);
    return { kind: "slack_user", slackUserId: id, label: cleanLabel === "" ? null : cleanLabel };
  });

const SUBCOMMANDS: Readonly<
  Record<
    string,
    "help" | "mine" | "project" | "search" | "findings" | "status" | "sync" | "export" | "update"
  >
> = {
  ayuda: "help",
  help: "help",
  "?": "help",
  "mis-proyectos": "mine",
  mis_proyectos: "mine",
  misproyectos: "mine",
  mine: "mine",
  "my-projects": "mine",
  proyecto: "project",
  project: "project",
  buscar: "search",
  busca: "search",
  search: "search",
  find: "search",
  hallazgos: "findings",
  hallazgo: "findings",
  findings: "findings",
  finding: "findings",
  estado: "status",
  status: "status",
  sync: "sync",
  sincronizar: "sync",
  exportar: "export",
  export: "export",
  actualizar: "update",
  update: "update",
};

const TWO_WORD_MINE = new Set(["mis proyectos", "my projects"]);

const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  alta: "high",
  alto: "high",
  altas: "high",
  altos: "high",
  high: "high",
  media: "medium",
  medio: "medium",
  medias: "medium",
  medios: "medium",
  medium: "medium",
  baja: "low",
  bajo: "low",
  bajas: "low",
  bajos: "low",
  low: "low",
};

const SYNC_KINDS_BY_WORD: Readonly<Record<string, SyncKind>> = {
  full: "full",
  completa: "full",
  completo: "full",
  total: "full",
  partial: "partial",
  parcial: "partial",
};

/** `sync confirmar-bajas`: a full sync that may mark a mass removal (spaces or a hyphen). */
const CONFIRM_REMOVALS_WORDS: ReadonlySet<string> = new Set([
  "confirmar-bajas",
  "confirmar bajas",
  "confirm-removals",
  "confirm removals",
]);

const lookup = <T>(table: Readonly<Record<string, T>>, word: string): T | undefined =>
  Object.hasOwn(table, word) ? table[word] : undefined;

/** Control characters out, runs of white space made one space. */
function cleanText(text: string): string {
  return text
    .replace(/\p{Cc}/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** At most `max` UTF-16 units, never half a surrogate pair. */
function cutTo(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** At most ECHO_MAX code points of what the user typed (unescaped; the builders escape it). */
export function excerpt(text: string): string {
  const points = Array.from(cleanText(unescapeMrkdwn(text)));
  return points.length > ECHO_MAX ? `${points.slice(0, ECHO_MAX).join("")}…` : points.join("");
}

export function parsePmoCommand(rawText: string): PmoCommand {
  const text = rawText.trim();
  if (text === "") return { kind: "help", notUnderstood: null };
  const pmoId = typedPmoId(text);
  if (pmoId !== null) return { kind: "project", pmoId };

  const [, first = "", rest = ""] = /^(\S+)\s*([\s\S]*)$/.exec(text) ?? [];
  const folded = foldText(text);
  if ([...TWO_WORD_MINE].some((words) => folded === words || folded.startsWith(`${words} `)))
    return { kind: "mine" };

  switch (lookup(SUBCOMMANDS, foldText(first))) {
    case "help":
      return { kind: "help", notUnderstood: null };
    case "mine":
      return { kind: "mine" };
    case "status":
      return { kind: "status" };
    case "project": {
      const id = typedPmoId(rest);
      return id !== null ? { kind: "project", pmoId: id } : { kind: "help", notUnderstood: excerpt(text) };
    }
    case "search":
      return parseSearch(rest);
    case "findings":
      return parseFindings(rest);
    case "sync":
      return parseSync(rest);
    case "update": {
      if (rest.trim() === "") return { kind: "update", pmoId: null };
      const id = typedPmoId(rest);
      return id !== null ? { kind: "update", pmoId: id } : { kind: "help", notUnderstood: excerpt(text) };
    }
    case "export": {
      // The same filters as hallazgos.
      const findings = parseFindings(rest);
      if (findings.kind === "findings") return { kind: "export", filters: findings.filters };
      return findings.kind === "invalid" ? { ...findings, subcommand: "export" } : findings;
    }
    case undefined:
      return { kind: "help", notUnderstood: excerpt(first) };
  }
}

function parseSearch(rest: string): PmoCommand {
  const query = cleanText(unescapeMrkdwn(rest));
  if (query === "") return { kind: "invalid", subcommand: "search", problem: { code: "missing_query" } };
  if (query.length > SEARCH_MAX)
    return { kind: "invalid", subcommand: "search", problem: { code: "query_too_long", max: SEARCH_MAX } };
  return { kind: "search", query };
}

function parseSync(rest: string): PmoCommand {
  const words = cleanText(rest);
  if (words === "") return { kind: "sync", syncKind: "partial" };
  if (CONFIRM_REMOVALS_WORDS.has(foldText(words)))
    return { kind: "sync", syncKind: "full", confirmRemovals: true };
  const kind = lookup(SYNC_KINDS_BY_WORD, foldText(words));
  return kind === undefined
    ? { kind: "invalid", subcommand: "sync", problem: { code: "unknown_sync_kind", excerpt: excerpt(words) } }
    : { kind: "sync", syncKind: kind };
}

type Token =
  | { type: "slack"; text: string }
  /** A run of non-space characters; `quotedFrom` is where a quoted part began (quotes removed). */
  | { type: "word"; text: string; quotedFrom: number | null };

const QUOTES: Readonly<Record<string, string>> = { '"': '"', "“": "”", "”": "”", "«": "»" };

/** Words, Slack's `<…>` tokens, and quoted parts (which may hold spaces) kept inside their word. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "<") {
      const end = text.indexOf(">", i);
      const stop = end === -1 ? text.length : end + 1;
      tokens.push({ type: "slack", text: text.slice(i, stop) });
      i = stop;
      continue;
    }
    let word = "";
    let quotedFrom: number | null = null;
    while (i < text.length && !/\s/.test(text.charAt(i)) && text.charAt(i) !== "<") {
      const close = lookup(QUOTES, text.charAt(i));
      if (close !== undefined) {
        const end = text.indexOf(close, i + 1);
        const stop = end === -1 ? text.length : end;
        quotedFrom ??= word.length;
        word += text.slice(i + 1, stop);
        i = end === -1 ? stop : stop + 1;
        continue;
      }
      word += text.charAt(i);
      i++;
    }
    tokens.push({ type: "word", text: word, quotedFrom });
  }
  return tokens;
}

const FILTER_KEYS: Readonly<Record<string, FilterName>> = {
  vertical: "vertical",
  responsable: "responsable",
  owner: "responsable",
  "@": "responsable",
};

/** `vertical:Banca`, `responsable=Ana`, `@ana`: the filter and where its value starts. */
function filterKey(token: Extract<Token, { type: "word" }>): { filter: FilterName; value: string } | null {
  if (token.text.startsWith("@") && token.quotedFrom !== 0)
    return { filter: "responsable", value: token.text.slice(1) };
  const match = /^([a-z]+)[:=]/i.exec(token.text);
  if (match === null || (token.quotedFrom !== null && token.quotedFrom < match[0].length)) return null;
  const filter = lookup(FILTER_KEYS, foldText(match[1] ?? ""));
  return filter === undefined ? null : { filter, value: token.text.slice(match[0].length) };
}

class FilterProblem extends Error {
  constructor(readonly problem: PmoInputProblem) {
    super(problem.code);
  }
}

type FindingsDraft = {
  severities: Set<Severity>;
  vertical: string | null;
  responsable: ResponsableFilter | null;
  /** The filter whose value is being read, and its words so far. */
  open: { filter: FilterName; words: string[] } | null;
};

function closeOpenFilter(draft: FindingsDraft): void {
  if (draft.open === null) return;
  const value = cleanText(unescapeMrkdwn(draft.open.words.join(" ")));
  const filter = draft.open.filter;
  draft.open = null;
  if (value === "") throw new FilterProblem({ code: "empty_filter", filter });
  if (value.length > FILTER_MAX) throw new FilterProblem({ code: "filter_too_long", max: FILTER_MAX });
  if (filter === "vertical") {
    if (draft.vertical !== null) throw new FilterProblem({ code: "repeated_filter", filter });
    draft.vertical = value;
  } else {
    if (draft.responsable !== null) throw new FilterProblem({ code: "repeated_filter", filter });
    draft.responsable = { kind: "name", name: value };
  }
}

function readFindingsToken(draft: FindingsDraft, token: Token): void {
  if (token.type === "slack") {
    const mention = mentionSchema.safeParse(token.text);
    if (!mention.success) throw new FilterProblem({ code: "unknown_filter", excerpt: excerpt(token.text) });
    closeOpenFilter(draft);
    if (draft.responsable !== null)
      throw new FilterProblem({ code: "repeated_filter", filter: "responsable" });
    draft.responsable = mention.data;
    return;
  }
  const severity = token.quotedFrom === null ? lookup(SEVERITY_WORDS, foldText(token.text)) : undefined;
  if (severity !== undefined) {
    closeOpenFilter(draft);
    draft.severities.add(severity);
    return;
  }
  const key = filterKey(token);
  if (key !== null) {
    closeOpenFilter(draft);
    draft.open = { filter: key.filter, words: key.value === "" ? [] : [key.value] };
    return;
  }
  draft.open ??= { filter: "responsable", words: [] };
  draft.open.words.push(token.text);
}

/**
 * Severity words and mentions stand alone; `vertical:` and `@` (or `responsable:`) open a value
 * that runs over the following plain words until the next filter; plain words with nothing open
 * start a responsable name. A value that holds a severity word is written in quotes.
 */
function parseFindings(rest: string): PmoCommand {
  const draft: FindingsDraft = { severities: new Set(), vertical: null, responsable: null, open: null };
  try {
    for (const token of tokenize(rest)) readFindingsToken(draft, token);
    closeOpenFilter(draft);
  } catch (error) {
    if (error instanceof FilterProblem)
      return { kind: "invalid", subcommand: "findings", problem: error.problem };
    throw error;
  }
  return {
    kind: "findings",
    filters: {
      severities: SEVERITIES.filter((s) => draft.severities.has(s)),
      vertical: draft.vertical,
      responsable: draft.responsable,
    },
  };
}
