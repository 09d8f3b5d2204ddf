import type { Authorization } from "../services/authorization/authorization.ts";
import type { ExportService } from "../services/export/export-service.ts";
import type { FindingActions } from "../services/findings/finding-actions.ts";
import type { Logger } from "../services/logger.ts";
import type { ChangeEntry, Clock, Finding, Locale, StatusUpdate, SyncRun } from "../services/model.ts";
import type { PortfolioSnapshot } from "../services/portfolio/portfolio-snapshot.ts";
import type { SlackClient } from "../services/slack/finding-replies.ts";
import type { UserDirectory } from "../services/users/directory.ts";
import type { SignInLinks } from "../services/web-access/sign-in-links.ts";

/**
 * What the web dashboard calls: the same use cases the Slack listeners call, built once by the
 * composition root (app/services.ts). A route parses, authorizes through the one authorization
 * service, calls one of these and renders; it never reaches a repository or the Asana client.
 */
export type WebServices = {
  users: Pick<UserDirectory, "localeOf" | "asanaUserOf">;
  authorization: Pick<Authorization, "may" | "decide" | "isAdmin">;
  portfolio: Pick<PortfolioSnapshot, "read">;
  findings: Pick<FindingActions, "acknowledge" | "resolve" | "snooze">;
  export: Pick<ExportService, "exportFor">;
  dashboard: {
    projectFindings(projectGid: string): Promise<Finding[]>;
    projectChanges(projectGid: string, limit: number): Promise<ChangeEntry[]>;
    projectUpdates(projectGid: string, limit: number): Promise<StatusUpdate[]>;
    recentSyncs(limit: number): Promise<SyncRun[]>;
    freshUpdateDays: number;
  };
  web: { links: Pick<SignInLinks, "check" | "redeem" | "admit">; sessionSecret: string };
};

/** "Sign in with Slack" (OpenID Connect), when SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and WEB_BASE_URL are set. */
export type OpenIdSettings = {
  clientId: string;
  clientSecret: string;
  /** Where Slack sends the browser back: `${baseUrl}/auth/slack/callback`. */
  baseUrl: string;
  /** Slack's Web API (SLACK_API_URL); the authorize page is on the same host. */
  slackApiUrl: string;
};

export type WebSettings = {
  timeZone: string;
  defaultLocale: Locale;
  openId: OpenIdSettings | null;
  /** Each Slack call's time limit (the OpenID token exchange). */
  slackTimeoutMs: number;
};

export type WebDeps = {
  services: WebServices;
  /** The bot's Web API client: a web action updates the Slack alert in place. Null without Slack. */
  slack: SlackClient | null;
  logger: Logger;
  clock: Clock;
  settings: WebSettings;
};
