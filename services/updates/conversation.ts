import { z } from "zod";
import { foldText } from "../commands/parse-pmo.ts";
import { type Conversation, type ParsedUpdate, parsedUpdateSchema } from "../model.ts";
import type { UpdateButtonRef } from "../slack/update-ids.ts";

/**
 * The DM conversation of a status update, as a pure state machine (DESIGN.md section 6):
 *
 *   (none) --text--> choosing_project --choose--> confirming --confirm--> saved (none)
 *                 \-------------------------------^          \--cancel--> (none)
 *
 * A text is read (the interpreter), the project settled (named, the writer's only one, or chosen
 * with buttons among the writer's projects), and a card shows what was understood; nothing is
 * saved before the writer confirms. Every answer is a `Step`: what the conversation becomes, what
 * the writer is told, and, on confirm, what to save. The service (conversation-service.ts) does
 * the reading and writing around it.
 */

/** Longest DM read as an update; a longer one is answered with a request for a shorter one. */
export const UPDATE_TEXT_MAX = 3_000;
/** How many projects the chooser offers as buttons (a message holds 50 blocks). */
export const MAX_CHOICES = 20;

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
});
export type Draft = z.output<typeof draftSchema>;

const choosingSchema = z.object({
  id: z.string().min(1),
  draft: draftSchema,
  choices: z.array(projectChoiceSchema).min(1),
  /** How many of the writer's projects were left out of the buttons. */
  more: z.number().int().min(0).default(0),
  named: z.boolean().default(false),
});
const confirmingSchema = z.object({
  id: z.string().min(1),
  draft: draftSchema,
  project: projectChoiceSchema,
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
};

export type Notice = "expired" | "replaced";

export type Reply =
  | { kind: "help" }
  | { kind: "too_long"; length: number; max: number }
  | { kind: "unmapped"; email: string | null }
  | { kind: "no_projects" }
  | { kind: "not_understood" }
  | { kind: "need_pmo_id" }
  | { kind: "unknown_project"; pmoIds: readonly string[] }
  | { kind: "choose_project"; choices: readonly ProjectChoice[]; more: number; named: boolean; ref: Ref }
  | { kind: "confirm"; project: ProjectChoice; draft: Draft; ref: Ref }
  | { kind: "not_allowed"; project: ProjectChoice }
  | { kind: "cancelled" }
  | { kind: "stale" }
  | { kind: "expired" }
  | { kind: "nothing_pending" }
  | { kind: "saving"; project: ProjectChoice; draft: Draft };

/** The conversation a message's buttons point at. */
export type Ref = { conversationId: string; version: number };

/** What to save on confirm; `submissionId` is unique to this confirmation, so a repeat saves nothing new. */
export type Submission = {
  submissionId: string;
  projectGid: string;
  project: ProjectChoice;
  draft: Draft;
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

export type TextKind = "help" | "too_long" | "confirm" | "cancel" | "update";

/** What a DM is before it is read in full: a word of the conversation, or an update. */
export function classifyText(text: string): TextKind {
  if ([...text].length > UPDATE_TEXT_MAX) return "too_long";
  const words = foldText(text)
    .split(/[\s.!¡,;:*_~]+/u)
    .filter((w) => w !== "");
  if (words.length === 0) return "help";
  if (words.length <= 2 && words.every((w) => HELP_WORDS.has(w))) return "help";
  if (words.length <= 2 && words.every((w) => CONFIRM_WORDS.has(w))) return "confirm";
  if (words.length <= 2 && words.every((w) => CANCEL_WORDS.has(w))) return "cancel";
  return "update";
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

/** The reply a conversation's last message showed, with its buttons as they are now. */
function replyOf(conversation: ActiveConversation): Reply {
  const ref = { conversationId: conversation.id, version: conversation.version };
  return conversation.state === "confirming"
    ? { kind: "confirm", project: conversation.project, draft: conversation.draft, ref }
    : {
        kind: "choose_project",
        choices: conversation.choices,
        more: conversation.more,
        named: conversation.named,
        ref,
      };
}

export type TextInput = {
  writer: Writer;
  prior: Prior;
  /** As the DM carried it. */
  text: string;
  sourceId: string;
  receivedAt: string;
  /** A fresh id for a conversation this text may start. */
  newId: string;
  /** The interpreter's reading of the text; only asked for when the text is an update. */
  read: (text: string) => Reading;
};

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

  if (!writer.isAdmin && writer.asanaUserGid === null)
    return keep(prior, { kind: "unmapped", email: writer.email });
  if (!writer.isAdmin && writer.projects.length === 0) return keep(prior, { kind: "no_projects" });

  const reading = input.read(input.text);
  // A bare project name answering "which project?" settles the pending draft.
  if (current?.state === "choosing_project" && !hasContent(reading.parsed)) {
    const chosen = reading.project ?? (reading.named.length === 1 ? reading.named[0] : undefined);
    if (chosen !== undefined && chosen !== null)
      return settleProject(writer, prior, current.id, current.draft, chosen, []);
  }
  const namesNone = reading.project === null && reading.named.length === 0;
  if (namesNone && reading.unknownPmoIds.length > 0)
    return keep(prior, { kind: "unknown_project", pmoIds: reading.unknownPmoIds }, expiredNotice);
  if (namesNone && !hasContent(reading.parsed)) return keep(prior, { kind: "not_understood" }, expiredNotice);

  const draft: Draft = {
    sourceId: input.sourceId,
    text: input.text,
    receivedAt: input.receivedAt,
    parsed: reading.parsed,
    unread: [...reading.unread],
  };
  const notices: Notice[] = [...expiredNotice, ...(current === null ? [] : (["replaced"] as const))];
  const id = current?.id ?? input.newId;

  if (reading.project !== null) return settleProject(writer, prior, id, draft, reading.project, notices);
  const named = reading.named.filter((p) => mayWriteFor(writer, p.gid));
  if (named.length === 1 && named[0] !== undefined)
    return settleProject(writer, prior, id, draft, named[0], notices);
  if (named.length > 1) return choose(prior, id, draft, named, true, notices);
  const [refused] = reading.named;
  if (refused !== undefined) return keep(prior, { kind: "not_allowed", project: refused }, notices);
  const [only] = writer.projects;
  if (writer.projects.length === 1 && only !== undefined)
    return settleProject(writer, prior, id, draft, only, notices);
  if (writer.projects.length === 0) return keep(prior, { kind: "need_pmo_id" }, notices);
  return choose(prior, id, draft, writer.projects, false, notices);
}

function choose(
  prior: Prior,
  id: string,
  draft: Draft,
  projects: readonly ProjectChoice[],
  named: boolean,
  notices: Notice[],
): Step {
  const expectedVersion = expectedOf(prior);
  const choices = projects.slice(0, MAX_CHOICES);
  const more = projects.length - choices.length;
  return {
    next: { state: "choosing_project", data: { id, draft, choices, more, named } },
    expectedVersion,
    reply: { kind: "choose_project", choices, more, named, ref: refOf(id, expectedVersion) },
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
  const expectedVersion = expectedOf(prior);
  return {
    next: { state: "confirming", data: { id, draft, project } },
    expectedVersion,
    reply: { kind: "confirm", project, draft, ref: refOf(id, expectedVersion) },
    notices,
    submit: null,
  };
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
  return settleProject(writer, prior, current.id, current.draft, project, []);
}

/** Confirmar: the draft is to be saved, once the writer may still write for the project. */
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
  if (!mayWriteFor(writer, current.project.gid))
    return { ...keep(prior, { kind: "not_allowed", project: current.project }), next: "clear" };
  return {
    next: "clear",
    expectedVersion: current.version,
    reply: { kind: "saving", project: current.project, draft: current.draft },
    notices: [],
    submit: {
      submissionId: `confirm:${current.id}:${current.version}`,
      projectGid: current.project.gid,
      project: current.project,
      draft: current.draft,
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

/** Editar: the draft and project to prefill the modal with, or the step answering a stale click. */
export function onEdit(
  prior: Prior,
  ref: UpdateButtonRef,
): { edit: Extract<ActiveConversation, { state: "confirming" }> } | { step: Step } {
  const current = clicked(prior, ref);
  if (isStep(current)) return { step: current };
  if (current.state !== "confirming") return { step: keep(prior, { kind: "stale" }) };
  return { edit: current };
}
