import type { App } from "@slack/bolt";
import { FINDING_RESOLVE } from "../../services/slack/action-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { answerFindingClick } from "./finding-click.ts";

/** Resolver (admins): resolved by hand, and the message shows by whom. */
export function registerFindingResolve(app: App, deps: ListenerDeps): void {
  app.action(
    FINDING_RESOLVE,
    answerFindingClick(deps, FINDING_RESOLVE, (findings, request) => findings.resolve(request)),
  );
}
