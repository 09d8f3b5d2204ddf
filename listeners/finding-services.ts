import { FindingActions } from "../services/findings/finding-actions.ts";
import { HomeService } from "../services/home/home-service.ts";
import type { ListenerDeps } from "./deps.ts";

export type FindingServices = { findings: FindingActions; home: HomeService };

const built = new WeakMap<ListenerDeps, FindingServices>();

/**
 * The finding and Home use cases, built from the listener deps the first time a listener runs
 * (registering touches nothing but the app) and shared by every listener after that.
 */
export function findingServicesOf(deps: ListenerDeps): FindingServices {
  const existing = built.get(deps);
  if (existing !== undefined) return existing;
  const services: FindingServices = {
    findings: new FindingActions({
      repos: deps.repos,
      users: deps.users,
      clock: deps.clock,
      channel: { locale: deps.config.defaultLocale, timeZone: deps.config.timezone },
      logger: deps.logger,
    }),
    home: new HomeService({
      repos: deps.repos,
      portfolio: deps.portfolio,
      users: deps.users,
      clock: deps.clock,
      timeZone: deps.config.timezone,
    }),
  };
  built.set(deps, services);
  return services;
}
