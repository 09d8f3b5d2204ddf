import type { App } from "@slack/bolt";
import { PmoService } from "../../services/commands/pmo-service.ts";
import type { ListenerDeps } from "../deps.ts";
import { registerPmoCommand } from "./pmo.ts";
import { registerPmoMore } from "./pmo-more.ts";

export function registerCommands(app: App, deps: ListenerDeps): void {
  const pmo = new PmoService({
    repos: deps.repos,
    portfolio: deps.portfolio,
    users: deps.users,
    config: deps.config,
    jobs: deps.jobs,
    logger: deps.logger,
  });
  registerPmoCommand(app, deps, pmo);
  registerPmoMore(app, deps, pmo);
}
