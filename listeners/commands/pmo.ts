import type { App, RespondFn } from "@slack/bolt";
import { parsePmoCommand } from "../../services/commands/parse-pmo.ts";
import type { SyncKind } from "../../services/model.ts";
import { pmoAnswerMessage } from "../../services/slack/blocks/pmo/answer.ts";
import {
  syncDeniedMessage,
  syncOutcomeMessage,
  syncStartedMessage,
} from "../../services/slack/blocks/pmo/sync.ts";
import { isPanelCommand } from "../../services/web-access/panel-command.ts";
import type { ListenerDeps } from "../deps.ts";
import { answerExport } from "./pmo-export.ts";
import { answerPanel } from "./pmo-panel.ts";
import { answerFailure, ephemeral, renderContext } from "./respond.ts";

export const PMO_COMMAND = "/pmo";

/** `/pmo …`: ack at once, parse, answer through the service, respond ephemerally. */
export function registerPmoCommand(app: App, deps: ListenerDeps): void {
  const { lookups, updates } = deps.services;
  app.command(PMO_COMMAND, async ({ ack, command, respond, client, body }) => {
    await ack();
    const parsed = parsePmoCommand(command.text);
    const userId = command.user_id;
    try {
      if (isPanelCommand(command.text)) {
        await answerPanel(deps, respond, userId, command.team_id);
        return;
      }
      if (parsed.kind === "sync") {
        await answerSync(deps, respond, userId, parsed.syncKind, parsed.confirmRemovals === true);
        return;
      }
      if (parsed.kind === "update") {
        const view = await updates.conversations.openModal(
          userId,
          parsed.pmoId === null ? {} : { pmoId: parsed.pmoId },
        );
        await client.views.open({ trigger_id: body.trigger_id, view });
        return;
      }
      if (parsed.kind === "export") {
        await answerExport(deps, respond, client, userId, parsed.filters);
        return;
      }
      const reply = await lookups.answer(parsed, userId);
      await respond(ephemeral(pmoAnswerMessage(renderContext(deps, reply.locale), reply)));
    } catch (error) {
      await answerFailure(deps, respond, userId, { error, subcommand: parsed.kind });
    }
  });
}

/** Admins only: "syncing…" at once, then what the run did once it is done. */
async function answerSync(
  deps: ListenerDeps,
  respond: RespondFn,
  userId: string,
  syncKind: SyncKind,
  confirmRemovals: boolean,
): Promise<void> {
  const { lookups } = deps.services;
  const locale = await lookups.localeOf(userId);
  const freshness = await lookups.freshness();
  if (!(await lookups.mayRunSync(userId))) {
    deps.logger.info({ user: userId }, "/pmo sync refused: not a PMO admin");
    await respond(ephemeral(syncDeniedMessage(renderContext(deps, locale), lookups.syncAdmins(), freshness)));
    return;
  }
  await respond(
    ephemeral(syncStartedMessage(renderContext(deps, locale), syncKind, freshness, { confirmRemovals })),
  );
  deps.logger.info({ user: userId, kind: syncKind, confirmRemovals }, "/pmo sync started");
  const outcome = await lookups.runSync(syncKind, confirmRemovals ? { confirmRemovals } : {});
  if (outcome.kind === "failed")
    deps.logger.error({ err: outcome.cause, kind: syncKind }, "/pmo sync failed");
  const after = await lookups.freshness();
  await respond(ephemeral(syncOutcomeMessage(renderContext(deps, locale), outcome, after)));
}
