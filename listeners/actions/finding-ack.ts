import type { App } from "@slack/bolt";
import { FINDING_ACK } from "../../services/slack/action-ids.ts";
import type { ListenerDeps } from "../deps.ts";
import { answerFindingClick } from "./finding-click.ts";

/** Reconocer: the comment modal for an admin or the project's responsable; anyone else is told who may. */
export function registerFindingAck(app: App, deps: ListenerDeps): void {
  app.action(
    FINDING_ACK,
    answerFindingClick(deps, FINDING_ACK, (findings, request) => findings.startAcknowledge(request)),
  );
}
