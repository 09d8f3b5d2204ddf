import type { KnownBlock, ModalView } from "@slack/types";
import { formatDateTime, t } from "../../../i18n/index.ts";
import type { Locale } from "../../../model.ts";
import type { IssuedLink } from "../../../web-access/sign-in-links.ts";
import type { SlackMessage } from "../finding-parts.ts";

/** The action id of the link button (a URL button still sends an action, which is only acked). */
export const PANEL_LINK_ACTION = "web_panel_link";

/** The answer to `/pmo panel` (and the Home's button): the one-time link, or why there is none. */
export function panelLinkMessage(
  ctx: { locale: Locale; timeZone: string },
  link: IssuedLink | null,
): SlackMessage {
  if (link === null) return line(t(ctx.locale, "panel.off"));
  if (link.kind === "denied") return line(t(link.locale, "panel.denied"));
  const time = formatDateTime(link.locale, ctx.timeZone, link.expiresAt).split(", ").at(-1) ?? "";
  const text = t(link.locale, "panel.link", { time });
  const blocks: KnownBlock[] = [
    { type: "section", block_id: "panel-link", text: { type: "mrkdwn", text } },
    {
      type: "actions",
      block_id: "panel-actions",
      elements: [
        {
          type: "button",
          action_id: PANEL_LINK_ACTION,
          style: "primary",
          text: { type: "plain_text", text: t(link.locale, "panel.button"), emoji: true },
          url: link.url,
        },
      ],
    },
  ];
  return { text: `${text} ${link.url}`, blocks };
}

function line(text: string): SlackMessage {
  return { text, blocks: [{ type: "section", block_id: "panel-link", text: { type: "mrkdwn", text } }] };
}

/** The answer to the Home's button (a Home has no ephemeral messages): the same message, in a modal. */
export function panelLinkModal(
  ctx: { locale: Locale; timeZone: string },
  link: IssuedLink | null,
): ModalView {
  const locale = link?.locale ?? ctx.locale;
  return {
    type: "modal",
    title: { type: "plain_text", text: t(locale, "panel.modal.title"), emoji: true },
    close: { type: "plain_text", text: t(locale, "panel.modal.close"), emoji: true },
    blocks: panelLinkMessage(ctx, link).blocks,
  };
}
