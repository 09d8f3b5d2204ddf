import type { RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { FindingFilters } from "../../services/commands/parse-pmo.ts";
import { t } from "../../services/i18n/index.ts";
import { slackFileSender } from "../../services/slack/file-sender.ts";
import type { ListenerDeps } from "../deps.ts";
import { ephemeralText } from "./respond.ts";

/** A progress note is worth sending only when the file takes longer than this to build. */
const PROGRESS_AFTER_MS = 1_000;

/** `/pmo exportar [filtros]` (admins): the export service builds the XLSX; it goes to the caller by DM. */
export async function answerExport(
  deps: ListenerDeps,
  respond: RespondFn,
  client: WebClient,
  userId: string,
  filters: FindingFilters,
): Promise<void> {
  const service = deps.services.export;
  const locale = await service.localeOf(userId);
  const progress = setTimeout(() => {
    respond(ephemeralText(t(locale, "export.progress"))).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "export progress note failed"),
    );
  }, PROGRESS_AFTER_MS);
  try {
    const answer = await service.exportFor(userId, filters);
    clearTimeout(progress);
    if (answer.kind === "denied") {
      await respond(ephemeralText(t(locale, "export.denied")));
      return;
    }
    const built = answer.export;
    await slackFileSender(client).sendToUser(userId, {
      data: built.file,
      filename: built.filename,
      title: built.filename,
      comment: t(locale, "export.sent", built.counts),
    });
    deps.logger.info({ user: userId, ...built.counts }, "export sent");
    await respond(ephemeralText(t(locale, "export.done")));
  } catch (error) {
    clearTimeout(progress);
    deps.logger.error({ err: error, user: userId }, "export failed");
    await respond(ephemeralText(t(locale, "export.failed"))).catch(() => undefined);
  }
}
