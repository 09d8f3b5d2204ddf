import type { AnswerableCommand } from "../commands/pmo-service.ts";
import { findPmoIds } from "../pmo-id.ts";
import { wordDistance } from "./fuzzy.ts";
import { foldWord, stripSlackFormatting } from "./slack-text.ts";

/**
 * The lookups a person asks for by DM, as they typed them to the old bot: "mis proyectos",
 * "PMO-123", "¿cómo va PMO-123?", "hallazgos", "ayuda". Pure.
 *
 * A short grammar rather than a list of sentences: a lookup is a handful of words, each one either
 * a lookup's own word (proyectos, hallazgos, ayuda… or a PMO ID) or a word that asks without
 * saying anything about a project (cómo, va, estado, mostrar, my, what, please…). One word outside
 * both, a number, "avance", "bien", "listo", and the text is no lookup: it goes to the update path.
 * Whether the interpreter finds update content in it is checked by the conversation on top of this.
 */

/** A lookup `/pmo` also answers. */
export type DmLookup = { kind: "mine" } | { kind: "project"; pmoId: string } | { kind: "findings" };

export type LookupPhrase = { kind: "help" } | { kind: "lookup"; lookups: DmLookup[] };

/** Project cards one DM asks for at the most ("¿cómo van PMO-101, PMO-102 y PMO-103?"). */
export const MAX_PROJECT_LOOKUPS = 3;
/** A lookup is short; a longer text is read as an update. */
const MAX_WORDS = 14;

type Intent = "mine" | "project" | "findings" | "help";

/** A lookup's own words, folded. "proyecto" alone asks for the list; next to a PMO ID it is filler. */
const INTENT_WORDS: ReadonlyMap<string, Intent> = new Map([
  ["proyectos", "mine"],
  ["projects", "mine"],
  ["misproyectos", "mine"],
  ["myprojects", "mine"],
  ["mine", "mine"],
  ["proyecto", "project"],
  ["project", "project"],
  ["hallazgos", "findings"],
  ["hallazgo", "findings"],
  ["findings", "findings"],
  ["finding", "findings"],
  ["ayuda", "help"],
  ["ayudame", "help"],
  ["help", "help"],
  ["comandos", "help"],
  ["commands", "help"],
]);

/** Intent words recognised with a typo ("proyetcos", "halazgos", "findigns"): the long ones only. */
const TYPO_TARGETS: readonly string[] = [...INTENT_WORDS.keys()].filter((word) => word.length >= 7);
const MIN_TYPO_LENGTH = 6;

/**
 * Words that ask without telling: greetings, courtesy, question words, verbs of showing and
 * knowing, articles and prepositions, "estado" / "status" (of what is asked about). Nothing here
 * may say something an update says (no "bien", "ok", "listo", "avance", "sin", "no").
 */
const ASKING_WORDS: ReadonlySet<string> = new Set([
  // Spanish
  "hola",
  "buenas",
  "buenos",
  "dias",
  "tardes",
  "noches",
  "por",
  "favor",
  "porfa",
  "porfavor",
  "gracias",
  "me",
  "mi",
  "mis",
  "yo",
  "tengo",
  "puedes",
  "podrias",
  "quiero",
  "quisiera",
  "necesito",
  "saber",
  "ver",
  "mostrar",
  "muestra",
  "muestrame",
  "mostrame",
  "muestras",
  "dame",
  "dime",
  "decime",
  "cuentame",
  "lista",
  "listar",
  "listame",
  "listado",
  "consultar",
  "consulta",
  "como",
  "va",
  "van",
  "anda",
  "andan",
  "esta",
  "estan",
  "es",
  "son",
  "que",
  "tal",
  "cual",
  "cuales",
  "hay",
  "estado",
  "estatus",
  "situacion",
  "info",
  "informacion",
  "detalle",
  "detalles",
  "ficha",
  "resumen",
  "novedades",
  "abiertos",
  "abiertas",
  "pendientes",
  "activos",
  "todos",
  "todas",
  "el",
  "la",
  "los",
  "las",
  "lo",
  "un",
  "una",
  "de",
  "del",
  "al",
  "a",
  "en",
  "con",
  "sobre",
  "acerca",
  "para",
  "y",
  "e",
  // English
  "hi",
  "hello",
  "hey",
  "good",
  "morning",
  "afternoon",
  "please",
  "pls",
  "plz",
  "thanks",
  "my",
  "i",
  "you",
  "can",
  "could",
  "would",
  "want",
  "need",
  "know",
  "see",
  "show",
  "list",
  "give",
  "get",
  "tell",
  "check",
  "what",
  "whats",
  "which",
  "how",
  "hows",
  "is",
  "are",
  "s",
  "doing",
  "going",
  "look",
  "looking",
  "does",
  "do",
  "status",
  "state",
  "details",
  "summary",
  "card",
  "news",
  "open",
  "current",
  "active",
  "all",
  "the",
  "an",
  "of",
  "on",
  "about",
  "for",
  "with",
  "and",
]);

function intentOf(word: string): Intent | undefined {
  const exact = INTENT_WORDS.get(word);
  if (exact !== undefined || word.length < MIN_TYPO_LENGTH) return exact;
  let best: { intent: Intent; distance: number } | undefined;
  for (const target of TYPO_TARGETS) {
    const distance = wordDistance(target, word);
    const intent = INTENT_WORDS.get(target);
    if (distance === null || intent === undefined) continue;
    if (best === undefined || distance < best.distance) best = { intent, distance };
  }
  return best?.intent;
}

/** The PMO IDs a text names, in order, once each, and the text without them. */
function takePmoIds(text: string): { pmoIds: string[]; rest: string } {
  const mentions = findPmoIds(text);
  let rest = text;
  for (const mention of [...mentions].reverse())
    rest = `${rest.slice(0, mention.start)} ${rest.slice(mention.end)}`;
  const byNumber = new Map<number, string>();
  for (const mention of mentions)
    if (!byNumber.has(mention.number)) byNumber.set(mention.number, mention.pmoId);
  return { pmoIds: [...byNumber.values()], rest };
}

/** What a DM asks for when it is a lookup or a request for help; null when it is neither. */
export function readLookupPhrase(text: string): LookupPhrase | null {
  const { pmoIds, rest } = takePmoIds(foldWord(stripSlackFormatting(text)));
  const words = rest.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length + pmoIds.length > MAX_WORDS) return null;
  const intents: Intent[] = [];
  for (const word of words) {
    if (ASKING_WORDS.has(word)) continue;
    const intent = intentOf(word);
    if (intent === undefined) return null;
    if (!intents.includes(intent)) intents.push(intent);
  }
  if (pmoIds.length > 0)
    return {
      kind: "lookup",
      lookups: pmoIds.slice(0, MAX_PROJECT_LOOKUPS).map((pmoId) => ({ kind: "project", pmoId })),
    };
  const lookups: DmLookup[] = [];
  for (const intent of intents) {
    const kind = intent === "project" ? "mine" : intent;
    if (kind !== "help" && !lookups.some((lookup) => lookup.kind === kind)) lookups.push({ kind });
  }
  if (lookups.length > 0) return { kind: "lookup", lookups };
  return intents.includes("help") ? { kind: "help" } : null;
}

/**
 * The `/pmo` command a lookup is. "hallazgos" by DM is `/pmo hallazgos @me`: the open findings of
 * one's own projects.
 */
export function lookupCommand(lookup: DmLookup, slackUserId: string): AnswerableCommand {
  if (lookup.kind !== "findings") return lookup;
  return {
    kind: "findings",
    filters: {
      severities: [],
      vertical: null,
      responsable: { kind: "slack_user", slackUserId, label: null },
    },
  };
}
