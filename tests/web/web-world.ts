import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import { WebClient } from "@slack/web-api";
import { parseConfig } from "../../app/config.ts";
import { type Container, createContainer } from "../../app/container.ts";
import { type AppServices, buildServices } from "../../app/services.ts";
import type { Finding, ProjectInput, Severity } from "../../services/model.ts";
import { TextNotifier } from "../../services/slack/notifier.ts";
import type { OpenIdSettings } from "../../web/deps.ts";
import { createWebApp, type WebApp } from "../../web/server.ts";
import { type FakeSlack, startFakeSlack } from "../fixtures/fake-slack.ts";

/**
 * The web dashboard over the app's real services (app/services.ts) on in-memory dynalite, with a
 * fake Slack at the HTTP boundary (nock) for the alerts it updates. People: an admin, a PM (the
 * responsable of project 1201, Asana user 9001), a member, a guest and someone of another team.
 */

export const TEAM = "T0000001";
export const ADMIN = "UADMIN0001";
export const PM = "UPM0000001";
export const PM_ASANA = "9001";
export const MEMBER = "UMEMBER001";
export const GUEST = "UGUEST0001";
export const OUTSIDER = "UOUTSIDE01";
export const CHANNEL = "CPMO000001";
export const START = new Date("2026-03-10T15:00:00.000Z");
export const SECRET = "test-secret-test-secret-test-secret-0123";

export type WebWorld = {
  container: Container;
  services: AppServices;
  web: WebApp;
  slack: FakeSlack;
  clock: { now: Date };
  request(path: string, init?: RequestInit & { cookie?: string }): Promise<Response>;
  /** A signed-in session's cookie header value, through a real one-time link. */
  signIn(slackUserId: string): Promise<string>;
  /** The CSRF token the pages give this session. */
  csrfOf(cookie: string): Promise<string>;
  seedProject(overrides?: Partial<ProjectInput>): Promise<void>;
  /** Serves the dashboard over real HTTP on 127.0.0.1 (for a browser); its base URL. */
  listen(): Promise<string>;
  /** A fresh one-time link's token. */
  linkToken(slackUserId: string): Promise<string>;
  seedFinding(
    projectGid: string,
    options?: { ruleId?: string; severity?: Severity; alerted?: boolean },
  ): Promise<Finding>;
  close(): Promise<void>;
};

export function project(overrides: Partial<ProjectInput> = {}): ProjectInput {
  return {
    gid: "1201",
    name: "Portal de clientes",
    pmoId: "PMO-12",
    responsable: "Ana Pérez",
    responsableKey: PM_ASANA,
    businessVertical: "Banca",
    status: "at_risk",
    progressPercent: 40,
    dueOn: "2026-03-15",
    lastStatusUpdateAt: "2026-03-08T10:00:00.000Z",
    permalinkUrl: "https://app.asana.com/0/1201/list",
    ...overrides,
  };
}

export async function webWorld(
  options: { env?: Record<string, string>; openId?: OpenIdSettings } = {},
): Promise<WebWorld> {
  const slack = startFakeSlack();
  const clock = { now: START };
  const config = parseConfig(
    {
      PMO_ADMIN_USER_IDS: ADMIN,
      LOG_LEVEL: "silent",
      TABLE_PREFIX: `t-${randomUUID().slice(0, 8)}`,
      PMO_TIMEZONE: "America/Bogota",
      WEB_PORT: "0",
      WEB_SESSION_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...options.env,
    },
    "store",
  );
  const container = await createContainer(
    { ...config, store: { ...config.store, engine: "embedded" } },
    { inMemoryStore: true, clock: () => clock.now, notifier: new TextNotifier({ write: () => true }) },
  );
  const services = buildServices(
    container,
    {
      userLookup: { info: async () => ({ email: null, name: null, locale: null }) },
      messenger: { post: async (channel) => ({ channel, ts: "1.0" }), update: async () => undefined },
    },
    { installedTeamId: TEAM, webBaseUrl: () => "http://localhost" },
  );
  const member = (teamId: string, restricted = false) => ({ teamId, restricted, ultraRestricted: false });
  const profiles = [
    { slackUserId: ADMIN, locale: "es" as const, asanaUserGid: "9000", membership: member(TEAM) },
    { slackUserId: PM, locale: "es" as const, asanaUserGid: PM_ASANA, membership: member(TEAM) },
    { slackUserId: MEMBER, locale: "en" as const, asanaUserGid: "9002", membership: member(TEAM) },
    { slackUserId: GUEST, locale: "en" as const, asanaUserGid: null, membership: member(TEAM, true) },
    { slackUserId: OUTSIDER, locale: "en" as const, asanaUserGid: null, membership: member("T9999999") },
  ];
  for (const p of profiles)
    await container.repos.users.upsert({ ...p, email: null, name: null, refreshedAt: START.toISOString() });
  if (services.web === null) throw new Error("the web is off in this world");
  const client = new WebClient("xoxb-test", { slackApiUrl: `${slack.apiUrl}/`, retryConfig: { retries: 0 } });
  const web = await createWebApp({
    services: { ...services, web: services.web },
    slack: client,
    logger: container.logger,
    clock: () => clock.now,
    settings: {
      timeZone: "America/Bogota",
      defaultLocale: "es",
      openId: options.openId ?? null,
      slackTimeoutMs: 5_000,
    },
  });
  const request = (path: string, init: RequestInit & { cookie?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.cookie !== undefined) headers.set("cookie", init.cookie);
    return Promise.resolve(web.app.request(`http://localhost${path}`, { ...init, headers }));
  };
  const access = services.web;
  const servers: ReturnType<typeof serve>[] = [];
  const linkToken = async (slackUserId: string) => {
    const link = await access.links.issue(slackUserId);
    if (link.kind !== "link") throw new Error(`no link for ${slackUserId}: ${link.reason}`);
    return new URL(link.url).searchParams.get("t") ?? "";
  };
  return {
    container,
    services,
    web,
    slack,
    clock,
    request,
    linkToken,
    listen: () =>
      new Promise((ok) => {
        const server = serve({ fetch: web.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
          ok(`http://127.0.0.1:${info.port}`),
        );
        servers.push(server);
      }),
    signIn: async (slackUserId) => {
      const token = await linkToken(slackUserId);
      const answer = await request("/auth/link", { method: "POST", body: new URLSearchParams({ t: token }) });
      const cookie = sessionCookie(answer);
      if (cookie === null) throw new Error(`sign-in refused: ${answer.status}`);
      return cookie;
    },
    csrfOf: async (cookie) => {
      const page = await (await request("/sync", { cookie })).text();
      return /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    },
    seedProject: async (overrides = {}) => {
      await container.repos.projects.insertMany([project(overrides)]);
    },
    seedFinding: async (projectGid, seed = {}) => {
      const finding = await container.repos.findings.open({
        projectGid,
        ruleId: seed.ruleId ?? "schedule_risk",
        severity: seed.severity ?? "high",
        details: { daysToDue: 5, progress: 40 },
      });
      if (seed.alerted === false) return finding;
      const posted = await client.chat.postMessage({ channel: CHANNEL, text: "alert" });
      return container.repos.findings.recordAlert(
        { projectGid, ruleId: finding.ruleId, expectedVersion: finding.version },
        { channel: CHANNEL, ts: posted.ts ?? "", severity: finding.severity, at: START.toISOString() },
      );
    },
    close: async () => {
      await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
      slack.stop();
      await container.close();
    },
  };
}

/** `pmo_session=…` from a response's Set-Cookie, or null when it sets none. */
export function sessionCookie(response: Response): string | null {
  const header = response.headers.getSetCookie().find((c) => c.startsWith("pmo_session="));
  if (header === undefined) return null;
  const value = header.split(";")[0] ?? "";
  return value === "pmo_session=" ? null : value;
}
