import type { Freshness } from "../../../../../services/commands/pmo-service.ts";
import type { PmoRenderContext } from "../../../../../services/slack/blocks/pmo/common.ts";

/** 08:42 in Bogotá; the last sync completed at 08:30. */
export const NOW = new Date("2026-11-22T13:42:00.000Z");
export const FRESH: Freshness = { lastSyncAt: "2026-11-22T13:30:00.000Z" };
export const NEVER: Freshness = { lastSyncAt: null };

export const ctx = (locale: "es" | "en"): PmoRenderContext => ({
  locale,
  timeZone: "America/Bogota",
  now: NOW,
});
