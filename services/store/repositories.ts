import { ChangelogRepository } from "./changelog-repository.ts";
import type { Store } from "./client.ts";
import { ConversationsRepository } from "./conversations-repository.ts";
import type { Clock, Sleep } from "./dynamo.ts";
import { FindingsRepository } from "./findings-repository.ts";
import { MetaRepository } from "./meta-repository.ts";
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
  meta: MetaRepository;
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
  return {
    projects: new ProjectsRepository(base("projects")),
    changelog: new ChangelogRepository({
      ...base("changelog"),
      retentionDays: settings.changelogRetentionDays,
    }),
    findings: new FindingsRepository({ ...base("findings"), retentionDays: settings.findingsRetentionDays }),
    syncLog: new SyncLogRepository({ ...base("sync-log"), retentionDays: settings.changelogRetentionDays }),
    users: new UsersRepository(base("users")),
    updates: new UpdatesRepository(base("updates")),
    conversations: new ConversationsRepository(base("conversations")),
    meta: new MetaRepository(base("meta")),
  };
}
