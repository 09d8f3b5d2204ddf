import { describe, expect, it } from "vitest";
import { type Project, projectSchema } from "../../../services/model.ts";
import { changelogEntries, latest, needsWrite } from "../../../services/sync/project-diff.ts";

const base: Project = projectSchema.parse({
  gid: "1",
  name: "Migración core",
  pmoId: "PMO-1",
  status: "on_track",
  dueOn: "2026-05-01",
  totalTasks: 10,
  pendingTasks: 4,
  completedTasks: 6,
  progressPercent: 60,
  raw: { gid: "1", custom_fields: [{ name: "PMO ID", display_value: "PMO-1" }] },
  lastSyncedAt: "2026-03-01T00:00:00.000Z",
  syncId: "a",
  version: 3,
});
const run = { syncId: "s-2", detectedAt: "2026-03-02T00:00:00.000Z" };

describe("changelogEntries", () => {
  it("gives one entry per critical field that changed, with old and new values", () => {
    const next = {
      ...base,
      status: "at_risk" as const,
      dueOn: "2026-06-01",
      progressPercent: 70,
      pendingTasks: 3,
    };
    const entries = changelogEntries(base, next, run);
    expect(entries.map((e) => [e.fieldName, e.oldValue, e.newValue])).toEqual([
      ["status", "on_track", "at_risk"],
      ["dueOn", "2026-05-01", "2026-06-01"],
      ["progressPercent", 60, 70],
      ["pendingTasks", 4, 3],
    ]);
    expect(
      entries.every((e) => e.source === "asana" && e.syncId === "s-2" && e.detectedAt === run.detectedAt),
    ).toBe(true);
  });

  it("records a project leaving the scope and coming back", () => {
    const gone = { ...base, removedReason: "archived" as const, removedAt: run.detectedAt };
    expect(changelogEntries(base, gone, run).map((e) => [e.fieldName, e.newValue])).toEqual([
      ["removedReason", "archived"],
    ]);
    expect(changelogEntries(gone, base, run).map((e) => [e.fieldName, e.oldValue, e.newValue])).toEqual([
      ["removedReason", "archived", null],
    ]);
  });

  it("ignores fields that are not critical", () => {
    expect(changelogEntries(base, { ...base, permalinkUrl: "https://x", lastSyncedAt: "z" }, run)).toEqual(
      [],
    );
  });
});

describe("needsWrite", () => {
  it("is false when only bookkeeping differs, true for any data, raw payload included", () => {
    expect(
      needsWrite(base, { ...base, lastSyncedAt: "2026-03-05T00:00:00.000Z", syncId: "b", version: 9 }),
    ).toBe(false);
    expect(
      needsWrite(base, {
        ...base,
        raw: { custom_fields: [{ display_value: "PMO-1", name: "PMO ID" }], gid: "1" },
      }),
    ).toBe(false);
    expect(needsWrite(base, { ...base, raw: { ...base.raw, modified_at: "x" } })).toBe(true);
    expect(needsWrite(base, { ...base, stale: true })).toBe(true);
    expect(needsWrite(null, base)).toBe(true);
  });
});

describe("latest", () => {
  it("takes the later instant, either side possibly missing", () => {
    expect(latest(null, null)).toBeNull();
    expect(latest("2026-01-01T00:00:00Z", null)).toBe("2026-01-01T00:00:00Z");
    expect(latest("2026-01-01T00:00:00Z", "2026-01-02T00:00:00+05:00")).toBe("2026-01-02T00:00:00+05:00");
  });
});
