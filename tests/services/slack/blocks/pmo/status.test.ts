import { describe, expect, it } from "vitest";
import { type SyncRun, syncRunSchema } from "../../../../../services/model.ts";
import { statusMessage } from "../../../../../services/slack/blocks/pmo/status.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { ctx, FRESH, NEVER } from "./ctx.ts";

const run = (overrides: Partial<SyncRun>): SyncRun =>
  syncRunSchema.parse({
    syncId: "s1",
    kind: "partial",
    status: "completed",
    startedAt: "2026-11-22T13:26:00.000Z",
    completedAt: "2026-11-22T13:30:20.000Z",
    projectsSynced: 1400,
    changesDetected: 12,
    findingsOpened: 3,
    findingsResolved: 1,
    durationMs: 260_000,
    ...overrides,
  });

describe("estado", () => {
  it("shows the last runs with their counts, the next runs, the projects and the freshness", () => {
    const message = statusMessage(
      ctx("es"),
      {
        runs: [
          run({ syncId: "s3", status: "running", startedAt: "2026-11-22T13:40:00.000Z", completedAt: null }),
          run({}),
          run({ syncId: "s0", kind: "full", status: "failed", errorMessage: "<!channel> boom" }),
        ],
        nextRuns: [
          { name: "sync-full", next: new Date("2026-11-23T11:00:00.000Z") },
          { name: "sync-partial", next: null },
          { name: "<!here>", next: null },
        ],
        activeProjects: 1400,
        staleProjects: 3,
      },
      FRESH,
    );
    const slots = textSlots(message).map((s) => s.text);
    const runs = slots.find((s) => s.startsWith("*Últimas sincronizaciones*")) ?? "";
    expect(runs).toContain("⏳ Parcial · en curso · 22/11/2026 08:40 (hace 2 min)");
    expect(runs).toContain(
      "✅ Parcial · terminada · 22/11/2026 08:26 (hace 16 min)\n1400 proyectos · 12 cambios · 3 hallazgos abiertos · 1 resuelto · 4 min 20 s",
    );
    expect(runs).toContain("❌ Completa · falló");
    expect(runs).not.toContain("boom");
    const next = slots.find((s) => s.startsWith("*Próximas ejecuciones*")) ?? "";
    expect(next).toContain("• Sincronización completa: 23/11/2026 06:00");
    expect(next).toContain("• Sincronización parcial: sin programar");
    expect(slots).toContain(
      "*Proyectos*: 1400 activos · 3 con datos incompletos en la última sincronización",
    );
    expect(slots.at(-1)).toBe("Datos al 22/11/2026 08:30 (hace 12 min)");
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });

  it.each([
    ["es", "Retuvo una baja masiva", "/pmo sync confirmar-bajas"],
    ["en", "Held back a mass removal", "/pmo sync confirmar-bajas"],
  ] as const)("a run that held back a mass removal says so under its counts (%s)", (locale, says, how) => {
    const held = run({
      warning: "mass removal held: 1260 of 1400 active projects would have been marked removed",
    });
    const message = statusMessage(
      ctx(locale),
      { runs: [held, run({ syncId: "s0" })], nextRuns: [], activeProjects: 1400, staleProjects: 0 },
      FRESH,
    );
    const runs =
      textSlots(message)
        .map((s) => s.text)
        .find((s) => s.includes(says)) ?? "";
    expect(runs).toContain(how);
    expect(runs.split(says)).toHaveLength(2);
    expect(runs).not.toContain("1260 of 1400");
  });

  it("says when nothing has run yet (English)", () => {
    const message = statusMessage(
      ctx("en"),
      { runs: [], nextRuns: [], activeProjects: 0, staleProjects: 0 },
      NEVER,
    );
    const slots = textSlots(message).map((s) => s.text);
    expect(slots).toContain("*Last syncs*\nNo syncs have been recorded yet.");
    expect(slots.at(-1)).toBe("No syncs yet");
  });

  it.each(HOSTILE_STRINGS)("escapes a job named %j", (hostile) => {
    const message = statusMessage(
      ctx("es"),
      { runs: [run({})], nextRuns: [{ name: hostile, next: null }], activeProjects: 1, staleProjects: 0 },
      FRESH,
    );
    expectSafeMrkdwn(message);
  });
});

describe("estado while Asana refuses the token", () => {
  for (const [locale, words] of [
    ["es", "Asana rechaza el token"],
    ["en", "Asana refuses the token"],
  ] as const) {
    it(`says so first, naming ASANA_TOKEN (${locale})`, () => {
      const input = { runs: [], nextRuns: [], activeProjects: 0, staleProjects: 0 };
      const refused = statusMessage(
        ctx(locale),
        { ...input, asanaTokenRefusedSince: "2026-11-22T13:00:00.000Z" },
        NEVER,
      );
      const text = JSON.stringify(refused.blocks[1]);
      expect(text).toContain(words);
      expect(text).toContain("ASANA_TOKEN");
      expect(JSON.stringify(statusMessage(ctx(locale), input, NEVER).blocks)).not.toContain("ASANA_TOKEN");
    });
  }
});
