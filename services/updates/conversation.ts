import { z } from "zod";
import { foldText } from "../commands/parse-pmo.ts";
import {
  type Conversation,
  type InterpretedUpdate,
  interpretedUpdateSchema,
  type ParsedUpdate,
  parsedUpdateSchema,
} from "../model.ts";
import type { UpdateButtonRef } from "../slack/update-ids.ts";
import { type DmLookup, readLookupPhrase } from "./lookup-phrases.ts";

/**
 * The DM conversation of a status update, as a pure state machine (DESIGN.md section 6):
 *
 *   (none) --text--> choosing_project --choose--> confirming --confirm--> saved (none)
 *                 \-------------------------------^          \--cancel--> (none)
 *
 * A text is read (the interpreter), the project settled (named, the writer's only one, or chosen
 * with buttons among the writer's projects), and a card shows what was understood; nothing is
 * saved before the writer confirms.
 *
 * A message about several projects is read as one part per project, in order. Each part keeps its
 * own facts and goes to its own project: a part that names none is asked about (the projects other
 * parts took are not offered, so no project ever gets a second part's facts), a part about a
 * project the writer may not write for is left out and said so, and one card shows every part;
 * Confirmar saves each to its project, Editar edits one, Cancelar drops them all. The stored state
 * keeps the single-project shape (`draft`, `project`) for the first part and adds the others
 * beside it, so a conversation of one project reads as it always did. Every answer is a `Step`: what the conversation becomes, what
 * the writer is told, and, on confirm, what to save. The service (conversation-service.ts) does
 * the reading and writing around it.
 */

/** Longest DM read as an update; a longer one is answered with a request for a shorter one. */
export const UPDATE_TEXT_MAX = 3_000;
/** How many projects the chooser offers as buttons (a message holds 50 blocks). */
export const MAX_CHOICES = 20;
/** How many projects one card shows (each takes two or three of a message's 50 blocks). */
export const MAX_PARTS = 10;

const isoDateTime = z.iso.datetime({ offset: true });

export const projectChoiceSchema = z.object({
  gid: z.string().min(1),
  name: z.string(),
  pmoId: z.string().nullable(),
  url: z.string().nullable().default(null),
});
/** A project as the conversation shows it. */
export type ProjectChoice = z.output<typeof projectChoiceSchema>;

export const draftSchema = z.object({
  /** The delivery it came from: the DM's event id, or `modal:<view id>`. */
  sourceId: z.string().min(1),
  /** As written, byte for byte. */
  text: z.string(),
  receivedAt: isoDateTime,
  parsed: parsedUpdateSchema,
  /** Parts of the text the interpreter could not place, shown back to the writer. */
  unread: z.array(z.string()).default([]),
  /** The ETA came from a phrase with more than one common reading: the card asks about it. */
  etaUncertain: z.boolean().default(false),
  /** What the interpreter read, stored beside what the writer confirms; null when nothing was read. */
  interpreted: interpretedUpdateSchema.nullable().default(null),
});
export type Draft = z.output<typeof draftSchema>;

/** One project's share of a message: the project and the facts about it. */
export const partSchema = z.object({ project: projectChoiceSchema, draft: draftSchema });
export type Part = z.output<typeof partSchema>;

/** A share whose project is still to be asked (`project` null), waiting behind the one being asked. */
const queuedPartSchema = z.object({
  draft: draftSchema,
  project: projectChoiceSchema.nullable(),
  /** The projects to offer when it is asked about. */
  candidates: z.array(projectChoiceSchema).default([]),
  named: z.boolean().default(false),
});
type QueuedPart = z.output<typeof queuedPartSchema>;

/** What a message about several projects leaves out: parts for others' projects, parts not placed. */
const leftOutSchema = {
  refused: z.array(projectChoiceSchema).default([]),
  unplaced: z.number().int().min(0).default(0),
};

const choosingSchema = z.object({
  id: z.string().min(1),
  draft: draftSchema,
  choices: z.array(projectChoiceSchema).min(1),
  /** How many of the writer's projects were left out of the buttons. */
  more: z.number().int().min(0).default(0),
  named: z.boolean().default(false),
  /** The parts of the message before the one asked about, placed; the parts after it, in order. */
  before: z.array(partSchema).default([]),
  after: z.array(queuedPartSchema).default([]),
  ...leftOutSchema,
});
const confirmingSchema = z.object({
  id: z.string().min(1),
  draft: draftSchema,
  project: projectChoiceSchema,
  /** The message's other parts, each with its project, after the first (`draft`, `project`). */
  others: z.array(partSchema).default([]),
  ...leftOutSchema,
});

export const CONVERSATION_STATES = ["choosing_project", "confirming"] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

/** A conversation under way, as the machine sees it. */
export type ActiveConversation = { version: number } & (
  | ({ state: "choosing_project" } & z.output<typeof choosingSchema>)
  | ({ state: "confirming" } & z.output<typeof confirmingSchema>)
);

/** What the conversations table holds, read back; null for a state this code does not know. */
export function fromStored(conversation: Conversation): ActiveConversation | null {
  const { version } = conversation;
  if (conversation.state === "choosing_project") {
    const data = choosingSchema.safeParse(conversation.data);
    return data.success ? { state: "choosing_project", version, ...data.data } : null;
  }
  if (conversation.state === "confirming") {
    const data = confirmingSchema.safeParse(conversation.data);
    return data.success ? { state: "confirming", version, ...data.data } : null;
  }
  return null;
}

export type NextState =
  | { state: "choosing_project"; data: z.input<typeof choosingSchema> }
  | { state: "confirming"; data: z.input<typeof confirmingSchema> };

/** The writer: who they are as far as updates go, and the projects they are responsable for. */
export type Writer = {
  slackUserId: string;
  isAdmin: boolean;
  asanaUserGid: string | null;
  email: string | null;
  projects: readonly ProjectChoice[];
};

/** What the conversation held before this input: a live one, an expired one, or none. */
export type Prior = { conversation: ActiveConversation; expired: boolean } | null;

/** What the interpreter made of a text, in the terms the conversation needs. */
export type Reading = {
  /** The project the text names without doubt, among those the interpreter was given. */
  project: ProjectChoice | null;
  /** Projects the text may be naming (several, or none when it names none). */
  named: readonly ProjectChoice[];
  parsed: ParsedUpdate;
  unread: readonly string[];
  /** PMO IDs the text names that no project has. */
  unknownPmoIds: readonly string[];
  /** The ETA has more than one common reading ("el jueves que viene"). */
  etaUncertain: boolean;
  /**
   * No project was settled although the text names several by PMO ID: a message about several
   * projects whose facts the interpreter could not tell apart.
   */
  unsplit?: boolean;
};

export type Notice = "expired" | "replaced";

export type Reply =
  | { kind: "help" }
  /** A lookup (`/pmo mis-proyectos`, `/pmo PMO-123`, `/pmo hallazgos`), answered by the service. */
  | { kind: "lookup"; lookups: readonly DmLookup[] }
  | { kind: "too_long"; length: number; max: number }
  | { kind: "unmapped"; email: string | null }
  | { kind: "no_projects" }
  | { kind: "not_understood" }
  | { kind: "need_pmo_id" }
  | { kind: "unknown_project"; pmoIds: readonly string[] }
  | {
      kind: "choose_project";
      choices: readonly ProjectChoice[];
      more: number;
      named: boolean;
      /** In a message about several projects, the part asked about; null otherwise. */
      part: Draft | null;
      ref: Ref;
    }
  | ({ kind: "confirm"; project: ProjectChoice; draft: Draft; others: readonly Part[]; ref: Ref } & LeftOut)
  | { kind: "not_allowed"; project: ProjectChoice }
  | { kind: "several_unsplit"; projects: readonly ProjectChoice[] }
  | { kind: "cancelled" }
  | { kind: "stale" }
  | { kind: "expired" }
  | { kind: "nothing_pending" }
  | { kind: "saving"; project: ProjectChoice; draft: Draft; others: readonly Part[] };

/** Parts of a message left out of its card: about projects the writer may not write for, or unplaced. */
export type LeftOut = { refused: readonly ProjectChoice[]; unplaced: number };

/** The conversation a message's buttons point at. */
export type Ref = { conversationId: string; version: number };

/**
 * What to save on confirm, each part to its own project; `submissionId` is unique to this
 * confirmation, so a repeat saves nothing new.
 */
export type Submission = {
  submissionId: string;
  projectGid: string;
  project: ProjectChoice;
  draft: Draft;
  others: Part[];
};

export type Step = {
  /** What the conversation becomes: a state to store, cleared, or kept as it is. */
  next: NextState | "clear" | "keep";
  /** The version the stored conversation is conditioned on (0: none live). */
  expectedVersion: number;
  reply: Reply;
  notices: Notice[];
  submit: Submission | null;
};

// ---- reading a text ----------------------------------------------------------------------------

const HELP_WORDS = new Set(["ayuda", "help", "?", "¿?", "como", "how"]);
const CONFIRM_WORDS = new Set([
  "si",
  "confirmar",
  "confirmo",
  "confirma",
  "ok",
  "dale",
  "guardar",
  "guardalo",
  "yes",
  "confirm",
  "save",
]);
const CANCEL_WORDS = new Set(["cancelar", "cancela", "cancelo", "no", "cancel", "descartar"]);

export type TextKind = "help" | "too_long" | "confirm" | "cancel" | "lookup" | "update";

/**
 * What a DM is before it is read in full: a word of the conversation, a lookup (lookup-phrases.ts;
 * still an update when the interpreter finds update content in it), or an update.
 */
export function classifyText(text: string): TextKind {
  if ([...text].length > UPDATE_TEXT_MAX) return "too_long";
  const words = foldText(text)
    .split(/[\s.!¡,;:*_~]+/u)
    .filter((w) => w !== "");
  if (words.length === 0) return "help";
  if (words.length <= 2 && words.every((w) => HELP_WORDS.has(w))) return "help";
  if (words.length <= 2 && words.every((w) => CONFIRM_WORDS.has(w))) return "confirm";
  if (words.length <= 2 && words.every((w) => CANCEL_WORDS.has(w))) return "cancel";
  return readLookupPhrase(text)?.kind ?? "update";
}

const hasContent = (parsed: ParsedUpdate): boolean =>
  parsed.progress !== null ||
  parsed.health !== null ||
  parsed.eta !== null ||
  parsed.risks.length > 0 ||
  parsed.blockers.length > 0 ||
  parsed.nextSteps.length > 0;

const mayWriteFor = (writer: Writer, projectGid: string): boolean =>
  writer.isAdmin || writer.projects.some((p) => p.gid === projectGid);

const live = (prior: Prior): ActiveConversation | null =>
  prior !== null && !prior.expired ? prior.conversation : null;

const expectedOf = (prior: Prior): number => live(prior)?.version ?? 0;

const refOf = (id: string, expectedVersion: number): Ref => ({
  conversationId: id,
  version: expectedVersion + 1,
});

const keep = (prior: Prior, reply: Reply, notices: Notice[] = []): Step => ({
  next: "keep",
  expectedVersion: expectedOf(prior),
  reply,
  notices,
  submit: null,
});

const NOTHING_LEFT_OUT: LeftOut = { refused: [], unplaced: 0 };

/** The reply a conversation's last message showed, with its buttons as they are now. */
export function replyOf(
  conversation: ActiveConversation,
): Extract<Reply, { kind: "confirm" | "choose_project" }> {
  const ref = { conversationId: conversation.id, version: conversation.version };
  return conversation.state === "confirming"
    ? {
        kind: "confirm",
        project: conversation.project,
        draft: conversation.draft,
        others: conversation.others,
        refused: conversation.refused,
        unplaced: conversation.unplaced,
        ref,
      }
    : {
        kind: "choose_project",
        choices: conversation.choices,
        more: conversation.more,
        named: conversation.named,
        part: isPartOfSeveral(conversation) ? conversation.draft : null,
        ref,
      };
}

const isPartOfSeveral = (choosing: Extract<ActiveConversation, { state: "choosing_project" }>): boolean =>
  choosing.before.length > 0 ||
  choosing.after.length > 0 ||
  choosing.refused.length > 0 ||
  choosing.unplaced > 0;

export type TextInput = {
  writer: Writer;
  prior: Prior;
  /** As the DM carried it. */
  text: string;
  sourceId: string;
  receivedAt: string;
  /** A fresh id for a conversation this text may start. */
  newId: string;
  /**
   * The interpreter's reading of the text: one reading per project it reports on, in order (one
   * with no project when none can be told apart). Only asked for when the text is an update or a
   * lookup.
   */
  read: (text: string) => readonly Reading[];
};

const emptyReading: Reading = {
  project: null,
  named: [],
  parsed: { progress: null, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
  unread: [],
  unknownPmoIds: [],
  etaUncertain: false,
};

/**
 * A lookup is answered without touching the conversation: nothing is started, a pending draft
 * stays as it was. It is an update after all when the interpreter reads update content in it, and
 * a bare PMO ID while the writer is being asked "which project?" answers that question.
 */
function lookupStep(input: TextInput, prior: Prior): Step | null {
  const phrase = readLookupPhrase(input.text);
  if (phrase?.kind !== "lookup") return null;
  const answersChooser = live(prior)?.state === "choosing_project";
  if (answersChooser && phrase.lookups.every((lookup) => lookup.kind === "project")) return null;
  if (input.read(input.text).some((reading) => hasContent(reading.parsed))) return null;
  return keep(prior, { kind: "lookup", lookups: phrase.lookups });
}

/** A DM arrived. */
export function onText(input: TextInput): Step {
  const { writer, prior } = input;
  const current = live(prior);
  const kind = classifyText(input.text);
  if (kind === "help") return keep(prior, { kind: "help" });
  if (kind === "too_long")
    return keep(prior, { kind: "too_long", length: [...input.text].length, max: UPDATE_TEXT_MAX });
  // The same delivery again (a retry after a failure): answer what was answered, change nothing.
  if (current !== null && current.draft.sourceId === input.sourceId) return keep(prior, replyOf(current));
  const expiredNotice: Notice[] = prior?.expired === true ? ["expired"] : [];
  if (kind === "confirm" || kind === "cancel") {
    if (current === null)
      return keep(prior, prior?.expired === true ? { kind: "expired" } : { kind: "nothing_pending" });
    if (kind === "cancel") return cancel(prior);
    if (current.state !== "confirming") return keep(prior, replyOf(current));
    return confirmCurrent(writer, prior, current);
  }
  if (kind === "lookup") {
    const lookup = lookupStep(input, prior);
    if (lookup !== null) return lookup;
  }

  if (!writer.isAdmin && writer.asanaUserGid === null)
    return keep(prior, { kind: "unmapped", email: writer.email });
  if (!writer.isAdmin && writer.projects.length === 0) return keep(prior, { kind: "no_projects" });

  const given = input.read(input.text);
  const readings = given.length === 0 ? [emptyReading] : given;
  const [reading = emptyReading] = readings;
  // A bare project name answering "which project?" settles the pending part.
  if (current?.state === "choosing_project" && readings.length === 1 && !hasContent(reading.parsed)) {
    const chosen = reading.project ?? (reading.named.length === 1 ? reading.named[0] : undefined);
    if (chosen !== undefined && chosen !== null) return answerChooser(writer, prior, current, chosen);
  }
  const namesNone = readings.every((r) => r.project === null && r.named.length === 0);
  const unknownPmoIds = [...new Set(readings.flatMap((r) => r.unknownPmoIds))];
  if (namesNone && unknownPmoIds.length > 0)
    return keep(prior, { kind: "unknown_project", pmoIds: unknownPmoIds }, expiredNotice);
  if (namesNone && !readings.some((r) => hasContent(r.parsed)))
    return keep(prior, { kind: "not_understood" }, expiredNotice);

  const notices: Notice[] = [...expiredNotice, ...(current === null ? [] : (["replaced"] as const))];
  const id = current?.id ?? input.newId;
  if (readings.length > 1) return severalProjects(input, id, readings, notices);
  // Asking which project would give one project the facts said of another: nothing is kept.
  if (reading.project === null && reading.unsplit === true)
    return keep(prior, { kind: "several_unsplit", projects: reading.named }, notices);

  const draft = draftOf(input, reading);
  const placement = placementOf(writer, reading);
  switch (placement.kind) {
    case "placed":
      return settleProject(writer, prior, id, draft, placement.project, notices);
    case "refused":
      return keep(prior, { kind: "not_allowed", project: placement.project }, notices);
    case "unplaceable":
      return keep(prior, { kind: "need_pmo_id" }, notices);
    case "ask":
      return choose(prior, id, draft, placement.candidates, placement.named, notices, {
        before: [],
        after: [],
        ...NOTHING_LEFT_OUT,
      });
  }
}

function draftOf(input: TextInput, reading: Reading): Draft {
  return {
    sourceId: input.sourceId,
    text: input.text,
    receivedAt: input.receivedAt,
    parsed: reading.parsed,
    unread: [...reading.unread],
    etaUncertain: reading.etaUncertain && reading.parsed.eta !== null,
    interpreted: { ...reading.parsed, projectGid: reading.project?.gid ?? null },
  };
}

type Placement =
  | { kind: "placed"; project: ProjectChoice }
  | { kind: "refused"; project: ProjectChoice }
  | { kind: "ask"; candidates: readonly ProjectChoice[]; named: boolean }
  | { kind: "unplaceable" };

/**
 * Where a reading goes: the project it names, the one project among those it may be naming that
 * the writer may write for, the writer's only project, or a question.
 */
function placementOf(writer: Writer, reading: Reading): Placement {
  if (reading.project !== null)
    return mayWriteFor(writer, reading.project.gid)
      ? { kind: "placed", project: reading.project }
      : { kind: "refused", project: reading.project };
  const named = reading.named.filter((p) => mayWriteFor(writer, p.gid));
  const [onlyNamed] = named;
  if (named.length === 1 && onlyNamed !== undefined) return { kind: "placed", project: onlyNamed };
  if (named.length > 1) return { kind: "ask", candidates: named, named: true };
  const [refused] = reading.named;
  if (refused !== undefined) return { kind: "refused", project: refused };
  const [only] = writer.projects;
  if (writer.projects.length === 1 && only !== undefined) return { kind: "placed", project: only };
  if (writer.projects.length === 0) return { kind: "unplaceable" };
  return { kind: "ask", candidates: writer.projects, named: false };
}

/**
 * A message about several projects: each reading is placed on its own; one naming no project is
 * asked about in its turn (never given the writer's only project silently: it may be another's).
 */
function severalProjects(
  input: TextInput,
  id: string,
  readings: readonly Reading[],
  notices: Notice[],
): Step {
  const { writer, prior } = input;
  const queue: QueuedPart[] = [];
  const refused: ProjectChoice[] = [];
  let unplaced = 0;
  for (const reading of readings) {
    const draft = draftOf(input, reading);
    const placement = placementOf(writer, reading);
    if (placement.kind === "placed" && reading.project === null && reading.named.length === 0)
      queue.push({ draft, project: null, candidates: [...writer.projects], named: false });
    else if (placement.kind === "placed")
      queue.push({ draft, project: placement.project, candidates: [], named: false });
    else if (placement.kind === "refused") {
      if (!refused.some((p) => p.gid === placement.project.gid)) refused.push(placement.project);
    } else if (placement.kind === "ask" && reading.named.length === 0 && reading.unknownPmoIds.length > 0)
      unplaced++;
    else if (placement.kind === "ask")
      queue.push({ draft, project: null, candidates: [...placement.candidates], named: placement.named });
    else unplaced++;
  }
  return advance(writer, prior, id, notices, [], queue, { refused, unplaced });
}

/** Adds a placed part; a second part about the same project joins the first. */
function withPart(parts: readonly Part[], part: Part): Part[] {
  const index = parts.findIndex((p) => p.project.gid === part.project.gid);
  if (index === -1) return [...parts, part];
  return parts.map((p, i) =>
    i === index ? { project: p.project, draft: joinDrafts(p.draft, part.draft) } : p,
  );
}

const joinLists = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])];

function joinParsed(a: ParsedUpdate, b: ParsedUpdate): ParsedUpdate {
  return {
    progress: a.progress ?? b.progress,
    health: a.health ?? b.health,
    risks: joinLists(a.risks, b.risks),
    blockers: joinLists(a.blockers, b.blockers),
    nextSteps: joinLists(a.nextSteps, b.nextSteps),
    eta: a.eta ?? b.eta,
  };
}

function joinDrafts(a: Draft, b: Draft): Draft {
  const interpreted: InterpretedUpdate | null =
    a.interpreted === null || b.interpreted === null
      ? (a.interpreted ?? b.interpreted)
      : { ...joinParsed(a.interpreted, b.interpreted), projectGid: a.interpreted.projectGid };
  return {
    ...a,
    parsed: joinParsed(a.parsed, b.parsed),
    unread: joinLists(a.unread, b.unread),
    etaUncertain: a.parsed.eta !== null ? a.etaUncertain : b.etaUncertain,
    interpreted,
  };
}

/**
 * Places the parts in order from `placed` on: the first whose project is unknown is asked about,
 * offering only projects no other part took; with none left to offer it is left out. Once every
 * part is placed, the card.
 */
function advance(
  writer: Writer,
  prior: Prior,
  id: string,
  notices: Notice[],
  placed: readonly Part[],
  queued: readonly QueuedPart[],
  leftOut: LeftOut,
): Step {
  let parts = [...placed];
  let { unplaced } = leftOut;
  const refused = [...leftOut.refused];
  const rest = [...queued];
  for (let next = rest.shift(); next !== undefined; next = rest.shift()) {
    if (next.project !== null) {
      parts = withPart(parts, { project: next.project, draft: next.draft });
      continue;
    }
    const taken = new Set([...parts.map((p) => p.project.gid), ...rest.flatMap((p) => p.project?.gid ?? [])]);
    const choices = next.candidates.filter((p) => !taken.has(p.gid) && mayWriteFor(writer, p.gid));
    if (choices.length === 0) {
      unplaced++;
      continue;
    }
    return choose(prior, id, next.draft, choices, next.named, notices, {
      before: parts,
      after: rest,
      refused,
      unplaced,
    });
  }
  const allowed = parts.filter((p) => mayWriteFor(writer, p.project.gid));
  for (const part of parts)
    if (!allowed.includes(part) && !refused.some((p) => p.gid === part.project.gid))
      refused.push(part.project);
  const [first, ...others] = allowed.slice(0, MAX_PARTS);
  unplaced += Math.max(0, allowed.length - MAX_PARTS);
  if (first === undefined) {
    const [refusedFirst] = refused;
    return keep(
      prior,
      refusedFirst === undefined ? { kind: "need_pmo_id" } : { kind: "not_allowed", project: refusedFirst },
      notices,
    );
  }
  return confirmStep(prior, id, first, others, { refused, unplaced }, notices);
}

function confirmStep(
  prior: Prior,
  id: string,
  first: Part,
  others: readonly Part[],
  leftOut: LeftOut,
  notices: Notice[],
): Step {
  const expectedVersion = expectedOf(prior);
  const data = {
    id,
    draft: first.draft,
    project: first.project,
    others: [...others],
    refused: [...leftOut.refused],
    unplaced: leftOut.unplaced,
  };
  return {
    next: { state: "confirming", data },
    expectedVersion,
    reply: { kind: "confirm", ...data, ref: refOf(id, expectedVersion) },
    notices,
    submit: null,
  };
}

type Surroundings = { before: readonly Part[]; after: readonly QueuedPart[] } & LeftOut;

function choose(
  prior: Prior,
  id: string,
  draft: Draft,
  projects: readonly ProjectChoice[],
  named: boolean,
  notices: Notice[],
  around: Surroundings,
): Step {
  const expectedVersion = expectedOf(prior);
  const choices = projects.slice(0, MAX_CHOICES);
  const more = projects.length - choices.length;
  const several =
    around.before.length > 0 || around.after.length > 0 || around.refused.length > 0 || around.unplaced > 0;
  return {
    next: {
      state: "choosing_project",
      data: {
        id,
        draft,
        choices,
        more,
        named,
        before: [...around.before],
        after: [...around.after],
        refused: [...around.refused],
        unplaced: around.unplaced,
      },
    },
    expectedVersion,
    reply: {
      kind: "choose_project",
      choices,
      more,
      named,
      part: several ? draft : null,
      ref: refOf(id, expectedVersion),
    },
    notices,
    submit: null,
  };
}

function settleProject(
  writer: Writer,
  prior: Prior,
  id: string,
  draft: Draft,
  project: ProjectChoice,
  notices: Notice[],
): Step {
  if (!mayWriteFor(writer, project.gid)) return keep(prior, { kind: "not_allowed", project }, notices);
  return confirmStep(prior, id, { project, draft }, [], NOTHING_LEFT_OUT, notices);
}

/** The pending part goes to `project`; then the parts after it are placed. */
function answerChooser(
  writer: Writer,
  prior: Prior,
  current: Extract<ActiveConversation, { state: "choosing_project" }>,
  project: ProjectChoice,
): Step {
  if (!mayWriteFor(writer, project.gid)) return keep(prior, { kind: "not_allowed", project });
  // A project another part of the message is about would get this part's facts too: asked again.
  const taken = [...current.before.map((p) => p.project), ...current.after.flatMap((p) => p.project ?? [])];
  if (taken.some((p) => p.gid === project.gid)) return keep(prior, replyOf(current));
  return advance(
    writer,
    prior,
    current.id,
    [],
    [...current.before, { project, draft: current.draft }],
    current.after,
    { refused: current.refused, unplaced: current.unplaced },
  );
}

// ---- buttons -----------------------------------------------------------------------------------

/** The conversation a click is about, or the step that answers a click that is not current. */
function clicked(prior: Prior, ref: UpdateButtonRef): ActiveConversation | Step {
  if (prior === null) return keep(prior, { kind: "stale" });
  if (prior.conversation.id !== ref.conversationId) return keep(prior, { kind: "stale" });
  if (prior.expired) return keep(prior, { kind: "expired" });
  if (prior.conversation.version !== ref.version) return keep(prior, { kind: "stale" });
  return prior.conversation;
}

const isStep = (value: ActiveConversation | Step): value is Step => "reply" in value;

/** A project button of the chooser. */
export function onChooseProject(writer: Writer, prior: Prior, ref: UpdateButtonRef): Step {
  const current = clicked(prior, ref);
  if (isStep(current)) return current;
  if (current.state !== "choosing_project") return keep(prior, { kind: "stale" });
  const project = current.choices.find((p) => p.gid === ref.projectGid);
  if (project === undefined) return keep(prior, { kind: "stale" });
  return answerChooser(writer, prior, current, project);
}

/** Confirmar: every part is to be saved, once the writer may still write for each project. */
export function onConfirm(writer: Writer, prior: Prior, ref: UpdateButtonRef): Step {
  const current = clicked(prior, ref);
  if (isStep(current)) return current;
  if (current.state !== "confirming") return keep(prior, { kind: "stale" });
  return confirmCurrent(writer, prior, current);
}

function confirmCurrent(
  writer: Writer,
  prior: Prior,
  current: Extract<ActiveConversation, { state: "confirming" }>,
): Step {
  const refused = [current.project, ...current.others.map((p) => p.project)].find(
    (project) => !mayWriteFor(writer, project.gid),
  );
  if (refused !== undefined)
    return { ...keep(prior, { kind: "not_allowed", project: refused }), next: "clear" };
  return {
    next: "clear",
    expectedVersion: current.version,
    reply: { kind: "saving", project: current.project, draft: current.draft, others: current.others },
    notices: [],
    submit: {
      submissionId: `confirm:${current.id}:${current.version}`,
      projectGid: current.project.gid,
      project: current.project,
      draft: current.draft,
      others: current.others,
    },
  };
}

/** Cancelar (a button or the word). */
export function onCancel(prior: Prior, ref: UpdateButtonRef | null): Step {
  if (ref !== null) {
    const current = clicked(prior, ref);
    if (isStep(current)) return current;
  }
  if (live(prior) === null) return keep(prior, { kind: "nothing_pending" });
  return cancel(prior);
}

function cancel(prior: Prior): Step {
  return {
    next: "clear",
    expectedVersion: expectedOf(prior),
    reply: { kind: "cancelled" },
    notices: [],
    submit: null,
  };
}

export type ConfirmingConversation = Extract<ActiveConversation, { state: "confirming" }>;

/**
 * Editar: the part to prefill the modal with (the one whose button was clicked, by its project;
 * the first on a card of one project), or the step answering a stale click.
 */
export function onEdit(
  prior: Prior,
  ref: UpdateButtonRef,
): { edit: ConfirmingConversation; part: Part } | { step: Step } {
  const current = clicked(prior, ref);
  if (isStep(current)) return { step: current };
  if (current.state !== "confirming") return { step: keep(prior, { kind: "stale" }) };
  const part = partsOf(current).find((p) => ref.projectGid === null || p.project.gid === ref.projectGid);
  if (part === undefined) return { step: keep(prior, { kind: "stale" }) };
  return { edit: current, part };
}

/** A confirming conversation's parts, in order. */
export function partsOf(conversation: ConfirmingConversation): Part[] {
  return [{ project: conversation.project, draft: conversation.draft }, ...conversation.others];
}

/**
 * What stays to confirm once one part was saved on its own (Editar, then the modal): the other
 * parts, or null when it was the only one.
 */
export function withoutPart(conversation: ConfirmingConversation, projectGid: string): NextState | null {
  const [first, ...others] = partsOf(conversation).filter((p) => p.project.gid !== projectGid);
  if (first === undefined) return null;
  return {
    state: "confirming",
    data: {
      id: conversation.id,
      draft: first.draft,
      project: first.project,
      others,
      refused: conversation.refused,
      unplaced: conversation.unplaced,
    },
  };
}
