import { type ServerType, serve } from "@hono/node-server";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { compress } from "hono/compress";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { mapLimit } from "../services/concurrency.ts";
import type { Locale, SyncRun } from "../services/model.ts";
import { type Assets, buildAssets } from "./assets.ts";
import {
  type ChartsData,
  compliance,
  findingsByVertical,
  severityOverTime,
  syncDurations,
} from "./charts-data.ts";
import { chartsPage, OVER_TIME_DAYS } from "./charts-page.ts";
import type { WebDeps } from "./deps.ts";
import { runFindingAction } from "./finding-action.ts";
import { FINDING_ACTION_PATH } from "./finding-view.ts";
import { findingsPage, parseFindingsQuery } from "./findings-page.ts";
import { type Html, html } from "./html.ts";
import { tw, type WebMessageKey } from "./i18n.ts";
import { type PageContext, publicPage } from "./layout.ts";
import { type Notice, noticeFrom } from "./notices.ts";
import { OPENID_CALLBACK_PATH, OPENID_START_PATH, openIdCallback, openIdStart } from "./openid.ts";
import { parsePortfolioQuery } from "./portfolio-model.ts";
import {
  isListed,
  portfolioPage,
  portfolioRows,
  viewFilterLines,
  viewProjectGids,
} from "./portfolio-page.ts";
import { projectPage } from "./project-page.ts";
import {
  csrfMatches,
  csrfTokenOf,
  isLoopbackHost,
  newSession,
  openSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  type Session,
  sealSession,
} from "./session.ts";
import { freshnessLine, syncPage } from "./sync-page.ts";

/**
 * The web dashboard (issue 14): one more surface beside the Slack listeners, in the same process,
 * over the same services. Every route but the assets and the sign-in pages needs a session; every
 * write carries the session's CSRF token; the Content-Security-Policy allows no inline script.
 */

type Env = { Variables: { session: Session; page: PageContext } };

export const LANG_COOKIE = "pmo_lang";

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const PUBLIC_PREFIXES = ["/assets/", "/auth/", "/lang/"];

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A local path to come back to; anything else (another host, a scheme) becomes "/". */
export function localPath(value: string | null | undefined): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\"))
    return "/";
  return value.slice(0, 2_000);
}

export function withNotice(path: string, notice: Notice): string {
  const url = new URL(path, "http://x");
  url.searchParams.set("notice", notice);
  return `${url.pathname}${url.search}`;
}

/** How long the changelog replay behind the severity chart is reused. */
const CHART_CHANGES_MAX_AGE_MS = 5 * 60_000;

export type WebApp = { app: Hono<Env>; assets: Assets };

export async function createWebApp(deps: WebDeps): Promise<WebApp> {
  const { services, settings, logger } = deps;
  const secret = services.web.sessionSecret;
  const assets = await buildAssets();
  const app = new Hono<Env>();
  let chartChanges: {
    at: number;
    promise: Promise<Awaited<ReturnType<typeof services.dashboard.projectChanges>>>;
  } | null = null;

  const localeOf = async (c: Context, slackUserId: string | null): Promise<Locale> => {
    const chosen = getCookie(c, LANG_COOKIE);
    if (chosen === "es" || chosen === "en") return chosen;
    if (slackUserId !== null) return services.users.localeOf(slackUserId).catch(() => settings.defaultLocale);
    const accepted = c.req.header("accept-language") ?? "";
    if (/^\s*en\b/i.test(accepted)) return "en";
    if (/^\s*es\b/i.test(accepted)) return "es";
    return settings.defaultLocale;
  };

  const secureCookie = (c: Context): boolean => !isLoopbackHost(new URL(c.req.url).hostname);

  const publicHtml = (
    c: Context,
    locale: Locale,
    status: 200 | 400 | 401 | 403 | 404,
    title: string,
    body: Html,
  ) => c.html(publicPage(locale, assets.urls, title, body).value, status);

  const signInBody = (locale: Locale, message: string | null): Html =>
    html`<section class="signin"><h1>${tw(locale, "signIn.title")}</h1>
${message === null ? "" : html`<p class="notice error">${message}</p>`}
<p>${tw(locale, "signIn.how")}</p>
${settings.openId === null ? "" : html`<p><a class="button" href="${OPENID_START_PATH}">${tw(locale, "signIn.withSlack")}</a></p>`}
</section>`;

  const startSession = (c: Context, slackUserId: string): void => {
    const session = newSession(slackUserId, deps.clock());
    setCookie(c, SESSION_COOKIE, sealSession(secret, session), {
      httpOnly: true,
      secure: secureCookie(c),
      sameSite: "Lax",
      path: "/",
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
  };

  app.use("*", async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    if (!c.req.path.startsWith("/assets/")) c.header("Cache-Control", "no-store");
  });
  app.use("*", compress());
  app.use("*", bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("payload too large", 413) }));

  app.get("/assets/:name", (c) => {
    const asset = assets.get(c.req.param("name"));
    if (asset === undefined) return c.text("not found", 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });

  app.get("/lang/:locale", (c) => {
    const locale = c.req.param("locale");
    if (locale === "es" || locale === "en")
      setCookie(c, LANG_COOKIE, locale, {
        path: "/",
        sameSite: "Lax",
        secure: secureCookie(c),
        maxAge: 31_536_000,
      });
    return c.redirect(localPath(c.req.query("back")), 303);
  });

  app.get("/auth/link", async (c) => {
    const locale = await localeOf(c, null);
    const token = c.req.query("t") ?? "";
    const check = await services.web.links.check(token);
    if (check.kind === "refused")
      return publicHtml(
        c,
        locale,
        401,
        tw(locale, "signIn.title"),
        signInBody(locale, tw(locale, `signIn.refused.${check.reason}`)),
      );
    // A page that asks to continue: link previews and prefetchers follow GETs, and must not use the link.
    return publicHtml(
      c,
      locale,
      200,
      tw(locale, "signIn.title"),
      html`<section class="signin"><h1>${tw(locale, "signIn.title")}</h1><p>${tw(locale, "signIn.confirm")}</p>
<form method="post" action="/auth/link"><input type="hidden" name="t" value="${token}"><button type="submit" id="continue">${tw(locale, "signIn.continue")}</button></form></section>`,
    );
  });

  app.post("/auth/link", async (c) => {
    const locale = await localeOf(c, null);
    const form = await c.req.parseBody();
    const token = typeof form.t === "string" ? form.t : "";
    const redeemed = await services.web.links.redeem(token);
    if (redeemed.kind === "refused") {
      logger.info({ reason: redeemed.reason }, "web sign-in link refused");
      return publicHtml(
        c,
        locale,
        401,
        tw(locale, "signIn.title"),
        signInBody(locale, tw(locale, `signIn.refused.${redeemed.reason}`)),
      );
    }
    startSession(c, redeemed.slackUserId);
    logger.info({ user: redeemed.slackUserId }, "web session started");
    return c.redirect("/", 303);
  });

  app.get(OPENID_START_PATH, async (c) => {
    const locale = await localeOf(c, null);
    if (settings.openId === null)
      return publicHtml(c, locale, 404, tw(locale, "signIn.title"), signInBody(locale, null));
    return openIdStart(c, settings.openId, secret, deps.clock, secureCookie(c));
  });

  app.get(OPENID_CALLBACK_PATH, async (c) => {
    const locale = await localeOf(c, null);
    if (settings.openId === null)
      return publicHtml(c, locale, 404, tw(locale, "signIn.title"), signInBody(locale, null));
    const identity = await openIdCallback(c, settings.openId, secret, {
      timeoutMs: settings.slackTimeoutMs,
      clock: deps.clock,
    }).catch((error: unknown) => {
      logger.warn({ err: error }, "Sign in with Slack failed");
      return null;
    });
    if (identity === null)
      return publicHtml(
        c,
        locale,
        401,
        tw(locale, "signIn.title"),
        signInBody(locale, tw(locale, "signIn.refused.openid")),
      );
    const admitted = await services.web.links.admit(identity.slackUserId, identity.teamId);
    if (admitted.kind === "refused")
      return publicHtml(
        c,
        locale,
        403,
        tw(locale, "signIn.title"),
        signInBody(locale, tw(locale, `signIn.refused.${admitted.reason}`)),
      );
    startSession(c, admitted.slackUserId);
    logger.info({ user: admitted.slackUserId }, "web session started (Sign in with Slack)");
    return c.redirect("/", 303);
  });

  app.post("/auth/logout", async (c) => {
    const session = openSession(secret, getCookie(c, SESSION_COOKIE), deps.clock());
    const form = await c.req.parseBody();
    const locale = await localeOf(c, session?.slackUserId ?? null);
    if (session !== null && !csrfMatches(secret, session, typeof form._csrf === "string" ? form._csrf : null))
      return publicHtml(
        c,
        locale,
        403,
        tw(locale, "signIn.title"),
        html`<p class="notice error">${tw(locale, "error.csrf")}</p>`,
      );
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secureCookie(c) });
    return publicHtml(
      c,
      locale,
      200,
      tw(locale, "signIn.title"),
      signInBody(locale, tw(locale, "signedOut")),
    );
  });

  // Everything below needs a session of someone who may read: no page and no data without one.
  app.use("*", async (c, next) => {
    if (PUBLIC_PREFIXES.some((prefix) => c.req.path.startsWith(prefix))) return next();
    const now = deps.clock();
    const session = openSession(secret, getCookie(c, SESSION_COOKIE), now);
    if (session === null) {
      const locale = await localeOf(c, null);
      return publicHtml(c, locale, 401, tw(locale, "signIn.title"), signInBody(locale, null));
    }
    if (!(await services.authorization.may(session.slackUserId, "read").catch(() => false))) {
      deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secureCookie(c) });
      const locale = await localeOf(c, null);
      return publicHtml(
        c,
        locale,
        403,
        tw(locale, "signIn.title"),
        signInBody(locale, tw(locale, "error.denied")),
      );
    }
    const locale = await localeOf(c, session.slackUserId);
    const url = new URL(c.req.url);
    const noticeParam = url.searchParams.get("notice");
    const notice = noticeFrom(noticeParam);
    c.set("session", session);
    c.set("page", {
      locale,
      slackUserId: session.slackUserId,
      csrf: csrfTokenOf(secret, session),
      isAdmin: services.authorization.isAdmin(session.slackUserId),
      now,
      timeZone: settings.timeZone,
      here: `${url.pathname}${url.search}`,
      flash:
        notice === null
          ? null
          : {
              text: tw(locale, `notice.${notice}` satisfies WebMessageKey),
              kind: notice.startsWith("done.") ? "info" : "error",
            },
    });
    return next();
  });

  // Every write below carries the session's CSRF token, in the form or in X-CSRF-Token.
  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const form = await c.req.parseBody();
    const given = c.req.header("x-csrf-token") ?? (typeof form._csrf === "string" ? form._csrf : null);
    if (!csrfMatches(secret, c.get("session"), given)) {
      const ctx = c.get("page");
      logger.warn(
        { user: ctx.slackUserId, path: c.req.path },
        "web write refused: CSRF token missing or wrong",
      );
      return publicHtml(
        c,
        ctx.locale,
        403,
        tw(ctx.locale, "app.title"),
        html`<p class="notice error">${tw(ctx.locale, "error.csrf")}</p>`,
      );
    }
    return next();
  });

  const actorOf = async (slackUserId: string) => ({
    slackUserId,
    asanaUserGid: await services.users.asanaUserOf(slackUserId).catch(() => null),
  });

  const recentSyncs = (limit: number): Promise<SyncRun[]> =>
    services.dashboard.recentSyncs(limit).catch((error: unknown) => {
      logger.warn({ err: error }, "the sync log could not be read");
      return [];
    });

  app.get("/", async (c) => {
    const ctx = c.get("page");
    const [portfolio, runs] = await Promise.all([services.portfolio.read(), recentSyncs(10)]);
    const rows = portfolioRows(portfolio, ctx.now, services.dashboard.freshUpdateDays);
    const params = new URL(c.req.url).searchParams;
    return c.html(
      portfolioPage(ctx, assets.urls, {
        rows,
        filters: parsePortfolioQuery(params),
        freshness: freshnessLine(ctx, runs),
        allRows: params.get("all") === "1",
      }).value,
    );
  });

  app.get("/projects/:gid", async (c) => {
    const ctx = c.get("page");
    const gid = c.req.param("gid");
    const portfolio = await services.portfolio.read();
    const project = portfolio.projects.get(gid);
    if (project === undefined)
      return c.html(
        publicPage(
          ctx.locale,
          assets.urls,
          tw(ctx.locale, "project.notFound"),
          html`<p>${tw(ctx.locale, "project.notFound")} <a href="/">${tw(ctx.locale, "nav.portfolio")}</a></p>`,
        ).value,
        404,
      );
    const [findings, changes, updates, actor] = await Promise.all([
      services.dashboard.projectFindings(gid),
      services.dashboard.projectChanges(gid, 500),
      services.dashboard.projectUpdates(gid, 50),
      actorOf(ctx.slackUserId),
    ]);
    return c.html(
      projectPage(ctx, assets.urls, {
        project,
        findings: [...findings].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
        changes,
        updates,
        actor,
        authorization: services.authorization,
        freshUpdateDays: services.dashboard.freshUpdateDays,
      }).value,
    );
  });

  app.get("/findings", async (c) => {
    const ctx = c.get("page");
    const [portfolio, actor] = await Promise.all([services.portfolio.read(), actorOf(ctx.slackUserId)]);
    const verticals = [
      ...new Set([...portfolio.projects.values()].map((p) => p.businessVertical).filter((v) => v !== null)),
    ].sort();
    return c.html(
      findingsPage(ctx, assets.urls, {
        entries: portfolio.openFindings,
        verticals,
        filters: parseFindingsQuery(new URL(c.req.url).searchParams),
        actor,
        authorization: services.authorization,
      }).value,
    );
  });

  app.post(FINDING_ACTION_PATH, async (c) => {
    const ctx = c.get("page");
    const form = await c.req.parseBody();
    const fields = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    const back = localPath(fields.back);
    const notice = await runFindingAction(deps, ctx, fields);
    return c.redirect(withNotice(back, notice), 303);
  });

  app.get("/sync", async (c) => {
    const ctx = c.get("page");
    return c.html(syncPage(ctx, assets.urls, await recentSyncs(50)).value);
  });

  app.get("/charts", async (c) => {
    const ctx = c.get("page");
    const [portfolio, runs] = await Promise.all([services.portfolio.read(), recentSyncs(100)]);
    const rows = portfolioRows(portfolio, ctx.now, services.dashboard.freshUpdateDays);
    const nowMs = ctx.now.getTime();
    if (chartChanges === null || nowMs - chartChanges.at > CHART_CHANGES_MAX_AGE_MS) {
      const gids = [...portfolio.projects.values()].filter(isListed).map((p) => p.gid);
      const promise = mapLimit(gids, 16, (gid) => services.dashboard.projectChanges(gid, 1_000)).then(
        (lists) => lists.flat(),
      );
      chartChanges = { at: nowMs, promise };
      promise.catch(() => {
        chartChanges = null;
      });
    }
    const changes = await chartChanges.promise;
    const noVertical = tw(ctx.locale, "charts.noVertical");
    const data: ChartsData = {
      overTime: severityOverTime(changes, ctx.now, OVER_TIME_DAYS, ctx.timeZone),
      byVertical: findingsByVertical(portfolio.openFindings, noVertical),
      complianceByResponsable: compliance(
        rows,
        (r) => r.project.responsable ?? tw(ctx.locale, "charts.noResponsable"),
        40,
      ),
      complianceByVertical: compliance(rows, (r) => r.project.businessVertical ?? noVertical, 40),
      syncDurations: syncDurations(runs, ctx.timeZone),
    };
    return c.html(chartsPage(ctx, assets.urls, data).value);
  });

  app.get("/export", async (c) => {
    const ctx = c.get("page");
    const filters = parsePortfolioQuery(new URL(c.req.url).searchParams);
    // The workbook of the view: its projects chosen by the page's own filter rules, the findings
    // narrowed to the severity asked for, as `/pmo exportar severidad` narrows them.
    const answer = await services.export.exportFor(
      ctx.slackUserId,
      { severities: filters.sev === null ? [] : [filters.sev], vertical: null, responsable: null },
      async () => {
        const portfolio = await services.portfolio.read();
        const rows = portfolioRows(portfolio, ctx.now, services.dashboard.freshUpdateDays);
        return {
          projectGids: viewProjectGids(ctx, rows, filters),
          filterLines: viewFilterLines(ctx.locale, filters),
        };
      },
    );
    if (answer.kind === "denied")
      return c.html(
        publicPage(
          ctx.locale,
          assets.urls,
          tw(ctx.locale, "export.button"),
          html`<p class="notice error">${tw(ctx.locale, "export.denied")}</p>`,
        ).value,
        403,
      );
    logger.info({ user: ctx.slackUserId, counts: answer.export.counts }, "web export");
    return c.body(new Uint8Array(answer.export.file), 200, {
      "Content-Type": XLSX,
      "Content-Disposition": `attachment; filename="${answer.export.filename}"`,
    });
  });

  app.notFound((c) => {
    const ctx = c.get("page");
    return c.html(
      publicPage(
        ctx.locale,
        assets.urls,
        tw(ctx.locale, "error.notFound"),
        html`<p>${tw(ctx.locale, "error.notFound")} <a href="/">${tw(ctx.locale, "nav.portfolio")}</a></p>`,
      ).value,
      404,
    );
  });

  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, "web request failed");
    return c.text("error", 500);
  });

  return { app, assets };
}

export type RunningWeb = { port: number; close(): Promise<void> };

/** Serves the dashboard on `port` (0: any free port) on every interface, like the health endpoints. */
export async function startWebServer(deps: WebDeps, port: number, host = "0.0.0.0"): Promise<RunningWeb> {
  const { app } = await createWebApp(deps);
  const { server, listening } = await new Promise<{ server: ServerType; listening: number }>((ok, fail) => {
    const started = serve({ fetch: app.fetch, port, hostname: host }, (info) =>
      ok({ server: started, listening: info.port }),
    );
    started.once("error", fail);
  });
  return {
    port: listening,
    close: () =>
      new Promise<void>((ok) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
