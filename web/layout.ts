import { formatCalendarDate, formatDateTime } from "../services/i18n/index.ts";
import type { Locale } from "../services/model.ts";
import { type Html, html } from "./html.ts";
import { tw, type WebMessageKey } from "./i18n.ts";

/** Who is asking and how pages are rendered for them. */
export type PageContext = {
  locale: Locale;
  slackUserId: string;
  /** The session's CSRF token, carried by every form that writes. */
  csrf: string;
  isAdmin: boolean;
  now: Date;
  timeZone: string;
  /** The path and query asked for (the language switch comes back to it). */
  here: string;
  /** What the last action did, shown on top of the page. */
  flash: { text: string; kind: "info" | "error" } | null;
};

export type NavItem = "portfolio" | "findings" | "sync" | "charts" | null;

const NAV: readonly { item: Exclude<NavItem, null>; href: string; label: WebMessageKey }[] = [
  { item: "portfolio", href: "/", label: "nav.portfolio" },
  { item: "findings", href: "/findings", label: "nav.findings" },
  { item: "sync", href: "/sync", label: "nav.sync" },
  { item: "charts", href: "/charts", label: "nav.charts" },
];

/** The stylesheet and scripts the app serves itself (no CDN); see web/assets.ts. */
export type AssetUrls = { css: string; script(name: "portfolio" | "charts"): string };

export function dateTime(ctx: Pick<PageContext, "locale" | "timeZone">, iso: string | null): string {
  return iso === null ? tw(ctx.locale, "value.none") : formatDateTime(ctx.locale, ctx.timeZone, iso);
}

export function calendarDate(locale: Locale, iso: string | null): string {
  return iso === null ? tw(locale, "value.none") : formatCalendarDate(locale, iso);
}

function shell(
  locale: Locale,
  title: string,
  assets: AssetUrls,
  header: Html,
  body: Html,
  scripts: Html,
): Html {
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · PMO Pulse</title>
<link rel="stylesheet" href="${assets.css}">
${scripts}
</head>
<body>
${header}
<main id="main">
${body}
</main>
</body>
</html>`;
}

/** A page of a signed-in person: the navigation, the language switch and the sign-out form. */
export function page(
  ctx: PageContext,
  assets: AssetUrls,
  options: { title: string; active: NavItem; body: Html; scripts?: readonly ("portfolio" | "charts")[] },
): Html {
  const other: Locale = ctx.locale === "es" ? "en" : "es";
  const header = html`<header class="top">
<a class="brand" href="/">PMO Pulse</a>
<nav aria-label="PMO Pulse">${NAV.map(
    (n) =>
      html`<a href="${n.href}"${n.item === options.active ? html` aria-current="page"` : ""}>${tw(ctx.locale, n.label)}</a>`,
  )}</nav>
<div class="who">
<a class="lang" href="/lang/${other}?back=${encodeURIComponent(ctx.here)}" hreflang="${other}" lang="${other}">${other.toUpperCase()}</a>
<span>${tw(ctx.locale, "nav.signedInAs", { user: ctx.slackUserId })}</span>
<form method="post" action="/auth/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><button type="submit">${tw(ctx.locale, "nav.signOut")}</button></form>
</div>
</header>`;
  // Modules run after the document is parsed wherever they are; in the head they are fetched at once.
  const scripts = (options.scripts ?? []).map(
    (name) => html`<script type="module" src="${assets.script(name)}"></script>`,
  );
  const flash = ctx.flash === null ? html`` : notice(ctx.flash.text, ctx.flash.kind);
  return shell(ctx.locale, options.title, assets, header, html`${flash}${options.body}`, html`${scripts}`);
}

/** A page for someone without a session: sign-in, refusals, sign-out. */
export function publicPage(locale: Locale, assets: AssetUrls, title: string, body: Html): Html {
  const header = html`<header class="top"><span class="brand">PMO Pulse</span></header>`;
  return shell(locale, title, assets, header, body, html``);
}

export function notice(text: string | null, kind: "info" | "error" = "info"): Html {
  return text === null ? html`` : html`<p class="notice ${kind}" role="status">${text}</p>`;
}
