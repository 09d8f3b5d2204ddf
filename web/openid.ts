import { randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { macOf, sameMac } from "../services/web-access/sign-in-links.ts";
import type { OpenIdSettings } from "./deps.ts";

/**
 * "Sign in with Slack" (OpenID Connect, authorization code flow): the browser goes to Slack's
 * authorize page with a random state and nonce (kept in a short signed cookie), comes back with a
 * code, and the code is exchanged for tokens directly with Slack (openid.connect.token); the user
 * and team come from openid.connect.userInfo. The ID token arrives over that TLS connection, so
 * only its nonce is checked (OpenID Connect Core 3.1.3.7).
 */

export const OPENID_START_PATH = "/auth/slack";
export const OPENID_CALLBACK_PATH = "/auth/slack/callback";
const STATE_COOKIE = "pmo_oidc";
const STATE_TTL_MS = 10 * 60_000;

const stateSchema = z.object({ s: z.string().min(16), n: z.string().min(16), e: z.number().int() });
const tokenSchema = z.object({
  ok: z.literal(true),
  access_token: z.string().min(1),
  id_token: z.string().min(1),
});
const idTokenSchema = z.looseObject({ nonce: z.string() });
const userInfoSchema = z.looseObject({
  ok: z.literal(true),
  "https://slack.com/user_id": z.string().regex(/^[UW][A-Z0-9]{1,30}$/),
  "https://slack.com/team_id": z.string().min(1),
});

export type SlackIdentity = { slackUserId: string; teamId: string };

const redirectUri = (settings: OpenIdSettings) => `${settings.baseUrl}${OPENID_CALLBACK_PATH}`;

export function openIdStart(
  c: Context,
  settings: OpenIdSettings,
  secret: string,
  clock: () => Date,
  secure: boolean,
): Response {
  const state = {
    s: randomBytes(18).toString("base64url"),
    n: randomBytes(18).toString("base64url"),
    e: clock().getTime() + STATE_TTL_MS,
  };
  const payload = Buffer.from(JSON.stringify(state)).toString("base64url");
  setCookie(c, STATE_COOKIE, `${payload}.${macOf(secret, "openid-state", payload)}`, {
    httpOnly: true,
    secure,
    // Lax: the cookie comes back on Slack's top-level redirect to the callback.
    sameSite: "Lax",
    path: OPENID_CALLBACK_PATH,
    maxAge: Math.floor(STATE_TTL_MS / 1000),
  });
  const authorize = new URL("/openid/connect/authorize", new URL(settings.slackApiUrl).origin);
  authorize.search = new URLSearchParams({
    response_type: "code",
    scope: "openid profile",
    client_id: settings.clientId,
    state: state.s,
    nonce: state.n,
    redirect_uri: redirectUri(settings),
  }).toString();
  return c.redirect(authorize.toString(), 302);
}

function readState(
  secret: string,
  cookie: string | undefined,
  now: number,
): z.output<typeof stateSchema> | null {
  const [payload = "", mac = ""] = (cookie ?? "").split(".");
  if (payload === "" || !sameMac(mac, macOf(secret, "openid-state", payload))) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")));
    return parsed.success && parsed.data.e > now ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The person Slack vouches for; null when the state, the code or Slack's answers do not check out. */
export async function openIdCallback(
  c: Context,
  settings: OpenIdSettings,
  secret: string,
  options: { timeoutMs: number; clock: () => Date },
): Promise<SlackIdentity | null> {
  const { timeoutMs } = options;
  const state = readState(secret, getCookie(c, STATE_COOKIE), options.clock().getTime());
  deleteCookie(c, STATE_COOKIE, { path: OPENID_CALLBACK_PATH });
  const code = c.req.query("code");
  const given = c.req.query("state") ?? "";
  if (state === null || code === undefined || !sameMac(given, state.s)) return null;
  const api = settings.slackApiUrl;
  const token = tokenSchema.safeParse(
    await (
      await fetch(`${api}/openid.connect.token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          code,
          redirect_uri: redirectUri(settings),
        }),
        signal: AbortSignal.timeout(timeoutMs),
      })
    ).json(),
  );
  if (!token.success) return null;
  const [, claims = ""] = token.data.id_token.split(".");
  const idToken = idTokenSchema.safeParse(
    JSON.parse(Buffer.from(claims, "base64url").toString("utf8") || "{}"),
  );
  if (!idToken.success || !sameMac(idToken.data.nonce, state.n)) return null;
  const info = userInfoSchema.safeParse(
    await (
      await fetch(`${api}/openid.connect.userInfo`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token.data.access_token}` },
        signal: AbortSignal.timeout(timeoutMs),
      })
    ).json(),
  );
  if (!info.success) return null;
  return {
    slackUserId: info.data["https://slack.com/user_id"],
    teamId: info.data["https://slack.com/team_id"],
  };
}
