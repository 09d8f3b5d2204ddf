import type { RespondFn } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import type { FindingFilters } from "../../services/commands/parse-pmo.ts";
import type { PmoService } from "../../services/commands/pmo-service.ts";
import { buildExport, type ExportFilters } from "../../services/export/export-service.ts";
import { t } from "../../services/i18n/index.ts";
import { slackFileSender } from "../../services/slack/file-sender.ts";
import type { ListenerDeps } from "../deps.ts";
import { ephemeral } from "./pmo.ts";

/** A progress note is worth sending only when the file takes longer than this to build. */
const PROGRESS_AFTER_MS = 1_000;

const text = (message: string) =>
  ephemeral({ text: message, blocks: [{ type: "section", text: { type: "mrkdwn", text: message } }] });

/** `/pmo exportar [filtros]` (admins): builds the XLSX and sends it to the caller by DM. */
export async function answerExport(
  deps: ListenerDeps,
  service: PmoService,
  respond: RespondFn,
  client: WebClient,
  userId: string,
  filters: FindingFilters,
): Promise<void> {
  const locale = await service.localeOf(userId);
  if (!deps.users.isAdmin(userId)) {
    await respond(text(t(locale, "export.denied")));
    return;
  }
  const progress = setTimeout(() => {
    respond(text(t(locale, "export.progress"))).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "export progress note failed"),
    );
  }, PROGRESS_AFTER_MS);
  try {
    const result = await buildExport(deps.repos, {
      filters: await resolveFilters(deps, filters),
      locale,
      now: deps.clock(),
    });
    clearTimeout(progress);
    await slackFileSender(client).sendToUser(userId, {
      data: result.file,
      filename: result.filename,
      title: result.filename,
      comment: t(locale, "export.sent", result.counts),
    });
    deps.logger.info({ user: userId, ...result.counts }, "export sent");
    await respond(text(t(locale, "export.done")));
  } catch (error) {
    clearTimeout(progress);
    deps.logger.error({ err: error, user: userId }, "export failed");
    await respond(text(t(locale, "export.failed"))).catch(() => undefined);
  }
}

async function resolveFilters(deps: ListenerDeps, filters: FindingFilters): Promise<ExportFilters> {
  const wanted = filters.responsable;
  let responsable: ExportFilters["responsable"] = null;
  if (wanted?.kind === "name") responsable = { name: wanted.name };
  if (wanted?.kind === "slack_user") {
    const profile = await deps.users.profile(wanted.slackUserId);
    // Someone with no Asana user owns nothing: an impossible gid makes the export empty, not unfiltered.
    responsable = {
      asanaUserGid: profile.asanaUserGid ?? "-",
      label: wanted.label ?? profile.name ?? wanted.slackUserId,
    };
  }
  return { severities: filters.severities, vertical: filters.vertical, responsable };
}
