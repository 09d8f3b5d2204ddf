import type { AnyBlock, ModalView } from "@slack/types";
import type { Authorization } from "../authorization/authorization.ts";
import { StoreError, VersionConflictError } from "../errors.ts";
import { formatDateTime, type Locale, t } from "../i18n/index.ts";
import type { Logger } from "../logger.ts";
import type { Clock, Finding, FindingStatus, Project } from "../model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE, type FindingActionId } from "../slack/action-ids.ts";
import { findingKey, findingsIn, refreshFindingLines } from "../slack/blocks/finding-lines.ts";
import { findingMessage } from "../slack/blocks/finding-message.ts";
import { actionsFor, projectName, type RenderContext, statusLine } from "../slack/blocks/finding-parts.ts";
import { DEFAULT_HOME_STATE, type HomeState } from "../slack/blocks/home/home-state.ts";
import { ackModal } from "../slack/blocks/modals/ack-modal.ts";
import { encodeFindingModalMetadata } from "../slack/blocks/modals/finding-modal-metadata.ts";
import { snoozeModal } from "../slack/blocks/modals/snooze-modal.ts";
import type { SnoozeDays } from "../slack/finding-modal-ids.ts";
import { mentionUser } from "../slack/mrkdwn.ts";
import type { FindingRef } from "../store/findings-repository.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import type { FindingOrigin, FindingRequest, MessageOrigin } from "./finding-origin.ts";

/**
 * The finding buttons' use cases (DESIGN.md section 6): who may do what, the transition itself
 * (conditional on the stored version, so of two clicks at once exactly one changes the finding),
 * and what the user should see afterwards. No Slack calls here: each use case returns a
 * FindingOutcome saying what to open, update, tell and republish.
 */

export type FindingActionKind = "acknowledge" | "resolve" | "snooze";

const ACTION_ID: { readonly [A in FindingActionKind]: FindingActionId } = {
  acknowledge: FINDING_ACK,
  resolve: FINDING_RESOLVE,
  snooze: FINDING_SNOOZE,
};

export type FindingResult = "modal" | "done" | "denied" | "stale" | "not_found" | "busy" | "failed";

/** The clicked message rendered again: chat.update on its channel and ts. */
export type MessageUpdate = { channel: string; ts: string; text: string; blocks: AnyBlock[] };

export type FindingOutcome = {
  result: FindingResult;
  /** The finding as stored afterwards (null when it does not exist). */
  finding: Finding | null;
  /** A modal to open with the click's trigger_id. */
  modal: ModalView | null;
  messageUpdate: MessageUpdate | null;
  /** A line only the acting user sees, in the message's channel (chat.postEphemeral). */
  ephemeral: { channel: string; text: string } | null;
  /** The acting user's Home, to publish again with this state and this notice on top. */
  home: { state: HomeState; notice: string | null } | null;
};

export type FindingActionsDeps = {
  repos: Pick<Repositories, "findings" | "projects" | "changelog">;
  users: Pick<UserDirectory, "localeOf" | "slackUserIdFor">;
  authorization: Pick<Authorization, "may">;
  clock: Clock;
  /** Language and time zone of the channel's messages (the alerts job renders them the same way). */
  channel: { locale: Locale; timeZone: string };
  logger: Pick<Logger, "error">;
};

/** A finding that keeps changing under the click is given up after this many rereads. */
const WRITE_ATTEMPTS = 4;
/** As many changelog entries as the alerts job reads to render a finding's message. */
const CHANGES_READ = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Stale: the finding moved on since the message was rendered. Resolved, or the action is no
 * longer offered in its status, or the message showed another status.
 */
export function isStale(
  finding: Pick<Finding, "status">,
  action: FindingActionKind,
  shownStatus: FindingStatus | null,
): boolean {
  if (finding.status === "resolved") return true;
  if (!actionsFor(finding).includes(ACTION_ID[action])) return true;
  return shownStatus !== null && shownStatus !== finding.status;
}

type Loaded = { locale: Locale; finding: Finding; project: Project | null };

export class FindingActions {
  constructor(private readonly deps: FindingActionsDeps) {}

  /** Acknowledge clicked: the comment modal, or why not. */
  startAcknowledge(request: FindingRequest): Promise<FindingOutcome> {
    return this.guarded(request, () =>
      this.start(request, "acknowledge", (locale, loaded, metadata) =>
        ackModal(locale, { finding: loaded.finding, project: loaded.project, metadata }),
      ),
    );
  }

  /** Snooze clicked: the modal with the choice of days, or why not. */
  startSnooze(request: FindingRequest): Promise<FindingOutcome> {
    return this.guarded(request, () =>
      this.start(request, "snooze", (locale, loaded, metadata) =>
        snoozeModal(locale, { finding: loaded.finding, project: loaded.project, metadata }),
      ),
    );
  }

  /** The acknowledge modal submitted with a valid comment. */
  acknowledge(request: FindingRequest, comment: string): Promise<FindingOutcome> {
    return this.guarded(request, () =>
      this.apply(request, "acknowledge", (ref) =>
        this.deps.repos.findings.acknowledge(ref, { userId: request.userId, comment }),
      ),
    );
  }

  /** Resolve clicked (no modal): resolved by hand. */
  resolve(request: FindingRequest): Promise<FindingOutcome> {
    return this.guarded(request, () =>
      this.apply(request, "resolve", (ref) => this.deps.repos.findings.resolve(ref, request.userId)),
    );
  }

  /** The snooze modal submitted: snoozed until now plus that many days. */
  snooze(request: FindingRequest, days: SnoozeDays): Promise<FindingOutcome> {
    const until = new Date(this.deps.clock().getTime() + days * DAY_MS);
    return this.guarded(request, () =>
      this.apply(request, "snooze", (ref) => this.deps.repos.findings.snooze(ref, until, request.userId)),
    );
  }

  /** An unexpected failure (the store unreachable, say) is logged, and the user asked to try again. */
  private async guarded(
    request: FindingRequest,
    run: () => Promise<FindingOutcome>,
  ): Promise<FindingOutcome> {
    try {
      return await run();
    } catch (error) {
      this.deps.logger.error(
        { err: error, userId: request.userId, finding: findingKey(request.target) },
        "finding action failed",
      );
      const locale = await this.deps.users.localeOf(request.userId).catch(() => this.deps.channel.locale);
      return this.tell(request, "failed", null, t(locale, "findingAction.failed"));
    }
  }

  private async start(
    request: FindingRequest,
    action: FindingActionKind,
    modalOf: (locale: Locale, loaded: Loaded, metadata: string) => ModalView,
  ): Promise<FindingOutcome> {
    const loaded = await this.load(request);
    if (loaded === null) return this.notFound(request);
    const denial = await this.denial(request.userId, action, loaded);
    if (denial !== null) return this.tell(request, "denied", null, denial);
    if (isStale(loaded.finding, action, request.shownStatus)) return this.stale(request, loaded);
    const metadata = encodeFindingModalMetadata({
      target: request.target,
      // Unknown from the click: then the status the modal opened on is what the submission checks.
      shownStatus: request.shownStatus ?? loaded.finding.status,
      origin: request.origin,
    });
    return { ...nothing(loaded.finding), result: "modal", modal: modalOf(loaded.locale, loaded, metadata) };
  }

  private async apply(
    request: FindingRequest,
    action: FindingActionKind,
    write: (ref: FindingRef) => Promise<Finding>,
  ): Promise<FindingOutcome> {
    const loaded = await this.load(request);
    if (loaded === null) return this.notFound(request);
    const denial = await this.denial(request.userId, action, loaded);
    if (denial !== null) return this.tell(request, "denied", loaded.finding, denial);
    let current = loaded.finding;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      if (isStale(current, action, request.shownStatus))
        return this.stale(request, { ...loaded, finding: current });
      try {
        const updated = await write({
          projectGid: current.projectGid,
          ruleId: current.ruleId,
          expectedVersion: current.version,
        });
        return this.done(request, action, { ...loaded, finding: updated });
      } catch (error) {
        const conflict =
          error instanceof VersionConflictError ||
          (error instanceof StoreError && error.code === "invalid_transition");
        if (error instanceof StoreError && error.code === "not_found") return this.notFound(request);
        if (!conflict) throw error;
        // Someone (a person, or the alerts job's bookkeeping) wrote first: decide again on what is stored.
        const reread = await this.deps.repos.findings.get(current.projectGid, current.ruleId);
        if (reread === null) return this.notFound(request);
        current = reread;
      }
    }
    return this.tell(request, "busy", current, t(loaded.locale, "findingAction.busy"));
  }

  private async load(request: FindingRequest): Promise<Loaded | null> {
    const [locale, finding] = await Promise.all([
      this.deps.users.localeOf(request.userId),
      this.deps.repos.findings.get(request.target.projectGid, request.target.ruleId),
    ]);
    if (finding === null) return null;
    const project = await this.deps.repos.projects.get(finding.projectGid);
    return { locale, finding, project };
  }

  /** Why the user may not do this (in their language, naming who may), or null when they may. */
  private async denial(userId: string, action: FindingActionKind, loaded: Loaded): Promise<string | null> {
    if (await this.deps.authorization.may(userId, action, loaded.project)) return null;
    if (action !== "acknowledge") return t(loaded.locale, `findingAction.denied.${action}`);
    const responsable = mentionUser(
      await this.deps.users.slackUserIdFor(loaded.project?.responsableKey ?? null),
    );
    return responsable === null
      ? t(loaded.locale, "findingAction.denied.acknowledge")
      : t(loaded.locale, "findingAction.denied.acknowledgeResponsable", { responsable });
  }

  private async done(
    request: FindingRequest,
    action: FindingActionKind,
    loaded: Loaded,
  ): Promise<FindingOutcome> {
    const { locale, finding, project } = loaded;
    const messageUpdate = await this.messageUpdate(request.origin, finding, project);
    const name = projectName(locale, finding.projectGid, project);
    const notice =
      action === "snooze"
        ? t(locale, "findingAction.done.snooze", {
            project: name,
            date: formatDateTime(
              locale,
              this.deps.channel.timeZone,
              finding.snoozedUntil ?? finding.updatedAt,
            ),
          })
        : t(locale, `findingAction.done.${action}`, { project: name });
    const { origin } = request;
    if (origin.kind === "home")
      return { ...nothing(finding), result: "done", messageUpdate, home: { state: origin.home, notice } };
    return {
      ...nothing(finding),
      result: "done",
      messageUpdate,
      // The updated message says it; where it cannot be updated, the user is told here.
      ephemeral: messageUpdate === null ? { channel: origin.channel, text: notice } : null,
      home: { state: DEFAULT_HOME_STATE, notice: null },
    };
  }

  private async stale(request: FindingRequest, loaded: Loaded): Promise<FindingOutcome> {
    const { locale, finding, project } = loaded;
    const ctx: RenderContext = { locale, timeZone: this.deps.channel.timeZone, slackUserIdFor: () => null };
    const status = statusLine(ctx, finding) ?? t(locale, "findingAction.nowOpen");
    const outcome = this.tell(request, "stale", finding, t(locale, "findingAction.stale", { status }));
    return { ...outcome, messageUpdate: await this.messageUpdate(request.origin, finding, project) };
  }

  private async notFound(request: FindingRequest): Promise<FindingOutcome> {
    const locale = await this.deps.users.localeOf(request.userId);
    return this.tell(request, "not_found", null, t(locale, "findingAction.notFound"));
  }

  /** Only a notice: ephemeral under a message, on top of the Home when the click came from there. */
  private tell(
    request: FindingRequest,
    result: FindingResult,
    finding: Finding | null,
    notice: string,
  ): FindingOutcome {
    const { origin } = request;
    return origin.kind === "home"
      ? { ...nothing(finding), result, home: { state: origin.home, notice } }
      : { ...nothing(finding), result, ephemeral: { channel: origin.channel, text: notice } };
  }

  /** The clicked message as it should look now; null when it cannot be updated. */
  private async messageUpdate(
    origin: FindingOrigin,
    finding: Finding,
    project: Project | null,
  ): Promise<MessageUpdate | null> {
    if (origin.kind !== "message" || origin.ephemeral) return null;
    const ctx = await this.channelContext(project);
    if (isOwnAlert(origin, finding)) {
      const changes = await this.deps.repos.changelog.listForProject(finding.projectGid, CHANGES_READ);
      const message = findingMessage(ctx, { finding, project, changes });
      return { channel: origin.channel, ts: origin.ts, ...message };
    }
    if (origin.current === null) return null;
    const others = findingsIn(origin.current.blocks).filter((ref) => findingKey(ref) !== findingKey(finding));
    const stored = new Map(
      [...(others.length === 0 ? [] : await this.deps.repos.findings.getMany(others)), finding].map((f) => [
        findingKey(f),
        f,
      ]),
    );
    return {
      channel: origin.channel,
      ts: origin.ts,
      ...refreshFindingLines(ctx, origin.current, stored, finding),
    };
  }

  private async channelContext(project: Project | null): Promise<RenderContext> {
    const owner = await this.deps.users.slackUserIdFor(project?.responsableKey ?? null);
    return {
      locale: this.deps.channel.locale,
      timeZone: this.deps.channel.timeZone,
      slackUserIdFor: (p) =>
        p.responsableKey !== null && p.responsableKey === project?.responsableKey ? owner : null,
    };
  }
}

function isOwnAlert(origin: MessageOrigin, finding: Finding): boolean {
  if (origin.layout === "single") return true;
  return finding.alert !== null && finding.alert.channel === origin.channel && finding.alert.ts === origin.ts;
}

function nothing(finding: Finding | null): Omit<FindingOutcome, "result"> {
  return { finding, modal: null, messageUpdate: null, ephemeral: null, home: null };
}
