import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PM, sessionCookie, TEAM, type WebWorld, webWorld } from "./web-world.ts";

/** Sign in with Slack (OpenID Connect), with Slack's endpoints stood in for by nock at the HTTP boundary. */

const SLACK = "https://slack.test";
let world: WebWorld;

beforeEach(async () => {
  world = await webWorld({
    openId: {
      clientId: "1234.5678",
      clientSecret: "client-secret",
      baseUrl: "https://pmo.example.com",
      slackApiUrl: `${SLACK}/api`,
    },
  });
  await world.seedProject();
});

afterEach(async () => {
  await world.close();
  nock.cleanAll();
});

const idToken = (claims: Record<string, unknown>) =>
  ["e30", Buffer.from(JSON.stringify(claims)).toString("base64url"), "c2ln"].join(".");

async function start(): Promise<{ state: string; nonce: string; cookie: string }> {
  const answer = await world.request("/auth/slack");
  expect(answer.status).toBe(302);
  const location = new URL(answer.headers.get("location") ?? "");
  expect(`${location.origin}${location.pathname}`).toBe(`${SLACK}/openid/connect/authorize`);
  expect(location.searchParams.get("client_id")).toBe("1234.5678");
  expect(location.searchParams.get("redirect_uri")).toBe("https://pmo.example.com/auth/slack/callback");
  const cookie =
    (answer.headers.getSetCookie().find((c) => c.startsWith("pmo_oidc=")) ?? "").split(";")[0] ?? "";
  return {
    state: location.searchParams.get("state") ?? "",
    nonce: location.searchParams.get("nonce") ?? "",
    cookie,
  };
}

function slackAnswers(options: { nonce: string; userId?: string; teamId?: string }) {
  const exchanged: string[] = [];
  nock(SLACK)
    .post("/api/openid.connect.token", (body: Record<string, string>) => {
      exchanged.push(`${body.code}:${body.client_secret}:${body.redirect_uri}`);
      return true;
    })
    .reply(200, {
      ok: true,
      access_token: "xoxp-user",
      id_token: idToken({ nonce: options.nonce, sub: options.userId ?? PM }),
    })
    .post("/api/openid.connect.userInfo")
    .matchHeader("authorization", "Bearer xoxp-user")
    .reply(200, {
      ok: true,
      "https://slack.com/user_id": options.userId ?? PM,
      "https://slack.com/team_id": options.teamId ?? TEAM,
    });
  return exchanged;
}

describe("Sign in with Slack", () => {
  it("shows the button and signs in the person Slack vouches for", async () => {
    expect(await (await world.request("/")).text()).toContain('href="/auth/slack"');
    const { state, nonce, cookie } = await start();
    const exchanged = slackAnswers({ nonce });
    const answer = await world.request(`/auth/slack/callback?code=the-code&state=${state}`, { cookie });
    expect(answer.status).toBe(303);
    expect(exchanged).toEqual(["the-code:client-secret:https://pmo.example.com/auth/slack/callback"]);
    const session = sessionCookie(answer);
    expect(session).not.toBeNull();
    expect(await (await world.request("/", { cookie: session ?? "" })).text()).toContain(
      "Portal de clientes",
    );
  });

  it("refuses a callback whose state is not the one it sent, without asking Slack", async () => {
    const { cookie } = await start();
    const exchanged = slackAnswers({ nonce: "whatever" });
    const answer = await world.request("/auth/slack/callback?code=the-code&state=forged-state-0000000", {
      cookie,
    });
    expect(answer.status).toBe(401);
    expect(sessionCookie(answer)).toBeNull();
    expect(exchanged).toEqual([]);
  });

  it("refuses an ID token for another sign-in (nonce) and a person of another organisation", async () => {
    const first = await start();
    slackAnswers({ nonce: "another-nonce-000000000" });
    const replayed = await world.request(`/auth/slack/callback?code=c&state=${first.state}`, {
      cookie: first.cookie,
    });
    expect(replayed.status).toBe(401);
    nock.cleanAll();
    world.slack.stop();

    const second = await start();
    slackAnswers({ nonce: second.nonce, teamId: "T9999999" });
    const outsider = await world.request(`/auth/slack/callback?code=c&state=${second.state}`, {
      cookie: second.cookie,
    });
    expect(outsider.status).toBe(403);
    expect(sessionCookie(outsider)).toBeNull();
  });
});
