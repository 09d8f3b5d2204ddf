import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXPORT_HEADER_ROW } from "../../services/export/workbook.ts";
import { isPortfolioRecord, type PortfolioRecord, ROWS_PER_PAGE } from "../../web/portfolio-model.ts";
import { HOSTILE_STRINGS } from "../fixtures/hostile-strings.ts";
import {
  ADMIN,
  CHANNEL,
  GUEST,
  MEMBER,
  OUTSIDER,
  PM,
  project,
  sessionCookie,
  type WebWorld,
  webWorld,
} from "./web-world.ts";

/**
 * The web dashboard at the HTTP level (Hono's app.request: the whole app, no socket), over the
 * app's real services on dynalite and a fake Slack at the HTTP boundary.
 */

let world: WebWorld;

/** A start or end tag as an HTML parser reads it, quoted attribute values included. */
const TAG =
  /<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
/** The portfolio's records, as its script reads them from the page's JSON data block. */
function recordsOf(body: string): PortfolioRecord[] {
  const json = /<script type="application\/json" id="portfolio-rows">([^<]*)<\/script>/.exec(body)?.[1];
  const parsed: unknown = JSON.parse(json ?? "null");
  if (!Array.isArray(parsed)) throw new Error("no portfolio records in the page");
  return parsed.filter(isPortfolioRecord);
}
const ATTRIBUTE = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;

beforeEach(async () => {
  world = await webWorld();
  await world.seedProject();
});

afterEach(async () => {
  await world.close();
});

const tokenOf = (url: string) => new URL(url).searchParams.get("t") ?? "";

async function linkFor(slackUserId: string): Promise<string> {
  const link = await world.services.web?.links.issue(slackUserId);
  if (link?.kind !== "link") throw new Error("no link");
  return tokenOf(link.url);
}

const postLink = (token: string, host = "localhost") =>
  world.web.app.request(`http://${host}/auth/link`, {
    method: "POST",
    body: new URLSearchParams({ t: token }),
  });

describe("signing in with a one-time link", () => {
  it("asks to continue on GET (a link preview does not use it), then starts a 12-hour session on POST", async () => {
    const token = await linkFor(ADMIN);
    const preview = await world.request(`/auth/link?t=${encodeURIComponent(token)}`);
    expect(preview.status).toBe(200);
    expect(sessionCookie(preview)).toBeNull();
    expect(await preview.text()).toContain('action="/auth/link"');

    const answer = await postLink(token);
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/");
    const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith("pmo_session=")) ?? "";
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(setCookie).not.toMatch(/Secure/i);

    const cookie = sessionCookie(answer) ?? "";
    const home = await world.request("/", { cookie });
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Portal de clientes");
  });

  it("marks the cookie Secure when the dashboard is not on a loopback host", async () => {
    const answer = await postLink(await linkFor(ADMIN), "pmo.example.com");
    const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith("pmo_session=")) ?? "";
    expect(setCookie).toMatch(/Secure/);
  });

  it("refuses a link used once already", async () => {
    const token = await linkFor(ADMIN);
    expect((await postLink(token)).status).toBe(303);
    const again = await postLink(token);
    expect(again.status).toBe(401);
    expect(sessionCookie(again)).toBeNull();
    expect(await again.text()).toContain("ya se usó");
  });

  it("refuses a link older than 10 minutes", async () => {
    const token = await linkFor(ADMIN);
    world.clock.now = new Date(world.clock.now.getTime() + 10 * 60_000 + 1);
    const answer = await postLink(token);
    expect(answer.status).toBe(401);
    expect(sessionCookie(answer)).toBeNull();
    expect(await answer.text()).toContain("caducó");
  });

  it("refuses a forged link: another user, another signature, garbage", async () => {
    const token = await linkFor(MEMBER);
    const [payload = "", mac = ""] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    const asAdmin = Buffer.from(JSON.stringify({ ...claims, u: ADMIN })).toString("base64url");
    for (const forged of [`${asAdmin}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, "nonsense", ""]) {
      const answer = await postLink(forged);
      expect(answer.status, forged).toBe(401);
      expect(sessionCookie(answer)).toBeNull();
    }
  });

  it("gives guests and people of other organisations neither a link nor a session", async () => {
    expect((await world.services.web?.links.issue(GUEST))?.kind).toBe("denied");
    expect((await world.services.web?.links.issue(OUTSIDER))?.kind).toBe("denied");
    expect((await world.services.web?.links.admit(GUEST))?.kind).toBe("refused");
    expect((await world.services.web?.links.admit(MEMBER, "T9999999"))?.kind).toBe("refused");
  });

  it("ends the session of someone who became a guest", async () => {
    const cookie = await world.signIn(MEMBER);
    expect((await world.request("/", { cookie })).status).toBe(200);
    await world.container.repos.users.upsert({
      slackUserId: MEMBER,
      email: null,
      name: null,
      asanaUserGid: null,
      locale: "en",
      refreshedAt: world.clock.now.toISOString(),
      membership: { teamId: "T0000001", restricted: true, ultraRestricted: false },
    });
    const answer = await world.request("/", { cookie });
    expect(answer.status).toBe(403);
    expect(await answer.text()).not.toContain("Portal de clientes");
  });

  it("expires the session after 12 hours", async () => {
    const cookie = await world.signIn(ADMIN);
    world.clock.now = new Date(world.clock.now.getTime() + 12 * 3_600_000 + 1);
    expect((await world.request("/", { cookie })).status).toBe(401);
  });
});

describe("without a session", () => {
  it("answers no page and no data on any route", async () => {
    await world.seedFinding("1201");
    const forged = `pmo_session=${Buffer.from(JSON.stringify({ u: ADMIN, s: "a".repeat(24), e: 9e15 })).toString("base64url")}.AAAA`;
    for (const cookie of [undefined, forged]) {
      for (const path of [
        "/",
        "/projects/1201",
        "/findings",
        "/sync",
        "/charts",
        "/export",
        "/nothing-here",
      ]) {
        const answer = await world.request(path, cookie === undefined ? {} : { cookie });
        expect(answer.status, path).toBe(401);
        const body = await answer.text();
        expect(body, path).not.toContain("Portal de clientes");
        expect(body, path).not.toContain("PMO-12");
      }
      const write = await world.request("/findings/action", {
        method: "POST",
        ...(cookie === undefined ? {} : { cookie }),
        body: new URLSearchParams({
          projectGid: "1201",
          ruleId: "schedule_risk",
          shown: "open",
          action: "resolve",
        }),
      });
      expect(write.status).toBe(401);
    }
    expect((await world.container.repos.findings.get("1201", "schedule_risk"))?.status).toBe("open");
  });
});

describe("finding actions on the web", () => {
  const ackForm = (csrf: string | null, comment = "Lo vemos el lunes con el proveedor") =>
    new URLSearchParams({
      ...(csrf === null ? {} : { _csrf: csrf }),
      projectGid: "1201",
      ruleId: "schedule_risk",
      shown: "open",
      action: "acknowledge",
      comment,
      back: "/projects/1201",
    });

  it("refuses a write without the session's CSRF token, and one with another session's", async () => {
    await world.seedFinding("1201");
    const cookie = await world.signIn(ADMIN);
    const otherCsrf = await world.csrfOf(await world.signIn(PM));
    for (const csrf of [null, "", otherCsrf]) {
      const answer = await world.request("/findings/action", { method: "POST", cookie, body: ackForm(csrf) });
      expect(answer.status).toBe(403);
    }
    expect((await world.container.repos.findings.get("1201", "schedule_risk"))?.status).toBe("open");
    expect(world.slack.updates()).toHaveLength(0);
  });

  it("acknowledges with a comment and updates the Slack alert in place, as the button does", async () => {
    const finding = await world.seedFinding("1201");
    const cookie = await world.signIn(PM);
    const answer = await world.request("/findings/action", {
      method: "POST",
      cookie,
      body: ackForm(await world.csrfOf(cookie)),
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/projects/1201?notice=done.acknowledge");
    const stored = await world.container.repos.findings.get("1201", "schedule_risk");
    expect(stored).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: PM,
      ackComment: "Lo vemos el lunes con el proveedor",
    });
    const updates = world.slack.updates();
    expect(updates).toHaveLength(1);
    expect(updates[0]?.body).toMatchObject({ channel: CHANNEL, ts: finding.alert?.ts });
    expect(updates[0]?.body.blocks).toContain("Lo vemos el lunes con el proveedor");
    const message = world.slack.messages.find((m) => m.ts === finding.alert?.ts);
    expect(message?.versions).toHaveLength(2);
  });

  it("lets only admins resolve and snooze; the responsable acknowledges, anyone else is told no", async () => {
    await world.seedFinding("1201");
    const member = await world.signIn(MEMBER);
    const pm = await world.signIn(PM);
    const memberCsrf = await world.csrfOf(member);
    const pmCsrf = await world.csrfOf(pm);
    const form = (csrf: string, action: string, extra: Record<string, string> = {}) =>
      new URLSearchParams({
        _csrf: csrf,
        projectGid: "1201",
        ruleId: "schedule_risk",
        shown: "open",
        action,
        back: "/findings",
        ...extra,
      });

    const byMember = await world.request("/findings/action", {
      method: "POST",
      cookie: member,
      body: form(memberCsrf, "acknowledge", { comment: "x" }),
    });
    expect(byMember.headers.get("location")).toBe("/findings?notice=denied");
    const byPm = await world.request("/findings/action", {
      method: "POST",
      cookie: pm,
      body: form(pmCsrf, "resolve"),
    });
    expect(byPm.headers.get("location")).toBe("/findings?notice=denied");
    expect((await world.container.repos.findings.get("1201", "schedule_risk"))?.status).toBe("open");

    const pmPage = await (await world.request("/projects/1201", { cookie: pm })).text();
    expect(pmPage).toContain('value="acknowledge"');
    expect(pmPage).not.toContain('value="resolve"');
    const memberPage = await (await world.request("/projects/1201", { cookie: member })).text();
    expect(memberPage).not.toContain('value="acknowledge"');

    const admin = await world.signIn(ADMIN);
    const snoozed = await world.request("/findings/action", {
      method: "POST",
      cookie: admin,
      body: form(await world.csrfOf(admin), "snooze", { days: "3" }),
    });
    expect(snoozed.headers.get("location")).toBe("/findings?notice=done.snooze");
    expect(await world.container.repos.findings.get("1201", "schedule_risk")).toMatchObject({
      status: "snoozed",
      snoozedUntil: new Date(world.clock.now.getTime() + 3 * 86_400_000).toISOString(),
    });
  });

  it("says so when the finding changed since the page showed it", async () => {
    await world.seedFinding("1201");
    const admin = await world.signIn(ADMIN);
    const csrf = await world.csrfOf(admin);
    const resolve = (shown: string) =>
      world.request("/findings/action", {
        method: "POST",
        cookie: admin,
        body: new URLSearchParams({
          _csrf: csrf,
          projectGid: "1201",
          ruleId: "schedule_risk",
          shown,
          action: "resolve",
          back: "/findings",
        }),
      });
    expect((await resolve("open")).headers.get("location")).toBe("/findings?notice=done.resolve");
    expect((await resolve("open")).headers.get("location")).toBe("/findings?notice=stale");
  });

  it("never redirects to another site", async () => {
    await world.seedFinding("1201");
    const admin = await world.signIn(ADMIN);
    const answer = await world.request("/findings/action", {
      method: "POST",
      cookie: admin,
      body: new URLSearchParams({
        ...Object.fromEntries(ackForm(await world.csrfOf(admin))),
        back: "//evil.example/x",
      }),
    });
    expect(answer.headers.get("location")).toBe("/?notice=done.acknowledge");
  });
});

describe("pages", () => {
  it("sends a Content-Security-Policy without inline script, and no inline script at all", async () => {
    const cookie = await world.signIn(ADMIN);
    for (const path of ["/", "/projects/1201", "/findings", "/sync", "/charts"]) {
      const answer = await world.request(path, { cookie });
      expect(answer.status, path).toBe(200);
      const csp = answer.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      const body = await answer.text();
      for (const tag of body.match(/<script\b[^>]*>/g) ?? [])
        expect(tag, path).toMatch(/ src="\/assets\/[a-z]+\.[0-9a-f]{12}\.js"| type="application\/json"/);
    }
  });

  it("renders hostile project names as inert text", async () => {
    const names = [...HOSTILE_STRINGS, `<script>alert(1)</script>${"x".repeat(6_000)}`];
    await world.container.repos.projects.insertMany(
      names.map((name, i) =>
        project({
          gid: String(5000 + i),
          name,
          pmoId: `PMO-${5000 + i}`,
          responsable: name,
          businessVertical: name,
        }),
      ),
    );
    const cookie = await world.signIn(ADMIN);
    const pages = [
      await (await world.request("/", { cookie })).text(),
      await (await world.request(`/projects/${5000 + names.length - 1}`, { cookie })).text(),
      await (await world.request("/projects/5003", { cookie })).text(),
    ];
    const ours = new Set([
      "html",
      "head",
      "meta",
      "title",
      "link",
      "body",
      "header",
      "a",
      "nav",
      "div",
      "span",
      "form",
      "input",
      "button",
      "main",
      "h1",
      "h2",
      "h4",
      "p",
      "label",
      "select",
      "option",
      "small",
      "table",
      "thead",
      "tbody",
      "tr",
      "th",
      "td",
      "section",
      "ol",
      "li",
      "ul",
      "b",
      "del",
      "ins",
      "time",
      "script",
      "article",
      "blockquote",
      "br",
    ]);
    for (const body of pages) {
      const left = body.replace("<!doctype html>", "").replace(TAG, (_whole, name: string, attrs: string) => {
        expect(ours, `unexpected <${name}>`).toContain(name.toLowerCase());
        for (const [, attribute = ""] of attrs.matchAll(ATTRIBUTE))
          expect(attribute.toLowerCase().startsWith("on"), `<${name} ${attribute}>`).toBe(false);
        return "";
      });
      // Every "<" left is text a value brought: there is none, each was escaped.
      expect(left).not.toContain("<");
    }
    expect(pages[1]).toContain("&lt;script&gt;alert(1)&lt;/script&gt;xxxx");
  });

  it("filters and sorts the portfolio as the URL says, so a shared link shows the same table", async () => {
    await world.container.repos.projects.insertMany([
      project({ gid: "1202", name: "Zeta", pmoId: "PMO-2", businessVertical: "Retail", status: "on_track" }),
      project({ gid: "1203", name: "Alfa", pmoId: "PMO-3", businessVertical: "Banca", status: "off_track" }),
    ]);
    const cookie = await world.signIn(ADMIN);
    const body = await (await world.request("/?vertical=Banca&sort=name&dir=desc", { cookie })).text();
    const drawn = [...body.matchAll(/<tr data-gid="[^"]*"><td>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(drawn).toEqual(["PMO-12", "PMO-3"]);
    // Every project travels as a record for the script, the filtered-out one too.
    const records = recordsOf(body);
    expect(records.map((r) => r.r[0]).sort()).toEqual(["PMO-12", "PMO-2", "PMO-3"]);
    expect(body).toContain('aria-sort="descending"');
    expect(body).toContain("2 de 3 proyectos");
  });

  it("draws the first page of matching rows, the rest on demand (or all with all=1), every project as a record", async () => {
    await world.container.repos.projects.insertMany(
      Array.from({ length: ROWS_PER_PAGE + 30 }, (_, i) =>
        project({
          gid: String(8000 + i),
          name: `Proyecto ${i}`,
          pmoId: `PMO-${8000 + i}`,
          businessVertical: "Banca",
        }),
      ),
    );
    const cookie = await world.signIn(ADMIN);
    const body = await (await world.request("/?vertical=Banca", { cookie })).text();
    const drawnRows = (text: string) => [...text.matchAll(/<tr data-gid="/g)].length;
    expect(drawnRows(body)).toBe(ROWS_PER_PAGE);
    expect(body).toMatch(/<p id="more" class="more"><a id="more-link" href="\/\?vertical=Banca&amp;all=1">/);
    expect(body).toContain(`${ROWS_PER_PAGE + 31} de ${ROWS_PER_PAGE + 31} proyectos`);
    const records = recordsOf(body);
    expect(records).toHaveLength(ROWS_PER_PAGE + 31);
    expect(records.every(isPortfolioRecord)).toBe(true);
    expect(records.find((r) => r.g === "8007")?.t[0]).toBe("En riesgo");

    const all = await (await world.request("/?vertical=Banca&all=1", { cookie })).text();
    expect(drawnRows(all)).toBe(ROWS_PER_PAGE + 31);
    expect(all).toContain('<p id="more" class="more" hidden>');
  });

  it("shows a project's fields, findings, changelog and the status updates with their reading", async () => {
    await world.seedFinding("1201");
    await world.container.repos.changelog.append([
      {
        projectGid: "1201",
        fieldName: "dueOn",
        oldValue: "2026-03-01",
        newValue: "2026-03-15",
        syncId: "s1",
        detectedAt: "2026-03-05T10:00:00.000Z",
        source: "asana",
        actor: null,
      },
    ]);
    await world.container.repos.updates.add({
      projectGid: "1201",
      slackUserId: PM,
      submittedAt: "2026-03-08T10:00:00.000Z",
      text: "PMO-12 avance 40%, bloqueado por el proveedor <b>",
      parsed: {
        progress: 40,
        health: "at_risk",
        risks: [],
        blockers: ["el proveedor"],
        nextSteps: [],
        eta: null,
      },
    });
    const cookie = await world.signIn(ADMIN);
    const body = await (await world.request("/projects/1201", { cookie })).text();
    expect(body).toContain("Portal de clientes");
    expect(body).toContain("Vence en 5 días con 40 % de avance");
    expect(body).toContain("Fecha de entrega");
    expect(body).toContain("1 de marzo de 2026");
    expect(body).toContain("bloqueado por el proveedor &lt;b&gt;");
    expect(body).toContain("el proveedor");
    expect(body).toContain("Al día (2 d)");
  });

  it("switches the language and keeps it", async () => {
    const cookie = await world.signIn(ADMIN);
    const switched = await world.request(`/lang/en?back=${encodeURIComponent("/sync")}`, { cookie });
    expect(switched.status).toBe(303);
    expect(switched.headers.get("location")).toBe("/sync");
    const lang = switched.headers.getSetCookie().find((c) => c.startsWith("pmo_lang=")) ?? "";
    const body = await (await world.request("/sync", { cookie: `${cookie}; ${lang.split(";")[0]}` })).text();
    expect(body).toContain('<html lang="en">');
    expect(body).toContain("No syncs yet.");
  });

  it("exports the filtered view as the /pmo exportar workbook, for admins only", async () => {
    const admin = await world.signIn(ADMIN);
    const answer = await world.request("/export?vertical=Banca", { cookie: admin });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toContain("spreadsheetml");
    const bytes = new Uint8Array(await answer.arrayBuffer());
    expect(String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0)).toBe("PK");
    const member = await world.signIn(MEMBER);
    expect((await world.request("/export", { cookie: member })).status).toBe(403);
  });

  it("exports exactly the projects of the view: status, PMO ID and free text apply too", async () => {
    await world.container.repos.projects.insertMany([
      project({
        gid: "1202",
        name: "Zeta Pagos",
        pmoId: "PMO-20",
        businessVertical: "Banca",
        status: "off_track",
      }),
      project({
        gid: "1203",
        name: "Alfa Pagos",
        pmoId: "PMO-30",
        businessVertical: "Banca",
        status: "off_track",
      }),
      project({
        gid: "1204",
        name: "Alfa Pagos",
        pmoId: "PMO-31",
        businessVertical: "Banca",
        status: "on_track",
      }),
    ]);
    const admin = await world.signIn(ADMIN);
    const exported = async (query: string): Promise<{ pmoIds: unknown[]; filters: string }> => {
      const answer = await world.request(`/export${query}`, { cookie: admin });
      expect(answer.status).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await answer.arrayBuffer());
      const sheet = workbook.getWorksheet("Proyectos");
      const pmoIds: unknown[] = [];
      sheet?.eachRow((row, n) => {
        if (n > EXPORT_HEADER_ROW) pmoIds.push(row.getCell(1).value);
      });
      return { pmoIds, filters: String(sheet?.getCell("A2").value) };
    };
    const view = await exported("?status=off_track&q=pagos&vertical=Banca");
    expect(view.pmoIds).toEqual(["PMO-20", "PMO-30"]);
    expect(view.filters).toBe("Filtros: Estado: Con retraso · Vertical: Banca · Buscar: pagos");
    expect((await exported("?status=off_track&pmo=pmo-3&q=alfa")).pmoIds).toEqual(["PMO-30"]);
    expect((await exported("?q=nada-coincide")).pmoIds).toEqual([]);
  });
});
