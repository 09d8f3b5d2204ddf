import { z } from "zod";
import type { FindingOutcome } from "../services/findings/finding-actions.ts";
import type { FindingOrigin, FindingRequest } from "../services/findings/finding-origin.ts";
import { FINDING_STATUSES, type Finding } from "../services/model.ts";
import { DEFAULT_HOME_STATE } from "../services/slack/blocks/home/home-state.ts";
import { checkAckComment } from "../services/slack/blocks/modals/ack-modal.ts";
import { isSnoozeDays } from "../services/slack/finding-modal-ids.ts";
import { withCurrentMessage } from "../services/slack/finding-replies.ts";
import type { WebDeps } from "./deps.ts";
import type { PageContext } from "./layout.ts";
import type { Notice } from "./notices.ts";

/**
 * A finding action from the dashboard: the same use case as the Slack buttons (FindingActions:
 * who may, the versioned transition, the changelog entry), then the Slack message that alerted
 * the finding rendered again in place, exactly as after a click in Slack.
 */

const actionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("acknowledge"), comment: z.string().max(5_000) }),
  z.object({ action: z.literal("resolve") }),
  z.object({ action: z.literal("snooze"), days: z.coerce.number().int() }),
]);

const targetSchema = z.object({
  projectGid: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/),
  ruleId: z.string().regex(/^[a-z0-9_:-]{1,64}$/),
  shown: z.enum(FINDING_STATUSES),
});

/** Where Slack shows the finding: its own alert, else the digest it went into; the Home when neither. */
export function originOf(finding: Finding): FindingOrigin {
  if (finding.alert !== null)
    return {
      kind: "message",
      channel: finding.alert.channel,
      ts: finding.alert.ts,
      layout: "single",
      ephemeral: false,
      current: null,
    };
  const digest = finding.digest ?? null;
  if (digest !== null && digest.occurrence === finding.occurrences)
    return {
      kind: "message",
      channel: digest.channel,
      ts: digest.ts,
      layout: "lines",
      ephemeral: false,
      current: null,
    };
  return { kind: "home", home: DEFAULT_HOME_STATE };
}

function noticeOf(outcome: FindingOutcome, action: "acknowledge" | "resolve" | "snooze"): Notice {
  switch (outcome.result) {
    case "done":
      return `done.${action}`;
    case "modal":
      return "failed";
    default:
      return outcome.result;
  }
}

export async function runFindingAction(
  deps: WebDeps,
  ctx: PageContext,
  fields: Readonly<Record<string, string>>,
): Promise<Notice> {
  const target = targetSchema.safeParse(fields);
  const action = actionSchema.safeParse(fields);
  if (!target.success || !action.success) return "invalid";
  const { projectGid, ruleId, shown } = target.data;
  const finding = (await deps.services.dashboard.projectFindings(projectGid)).find(
    (f) => f.ruleId === ruleId,
  );
  if (finding === undefined) return "not_found";
  const origin =
    deps.slack === null
      ? originOf(finding)
      : await withCurrentMessage(deps.slack, originOf(finding), deps.logger);
  const request: FindingRequest = {
    userId: ctx.slackUserId,
    target: { projectGid, ruleId },
    shownStatus: shown,
    origin,
  };
  const { findings } = deps.services;
  let outcome: FindingOutcome;
  switch (action.data.action) {
    case "acknowledge": {
      const check = checkAckComment(ctx.locale, action.data.comment);
      if (!check.ok) return "invalid";
      outcome = await findings.acknowledge(request, check.comment);
      break;
    }
    case "resolve":
      outcome = await findings.resolve(request);
      break;
    case "snooze": {
      const days = action.data.days;
      if (!isSnoozeDays(days)) return "invalid";
      outcome = await findings.snooze(request, days);
      break;
    }
  }
  deps.logger.info(
    { userId: ctx.slackUserId, finding: `${projectGid}#${ruleId}`, result: outcome.result, via: "web" },
    "finding action",
  );
  const update = outcome.messageUpdate;
  if (update !== null && deps.slack !== null) {
    await deps.slack.chat
      .update({ channel: update.channel, ts: update.ts, text: update.text, blocks: update.blocks })
      .catch((error: unknown) =>
        deps.logger.warn({ err: error, method: "chat.update" }, "the Slack alert was not updated"),
      );
  }
  return noticeOf(outcome, action.data.action);
}
