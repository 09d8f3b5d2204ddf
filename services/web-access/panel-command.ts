import { foldText } from "../commands/parse-pmo.ts";

/** `/pmo panel` (or `dashboard`, `tablero`, `web`): a one-time sign-in link to the web dashboard. */
const PANEL_WORDS: ReadonlySet<string> = new Set(["panel", "dashboard", "tablero", "web"]);

export function isPanelCommand(text: string): boolean {
  return PANEL_WORDS.has(foldText(text));
}
