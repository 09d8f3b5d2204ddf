import type { ModalView } from "@slack/types";
import { z } from "zod";
import type { Authorization } from "../authorization/authorization.ts";
import type { PmoReply, PmoService } from "../commands/pmo-service.ts";
import { VersionConflictError } from "../errors.ts";
import { type Locale, t } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import type { Clock, Project } from "../model.ts";
import { normalisePmoId } from "../pmo-id.ts";
import { loadMyProjects } from "../portfolio/my-projects.ts";
import { isActiveProject } from "../rules/rules.ts";
import {
  checkUpdateModal,
  parseUpdateModalMetadata,
  updateModal,
} from "../slack/blocks/modals/update-modal.ts";
import { pmoAnswerMessage } from "../slack/blocks/pmo/answer.ts";
import {
  conversationMessage,
  failureMessage,
  type ResponsableInfo,
  type SavedPart,
  savedMessage,
} from "../slack/blocks/update-messages.ts";
import type { DirectMessenger } from "../slack/direct-messenger.ts";
import { unescapeMrkdwn } from "../slack/mrkdwn.ts";
import type { MessageRef } from "../slack/notifier.ts";
import { parseUpdateRef, UPDATE_FIELDS } from "../slack/update-ids.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import {
  type ActiveConversation,
  classifyText,
  draftSchema,
  fromStored,
  type NextState,
  onCancel,
  onChooseProject,
  onConfirm,
  onEdit,
  onText,
  type Part,
  type Prior,
  type ProjectChoice,
  partSchema,
  partsOf,
  projectChoiceSchema,
  type Reading,
  replyOf,
  type Step,
  type Writer,
  withoutPart,
} from "./conversation.ts";
import { type AttemptContext, FOLLOWUPS_PENDING, type ProcessResult } from "./inbound.ts";
import {
  type ProjectRef,
  RuleBasedInterpreter,
  type StatusUpdateInterpreter,
  toParsedUpdate,
} from "./interpreter.ts";
import { type DmLookup, lookupCommand } from "./lookup-phrases.ts";
import { type SubmitUpdateDeps, submitUpdate } from "./submit-update.ts";

/**
 * The conversation's I/O around the pure machine (conversation.ts): who the writer is and which
 * projects are theirs, the stored conversation, the interpreter, and the answers in the DM.
 */

const RULES = new RuleBasedInterpreter();

/** A DM as the listener recorded it. */
export const directMessageSchema = z.object({
  kind: z.literal("dm"),
  /** Slack's event id: the delivery's identity, the same on every duplicate. */
  eventId: z.string().min(1),
  userId: z.string().min(1),
  channel: z.string().min(1),
  text: z.string(),
  ts: z.string().min(1),
  receivedAt: z.iso.datetime({ offset: true }),
});
export type DirectMessage = z.output<typeof directMessageSchema>;

/** A confirmed update, recorded before it is saved so a failure is retried. */
export const submissionSchema = z.object({
  kind: z.literal("submit"),
  userId: z.string().min(1),
  /** Where to answer: the DM channel (or the user id). */
  channel: z.string().min(1),
  /** The card to update in place once saved; null when there is none (a modal from elsewhere). */
  ts: z.string().min(1).nullable(),
  submittedAt: z.iso.datetime({ offset: true }),
  project: projectChoiceSchema,
  draft: draftSchema,
  /** A message about several projects: the other parts, each saved to its own project. */
  others: z.array(partSchema).default([]),
});
export type SubmissionPayload = z.output<typeof submissionSchema>;

/** A click on one of the conversation's buttons. */
export type UpdateClick = { userId: string; channel: string; messageTs: string; value: unknown };

/** A submitted update modal. */
export type ModalSubmission = { userId: string; viewId: string; values: unknown; privateMetadata: unknown };

export type ModalAnswer =
  | { kind: "errors"; errors: Record<string, string> }
  | {
      kind: "accepted";
      id: string;
      submission: SubmissionPayload;
      /**
       * The conversation the modal was opened from: cleared once recorded, or, when the modal saved
       * one part of a card about several projects, left with the other parts (the card shows them).
       */
      conversation: { version: number; rest: NextState | null; card: MessageRef | null } | null;
    };

export type ConversationDeps = {
  repos: Repositories;
  users: Pick<UserDirectory, "profile" | "slackUserIdFor">;
  authorization: Pick<Authorization, "isAdmin" | "decide">;
  interpreter: StatusUpdateInterpreter;
  /** The `/pmo` lookups, for the same lookups asked by DM. */
  lookups: Pick<PmoService, "answer">;
  messenger: DirectMessenger;
  /** Records a confirmed update durably and saves it (the inbox). */
  submissions: { receive(id: string, payload: SubmissionPayload): Promise<unknown> };
  submit: SubmitUpdateDeps;
  settings: { timezone: string; defaultLocale: Locale };
  clock: Clock;
  logger: Logger;
  newId: () => string;
};

/**
 * A PMO ID named outside a risk, blocker or next step scores about 1; inside one, half of that
 * (project-matching.ts): only the former says which project a fact is about.
 */
const OUTSIDE_ITEM_SCORE = 0.75;

type WriterView = { writer: Writer; locale: Locale; own: Project[] };

const refOf = (project: Pick<Project, "gid" | "name" | "pmoId">): ProjectRef => ({
  gid: project.gid,
  name: project.name,
  pmoId: project.pmoId,
});

const choiceOf = (project: Project): ProjectChoice => ({
  gid: project.gid,
  name: project.name,
  pmoId: project.pmoId,
  url: project.permalinkUrl,
});

export class UpdateConversations {
  constructor(private readonly deps: ConversationDeps) {}

  // ---- DMs ---------------------------------------------------------------------------------------

  /** A DM: answers the writer. Throws when it could not (the inbox retries). */
  async handleText(dm: DirectMessage): Promise<void> {
    try {
      await this.handleTextOnce(dm);
    } catch (error) {
      // Two DMs of the same writer at once: the second reads again and goes on from there.
      if (!(error instanceof VersionConflictError)) throw error;
      await this.handleTextOnce(dm);
    }
  }

  private async handleTextOnce(dm: DirectMessage): Promise<void> {
    const view = await this.writerOf(dm.userId);
    const prior = await this.prior(dm.userId);
    const kind = classifyText(dm.text);
    // A lookup's few words are checked with the rules alone: never sent to a language model, nor
    // waiting on one.
    const reading =
      kind === "update"
        ? await this.read(dm.text, view)
        : kind === "lookup"
          ? await this.read(dm.text, view, RULES)
          : null;
    const step = onText({
      writer: view.writer,
      prior,
      text: dm.text,
      sourceId: dm.eventId,
      receivedAt: dm.receivedAt,
      newId: this.deps.newId(),
      read: () => reading ?? [],
    });
    await this.follow(dm.userId, step, view, { channel: dm.channel, messageTs: null });
  }

  /** A lookup asked by DM: answered as `/pmo` answers it (same service, same message), in the DM. */
  private async answerLookups(userId: string, channel: string, lookups: readonly DmLookup[]): Promise<void> {
    const { settings, clock } = this.deps;
    // Every answer is read before any is posted: a failure leaves nothing half answered for the retry.
    const replies: PmoReply[] = [];
    for (const lookup of lookups)
      replies.push(await this.deps.lookups.answer(lookupCommand(lookup, userId), userId));
    for (const reply of replies)
      await this.deps.messenger.post(
        channel,
        pmoAnswerMessage({ locale: reply.locale, timeZone: settings.timezone, now: clock() }, reply),
      );
  }

  // ---- buttons -----------------------------------------------------------------------------------

  async choose(click: UpdateClick): Promise<void> {
    const ref = parseUpdateRef(click.value);
    if (ref === null) return;
    const view = await this.writerOf(click.userId);
    const step = onChooseProject(view.writer, await this.prior(click.userId), ref);
    await this.follow(click.userId, step, view, { channel: click.channel, messageTs: click.messageTs });
  }

  async cancel(click: UpdateClick): Promise<void> {
    const ref = parseUpdateRef(click.value);
    if (ref === null) return;
    const view = await this.writerOf(click.userId);
    const step = onCancel(await this.prior(click.userId), ref);
    await this.follow(click.userId, step, view, { channel: click.channel, messageTs: click.messageTs });
  }

  async confirm(click: UpdateClick): Promise<void> {
    const ref = parseUpdateRef(click.value);
    if (ref === null) return;
    const view = await this.writerOf(click.userId);
    const step = onConfirm(view.writer, await this.prior(click.userId), ref);
    await this.follow(click.userId, step, view, { channel: click.channel, messageTs: click.messageTs });
  }

  /** Editar: the modal prefilled with the draft, or null when the click was answered otherwise. */
  async edit(click: UpdateClick): Promise<ModalView | null> {
    const ref = parseUpdateRef(click.value);
    if (ref === null) return null;
    const view = await this.writerOf(click.userId);
    const result = onEdit(await this.prior(click.userId), ref);
    if ("step" in result) {
      await this.follow(click.userId, result.step, view, { channel: click.channel, messageTs: null });
      return null;
    }
    const { edit, part } = result;
    const choices = view.writer.projects.some((p) => p.gid === part.project.gid)
      ? view.writer.projects
      : [part.project, ...view.writer.projects];
    return updateModal(view.locale, {
      choices,
      project: part.project,
      summary: unescapeMrkdwn(part.draft.text),
      parsed: part.draft.parsed,
      origin: {
        conversationId: edit.id,
        version: edit.version,
        channel: click.channel,
        ts: click.messageTs,
        part: edit.others.length > 0 ? part.project.gid : null,
      },
    });
  }

  /**
   * The update modal opened outside a conversation (`/pmo actualizar [PMO-123]`, "Actualizar
   * estado" on a reminder or the Home tab): the writer's projects to pick from, the named one
   * chosen. Submitting it saves directly; who may submit is checked then, as for a DM.
   */
  async openModal(userId: string, wanted: { projectGid?: string; pmoId?: string } = {}): Promise<ModalView> {
    const view = await this.writerOf(userId);
    const named =
      wanted.projectGid !== undefined
        ? await this.deps.repos.projects.get(wanted.projectGid)
        : wanted.pmoId !== undefined
          ? await this.deps.repos.projects.getByPmoId(normalisePmoId(wanted.pmoId) ?? wanted.pmoId)
          : null;
    const project = named === null ? null : choiceOf(named);
    const choices =
      project === null || view.writer.projects.some((p) => p.gid === project.gid)
        ? view.writer.projects
        : [project, ...view.writer.projects];
    return updateModal(view.locale, {
      choices,
      project,
      summary: "",
      parsed: { progress: null, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
      origin: { conversationId: null, version: null, channel: null, ts: null },
    });
  }

  // ---- the modal ---------------------------------------------------------------------------------

  /**
   * Checks a submitted modal: errors to show under the fields, or the submission to save. It never
   * throws: Slack waits for an answer, so a failure is an error under the summary.
   */
  async checkModal(submission: ModalSubmission): Promise<ModalAnswer> {
    try {
      return await this.checkModalOnce(submission);
    } catch (error) {
      this.deps.logger.error({ err: error }, "the update modal could not be checked");
      const locale = await this.localeOf(submission.userId)
        .then((found) => found.locale)
        .catch(() => this.deps.settings.defaultLocale);
      return { kind: "errors", errors: { [UPDATE_FIELDS.summary]: t(locale, "update.modal.error.failed") } };
    }
  }

  private async checkModalOnce(submission: ModalSubmission): Promise<ModalAnswer> {
    // A view submission is acked only after this check: it must not wait on Slack's users.info.
    const view = await this.writerOf(submission.userId, "stored");
    const { locale, writer } = view;
    const check = checkUpdateModal(locale, submission.values);
    if (!check.ok) return { kind: "errors", errors: check.errors };
    const { project: answer } = check.values;
    const project =
      answer.kind === "gid"
        ? await this.deps.repos.projects.get(answer.gid)
        : await this.deps.repos.projects.getByPmoId(normalisePmoId(answer.pmoId) ?? answer.pmoId);
    const projectError = (message: string): ModalAnswer => ({
      kind: "errors",
      errors: { [UPDATE_FIELDS.project]: message },
    });
    if (project === null || !isActiveProject(project))
      return projectError(t(locale, "update.modal.error.projectUnknown"));
    if (!this.deps.authorization.decide(writer, "update", project))
      return projectError(t(locale, "update.modal.error.projectNotAllowed"));

    const origin = parseUpdateModalMetadata(submission.privateMetadata);
    const found =
      origin.conversationId === null ? null : await this.deps.repos.conversations.find(submission.userId);
    const live = found !== null && !found.expired ? fromStored(found.conversation) : null;
    const stored = live?.id === origin.conversationId ? live : null;
    // The part the modal was opened for (on a card of one project, its only one). A part saved
    // meanwhile is gone: the modal then saves on its own and leaves the other parts be.
    const part =
      stored?.state === "confirming"
        ? partsOf(stored).find((p) => origin.part === null || p.project.gid === origin.part)
        : undefined;
    const draft = part?.draft ?? (origin.part === null ? (stored?.draft ?? null) : null);
    const rest =
      stored?.state === "confirming" && part !== undefined ? withoutPart(stored, part.project.gid) : null;
    const now = this.deps.clock().toISOString();
    const { summary } = check.values;
    // An untouched summary keeps the DM as it was written, byte for byte.
    const text =
      draft !== null && unescapeMrkdwn(draft.text).replace(/\r\n?/g, "\n") === summary ? draft.text : summary;
    return {
      kind: "accepted",
      id: `modal:${submission.viewId}`,
      conversation:
        draft === null || stored === null
          ? null
          : {
              version: stored.version,
              rest,
              card:
                origin.channel === null || origin.ts === null
                  ? null
                  : { channel: origin.channel, ts: origin.ts },
            },
      submission: {
        kind: "submit",
        userId: submission.userId,
        channel: origin.channel ?? submission.userId,
        // The card stays for the parts still to confirm: the saved part is told in a new message.
        ts: rest === null ? origin.ts : null,
        submittedAt: now,
        project: choiceOf(project),
        draft: {
          sourceId: draft?.sourceId ?? `modal:${submission.viewId}`,
          text,
          receivedAt: draft?.receivedAt ?? now,
          parsed: check.values.parsed,
          unread: [],
          etaUncertain: false,
          interpreted: draft?.interpreted ?? null,
        },
        others: [],
      },
    };
  }

  /**
   * Saves what an accepted modal submitted (after the view was closed). It never throws: the
   * submission is recorded in the inbox first and only then is the draft cleared, so a failure to
   * record leaves the draft as it was and the writer is told in their DM.
   */
  async submitModal(accepted: Extract<ModalAnswer, { kind: "accepted" }>): Promise<"recorded" | "failed"> {
    const { userId, channel } = accepted.submission;
    const { logger } = this.deps;
    try {
      await this.deps.submissions.receive(accepted.id, accepted.submission);
    } catch (error) {
      logger.error({ err: error, user: userId }, "an update modal could not be recorded; the draft is kept");
      await this.notifyUnhandled(userId, channel, "modal").catch((notifyError: unknown) =>
        logger.warn({ err: notifyError }, "could not tell the writer that their update was not saved"),
      );
      return "failed";
    }
    const { conversation } = accepted;
    if (conversation?.rest === null)
      await this.deps.repos.conversations
        .clear(userId)
        .catch((error: unknown) =>
          logger.warn(
            { err: error, user: userId },
            "a saved update's draft could not be cleared; it expires",
          ),
        );
    else if (conversation !== null && conversation.rest !== null)
      await this.keepOtherParts(userId, { ...conversation, rest: conversation.rest }).catch(
        (error: unknown) =>
          logger.warn(
            { err: error, user: userId },
            "the other parts of a card could not be kept after one was saved; the card is stale",
          ),
      );
    return "recorded";
  }

  /** One part of a card saved from the modal: the card shows the parts still to confirm. */
  private async keepOtherParts(
    userId: string,
    { version, rest, card }: { version: number; rest: NextState; card: MessageRef | null },
  ): Promise<void> {
    const stored = await this.deps.repos.conversations.put(
      { slackUserId: userId, state: rest.state, data: rest.data },
      version,
    );
    const conversation = fromStored(stored);
    if (conversation === null || card === null) return;
    const { locale } = await this.localeOf(userId);
    await this.deps.messenger.update(card, conversationMessage({ locale }, replyOf(conversation)));
  }

  // ---- saving ------------------------------------------------------------------------------------

  /** Saves a confirmed update and shows the writer where it went. Throws when it could not be saved. */
  async saveSubmission(payload: SubmissionPayload, context: AttemptContext): Promise<ProcessResult> {
    const parts: Part[] = [{ project: payload.project, draft: payload.draft }, ...payload.others];
    const saved: SavedPart[] = [];
    let alertFailed = false;
    // Each part to its own project, in order; every step is keyed by project, so a retry after a
    // failure half-way finds the parts already saved and saves only the rest.
    for (const { project, draft } of parts) {
      const outcome = await submitUpdate(this.deps.submit, {
        projectGid: project.gid,
        slackUserId: payload.userId,
        submittedAt: payload.submittedAt,
        text: draft.text,
        parsed: draft.parsed,
        interpreted: draft.interpreted,
        slackEventId: draft.sourceId.startsWith("modal:") ? null : draft.sourceId,
      });
      if (outcome.alert === "failed") alertFailed = true;
      saved.push({
        project,
        parsed: outcome.update.parsed,
        outcome: {
          writeBack:
            outcome.writeBack === "pending" ? "pending" : outcome.writeBack === "off" ? "off" : "written",
          alerted: outcome.alert === "posted" || outcome.alert === "already_posted",
        },
      });
    }
    const { locale } = await this.localeOf(payload.userId);
    const message = savedMessage(locale, saved);
    // Told earlier that it failed: the good news comes as a new message they will see.
    const toldOfFailure = context.failureNotified && context.previousErrorCode !== FOLLOWUPS_PENDING;
    if (payload.ts !== null && !toldOfFailure)
      await this.deps.messenger.update({ channel: payload.channel, ts: payload.ts }, message);
    else await this.deps.messenger.post(payload.channel, message);
    return alertFailed ? "retry_quietly" : "done";
  }

  /** The explicit failure message of a DM or a confirmation that will be retried. */
  async notifyFailure(payload: DirectMessage | SubmissionPayload): Promise<void> {
    const { locale } = await this.localeOf(payload.userId);
    await this.deps.messenger.post(
      payload.channel,
      failureMessage(locale, payload.kind === "dm" ? "read" : "save"),
    );
  }

  /** Something failed before the inbox had it (a DM not recorded, a click): the writer is told. */
  async notifyUnhandled(
    userId: string,
    channel: string,
    what: "unrecorded" | "click" | "modal" | "tooMany",
  ): Promise<void> {
    const locale = await this.localeOf(userId)
      .then((found) => found.locale)
      .catch(() => this.deps.settings.defaultLocale);
    await this.deps.messenger.post(channel, failureMessage(locale, what));
  }

  // ---- around the machine ------------------------------------------------------------------------

  /** Stores what the step decided, records a submission, and answers. */
  private async follow(
    userId: string,
    step: Step,
    view: WriterView,
    where: { channel: string; messageTs: string | null },
  ): Promise<void> {
    const { repos, messenger } = this.deps;
    if (step.submit !== null) {
      // Recorded before the conversation is cleared: from here on the inbox owns it.
      await this.deps.submissions.receive(step.submit.submissionId, {
        kind: "submit",
        userId,
        channel: where.channel,
        ts: where.messageTs,
        submittedAt: this.deps.clock().toISOString(),
        project: step.submit.project,
        draft: step.submit.draft,
        others: step.submit.others,
      });
      // Saved (or to be retried by the inbox): a draft left behind only lives out its hour.
      return repos.conversations
        .clear(userId)
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error, user: userId }, "a saved update's draft could not be cleared"),
        );
    }
    if (step.next === "clear") await repos.conversations.clear(userId);
    else if (step.next !== "keep")
      await repos.conversations.put(
        { slackUserId: userId, state: step.next.state, data: step.next.data },
        step.expectedVersion,
      );
    if (step.reply.kind === "lookup") return this.answerLookups(userId, where.channel, step.reply.lookups);
    const responsable =
      step.reply.kind === "not_allowed" ? await this.responsableOf(step.reply.project.gid) : null;
    const message = conversationMessage({ locale: view.locale, responsable }, step.reply, step.notices);
    // A click on a message that is still current changes that message; anything else is a new one.
    const inPlace =
      where.messageTs !== null && ["confirm", "cancelled", "choose_project"].includes(step.reply.kind);
    if (inPlace && where.messageTs !== null)
      await messenger.update({ channel: where.channel, ts: where.messageTs }, message);
    else await messenger.post(where.channel, message);
  }

  private async prior(userId: string): Promise<Prior> {
    const found = await this.deps.repos.conversations.find(userId);
    if (found === null) return null;
    const conversation: ActiveConversation | null = fromStored(found.conversation);
    return conversation === null ? null : { conversation, expired: found.expired };
  }

  private async localeOf(userId: string): Promise<{ locale: Locale }> {
    const profile = await this.deps.repos.users.get(userId);
    return { locale: profile?.locale ?? this.deps.settings.defaultLocale };
  }

  /**
   * The writer, their language and their own projects. With "stored", the profile is the users
   * table's as it is (refreshed when the modal opened), and nothing is asked of Slack.
   */
  private async writerOf(
    userId: string,
    profileFrom: "directory" | "stored" = "directory",
  ): Promise<WriterView> {
    const profile =
      profileFrom === "directory"
        ? await this.deps.users.profile(userId)
        : ((await this.deps.repos.users.get(userId)) ?? {
            slackUserId: userId,
            email: null,
            name: null,
            asanaUserGid: null,
            locale: null,
            refreshedAt: this.deps.clock().toISOString(),
          });
    const own = await loadMyProjects(this.deps.repos.projects, profile);
    return {
      writer: {
        slackUserId: userId,
        isAdmin: this.deps.authorization.isAdmin(userId),
        asanaUserGid: profile.asanaUserGid,
        email: profile.email,
        projects: own.map(choiceOf),
      },
      locale: profile.locale ?? this.deps.settings.defaultLocale,
      own,
    };
  }

  private async responsableOf(projectGid: string): Promise<ResponsableInfo | null> {
    const project = await this.deps.repos.projects.get(projectGid);
    if (project === null) return null;
    return {
      name: project.responsable,
      slackUserId: await this.deps.users.slackUserIdFor(project.responsableKey),
    };
  }

  /**
   * The interpreter's reading. Projects outside the writer's list are found by PMO ID only: a first
   * pass collects the PMO IDs the text names, they are read from the store (an index each), and a
   * second pass reads the text knowing them.
   */
  private async read(
    text: string,
    view: WriterView,
    interpreter: StatusUpdateInterpreter = this.deps.interpreter,
  ): Promise<Reading[]> {
    const { repos } = this.deps;
    const known = new Map(view.own.map((project) => [project.gid, project]));
    const base = {
      text,
      projects: view.own.map(refOf),
      now: this.deps.clock(),
      timezone: this.deps.settings.timezone,
      locale: view.locale,
    };
    const asked = new Set<string>();
    let message = await interpreter.interpret({
      ...base,
      allProjects: (pmoId) => {
        asked.add(pmoId);
        return null;
      },
    });
    if (asked.size > 0) {
      const found = new Map<string, Project>();
      for (const pmoId of asked) {
        const project = await repos.projects.getByPmoId(pmoId);
        if (project === null || !isActiveProject(project)) continue;
        found.set(pmoId, project);
        known.set(project.gid, project);
      }
      if (found.size > 0)
        message = await interpreter.interpret({
          ...base,
          allProjects: (pmoId) => {
            const project = found.get(pmoId);
            return project === undefined ? null : refOf(project);
          },
        });
    }
    const choice = (ref: ProjectRef): ProjectChoice => {
      const project = known.get(ref.gid);
      return project === undefined ? { ...ref, url: null } : choiceOf(project);
    };
    // One reading per project the message reports on: the interpreter may call out, so what it
    // says is checked here too: a project named that is not the writer's nor found is no project.
    return message.readings.map((interpretation): Reading => {
      const named =
        interpretation.project === null
          ? interpretation.projectRefs
              .filter((c) => c.reason !== "only_project")
              .map((c) => choice(c.project))
          : [];
      return {
        project: interpretation.project === null ? null : choice(interpretation.project),
        named: [...new Map(named.map((p) => [p.gid, p])).values()],
        parsed: toParsedUpdate(interpretation),
        unread: interpretation.unread,
        unknownPmoIds: interpretation.unknownPmoIds,
        etaUncertain: interpretation.etaUncertain,
        unsplit:
          interpretation.project === null &&
          interpretation.projectRefs.filter((c) => c.reason === "pmo_id" && c.score > OUTSIDE_ITEM_SCORE)
            .length > 1,
      };
    });
  }
}
