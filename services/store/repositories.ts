import type { Clock } from "../model.ts";
import { ChangelogRepository } from "./changelog-repository.ts";
import type { Store } from "./client.ts";
import { ConversationsRepository } from "./conversations-repository.ts";
import type { Sleep } from "./dynamo.ts";
import { FindingsRepository } from "./findings-repository.ts";
import { createMetaStores, type MetaStores } from "./meta/meta-stores.ts";
import { PortfolioVersion } from "./portfolio-version.ts";
import { ProjectsRepository } from "./projects-repository.ts";
import { SyncLogRepository } from "./sync-log-repository.ts";
import { UpdatesRepository } from "./updates-repository.ts";
import { UsersRepository } from "./users-repository.ts";

export type Repositories = {
  projects: ProjectsRepository;
  changelog: ChangelogRepository;
  findings: FindingsRepository;
  syncLog: SyncLogRepository;
  users: UsersRepository;
  updates: UpdatesRepository;
  conversations: ConversationsRepository;
  /** Leases, event dedupe, ticks, cursors, the pending queues and version counters. */
  meta: MetaStores;
  /** Bumped after every write to projects or findings, by any process (see PortfolioVersion). */
  portfolioVersion: PortfolioVersion;
};

export type RepositorySettings = {
  changelogRetentionDays: number;
  findingsRetentionDays: number;
  clock?: Clock;
  sleep?: Sleep;
};

/** One repository per table, all on the same document client. */
export function createRepositories(
  store: Pick<Store, "doc" | "tables">,
  settings: RepositorySettings,
): Repositories {
  const base = (table: keyof Store["tables"]) => ({
    doc: store.doc,
    tableName: store.tables[table],
    ...(settings.clock ? { clock: settings.clock } : {}),
    ...(settings.sleep ? { sleep: settings.sleep } : {}),
  });
  const meta = createMetaStores(base("meta"));
  const portfolioVersion = new PortfolioVersion(meta.versions);
  return {
    projects: new ProjectsRepository({ ...base("projects"), version: portfolioVersion }),
    changelog: new ChangelogRepository({
      ...base("changelog"),
      retentionDays: settings.changelogRetentionDays,
    }),
    findings: new FindingsRepository({
      ...base("findings"),
      retentionDays: settings.findingsRetentionDays,
      version: portfolioVersion,
    }),
    syncLog: new SyncLogRepository({ ...base("sync-log"), retentionDays: settings.changelogRetentionDays }),
    users: new UsersRepository(base("users")),
    updates: new UpdatesRepository(base("updates")),
    conversations: new ConversationsRepository(base("conversations")),
    meta,
    portfolioVersion,
  };
}
