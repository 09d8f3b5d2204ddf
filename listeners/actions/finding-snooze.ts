import type { App } from "@slack/bolt";
import { FINDING_SNOOZE } from "../../services/slack/action-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { answerFindingClick } from "./finding-click.ts";

/** Posponer (admins): the modal with the choice of days. */
export function registerFindingSnooze(app: App, deps: ListenerDeps): void {
  app.action(
    FINDING_SNOOZE,
    answerFindingClick(deps, FINDING_SNOOZE, (findings, request) => findings.startSnooze(request)),
  );
}
