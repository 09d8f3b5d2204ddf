import type { Authorization } from "../services/authorization/authorization.ts";
import type { PmoService } from "../services/commands/pmo-service.ts";
import type { ExportService } from "../services/export/export-service.ts";
import type { FindingActions } from "../services/findings/finding-actions.ts";
import type { HomeService } from "../services/home/home-service.ts";
import type { Logger } from "../services/logger.ts";
import type { Clock, Locale } from "../services/model.ts";
import type { UpdateServices } from "../services/updates/update-services.ts";
import type { UserDirectory } from "../services/users/directory.ts";
import type { SignInLinks } from "../services/web-access/sign-in-links.ts";

/**
 * The use cases the Slack listeners call, built once by the composition root (app/services.ts):
 * a listener acks, parses, calls one of these and renders. It never builds a service, and never
 * reaches a repository, the Asana client or the config.
 */
export type ListenerServices = {
  users: Pick<UserDirectory, "localeOf">;
  /** Whether this delivery (its event id or trigger id) is seen for the first time, by any instance. */
  deliveries: { first(deliveryId: string): Promise<boolean> };
  /** Whether the person may use the app at all (their team, guest or not), asked before every listener. */
  authorization: Pick<Authorization, "readAccess">;
  /** `/pmo` lookups, status and manual sync. */
  lookups: PmoService;
  findings: FindingActions;
  home: HomeService;
  /** The status-update conversation (DMs, its buttons, the update modal) and its durable inbox. */
  updates: Pick<UpdateServices, "conversations" | "inbox" | "receiveDirectMessage">;
  export: ExportService;
  /** One-time sign-in links to the web dashboard (`/pmo panel`); null when WEB_ENABLED=false. */
  web: { links: Pick<SignInLinks, "issue"> } | null;
};

/** How answers are rendered: the PMO's time zone, and the language when a person's is unknown. */
export type RenderingSettings = { timeZone: string; defaultLocale: Locale };

export type ListenerDeps = {
  services: ListenerServices;
  logger: Logger;
  clock: Clock;
  rendering: RenderingSettings;
};
