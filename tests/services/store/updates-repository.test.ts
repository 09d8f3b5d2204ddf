import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import { keys } from "../../../services/store/tables.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const parsed = {
  progress: 60,
  health: "at_risk" as const,
  risks: ["r"],
  blockers: [],
  nextSteps: [],
  eta: null,
};

describe("the updates repository", () => {
  let store: Store;
  let repos: Repositories;
  afterEach(async () => {
    await store?.close();
  });

  it("keeps the interpreter's reading beside what was confirmed, and reads items stored without it", async () => {
    ({ store, repos } = await memoryStore());
    const interpreted = { ...parsed, progress: 50, projectGid: null };
    await repos.updates.add({
      projectGid: "101",
      slackUserId: "U1",
      submittedAt: "2026-07-01T10:00:00.000Z",
      text: "avance 60%",
      parsed,
      slackEventId: "Ev1",
      interpreted,
    });
    // An item as the previous version wrote it: no `interpreted` attribute at all.
    await store.doc.send(
      new PutCommand({
        TableName: store.tables.updates,
        Item: {
          ...keys.update("101", "2026-07-02T10:00:00.000Z", "U1"),
          projectGid: "101",
          slackUserId: "U1",
          submittedAt: "2026-07-02T10:00:00.000Z",
          text: "viejo",
          parsed,
          asanaStatusUpdateGid: null,
          slackEventId: null,
        },
      }),
    );
    const listed = await repos.updates.listForProject("101");
    expect(listed.map((u) => [u.text, u.interpreted])).toEqual([
      ["viejo", null],
      ["avance 60%", interpreted],
    ]);
  });

  it("iterates every update of every project, one page at a time", async () => {
    ({ store, repos } = await memoryStore());
    for (let i = 0; i < 5; i++)
      await repos.updates.add({
        projectGid: `10${i % 2}`,
        slackUserId: "U1",
        submittedAt: `2026-07-0${i + 1}T10:00:00.000Z`,
        text: `u${i}`,
        parsed,
        slackEventId: null,
      });
    const pages: string[][] = [];
    for await (const page of repos.updates.iterateAll(2)) pages.push(page.map((u) => u.text));
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect(pages.flat().sort()).toEqual(["u0", "u1", "u2", "u3", "u4"]);
  });
});
