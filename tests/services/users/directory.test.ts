import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { MENTION_FRESH_MS, PROFILE_FRESH_MS, UserDirectory } from "../../../services/users/directory.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const T0 = new Date("2026-11-22T12:00:00.000Z");
let now = T0;
let store: Store;
let repos: Repositories;
let indexQueries: number;

beforeEach(async () => {
  now = T0;
  ({ store, repos } = await memoryStore({ clock: () => now }));
  indexQueries = 0;
  store.client.middlewareStack.add(
    (next, context) => async (input) => {
      if (context.commandName === "QueryCommand") indexQueries++;
      return next(input);
    },
    { step: "initialize", name: "countQueries" },
  );
});

afterEach(async () => {
  await store.close();
});

function directory(emails: Record<string, string>, asanaUsers: Record<string, string>): UserDirectory {
  return new UserDirectory({
    users: repos.users,
    slack: { info: async (id) => ({ email: emails[id] ?? null, name: `Persona ${id}`, locale: "es-LA" }) },
    asana: { findUserByEmail: async (_ws, email) => (asanaUsers[email] ? { gid: asanaUsers[email] } : null) },
    workspaceGid: "1",
    defaultLocale: "es",
    clock: () => now,
  });
}

describe("UserDirectory", () => {
  it("maps a Slack user to the Asana user of their email and keeps it a day", async () => {
    const users = directory({ U1: "ana@empresa.example" }, { "ana@empresa.example": "9001" });
    expect((await users.profile("U1")).asanaUserGid).toBe("9001");
    expect(await users.localeOf("U1")).toBe("es");
    const later = directory({ U1: "ana@empresa.example" }, { "ana@empresa.example": "9999" });
    now = new Date(T0.getTime() + PROFILE_FRESH_MS - 1);
    expect((await later.profile("U1")).asanaUserGid).toBe("9001");
    now = new Date(T0.getTime() + PROFILE_FRESH_MS);
    expect((await later.profile("U1")).asanaUserGid).toBe("9999");
  });

  it("answers mentions from memory for a while, the unmapped ones too", async () => {
    const users = directory({ U1: "ana@empresa.example" }, { "ana@empresa.example": "9001" });
    await users.profile("U1");
    indexQueries = 0;
    expect(await users.slackUserIdFor("9001")).toBe("U1");
    expect(await users.slackUserIdFor("9002")).toBeNull();
    expect(await users.slackUserIdFor("9001")).toBe("U1");
    expect(await users.slackUserIdFor("9002")).toBeNull();
    expect(await users.slackUserIdFor(null)).toBeNull();
    expect(indexQueries).toBe(2);
    now = new Date(T0.getTime() + MENTION_FRESH_MS);
    expect(await users.slackUserIdFor("9001")).toBe("U1");
    expect(indexQueries).toBe(3);
  });

  it("a profile it refreshes is mentioned at once, not after the cache ages", async () => {
    const users = directory({ U2: "bea@empresa.example" }, { "bea@empresa.example": "9002" });
    expect(await users.slackUserIdFor("9002")).toBeNull();
    await users.profile("U2");
    expect(await users.slackUserIdFor("9002")).toBe("U2");
  });
  describe("membership, asked before an ack", () => {
    const GUEST = { teamId: "T1", restricted: true, ultraRestricted: false };

    function slackSaying(
      membership: typeof GUEST,
      delayMs = 0,
    ): { directory: UserDirectory; asked: () => number } {
      let asked = 0;
      const users = new UserDirectory({
        users: repos.users,
        slack: {
          info: async () => {
            asked++;
            if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
            return { email: null, name: "Invitada", locale: "es-LA", membership };
          },
        },
        asana: null,
        workspaceGid: null,
        defaultLocale: "es",
        clock: () => now,
        membershipWaitMs: 200,
      });
      return { directory: users, asked: () => asked };
    }

    it("a profile cached before the flags were kept is checked with Slack, not taken for a member's", async () => {
      await repos.users.upsert({
        slackUserId: "U9",
        email: null,
        name: "Invitada",
        asanaUserGid: null,
        locale: "es",
        refreshedAt: T0.toISOString(),
      });
      const { directory: users, asked } = slackSaying(GUEST);
      expect(await users.membershipOf("U9")).toEqual(GUEST);
      expect(asked()).toBe(1);
      expect(await users.membershipOf("U9")).toEqual(GUEST);
      expect(asked()).toBe(1);
      expect((await repos.users.get("U9"))?.membership).toEqual(GUEST);
    });

    it("Slack slower than the wait: unverified now (null), the answer cached for the next time", async () => {
      const { directory: users, asked } = slackSaying(GUEST, 600);
      expect(await users.membershipOf("U8")).toBeNull();
      await vi.waitFor(async () => expect((await repos.users.get("U8"))?.membership).toEqual(GUEST), {
        timeout: 3_000,
      });
      expect(await users.membershipOf("U8")).toEqual(GUEST);
      expect(asked()).toBe(1);
    });
  });
});
