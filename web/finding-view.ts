import type { Actor, Authorization } from "../services/authorization/authorization.ts";
import { t } from "../services/i18n/index.ts";
import type { Finding, Project } from "../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../services/slack/action-ids.ts";
import { actionsFor, explainFinding } from "../services/slack/blocks/finding-parts.ts";
import { ACK_COMMENT_MAX, SNOOZE_DAY_CHOICES } from "../services/slack/finding-modal-ids.ts";
import { unescapeMrkdwn } from "../services/slack/mrkdwn.ts";
import { type Html, html } from "./html.ts";
import { tw } from "./i18n.ts";
import { dateTime, type PageContext } from "./layout.ts";

/** A finding as the dashboard shows it: what, its state, and the forms of the actions the person may take. */

export const FINDING_ACTION_PATH = "/findings/action";

/** The rule in the reader's words (the same sentence Slack shows), as plain text. */
export function findingText(ctx: Pick<PageContext, "locale">, finding: Finding): string {
  return unescapeMrkdwn(explainFinding(ctx.locale, finding));
}

export function findingState(ctx: PageContext, finding: Finding): Html {
  const l = ctx.locale;
  const status = html`<span class="fstatus ${finding.status}">${tw(l, `findingStatus.${finding.status}`)}</span>`;
  switch (finding.status) {
    case "acknowledged":
      return html`${status} <small>${tw(l, "finding.acknowledgedBy", {
        user: finding.acknowledgedBy ?? "?",
        comment: finding.ackComment ?? "",
      })}</small>`;
    case "snoozed":
      return html`${status} <small>${tw(l, "finding.snoozedUntil", { date: dateTime(ctx, finding.snoozedUntil) })}</small>`;
    case "resolved":
      return html`${status} <small>${tw(l, "finding.resolvedOn", {
        date: dateTime(ctx, finding.resolvedAt),
        how: tw(l, finding.resolution === "manual" ? "finding.resolution.manual" : "finding.resolution.auto"),
      })}${finding.resolvedBy === null ? "" : ` · ${finding.resolvedBy}`}</small>`;
    case "open":
      return status;
  }
}

export function severityBadge(ctx: Pick<PageContext, "locale">, finding: Finding): Html {
  return html`<span class="sev ${finding.severity}">${t(ctx.locale, `severity.${finding.severity}`)}</span>`;
}

/** The action forms the person may use on this finding (the server checks again). */
export function findingForms(
  ctx: PageContext,
  finding: Finding,
  project: Project | null,
  actor: Actor,
  authorization: Pick<Authorization, "decide">,
  back: string,
): Html {
  const l = ctx.locale;
  const offered = actionsFor(finding);
  const hidden = html`<input type="hidden" name="_csrf" value="${ctx.csrf}"><input type="hidden" name="projectGid" value="${finding.projectGid}"><input type="hidden" name="ruleId" value="${finding.ruleId}"><input type="hidden" name="shown" value="${finding.status}"><input type="hidden" name="back" value="${back}">`;
  const forms: Html[] = [];
  if (offered.includes(FINDING_ACK) && authorization.decide(actor, "acknowledge", project))
    forms.push(
      html`<form method="post" action="${FINDING_ACTION_PATH}" class="act ack">${hidden}<input type="hidden" name="action" value="acknowledge"><input name="comment" required maxlength="${ACK_COMMENT_MAX}" placeholder="${tw(l, "action.comment")}" aria-label="${tw(l, "action.comment")}"><button type="submit">${tw(l, "action.acknowledge")}</button></form>`,
    );
  if (offered.includes(FINDING_RESOLVE) && authorization.decide(actor, "resolve", project))
    forms.push(
      html`<form method="post" action="${FINDING_ACTION_PATH}" class="act resolve">${hidden}<input type="hidden" name="action" value="resolve"><button type="submit">${tw(l, "action.resolve")}</button></form>`,
    );
  if (offered.includes(FINDING_SNOOZE) && authorization.decide(actor, "snooze", project))
    forms.push(
      html`<form method="post" action="${FINDING_ACTION_PATH}" class="act snooze">${hidden}<input type="hidden" name="action" value="snooze"><select name="days" aria-label="${tw(l, "action.snooze")}">${SNOOZE_DAY_CHOICES.map(
        (d) =>
          html`<option value="${d}"${d === 7 ? html` selected` : ""}>${tw(l, "action.snoozeDays", { days: d })}</option>`,
      )}</select><button type="submit">${tw(l, "action.snooze")}</button></form>`,
    );
  return html`${forms}`;
}
