import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../app/logger.ts";
import { isWorkingDay, nudgeOwners, remindOwnersWeekly } from "../../jobs/remind-owners.ts";
import type { ProjectInput } from "../../services/model.ts";
import type { SlackMessage } from "../../services/slack/blocks/finding-parts.ts";
import type { DirectMessenger } from "../../services/slack/direct-messenger.ts";
import type { MessageRef } from "../../services/slack/notifier.ts";
import { UPDATE_OPEN } from "../../services/slack/reminder-ids.ts";
import type { Store } from "../../services/store/client.ts";
import type { Repositories } from "../../services/store/repositories.ts";
import { memoryStore } from "../fixtures/memory-store.ts";

class RecordingMessenger implements DirectMessenger {
  readonly sent: { channel: string; message: SlackMessage }[] = [];
  async post(channel: string, message: SlackMessage): Promise<MessageRef> {
    this.sent.push({ channel, message });
    return { channel, ts: `${this.sent.length}.1` };
  }
  async update(): Promise<void> {}
}

let store: Store;
let repos: Repositories;
let now = new Date("2026-11-23T14:00:00.000Z"); // Monday 09:00 in Bogotá
const logger = createLogger({ logLevel: "silent", secrets: [] });
const old = "2026-11-01T10:00:00.000Z";
const fresh = "2026-11-22T10:00:00.000Z";

const project = (
  gid: string,
  responsableKey: string | null,
  lastStatusUpdateAt: string | null,
  more: Partial<ProjectInput> = {},
): ProjectInput => ({
  gid,
  name: `Proyecto ${gid}`,
  pmoId: `PMO-${gid}`,
  responsable: responsableKey === null ? null : `Dueño ${responsableKey}`,
  responsableKey,
  lastStatusUpdateAt,
  ...more,
});

beforeAll(async () => {
  ({ store, repos } = await memoryStore({ clock: () => now }));
  await repos.projects.insertMany([
    project("1", "a-ana", old),
    project("2", "a-ana", null, { name: "<!channel> Portal" }),
    project("3", "a-ana", fresh),
    project("4", "a-beto", old),
    project("5", "a-sin-slack", old),
    project("6", "a-ana", old, { archived: true }),
  ]);
  await repos.users.upsert({
    slackUserId: "UANA",
    email: "ana@x",
    name: "Ana",
    asanaUserGid: "a-ana",
    locale: "es",
    refreshedAt: now.toISOString(),
  });
  await repos.users.upsert({
    slackUserId: "UBETO",
    email: "beto@x",
    name: "Beto",
    asanaUserGid: "a-beto",
    locale: "en",
    refreshedAt: now.toISOString(),
  });
});
afterAll(async () => store.close());

const deps = (messenger: DirectMessenger) => ({
  repos,
  messenger,
  clock: () => now,
  logger,
  owner: "test",
  settings: {
    timeZone: "America/Bogota",
    defaultLocale: "es" as const,
    adminUserIds: ["UADMIN"],
    freshUpdateDays: 7,
  },
});

describe("weekly reminders", () => {
  it("sends each responsable one DM listing every project lacking a fresh update, with buttons", async () => {
    const messenger = new RecordingMessenger();
    const summary = await remindOwnersWeekly(deps(messenger));
    expect(summary).toMatchObject({
      status: "completed",
      remindedPeople: 2,
      remindedProjects: 3,
      unmappedOwners: 1,
    });
    const toAna = messenger.sent.filter((s) => s.channel === "UANA");
    expect(toAna).toHaveLength(1);
    const blocks = JSON.stringify(toAna[0]?.message.blocks);
    expect(blocks).toContain("PMO-1");
    expect(blocks).toContain("PMO-2");
    expect(blocks).not.toContain("PMO-3");
    expect(blocks).not.toContain("PMO-6");
    expect(blocks).toContain(UPDATE_OPEN);
    expect(blocks).toContain("&lt;!channel&gt; Portal");
    expect(blocks).not.toContain("<!channel>");
    expect(JSON.stringify(messenger.sent.find((s) => s.channel === "UBETO")?.message.blocks)).toContain(
      "Update status",
    );
    const toAdmin = messenger.sent.filter((s) => s.channel === "UADMIN");
    expect(toAdmin).toHaveLength(1);
    expect(JSON.stringify(toAdmin[0]?.message.blocks)).toContain("Dueño a-sin-slack");
  });

  it("sends nothing twice on the same day", async () => {
    const messenger = new RecordingMessenger();
    const summary = await remindOwnersWeekly(deps(messenger));
    expect(summary).toMatchObject({ remindedPeople: 0, alreadyReminded: 2 });
    expect(messenger.sent).toHaveLength(0);
  });

  it("runs on working days only", async () => {
    now = new Date("2026-11-28T14:00:00.000Z"); // Saturday
    expect(isWorkingDay(now, "America/Bogota")).toBe(false);
    const messenger = new RecordingMessenger();
    expect((await remindOwnersWeekly(deps(messenger))).status).toBe("skipped");
    expect(messenger.sent).toHaveLength(0);
    // Monday 00:30 UTC is still Sunday in Bogotá.
    expect(isWorkingDay(new Date("2026-11-30T00:30:00.000Z"), "America/Bogota")).toBe(false);
  });
});

describe("nudges when no_status_update opens", () => {
  it("DMs the responsable of those projects only, at most once a day", async () => {
    now = new Date("2026-12-01T14:00:00.000Z");
    const messenger = new RecordingMessenger();
    const summary = await nudgeOwners(deps(messenger), ["4"]);
    expect(summary).toMatchObject({ remindedPeople: 1, remindedProjects: 1 });
    expect(messenger.sent.map((s) => s.channel)).toEqual(["UBETO"]);
    expect((await nudgeOwners(deps(messenger), ["4"])).alreadyReminded).toBe(1);
    expect(messenger.sent).toHaveLength(1);
  });
});
