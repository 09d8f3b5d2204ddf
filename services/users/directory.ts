import { z } from "zod";
import type { AsanaClient } from "../asana/client.ts";
import type { Clock, Locale, Membership, UserProfile } from "../model.ts";
import type { UsersRepository } from "../store/users-repository.ts";

/** What PMO Pulse asks Slack about a person: users.info, behind a port so tests need no Slack. */
export type SlackUserLookup = {
  info(slackUserId: string): Promise<{
    email: string | null;
    name: string | null;
    locale: string | null;
    /** Absent from lookups that cannot tell (then the person counts as a member of no known team). */
    membership?: Membership;
  }>;
};

/** A Slack Web API client as far as users.info goes; the answer is parsed, never trusted. */
export type UsersInfoClient = {
  users: { info(args: { user: string; include_locale?: boolean }): Promise<unknown> };
};

const usersInfoAnswer = z.object({
  user: z
    .object({
      real_name: z.string().optional(),
      name: z.string().optional(),
      locale: z.string().optional(),
      team_id: z.string().optional(),
      is_restricted: z.boolean().optional(),
      is_ultra_restricted: z.boolean().optional(),
      profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
    })
    .optional(),
});

export function slackUserLookup(client: UsersInfoClient): SlackUserLookup {
  return {
    info: async (slackUserId) => {
      const answer = usersInfoAnswer.parse(
        await client.users.info({ user: slackUserId, include_locale: true }),
      );
      const user = answer.user;
      return {
        email: user?.profile?.email ?? null,
        name: user?.real_name ?? user?.profile?.real_name ?? user?.name ?? null,
        locale: user?.locale ?? null,
        membership: {
          teamId: user?.team_id ?? null,
          restricted: user?.is_restricted === true,
          ultraRestricted: user?.is_ultra_restricted === true,
        },
      };
    },
  };
}

/** How long a membership check waits on Slack: it runs before a command or an event is acked. */
export const MEMBERSHIP_WAIT_MS = 1_500;

export const PROFILE_FRESH_MS = 24 * 60 * 60 * 1000;
export const UNMAPPED_FRESH_MS = 15 * 60 * 1000;
/**
 * How long this process reuses an Asana user's Slack user for mentions: a Home lists dozens of
 * owners, each an index query otherwise. A mapping learnt by another instance shows within this.
 */
export const MENTION_FRESH_MS = 5 * 60 * 1000;

export type UserDirectoryDeps = {
  users: UsersRepository;
  slack: SlackUserLookup;
  asana: Pick<AsanaClient, "findUserByEmail"> | null;
  workspaceGid: string | null;
  defaultLocale: Locale;
  clock: Clock;
  freshForMs?: number;
  membershipWaitMs?: number;
};

/**
 * Who is who (DESIGN.md section 6): a Slack user is mapped to an Asana user by email (Slack
 * users.info -> email -> Asana user of the workspace), cached in the users table and refreshed
 * when older than a day. Who may do what is services/authorization's to say.
 */
export class UserDirectory {
  private readonly mentions = new Map<string, { slackUserId: string | null; at: number }>();

  constructor(private readonly deps: UserDirectoryDeps) {}

  /** The cached profile, refreshed from Slack and Asana when stale; a failed refresh keeps the old one. */
  async profile(slackUserId: string): Promise<UserProfile> {
    const cached = await this.deps.users.get(slackUserId);
    // Someone not found in Asana yet is looked up again sooner: they may have just been added.
    const freshFor =
      cached?.asanaUserGid === null ? UNMAPPED_FRESH_MS : (this.deps.freshForMs ?? PROFILE_FRESH_MS);
    if (cached !== null && this.deps.clock().getTime() - Date.parse(cached.refreshedAt) < freshFor)
      return cached;
    try {
      return await this.refresh(slackUserId);
    } catch (error) {
      if (cached !== null) return cached;
      throw error;
    }
  }

  private async refresh(slackUserId: string): Promise<UserProfile> {
    const info = await this.deps.slack.info(slackUserId);
    let asanaUserGid: string | null = null;
    if (info.email !== null && this.deps.asana !== null && this.deps.workspaceGid !== null) {
      asanaUserGid = (await this.deps.asana.findUserByEmail(this.deps.workspaceGid, info.email))?.gid ?? null;
    }
    const profile = await this.deps.users.upsert({
      slackUserId,
      email: info.email,
      name: info.name,
      asanaUserGid,
      locale: localeFrom(info.locale),
      refreshedAt: this.deps.clock().toISOString(),
      ...(info.membership === undefined ? {} : { membership: info.membership }),
    });
    // Whoever this Slack user was or now is mapped to is read again at the next mention.
    this.mentions.clear();
    return profile;
  }

  /** The person's Asana user; null when unmapped or when neither Slack nor the cache can say. */
  async asanaUserOf(slackUserId: string): Promise<string | null> {
    try {
      return (await this.profile(slackUserId)).asanaUserGid;
    } catch {
      return null;
    }
  }

  /**
   * The person's team and guest flags, from the cached profile whatever its age (asked before an
   * ack, it must not wait on Slack; the profile is refreshed daily elsewhere). With no flags cached
   * (a new person, or a profile kept before the flags were) Slack is asked once, for at most
   * `MEMBERSHIP_WAIT_MS`: an answer that comes later is cached for the next time. Null when nobody
   * can say in time, so an unverified person is refused, never let in.
   */
  async membershipOf(slackUserId: string): Promise<Membership | null> {
    try {
      const cached = await this.deps.users.get(slackUserId);
      if (cached?.membership !== undefined) return cached.membership;
      const refresh = this.refresh(slackUserId);
      refresh.catch(() => undefined);
      const profile = await withinMs(refresh, this.deps.membershipWaitMs ?? MEMBERSHIP_WAIT_MS);
      return profile?.membership ?? null;
    } catch {
      return null;
    }
  }

  /** The language a person reads: their Slack locale when known, DEFAULT_LOCALE otherwise. */
  async localeOf(slackUserId: string): Promise<Locale> {
    const cached = await this.deps.users.get(slackUserId);
    return cached?.locale ?? this.deps.defaultLocale;
  }

  /** The Slack user mapped to an Asana user, if anyone is (for mentions and DMs). */
  async slackUserIdFor(asanaUserGid: string | null): Promise<string | null> {
    if (asanaUserGid === null) return null;
    const now = this.deps.clock().getTime();
    const known = this.mentions.get(asanaUserGid);
    if (known !== undefined && now - known.at < MENTION_FRESH_MS) return known.slackUserId;
    const [profile] = await this.deps.users.findByAsanaUserGid(asanaUserGid);
    const slackUserId = profile?.slackUserId ?? null;
    this.mentions.set(asanaUserGid, { slackUserId, at: now });
    return slackUserId;
  }
}

/** Slack locales look like "es-LA" or "en-US". */
export function localeFrom(slackLocale: string | null): Locale | null {
  if (slackLocale === null) return null;
  const language = slackLocale.slice(0, 2).toLowerCase();
  return language === "es" ? "es" : language === "en" ? "en" : null;
}

/** The promise's value, or null when it has not settled within `ms`. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
