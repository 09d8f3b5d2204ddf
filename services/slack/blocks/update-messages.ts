import type { ActionsBlock, Button, KnownBlock, SectionBlock } from "@slack/types";
import { formatCalendarDate, formatDateTime, type Locale, t } from "../../i18n/index.ts";
import type { Health, ParsedUpdate } from "../../model.ts";
import type { LeftOut, Notice, Part, ProjectChoice, Ref, Reply } from "../../updates/conversation.ts";
import { escapeAndTruncate, link, mentionOrName, truncate } from "../mrkdwn.ts";
import {
  encodeUpdateRef,
  UPDATE_CANCEL,
  UPDATE_CHOOSE_PROJECT,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
  type UpdateActionId,
} from "../update-ids.ts";
import { contextLine, mrkdwn, type SlackMessage } from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

/** What the bot says in a status-update DM: pure builders, every user or Asana text escaped. */

const PROJECT_NAME_MAX = 150;
const ITEM_MAX = 200;
const LIST_MAX = 600;
const UNREAD_MAX = 300;

export const HEALTH_EMOJI: { readonly [H in Health]: string } = {
  on_track: "🟢",
  at_risk: "🟡",
  off_track: "🔴",
  on_hold: "⏸️",
};

/** The items of a list, each escaped and shortened, joined; the whole shortened again. */
function listText(items: readonly string[]): string {
  return truncate(items.map((item) => escapeAndTruncate(item.trim(), ITEM_MAX)).join("; "), LIST_MAX);
}

/** "Portal de clientes (PMO-12)", linked to Asana when the link is safe. */
export function projectLabel(locale: Locale, project: ProjectChoice): string {
  const name = project.name.trim() === "" ? project.gid : project.name;
  const pmoId = project.pmoId === null ? t(locale, "finding.noPmoId") : escapeAndTruncate(project.pmoId, 60);
  return t(locale, "update.project", { name: link(project.url, name, PROJECT_NAME_MAX), pmoId });
}

/** The parsed fields as labelled lines (the saved card, the PMO channel's alert). */
export function parsedUpdateLines(locale: Locale, parsed: ParsedUpdate): string[] {
  const lines: string[] = [];
  if (parsed.progress !== null) lines.push(t(locale, "update.line.progress", { value: parsed.progress }));
  if (parsed.health !== null)
    lines.push(
      t(locale, "update.line.health", {
        emoji: HEALTH_EMOJI[parsed.health],
        value: t(locale, `projectStatus.${parsed.health}`),
      }),
    );
  if (parsed.risks.length > 0) lines.push(t(locale, "update.line.risks", { value: listText(parsed.risks) }));
  if (parsed.blockers.length > 0)
    lines.push(t(locale, "update.line.blockers", { value: listText(parsed.blockers) }));
  if (parsed.nextSteps.length > 0)
    lines.push(t(locale, "update.line.nextSteps", { value: listText(parsed.nextSteps) }));
  if (parsed.eta !== null)
    lines.push(
      t(locale, "update.line.eta", { value: escapeAndTruncate(formatCalendarDate(locale, parsed.eta), 60) }),
    );
  return lines;
}

/**
 * "<project> · avance 70 % · 🟡 en riesgo · riesgos: … · entrega 17 de julio de 2026": the ETA
 * understood, asked about when it has more than one common reading (`etaUncertain`).
 */
export function understoodSummary(
  locale: Locale,
  project: ProjectChoice,
  parsed: ParsedUpdate,
  options: { etaUncertain?: boolean } = {},
): string {
  return [projectLabel(locale, project), ...understoodFacts(locale, parsed, options)].join(" · ");
}

/** The facts of an update as the card lists them; a word saying there are none when so. */
function understoodFacts(
  locale: Locale,
  parsed: ParsedUpdate,
  options: { etaUncertain?: boolean } = {},
): string[] {
  const parts: string[] = [];
  if (parsed.progress !== null) parts.push(t(locale, "update.card.progress", { value: parsed.progress }));
  if (parsed.health !== null)
    parts.push(
      t(locale, "update.card.health", {
        emoji: HEALTH_EMOJI[parsed.health],
        value: t(locale, `update.health.${parsed.health}`),
      }),
    );
  if (parsed.risks.length > 0) parts.push(t(locale, "update.card.risks", { value: listText(parsed.risks) }));
  if (parsed.blockers.length > 0)
    parts.push(t(locale, "update.card.blockers", { value: listText(parsed.blockers) }));
  if (parsed.nextSteps.length > 0)
    parts.push(t(locale, "update.card.nextSteps", { value: listText(parsed.nextSteps) }));
  if (parsed.eta !== null) {
    const eta = t(locale, "update.card.eta", {
      value: escapeAndTruncate(formatCalendarDate(locale, parsed.eta), 60),
    });
    parts.push(options.etaUncertain === true ? `${eta} ${t(locale, "update.card.etaUncertain")}` : eta);
  }
  if (parts.length === 0) parts.push(t(locale, "update.card.nothing"));
  return parts;
}

const BUTTON_LABEL = {
  [UPDATE_CONFIRM]: "update.button.confirm",
  [UPDATE_EDIT]: "update.button.edit",
  [UPDATE_CANCEL]: "update.button.cancel",
  [UPDATE_CHOOSE_PROJECT]: "update.button.choose",
} as const satisfies { readonly [A in UpdateActionId]: `update.button.${string}` };

function button(
  locale: Locale,
  actionId: UpdateActionId,
  ref: Ref,
  projectGid: string | null = null,
): Button {
  return {
    type: "button",
    action_id: actionId,
    text: {
      type: "plain_text",
      text: truncate(t(locale, BUTTON_LABEL[actionId]), BLOCK_KIT.buttonText),
      emoji: true,
    },
    value: encodeUpdateRef({ ...ref, projectGid }),
    ...(actionId === UPDATE_CONFIRM ? { style: "primary" as const } : {}),
  };
}

function section(blockId: string, text: string): SectionBlock {
  return { type: "section", block_id: blockId, text: mrkdwn(text, BLOCK_KIT.sectionText) };
}

function message(text: string, blocks: KnownBlock[] = [section("update-text", text)]): SlackMessage {
  return { text: truncate(text, BLOCK_KIT.messageText), blocks };
}

/** Who may write for a project, as the writer who may not is told. */
export type ResponsableInfo = { slackUserId: string | null; name: string | null };

export type ReplyContext = {
  locale: Locale;
  /** For a `not_allowed` reply: the project's responsable, when it has one. */
  responsable?: ResponsableInfo | null;
};

function noticeText(locale: Locale, notice: Notice): string {
  return notice === "expired" ? t(locale, "update.notice.expired") : t(locale, "update.notice.replaced");
}

/** Every reply but a lookup's, which is a `/pmo` answer (blocks/pmo/answer.ts). */
export type ConversationReply = Exclude<Reply, { kind: "lookup" }>;

/** The answer to a step of the conversation, after its notices ("your conversation expired"…). */
export function conversationMessage(
  ctx: ReplyContext,
  reply: ConversationReply,
  notices: readonly Notice[] = [],
): SlackMessage {
  const body = replyMessage(ctx, reply);
  if (notices.length === 0) return body;
  const lines = notices.map((notice) => noticeText(ctx.locale, notice));
  return {
    text: truncate(`${lines.join(" ")}\n${body.text}`, BLOCK_KIT.messageText),
    blocks: [contextLine(lines.join(" "), "update-notice"), ...body.blocks],
  };
}

function replyMessage(ctx: ReplyContext, reply: ConversationReply): SlackMessage {
  const { locale } = ctx;
  switch (reply.kind) {
    case "help":
      return helpMessage(locale);
    case "too_long":
      return message(t(locale, "update.tooLong", { length: reply.length, max: reply.max }));
    case "unmapped":
      return message(
        reply.email === null
          ? t(locale, "update.unmapped.noEmail")
          : t(locale, "update.unmapped.noAsanaUser", { email: escapeAndTruncate(reply.email, 200) }),
      );
    case "no_projects":
      return message(t(locale, "update.noProjects"));
    case "not_understood":
      return message(t(locale, "update.notUnderstood"));
    case "need_pmo_id":
      return message(t(locale, "update.needPmoId"));
    case "unknown_project":
      return message(
        t(locale, "update.unknownProject", {
          pmoIds: reply.pmoIds.map((id) => escapeAndTruncate(id, 40)).join(", "),
        }),
      );
    case "choose_project":
      return chooserMessage(locale, reply);
    case "confirm":
      return cardMessage(locale, reply);
    case "not_allowed":
      return notAllowedMessage(locale, reply.project, ctx.responsable ?? null);
    case "several_unsplit":
      return message(
        t(locale, "update.severalUnsplit", {
          projects: reply.projects.map((project) => projectLabel(locale, project)).join(", "),
        }),
      );
    case "cancelled":
      return message(t(locale, "update.cancelled"));
    case "stale":
      return message(t(locale, "update.stale"));
    case "expired":
      return message(t(locale, "update.expired"));
    case "nothing_pending":
      return message(t(locale, "update.nothingPending"));
    case "saving":
      return message(
        reply.others.length === 0
          ? t(locale, "update.saving", { project: projectLabel(locale, reply.project) })
          : t(locale, "update.savingParts", {
              projects: [reply.project, ...reply.others.map((part) => part.project)]
                .map((project) => projectLabel(locale, project))
                .join(", "),
            }),
      );
  }
}

export function helpMessage(locale: Locale): SlackMessage {
  const text = [
    t(locale, "update.help.title"),
    t(locale, "update.help.lookups"),
    t(locale, "update.help.lookupExample"),
    t(locale, "update.help.updates"),
    t(locale, "update.help.updateExample"),
  ].join("\n");
  return {
    text: t(locale, "update.help.fallback"),
    blocks: [
      section("update-help", text),
      contextLine(t(locale, "update.help.footer"), "update-help-footer"),
    ],
  };
}

function chooserMessage(locale: Locale, reply: Extract<Reply, { kind: "choose_project" }>): SlackMessage {
  const question =
    reply.part !== null
      ? t(locale, "update.choose.part", {
          facts: understoodFacts(locale, reply.part.parsed, reply.part).join(" · "),
        })
      : reply.named
        ? t(locale, "update.choose.named")
        : t(locale, "update.choose.title");
  const blocks: KnownBlock[] = [section("update-choose", question)];
  reply.choices.forEach((project, index) => {
    blocks.push({
      type: "section",
      block_id: `update-choose-${index}`,
      text: mrkdwn(projectLabel(locale, project), BLOCK_KIT.sectionText),
      accessory: button(locale, UPDATE_CHOOSE_PROJECT, reply.ref, project.gid),
    });
  });
  if (reply.more > 0)
    blocks.push(contextLine(t(locale, "update.choose.more", { count: reply.more }), "update-choose-more"));
  return { text: truncate(question, BLOCK_KIT.messageText), blocks };
}

function unreadLine(locale: Locale, unread: readonly string[], blockId: string): KnownBlock {
  return contextLine(
    t(locale, "update.card.unread", {
      text: truncate(
        unread.map((part) => `«${escapeAndTruncate(part.trim(), ITEM_MAX)}»`).join(" "),
        UNREAD_MAX,
      ),
    }),
    blockId,
  );
}

/** What a message about several projects leaves out of its card, said on the card. */
function leftOutLines(locale: Locale, leftOut: LeftOut): KnownBlock[] {
  const lines: string[] = [];
  if (leftOut.refused.length > 0)
    lines.push(
      t(locale, "update.card.refused", {
        projects: leftOut.refused.map((project) => projectLabel(locale, project)).join(", "),
      }),
    );
  if (leftOut.unplaced > 0) lines.push(t(locale, "update.card.unplaced", { count: leftOut.unplaced }));
  return lines.length === 0 ? [] : [contextLine(lines.join(" "), "update-card-left-out")];
}

/**
 * The card: what was understood, and Confirmar / Editar / Cancelar. A message about several
 * projects shows one section per project, each with its own Editar; Confirmar saves them all.
 */
export function cardMessage(locale: Locale, card: Extract<Reply, { kind: "confirm" }>): SlackMessage {
  if (card.others.length > 0) return partsCardMessage(locale, card);
  const { project, draft, ref } = card;
  const summary = t(locale, "update.card.understood", {
    summary: understoodSummary(locale, project, draft.parsed, draft),
  });
  const blocks: KnownBlock[] = [section("update-card", summary)];
  if (draft.unread.length > 0) blocks.push(unreadLine(locale, draft.unread, "update-card-unread"));
  blocks.push(...leftOutLines(locale, card));
  const actions: ActionsBlock = {
    type: "actions",
    block_id: "update-card-actions",
    elements: [
      button(locale, UPDATE_CONFIRM, ref),
      button(locale, UPDATE_EDIT, ref),
      button(locale, UPDATE_CANCEL, ref),
    ],
  };
  blocks.push(contextLine(t(locale, "update.card.question"), "update-card-question"), actions);
  return { text: truncate(`${summary} ${t(locale, "update.card.question")}`, BLOCK_KIT.messageText), blocks };
}

function partsCardMessage(locale: Locale, card: Extract<Reply, { kind: "confirm" }>): SlackMessage {
  const parts: Part[] = [{ project: card.project, draft: card.draft }, ...card.others];
  const title = t(locale, "update.card.understoodParts");
  const blocks: KnownBlock[] = [section("update-card", title)];
  const summaries: string[] = [];
  parts.forEach(({ project, draft }, index) => {
    const summary = t(locale, "update.card.part", {
      index: index + 1,
      summary: understoodSummary(locale, project, draft.parsed, draft),
    });
    summaries.push(summary);
    blocks.push({
      ...section(`update-card-part-${index}`, summary),
      accessory: button(locale, UPDATE_EDIT, card.ref, project.gid),
    });
    if (draft.unread.length > 0) blocks.push(unreadLine(locale, draft.unread, `update-card-unread-${index}`));
  });
  blocks.push(...leftOutLines(locale, card));
  const question = t(locale, "update.card.questionParts", { count: parts.length });
  blocks.push(contextLine(question, "update-card-question"), {
    type: "actions",
    block_id: "update-card-actions",
    elements: [button(locale, UPDATE_CONFIRM, card.ref), button(locale, UPDATE_CANCEL, card.ref)],
  });
  return { text: truncate([title, ...summaries, question].join("\n"), BLOCK_KIT.messageText), blocks };
}

function notAllowedMessage(
  locale: Locale,
  project: ProjectChoice,
  responsable: ResponsableInfo | null,
): SlackMessage {
  const label = projectLabel(locale, project);
  if (responsable === null || (responsable.slackUserId === null && (responsable.name ?? "").trim() === ""))
    return message(t(locale, "update.notAllowedNoResponsable", { project: label }));
  const who = truncate(
    mentionOrName(responsable.slackUserId, responsable.name, t(locale, "finding.someone")),
    100,
  );
  return message(t(locale, "update.notAllowed", { responsable: who, project: label }));
}

export type SavedOutcome = {
  writeBack: "off" | "written" | "pending";
  alerted: boolean;
};

/** One project's update as saved. */
export type SavedPart = { project: ProjectChoice; parsed: ParsedUpdate; outcome: SavedOutcome };

function savedNotes(locale: Locale, outcome: SavedOutcome): string[] {
  const notes: string[] = [];
  if (outcome.writeBack === "written") notes.push(t(locale, "update.saved.asanaWritten"));
  if (outcome.writeBack === "pending") notes.push(t(locale, "update.saved.asanaPending"));
  if (outcome.alerted) notes.push(t(locale, "update.saved.alerted"));
  return notes;
}

/** The card once saved: what was stored, where it went, no buttons left; one section per project. */
export function savedMessage(locale: Locale, parts: readonly SavedPart[]): SlackMessage {
  const [only] = parts;
  if (parts.length === 1 && only !== undefined) {
    const title = t(locale, "update.saved", { project: projectLabel(locale, only.project) });
    const blocks: KnownBlock[] = [
      section("update-saved", [title, ...parsedUpdateLines(locale, only.parsed)].join("\n")),
    ];
    const notes = savedNotes(locale, only.outcome);
    if (notes.length > 0) blocks.push(contextLine(notes.join(" "), "update-saved-notes"));
    return { text: truncate([title, ...notes].join(" "), BLOCK_KIT.messageText), blocks };
  }
  const title = t(locale, "update.savedParts");
  const blocks: KnownBlock[] = [section("update-saved", title)];
  parts.forEach((part, index) => {
    const label = `*${projectLabel(locale, part.project)}*`;
    blocks.push(
      section(`update-saved-${index}`, [label, ...parsedUpdateLines(locale, part.parsed)].join("\n")),
    );
    const notes = savedNotes(locale, part.outcome);
    if (notes.length > 0) blocks.push(contextLine(notes.join(" "), `update-saved-notes-${index}`));
  });
  const labels = parts.map((part) => projectLabel(locale, part.project));
  return { text: truncate(`${title} ${labels.join(", ")}`, BLOCK_KIT.messageText), blocks };
}

/**
 * The explicit failure a writer gets: their DM (`read`) or confirmation (`save`) failed and will be
 * retried; their DM could not even be recorded (`unrecorded`); a click failed (`click`).
 */
export type FailureKind = "read" | "save" | "unrecorded" | "click" | "modal" | "tooMany";

export function failureMessage(locale: Locale, what: FailureKind): SlackMessage {
  return message(t(locale, `update.failed.${what}`));
}

/** A DM, a confirmation or a write-back given up once its life ran out, as its writer is told. */
export type ExpiredWork =
  | { kind: "dm"; at: string }
  | { kind: "submit" | "writeBack"; at: string; project: ProjectChoice };

export function expiredMessage(locale: Locale, timeZone: string, work: ExpiredWork): SlackMessage {
  const when = formatDateTime(locale, timeZone, work.at);
  if (work.kind === "dm") return message(t(locale, "update.expired.dm", { when }));
  const project = projectLabel(locale, work.project);
  return message(
    work.kind === "submit"
      ? t(locale, "update.expired.submit", { project, when })
      : t(locale, "update.expired.writeBack", { project, when }),
  );
}
