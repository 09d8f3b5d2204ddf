import { describe, expect, it } from "vitest";
import type { SyncOutcome } from "../../../../../services/commands/pmo-service.ts";
import { syncStatsSchema } from "../../../../../services/model.ts";
import {
  massRemovalNoticeMessage,
  syncDeniedMessage,
  syncOutcomeMessage,
  syncStartedMessage,
} from "../../../../../services/slack/blocks/pmo/sync.ts";
import { expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { ctx, FRESH } from "./ctx.ts";

const stats = syncStatsSchema.parse({
  projectsSynced: 1400,
  changesDetected: 12,
  findingsOpened: 3,
  findingsResolved: 1,
  staleProjects: 2,
  durationMs: 260_000,
});

const firstText = (message: Parameters<typeof textSlots>[0]) => textSlots(message)[1]?.text ?? "";

describe("sync answers", () => {
  it("tells a non-admin who may sync", () => {
    const message = syncDeniedMessage(ctx("es"), ["UADMIN0001", "not-an-id"], FRESH);
    expect(firstText(message)).toBe("Solo los administradores de la PMO pueden sincronizar: <@UADMIN0001>.");
    expect(firstText(syncDeniedMessage(ctx("en"), [], FRESH))).toContain("none is configured");
    expectSafeMrkdwn(message);
  });

  it.each([
    ["es", "full", "⏳ Sincronizando (completa)…"],
    ["en", "partial", "⏳ Syncing (partial)…"],
  ] as const)("answers at once (%s %s)", (locale, kind, expected) => {
    const message = syncStartedMessage(ctx(locale), kind, FRESH);
    expect(firstText(message)).toContain(expected);
    expect(message.blocks.at(-1)?.block_id).toBe("pmo-freshness");
  });

  it.each<[string, "es" | "en", SyncOutcome, string[]]>([
    [
      "completed",
      "es",
      { kind: "completed", syncKind: "full", stats, rulesRan: true, alertsPosted: 3 },
      [
        "✅ Sincronización completa terminada en 4 min 20 s.",
        "1400 proyectos sincronizados · 12 cambios · 3 hallazgos abiertos · 1 hallazgo resuelto",
        "3 alertas publicadas en el canal de la PMO",
        "⚠️ 2 proyectos no se pudieron leer completos.",
      ],
    ],
    [
      "completed without rules",
      "en",
      { kind: "completed", syncKind: "partial", stats, rulesRan: false, alertsPosted: null },
      ["✅ Sync (partial) done in 4 min 20 s.", "The rules were not evaluated", "No alerts were posted"],
    ],
    [
      "completed, a mass removal held",
      "en",
      {
        kind: "completed",
        syncKind: "partial",
        stats,
        rulesRan: true,
        alertsPosted: null,
        removalsHeld: 1260,
      },
      [
        "1,260 projects vanished from Asana at once: none was marked removed.",
        "`/pmo sync confirm-removals`",
      ],
    ],
    [
      "completed, removals confirmed",
      "en",
      { kind: "completed", syncKind: "full", stats, rulesRan: true, alertsPosted: null, projectsRemoved: 1 },
      ["1 project marked removed."],
    ],
    ["skipped", "es", { kind: "skipped", syncKind: "full" }, ["Ya hay una sincronización en curso"]],
    [
      "failed",
      "en",
      { kind: "failed", syncKind: "full", cause: new Error("<!channel>") },
      ["❌ The sync failed."],
    ],
  ])("%s (%s)", (_name, locale, outcome, expected) => {
    const message = syncOutcomeMessage(ctx(locale), outcome, FRESH);
    for (const line of expected) expect(firstText(message)).toContain(line);
    expect(firstText(message)).not.toContain("channel");
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });
});

describe("the removals confirmed by an admin", () => {
  it.each([
    ["es", "⏳ Sincronización completa con las bajas confirmadas…"],
    ["en", "⏳ Full sync with the removals confirmed…"],
  ] as const)("answers at once (%s)", (locale, expected) => {
    expect(firstText(syncStartedMessage(ctx(locale), "full", FRESH, { confirmRemovals: true }))).toContain(
      expected,
    );
  });
});

describe("the PMO channel notice of a held mass removal", () => {
  const notice = {
    syncId: "s1",
    kind: "partial" as const,
    count: 1260,
    activeProjects: 1400,
    limit: 70,
    samples: [
      { gid: "1", name: "<!channel> urgente", pmoId: "PMO-1", reason: "out_of_scope" as const },
      { gid: "2", name: "Portal & <b>", pmoId: null, reason: "no_access" as const },
    ],
  };

  it.each([
    [
      "es",
      "habría dado de baja 1260 de 1400 proyectos activos (el límite es 70)",
      "sin acceso",
      "confirmar-bajas",
    ],
    [
      "en",
      "would have marked 1,260 of 1,400 active projects removed (the limit is 70)",
      "no access",
      "confirm-removals",
    ],
  ] as const)(
    "names how many, the limit, the first ones and the command (%s)",
    (locale, counts, reason, command) => {
      const message = massRemovalNoticeMessage({ locale }, notice);
      const all = textSlots(message)
        .map((slot) => slot.text)
        .join("\n");
      expect(message.text).toContain(counts);
      expect(message.text).toContain(command);
      expect(all).toContain(reason);
      expect(all).toContain("&lt;!channel&gt; urgente");
      expect(all).not.toContain("<!channel>");
      expectSafeMrkdwn(message);
      expectWithinBlockKitLimits(message);
    },
  );
});
