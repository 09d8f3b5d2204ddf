import { describe, expect, it } from "vitest";
import type { ParsedUpdate } from "../../../services/model.ts";
import { reportsRisk } from "../../../services/updates/risk.ts";

const QUIET: ParsedUpdate = { progress: 70, health: null, risks: [], blockers: [], nextSteps: [], eta: null };

describe("reportsRisk: which status updates alert the PMO channel", () => {
  it.each<[string, Partial<ParsedUpdate>, boolean]>([
    ["nothing said but progress", {}, false],
    ["on track", { health: "on_track" }, false],
    ["on hold, nothing else", { health: "on_hold" }, false],
    ["next steps only", { nextSteps: ["pruebas"], eta: "2026-07-10" }, false],
    ["at risk", { health: "at_risk" }, true],
    ["off track", { health: "off_track" }, true],
    ["a risk, health unsaid", { risks: ["el proveedor"] }, true],
    ["a blocker, health unsaid", { blockers: ["la VPN"] }, true],
    ["a risk while on track", { health: "on_track", risks: ["el proveedor"] }, true],
    ["a blocker while on hold", { health: "on_hold", blockers: ["el cliente"] }, true],
  ])("%s -> %s", (_what, parsed, alerts) => {
    expect(reportsRisk({ ...QUIET, ...parsed })).toBe(alerts);
  });
});
