import { describe, expect, it } from "vitest";
import {
  Authorization,
  PERMISSIONS,
  type Permission,
} from "../../../services/authorization/authorization.ts";

const ADMIN = "UADMIN0001";
const OWNER = "U0OWNER001";
const OTHER = "U0OTHER001";
const UNMAPPED = "U0NOASANA1";
const asanaUsers: Record<string, string> = { [ADMIN]: "9000", [OWNER]: "9001", [OTHER]: "9002" };
const project = { responsableKey: "9001" };

function authorization(lookups: string[] = []) {
  return new Authorization({
    adminUserIds: [ADMIN],
    asanaUserOf: async (slackUserId) => {
      lookups.push(slackUserId);
      return asanaUsers[slackUserId] ?? null;
    },
  });
}

describe("Authorization", () => {
  // Who may do what, as DESIGN.md section 6 has it; the same table for Slack and the web.
  const table: { who: string; may: readonly Permission[] }[] = [
    { who: ADMIN, may: PERMISSIONS },
    { who: OWNER, may: ["read", "acknowledge", "update"] },
    { who: OTHER, may: ["read"] },
    { who: UNMAPPED, may: ["read"] },
  ];
  for (const { who, may } of table) {
    it(`${who} may ${may.join(", ")} on a project owned by ${OWNER}, and nothing else`, async () => {
      const auth = authorization();
      for (const permission of PERMISSIONS)
        expect(await auth.may(who, permission, project), permission).toBe(may.includes(permission));
    });
  }

  it("a project with no responsable can be acknowledged and updated by admins only", async () => {
    const auth = authorization();
    const orphan = { responsableKey: null };
    expect(await auth.may(OWNER, "acknowledge", orphan)).toBe(false);
    expect(await auth.may(OWNER, "update", orphan)).toBe(false);
    expect(await auth.may(ADMIN, "update", orphan)).toBe(true);
  });

  it("looks the person up only when the answer depends on it", async () => {
    const lookups: string[] = [];
    const auth = authorization(lookups);
    await auth.may(ADMIN, "acknowledge", project);
    await auth.may(OTHER, "resolve", project);
    await auth.may(OTHER, "read", project);
    expect(lookups).toEqual([]);
    await auth.may(OWNER, "acknowledge", project);
    expect(lookups).toEqual([OWNER]);
  });

  it("a lookup that fails denies (never grants) the project-bound actions", async () => {
    const auth = new Authorization({
      adminUserIds: [ADMIN],
      asanaUserOf: () => Promise.reject(new Error("Slack is down")),
    });
    expect(await auth.may(OWNER, "acknowledge", project)).toBe(false);
    expect(await auth.may(ADMIN, "acknowledge", project)).toBe(true);
  });

  it("decides the same way for a caller who already knows the person's Asana user", () => {
    const auth = authorization();
    expect(auth.decide({ slackUserId: OWNER, asanaUserGid: "9001" }, "update", project)).toBe(true);
    expect(auth.decide({ slackUserId: OTHER, asanaUserGid: "9002" }, "update", project)).toBe(false);
    expect(auth.decide({ slackUserId: OTHER, asanaUserGid: null }, "update", { responsableKey: null })).toBe(
      false,
    );
    expect(auth.decide({ slackUserId: ADMIN, asanaUserGid: null }, "sync")).toBe(true);
    expect(auth.admins()).toEqual([ADMIN]);
    expect(auth.role(OWNER)).toBe("member");
  });
});
