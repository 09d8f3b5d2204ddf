import { NumberValue } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import {
  addProjectRef,
  describeKey,
  emptyCounts,
  emptyProjectRefs,
  itemBytes,
  MAX_ITEM_BYTES,
  mapUpdate,
  mapUser,
  NEVER_REFRESHED,
  type ProjectRefs,
  type SourceItem,
  unaccounted,
} from "../../../services/migration/botpmo.ts";
import { statusUpdateSchema, userProfileSchema } from "../../../services/model.ts";

/** BOTPMO's items as its code writes them (pulse-bot-mvp, src/services/dynamo.js). */
const botpmoUser = (overrides: Record<string, unknown> = {}): SourceItem => ({
  pk: "USER#U0ANA0001",
  slackUserId: "U0ANA0001",
  asanaEmail: "ana@example.com",
  asanaName: "Ana Pérez",
  timezone: "America/Bogota",
  onboarded: true,
  createdAt: "2026-01-10T12:00:00.000Z",
  updatedAt: "2026-02-01T09:30:00.000Z",
  cachedProjects: [{ gid: "1201", name: "Migración Banco" }],
  projectsCachedAt: "2026-02-01T09:30:00.000Z",
  ...overrides,
});

const botpmoUpdate = (overrides: Record<string, unknown> = {}): SourceItem => ({
  pk: "PROJECT#1201",
  sk: "UPDATE#2026-02-02T15:04:05.123Z",
  projectGid: "1201",
  projectName: "Migración Banco",
  pmSlackId: "U0ANA0001",
  status: "at_risk",
  advances: "Migramos 3 de 5 bases <!here> & seguimos 🚧",
  hasBlockers: true,
  blockerDescription: "El proveedor no entrega las credenciales",
  timestamp: "2026-02-02T15:04:05.123Z",
  ...overrides,
});

function refsOf(...projects: SourceItem[]): ProjectRefs {
  const refs = emptyProjectRefs();
  for (const project of projects) expect(addProjectRef(refs, project)).toBeNull();
  return refs;
}

describe("mapUser", () => {
  it("keeps the Slack <-> Asana mapping and puts what has no home under legacy", () => {
    const verdict = mapUser(botpmoUser(), emptyProjectRefs());
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(userProfileSchema.parse(verdict.profile)).toEqual({
      slackUserId: "U0ANA0001",
      email: "ana@example.com",
      name: "Ana Pérez",
      asanaUserGid: null,
      locale: null,
      refreshedAt: NEVER_REFRESHED,
    });
    expect(verdict.legacy).toEqual({
      timezone: "America/Bogota",
      onboarded: true,
      createdAt: "2026-01-10T12:00:00.000Z",
      updatedAt: "2026-02-01T09:30:00.000Z",
      cachedProjects: [{ gid: "1201", name: "Migración Banco" }],
      projectsCachedAt: "2026-02-01T09:30:00.000Z",
    });
  });

  it("finds the Asana user on the item, or through a project the person owns (accents ignored)", () => {
    const withGid = mapUser(botpmoUser({ asanaUserGid: "9001" }), emptyProjectRefs());
    expect(withGid.ok && withGid.profile.asanaUserGid).toBe("9001");
    const refs = refsOf({ pk: "PROJECT#1201", sk: "META", responsable: "ANA PEREZ", responsableGid: "9002" });
    const throughProject = mapUser(botpmoUser(), refs);
    expect(throughProject.ok && throughProject.profile.asanaUserGid).toBe("9002");
    // BOTPMO's own responsableKey (RESPONSABLE#name) names nobody in Asana.
    const byName = refsOf({
      pk: "PROJECT#1201",
      responsable: "Ana Pérez",
      responsableKey: "RESPONSABLE#ana perez",
    });
    const unresolved = mapUser(botpmoUser(), byName);
    expect(unresolved.ok && unresolved.profile.asanaUserGid).toBeNull();
  });

  it("keeps an email or name that is not one in legacy rather than in the profile", () => {
    const verdict = mapUser(
      botpmoUser({ asanaEmail: "no es un correo", asanaName: "   " }),
      emptyProjectRefs(),
    );
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(verdict.profile).toMatchObject({ email: null, name: null });
    expect(verdict.legacy).toMatchObject({ asanaEmail: "no es un correo", asanaName: "   " });
  });

  it.each<[string, SourceItem, string]>([
    ["a key that is not USER#", botpmoUser({ pk: "CONFIG#global" }), "invalid_key"],
    ["a slackUserId unlike its key", botpmoUser({ slackUserId: "U0OTHER01" }), "invalid_key"],
    ["no Slack user ID in the key", botpmoUser({ pk: "USER#ana", slackUserId: "ana" }), "no_slack_user"],
    ["a number for the email", botpmoUser({ asanaEmail: 42 }), "malformed"],
    ["a string set for the name", botpmoUser({ asanaName: new Set(["Ana", "Anita"]) }), "malformed"],
    ["an attribute past 400 KB", botpmoUser({ notes: "x".repeat(450 * 1024) }), "too_large"],
  ])("skips %s", (_name, item, reason) => {
    const verdict = mapUser(item, emptyProjectRefs());
    expect(verdict).toMatchObject({ ok: false, reason });
  });
});

describe("mapUpdate", () => {
  it("keeps the PM's text byte for byte, reads status and blockers, keeps the rest under legacy", () => {
    const item = botpmoUpdate();
    const verdict = mapUpdate(item, emptyProjectRefs());
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(statusUpdateSchema.parse(verdict.update)).toMatchObject({
      projectGid: "1201",
      slackUserId: "U0ANA0001",
      submittedAt: "2026-02-02T15:04:05.123Z",
      text: item.advances,
      parsed: { health: "at_risk", blockers: ["El proveedor no entrega las credenciales"], progress: null },
      asanaStatusUpdateGid: null,
    });
    expect(verdict.legacy).toEqual({ projectName: "Migración Banco" });
  });

  it("keeps a status it cannot read and a hasBlockers of another type in legacy", () => {
    const verdict = mapUpdate(
      botpmoUpdate({ status: "amarillo", hasBlockers: "sí", blockerDescription: null }),
      emptyProjectRefs(),
    );
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(verdict.update.parsed).toMatchObject({ health: null, blockers: [] });
    expect(verdict.legacy).toEqual({ projectName: "Migración Banco", status: "amarillo", hasBlockers: "sí" });
  });

  it("takes the instant from the sort key and the project from its PMO ID when the attributes lack them", () => {
    const refs = refsOf({ pk: "PROJECT#1300", sk: "META", pmoId: "pmo-77" });
    const verdict = mapUpdate(
      botpmoUpdate({ pk: "PROJECT#unknown", projectGid: undefined, pmoId: "PMO-77", timestamp: undefined }),
      refs,
    );
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(verdict.update).toMatchObject({ projectGid: "1300", submittedAt: "2026-02-02T15:04:05.123Z" });
    expect(verdict.legacy).toMatchObject({ pmoId: "PMO-77" });
  });

  it("carries odd attribute types into legacy as they are (sets, binary, precise numbers, maps)", () => {
    const odd = {
      tags: new Set(["riesgo", "proveedor"]),
      scores: new Set([1, 2]),
      attachment: new Uint8Array([0, 1, 2, 255]),
      bigCounter: NumberValue.from("123456789012345678901234567890"),
      nested: { a: [1, "dos", null, { b: true }] },
      emptyText: null,
    };
    const verdict = mapUpdate(botpmoUpdate(odd), emptyProjectRefs());
    if (!verdict.ok) throw new Error(verdict.detail);
    expect(verdict.legacy).toEqual({ projectName: "Migración Banco", ...odd });
    expect(verdict.legacy.bigCounter).toBe(odd.bigCounter);
  });

  it.each<[string, SourceItem, string]>([
    ["a sort key that is not UPDATE#", botpmoUpdate({ sk: "META" }), "invalid_key"],
    ["a projectGid unlike its key", botpmoUpdate({ projectGid: "999" }), "invalid_key"],
    ["no project gid anywhere", botpmoUpdate({ pk: "PROJECT#", projectGid: null }), "no_project"],
    ["no author", botpmoUpdate({ pmSlackId: undefined }), "no_slack_user"],
    ["an author that is no Slack user", botpmoUpdate({ pmSlackId: "ana@example.com" }), "no_slack_user"],
    ["no instant", botpmoUpdate({ timestamp: "ayer", sk: "UPDATE#ayer" }), "no_timestamp"],
    ["a number for the text", botpmoUpdate({ advances: 70 }), "malformed"],
    ["a list for the status", botpmoUpdate({ status: ["on_track"] }), "malformed"],
    [
      "nothing said",
      botpmoUpdate({ advances: "", status: null, hasBlockers: false, blockerDescription: null }),
      "empty_update",
    ],
    ["a text past 400 KB", botpmoUpdate({ advances: "é".repeat(230 * 1024) }), "too_large"],
  ])("skips %s", (_name, item, reason) => {
    const verdict = mapUpdate(item, emptyProjectRefs());
    expect(verdict).toMatchObject({ ok: false, reason });
    // The reason never quotes the PM's words.
    if (!verdict.ok && typeof item.advances === "string" && item.advances.length > 0)
      expect(verdict.detail).not.toContain(item.advances.slice(0, 20));
  });
});

describe("project references", () => {
  it("refuses a project whose key is not PROJECT#{gid} or whose PMO ID is not text", () => {
    const refs = emptyProjectRefs();
    expect(addProjectRef(refs, { pk: "PROJECT#abc", sk: "META" })).toMatchObject({ reason: "invalid_key" });
    expect(addProjectRef(refs, { pk: "PROJECT#1", sk: "META", pmoId: 12 })).toMatchObject({
      reason: "malformed",
    });
    expect(refs.gids.size).toBe(0);
  });
});

describe("itemBytes", () => {
  it("counts names and UTF-8 strings, and never less than DynamoDB for numbers and containers", () => {
    expect(itemBytes({ pk: "é" })).toBe(2 + 2);
    expect(itemBytes({ n: 7 })).toBe(1 + 21);
    expect(itemBytes({ l: ["ab", true] })).toBe(1 + 3 + (1 + 2) + (1 + 1));
    expect(itemBytes({ m: { k: "v" } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemBytes({ s: new Set(["ab", "c"]) })).toBe(1 + 3);
    expect(itemBytes({ b: new Uint8Array(10) })).toBe(1 + 10);
    expect(itemBytes({ big: NumberValue.from("12345678901234567890") })).toBe(3 + 21);
    expect(itemBytes({ text: "x".repeat(MAX_ITEM_BYTES) })).toBeGreaterThan(MAX_ITEM_BYTES);
  });
});

describe("accounting", () => {
  it("names a skipped item by its key values, shortened", () => {
    expect(describeKey(botpmoUpdate(), ["pk", "sk"])).toBe("PROJECT#1201 / UPDATE#2026-02-02T15:04:05.123Z");
    expect(describeKey({ pk: "x".repeat(500) }, ["pk", "sk"])).toMatch(/^x{117}… \/ \(missing\)$/);
  });

  it("counts an item unaccounted until it is written, merged, found present or skipped", () => {
    const counts = {
      ...emptyCounts(),
      read: 5,
      written: 1,
      merged: 1,
      alreadyPresent: 1,
      skipped: { malformed: 1 },
    };
    expect(unaccounted(counts)).toBe(1);
  });
});
