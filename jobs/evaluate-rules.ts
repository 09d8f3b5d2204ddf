import type { Logger } from "../services/logger.ts";
import type { Clock, RulesSummary } from "../services/model.ts";
import { emptyCounts } from "../services/rules/engine.ts";
import type { RuleSettings } from "../services/rules/rules.ts";
import { RulesService, type RulesServiceDeps } from "../services/rules/rules-service.ts";
import type { Repositories } from "../services/store/repositories.ts";
import { runExclusive } from "./lease.ts";

/** Two instances never run the whole-portfolio evaluation at once: one such run is plenty. */
export const RULES_LEASE = "rules";
const LEASE_TTL_MS = 2 * 60_000;

export type EvaluateRulesDeps = {
  repos: RulesServiceDeps["repos"] & Pick<Repositories, "meta">;
  rules: RuleSettings;
  timezone: string;
  clock: Clock;
  logger: Logger;
  /** Who runs it (host:pid:random): the lease owner. */
  owner: string;
  leaseTtlMs?: number;
  /** The rules service to run; built from the deps above when absent. */
  service?: Pick<RulesService, "evaluateAll">;
};

export type EvaluateRulesOptions = {
  /** The sync run this evaluation follows: its run gets the counts, its changelog entries the id. */
  syncId?: string;
};

/**
 * The rules job: every stored project evaluated (RulesService.evaluateAll) under the `rules` lease,
 * so a second instance's scheduled run is skipped rather than doing the same work again.
 */
export async function evaluateRules(
  deps: EvaluateRulesDeps,
  options: EvaluateRulesOptions = {},
): Promise<RulesSummary> {
  const startedMs = performance.now();
  const service =
    deps.service ??
    new RulesService({
      repos: deps.repos,
      settings: { rules: deps.rules, timezone: deps.timezone },
      clock: deps.clock,
      logger: deps.logger,
    });
  const outcome = await runExclusive(
    {
      leases: deps.repos.meta.leases,
      name: RULES_LEASE,
      owner: deps.owner,
      ttlMs: deps.leaseTtlMs ?? LEASE_TTL_MS,
    },
    (signal) =>
      service.evaluateAll({ signal, ...(options.syncId === undefined ? {} : { syncId: options.syncId }) }),
  );
  if (outcome.status === "ran") return outcome.value;
  deps.logger.info({ holder: outcome.holder }, "rules skipped: another evaluation is running");
  return {
    status: "skipped",
    reason: `another evaluation is running${outcome.holder ? ` (${outcome.holder})` : ""}`,
    syncId: options.syncId ?? null,
    counts: emptyCounts(),
    evaluatedProjects: 0,
    durationMs: Math.max(0, Math.round(performance.now() - startedMs)),
    alerts: [],
  };
}
