import { randomBytes } from "node:crypto";
import { z } from "zod";
import { macOf, sameMac } from "../services/web-access/sign-in-links.ts";

/**
 * The dashboard's session: a cookie holding who signed in, a random session id and its expiry,
 * signed with HMAC (the key from the composition root), so every instance can read it and nothing
 * is stored per session. HttpOnly, SameSite=Lax, 12 hours, Secure unless the dashboard is served
 * on a loopback host. Every write carries a CSRF token derived from the session id.
 */

export const SESSION_COOKIE = "pmo_session";
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export type Session = { slackUserId: string; sessionId: string; expiresAt: number };

const sessionSchema = z.object({
  u: z.string().regex(/^[UW][A-Z0-9]{1,30}$/),
  s: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  e: z.number().int().positive(),
});

export function newSession(slackUserId: string, now: Date): Session {
  return {
    slackUserId,
    sessionId: randomBytes(18).toString("base64url"),
    expiresAt: now.getTime() + SESSION_TTL_MS,
  };
}

export function sealSession(secret: string, session: Session): string {
  const payload = Buffer.from(
    JSON.stringify({ u: session.slackUserId, s: session.sessionId, e: session.expiresAt }),
  ).toString("base64url");
  return `${payload}.${macOf(secret, "session", payload)}`;
}

/** The session a cookie holds; null when it is missing, forged, malformed or expired. */
export function openSession(secret: string, cookie: string | undefined, now: Date): Session | null {
  if (cookie === undefined) return null;
  const [payload = "", mac = "", ...rest] = cookie.split(".");
  if (rest.length > 0 || payload === "" || !sameMac(mac, macOf(secret, "session", payload))) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  const parsed = sessionSchema.safeParse(decoded);
  if (!parsed.success || parsed.data.e <= now.getTime()) return null;
  return { slackUserId: parsed.data.u, sessionId: parsed.data.s, expiresAt: parsed.data.e };
}

export function csrfTokenOf(secret: string, session: Session): string {
  return macOf(secret, "csrf", session.sessionId);
}

export function csrfMatches(secret: string, session: Session, given: string | null | undefined): boolean {
  return typeof given === "string" && sameMac(given, csrfTokenOf(secret, session));
}

/** 127.0.0.0/8, localhost (and its subdomains) or ::1: cookies there may travel over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const octets = host.split(".");
  return (
    octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) < 256)
  );
}
