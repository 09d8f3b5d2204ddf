import type { ActionsBlock, Button, KnownBlock, SectionBlock } from "@slack/types";
import { formatCalendarDate, formatDateTime, type Locale, t } from "../../i18n/index.ts";
import type { Health, ParsedUpdate } from "../../model.ts";
import type { Draft, Notice, ProjectChoice, Ref, Reply } from "../../updates/conversation.ts";
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

/** "<project> · avance 70 % · 🟡 en riesgo · riesgos: … · próximos pasos: …" */
export function understoodSummary(locale: Locale, project: ProjectChoice, parsed: ParsedUpdate): string {
  const parts = [projectLabel(locale, project)];
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
  if (parsed.eta !== null)
    parts.push(
      t(locale, "update.card.eta", { value: escapeAndTruncate(formatCalendarDate(locale, parsed.eta), 60) }),
    );
  if (parts.length === 1) parts.push(t(locale, "update.card.nothing"));
  return parts.join(" · ");
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

/** The answer to a step of the conversation, after its notices ("your conversation expired"…). */
export function conversationMessage(
  ctx: ReplyContext,
  reply: Reply,
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

function replyMessage(ctx: ReplyContext, reply: Reply): SlackMessage {
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
      return cardMessage(locale, reply.project, reply.draft, reply.ref);
    case "not_allowed":
      return notAllowedMessage(locale, reply.project, ctx.responsable ?? null);
    case "cancelled":
      return message(t(locale, "update.cancelled"));
    case "stale":
      return message(t(locale, "update.stale"));
    case "expired":
      return message(t(locale, "update.expired"));
    case "nothing_pending":
      return message(t(locale, "update.nothingPending"));
    case "saving":
      return message(t(locale, "update.saving", { project: projectLabel(locale, reply.project) }));
  }
}

export function helpMessage(locale: Locale): SlackMessage {
  const text = [
    t(locale, "update.help.title"),
    t(locale, "update.help.body"),
    t(locale, "update.help.examplesTitle"),
    t(locale, "update.help.example1"),
    t(locale, "update.help.example2"),
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
  const question = reply.named ? t(locale, "update.choose.named") : t(locale, "update.choose.title");
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

/** The card: what was understood, and Confirmar / Editar / Cancelar. */
export function cardMessage(locale: Locale, project: ProjectChoice, draft: Draft, ref: Ref): SlackMessage {
  const summary = t(locale, "update.card.understood", {
    summary: understoodSummary(locale, project, draft.parsed),
  });
  const blocks: KnownBlock[] = [section("update-card", summary)];
  if (draft.unread.length > 0)
    blocks.push(
      contextLine(
        t(locale, "update.card.unread", {
          text: truncate(
            draft.unread.map((part) => `«${escapeAndTruncate(part.trim(), ITEM_MAX)}»`).join(" "),
            UNREAD_MAX,
          ),
        }),
        "update-card-unread",
      ),
    );
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

/** The card once saved: what was stored, where it went, no buttons left. */
export function savedMessage(
  locale: Locale,
  input: { project: ProjectChoice; parsed: ParsedUpdate; outcome: SavedOutcome },
): SlackMessage {
  const title = t(locale, "update.saved", { project: projectLabel(locale, input.project) });
  const blocks: KnownBlock[] = [
    section("update-saved", [title, ...parsedUpdateLines(locale, input.parsed)].join("\n")),
  ];
  const notes: string[] = [];
  if (input.outcome.writeBack === "written") notes.push(t(locale, "update.saved.asanaWritten"));
  if (input.outcome.writeBack === "pending") notes.push(t(locale, "update.saved.asanaPending"));
  if (input.outcome.alerted) notes.push(t(locale, "update.saved.alerted"));
  if (notes.length > 0) blocks.push(contextLine(notes.join(" "), "update-saved-notes"));
  return { text: truncate([title, ...notes].join(" "), BLOCK_KIT.messageText), blocks };
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
