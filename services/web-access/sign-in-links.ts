import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Authorization, ReadRefusal } from "../authorization/authorization.ts";
import type { Clock, Locale } from "../model.ts";
import type { UserDirectory } from "../users/directory.ts";

/**
 * The web dashboard's one-time sign-in links (issue 14), shared by the two surfaces: Slack issues
 * them (`/pmo panel`, the Home's button) and the web redeems them. A link names the person, a
 * random nonce and its expiry, signed with HMAC-SHA256; it is valid 10 minutes and once: the
 * nonce is claimed with a conditional write in the meta table, so of two redemptions (two tabs,
 * two instances) exactly one signs in. Nobody who may not read (a guest, someone of another
 * organisation) gets a link, and the check is made again when it is redeemed.
 */

export const SIGN_IN_LINK_VALIDITY_MS = 10 * 60_000;
/** The path of a link; the web serves it. */
export const SIGN_IN_PATH = "/auth/link";

export type SignInLinkSettings = {
  /** The HMAC key (WEB_SESSION_SECRET, or a random one made at start). */
  secret: string;
  /** Where browsers reach the dashboard, without a trailing slash (known once it listens). */
  baseUrl: () => string;
  validityMs?: number;
};

export type SignInLinksDeps = {
  settings: SignInLinkSettings;
  clock: Clock;
  /** True the first time `key` is claimed within `ttlMs` (a conditional write), false after. */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  authorization: Pick<Authorization, "readAccess">;
  users: Pick<UserDirectory, "localeOf">;
};

export type IssuedLink =
  | { kind: "link"; locale: Locale; url: string; expiresAt: Date }
  | { kind: "denied"; locale: Locale; reason: ReadRefusal };

export type LinkRefusal = "forged" | "expired" | "used" | ReadRefusal;

export type LinkCheck = { kind: "valid"; slackUserId: string } | { kind: "refused"; reason: LinkRefusal };

const payloadSchema = z.object({
  u: z.string().regex(/^[UW][A-Z0-9]{1,30}$/),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  e: z.number().int().positive(),
});

/** A MAC under a key derived for one purpose, so a value signed for one use never passes for another. */
export function macOf(secret: string, purpose: string, value: string): string {
  const key = createHmac("sha256", secret).update(`pmo-pulse/${purpose}`).digest();
  return createHmac("sha256", key).update(value).digest("base64url");
}

/** Compares two MACs in constant time. */
export function sameMac(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SignInLinks {
  constructor(private readonly deps: SignInLinksDeps) {}

  /** A link for the person, or why they may not have one. `teamId`: the team the request came from. */
  async issue(slackUserId: string, teamId: string | null = null): Promise<IssuedLink> {
    const [locale, access] = await Promise.all([
      this.deps.users.localeOf(slackUserId),
      this.deps.authorization.readAccess(slackUserId, teamId),
    ]);
    if (!access.allowed) return { kind: "denied", locale, reason: access.reason };
    const expiresAt = new Date(
      this.deps.clock().getTime() + (this.deps.settings.validityMs ?? SIGN_IN_LINK_VALIDITY_MS),
    );
    const payload = Buffer.from(
      JSON.stringify({ u: slackUserId, n: randomBytes(18).toString("base64url"), e: expiresAt.getTime() }),
    ).toString("base64url");
    const token = `${payload}.${macOf(this.deps.settings.secret, "sign-in-link", payload)}`;
    const url = `${this.deps.settings.baseUrl()}${SIGN_IN_PATH}?t=${encodeURIComponent(token)}`;
    return { kind: "link", locale, url, expiresAt };
  }

  /** Whether the link would sign in, without using it (the page that asks to continue). */
  async check(token: string): Promise<LinkCheck> {
    const read = this.read(token);
    if (read.kind === "refused") return read;
    return { kind: "valid", slackUserId: read.payload.u };
  }

  /** Uses the link: the person it names, once; every later use, and any other link, is refused. */
  async redeem(token: string): Promise<LinkCheck> {
    const read = this.read(token);
    if (read.kind === "refused") return read;
    const { payload } = read;
    const remaining = payload.e - this.deps.clock().getTime();
    // Remembered a little longer than it is valid, so a clock step never makes it usable again.
    if (!(await this.deps.claimOnce(`web-sign-in:${payload.n}`, remaining + 60_000)))
      return { kind: "refused", reason: "used" };
    return this.admit(payload.u);
  }

  /** Whether a person whose identity another way proved (Sign in with Slack) may have a session. */
  async admit(slackUserId: string, teamId: string | null = null): Promise<LinkCheck> {
    const access = await this.deps.authorization.readAccess(slackUserId, teamId);
    return access.allowed ? { kind: "valid", slackUserId } : { kind: "refused", reason: access.reason };
  }

  private read(
    token: string,
  ): { kind: "ok"; payload: z.output<typeof payloadSchema> } | { kind: "refused"; reason: LinkRefusal } {
    const [payload = "", mac = "", ...rest] = token.split(".");
    if (
      rest.length > 0 ||
      payload === "" ||
      !sameMac(mac, macOf(this.deps.settings.secret, "sign-in-link", payload))
    )
      return { kind: "refused", reason: "forged" };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      return { kind: "refused", reason: "forged" };
    }
    const parsed = payloadSchema.safeParse(decoded);
    if (!parsed.success) return { kind: "refused", reason: "forged" };
    if (parsed.data.e <= this.deps.clock().getTime()) return { kind: "refused", reason: "expired" };
    return { kind: "ok", payload: parsed.data };
  }
}
