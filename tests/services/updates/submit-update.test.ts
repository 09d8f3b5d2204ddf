import type { KnownBlock } from "@slack/types";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { RULES_LEASE } from "../../../jobs/evaluate-rules.ts";
import { VersionConflictError } from "../../../services/errors.ts";
import type { ParsedUpdate } from "../../../services/model.ts";
import { FINDING_ACK } from "../../../services/slack/action-ids.ts";
import {
  retryPendingWriteBacks,
  type SubmitUpdateDeps,
  submitUpdate,
  type UpdateSubmission,
  updateKey,
} from "../../../services/updates/submit-update.ts";
import { ASANA_ORIGIN, P1, P2, PM, type UpdateWorld, updateWorld } from "../../fixtures/update-world.ts";

const PARSED: ParsedUpdate = {
  progress: 60,
  health: "off_track",
  risks: [],
  blockers: ["el proveedor"],
  nextSteps: ["reunión con compras"],
  eta: "2026-03-06",
};
const TEXT = "PMO-101 avance 60%, bloqueado por el proveedor, entrega el viernes\n<!channel> ñ 🚧 &amp; fin";

const postedBody = z.object({
  data: z.object({ parent: z.string(), status_type: z.string(), title: z.string(), text: z.string() }),
});

function statusUpdateAnswer(gid: string) {
  return { data: { gid, resource_type: "status_update", status_type: "off_track", title: "t", text: "x" } };
}

let world: UpdateWorld;
let deps: SubmitUpdateDeps;

async function start(writeBack: boolean) {
  world = await updateWorld({ writeBack });
  deps = world.services.submit;
}

afterEach(async () => {
  nock.cleanAll();
  await world?.close();
});

const submission = (overrides: Partial<UpdateSubmission> = {}): UpdateSubmission => ({
  projectGid: P1,
  slackUserId: PM,
  submittedAt: world.now().toISOString(),
  text: TEXT,
  parsed: PARSED,
  slackEventId: "Ev1",
  ...overrides,
});

function rulesOf(projectGid: string) {
  return deps.rules.evaluateProjects([projectGid]);
}

describe("submitting an update (write-back off)", () => {
  beforeEach(() => start(false));

  it("stores it byte for byte, with the parsed fields and the event id", async () => {
    const outcome = await submitUpdate(deps, submission());
    expect(outcome).toMatchObject({ added: true, writeBack: "off" });
    const [stored] = await world.repos.updates.listForProject(P1);
    expect(stored).toEqual({
      projectGid: P1,
      slackUserId: PM,
      submittedAt: world.now().toISOString(),
      text: TEXT,
      parsed: PARSED,
      asanaStatusUpdateGid: null,
      slackEventId: "Ev1",
      interpreted: null,
    });
    expect(Buffer.from(stored?.text ?? "").equals(Buffer.from(TEXT))).toBe(true);
  });

  it("keeps the interpreter's reading beside what the writer confirmed", async () => {
    const interpreted = { ...PARSED, projectGid: null, progress: 50, blockers: [] };
    await submitUpdate(deps, submission({ interpreted }));
    const [stored] = await world.repos.updates.listForProject(P1);
    expect(stored).toMatchObject({ parsed: PARSED, interpreted });
  });

  it("sets the project's last update and reported progress, with changelog entries by the writer", async () => {
    const before = await world.repos.projects.get(P1);
    await submitUpdate(deps, submission());
    const project = await world.repos.projects.get(P1);
    expect(project).toMatchObject({
      lastStatusUpdateAt: world.now().toISOString(),
      reportedProgress: 60,
      version: (before?.version ?? 0) + 1,
    });
    const changes = await world.repos.changelog.listForProject(P1);
    expect(changes.map((c) => [c.fieldName, c.oldValue, c.newValue, c.source, c.actor])).toEqual(
      expect.arrayContaining([
        ["lastStatusUpdateAt", before?.lastStatusUpdateAt, world.now().toISOString(), "slack", PM],
        ["reportedProgress", null, 60, "slack", PM],
      ]),
    );
  });

  it("keeps the reported progress when the update gives none", async () => {
    await submitUpdate(deps, submission());
    world.advance(60_000);
    await submitUpdate(deps, submission({ parsed: { ...PARSED, progress: null } }));
    expect((await world.repos.projects.get(P1))?.reportedProgress).toBe(60);
  });

  it("rereads and retries once when the project changed in the meantime", async () => {
    const upsert = world.repos.projects.upsert.bind(world.repos.projects);
    const spy = vi.spyOn(world.repos.projects, "upsert");
    spy.mockImplementationOnce(async (input, expectedVersion) => {
      // The sync wrote the project between our read and our write.
      const current = await world.repos.projects.get(P1);
      if (current !== null) await upsert({ ...current, progressPercent: 55 }, current.version);
      return upsert(input, expectedVersion);
    });
    await submitUpdate(deps, submission());
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await world.repos.projects.get(P1)).toMatchObject({ progressPercent: 55, reportedProgress: 60 });
  });

  it("gives up after a second conflict, and the update stays stored for the retry", async () => {
    const spy = vi.spyOn(world.repos.projects, "upsert");
    spy.mockRejectedValue(new VersionConflictError("project"));
    await expect(submitUpdate(deps, submission())).rejects.toBeInstanceOf(VersionConflictError);
    expect(spy).toHaveBeenCalledTimes(2);
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
  });

  it("resolves the project's no_status_update finding at once", async () => {
    await rulesOf(P1);
    expect((await world.repos.findings.get(P1, "no_status_update"))?.status).toBe("open");
    const outcome = await submitUpdate(deps, submission());
    expect(outcome.rules).toBe("completed");
    expect(await world.repos.findings.get(P1, "no_status_update")).toMatchObject({
      status: "resolved",
      resolution: "auto",
    });
  });

  it("evaluates the project's rules while the rules job runs elsewhere: no waiting, no lease taken", async () => {
    await rulesOf(P1);
    expect((await world.repos.findings.get(P1, "no_status_update"))?.status).toBe("open");
    await world.repos.meta.leases.acquire(RULES_LEASE, "other-host:42", 60_000);
    const acquire = vi.spyOn(world.repos.meta.leases, "acquire");
    const outcome = await submitUpdate(deps, submission());
    expect(outcome.rules).toBe("completed");
    expect(await world.repos.findings.get(P1, "no_status_update")).toMatchObject({
      status: "resolved",
      resolution: "auto",
    });
    expect(acquire).not.toHaveBeenCalled();
    expect(await world.repos.meta.leases.get(RULES_LEASE)).toMatchObject({ owner: "other-host:42" });
  });

  it("says the rules failed, and keeps the update, when they cannot be evaluated", async () => {
    const spy = vi
      .spyOn(world.repos.findings, "listForProject")
      .mockRejectedValueOnce(new Error("throttled"));
    const outcome = await submitUpdate(deps, submission());
    expect(spy).toHaveBeenCalled();
    expect(outcome).toMatchObject({ added: true, rules: "failed" });
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
  });

  it("asks Asana nothing", async () => {
    const scope = nock(ASANA_ORIGIN).post(/.*/).reply(500);
    await submitUpdate(deps, submission());
    expect(scope.isDone()).toBe(false);
    expect(await world.repos.meta.writeBacks.listPending()).toEqual([]);
    expect(await retryPendingWriteBacks(deps)).toMatchObject({ status: "skipped" });
  });

  it("run again (a retry) stores nothing twice and alerts once", async () => {
    const first = await submitUpdate(deps, submission());
    const second = await submitUpdate(deps, submission());
    expect([first.added, second.added]).toEqual([true, false]);
    expect([first.alert, second.alert]).toEqual(["posted", "already_posted"]);
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(world.channel.posts).toHaveLength(1);
    expect(await world.repos.changelog.listForProject(P1)).toHaveLength(2);
  });

  it("refuses a project that is not stored", async () => {
    await expect(submitUpdate(deps, submission({ projectGid: "999" }))).rejects.toMatchObject({
      code: "project_not_found",
    });
  });
});

describe("the risk alert in the PMO channel", () => {
  beforeEach(() => start(false));

  const blocksOf = (index = 0): KnownBlock[] => world.channel.posts[index]?.blocks ?? [];
  const textOf = (index = 0) => JSON.stringify(blocksOf(index));

  it("says the project (linked), its PMO ID, who reported and what, escaped", async () => {
    await submitUpdate(
      deps,
      submission({ parsed: { ...PARSED, risks: ["<!channel> el <@U999> & proveedor"] } }),
    );
    expect(world.channel.posts).toHaveLength(1);
    const text = textOf();
    expect(text).toContain("<https://app.asana.com/0/1300000000000001/list|Portal de clientes>");
    expect(text).toContain("PMO-101");
    expect(text).toContain(`<@${PM}>`);
    expect(text).toContain("*Bloqueos*: el proveedor");
    expect(text).toContain("&lt;!channel&gt; el &lt;@U999&gt; &amp; proveedor");
    expect(text).toContain("🔴");
    expect(text).not.toMatch(/<!channel>|<@U999>/);
    expect(world.channel.posts[0]?.metadata?.event_payload.key).toBe(updateKey(submission()));
  });

  it("carries the buttons of the project's open findings, and none when it has none", async () => {
    await submitUpdate(deps, submission({ projectGid: P2, parsed: { ...PARSED, progress: null } }));
    expect(blocksOf(0).filter((b) => b.type === "actions")).toEqual([]);

    // PMO-101 has a finding that an update does not resolve (too few tasks).
    const project = await world.repos.projects.get(P1);
    if (project === null) throw new Error("no project");
    await world.repos.projects.upsert(
      { ...project, totalTasks: 2, pendingTasks: 1, completedTasks: 1 },
      project.version,
    );
    await rulesOf(P1);
    await submitUpdate(deps, submission());
    const actions = blocksOf(1).filter((b) => b.type === "actions");
    expect(actions.map((b) => b.block_id)).toEqual(["update-alert-finding-0-actions"]);
    expect(textOf(1)).toContain(FINDING_ACK);
    expect(textOf(1)).toContain("amount_of_tasks");
  });

  it("is not posted for an update that reports no risk", async () => {
    const outcome = await submitUpdate(
      deps,
      submission({ parsed: { ...PARSED, health: "on_track", blockers: [] } }),
    );
    expect(outcome.alert).toBe("none");
    expect(world.channel.posts).toEqual([]);
  });

  it.each<[string, Partial<ParsedUpdate>]>([
    ["a risk", { health: null, blockers: [], risks: ["proveedor"] }],
    ["a blocker", { health: null, blockers: ["proveedor"] }],
    ["at risk", { health: "at_risk", blockers: [] }],
    ["off track", { health: "off_track", blockers: [] }],
  ])("is posted for %s", async (_what, parsed) => {
    expect((await submitUpdate(deps, submission({ parsed: { ...PARSED, ...parsed } }))).alert).toBe("posted");
  });

  it("that fails leaves the update saved; the retry posts it once", async () => {
    world.channel.failNextPosts(1);
    expect((await submitUpdate(deps, submission())).alert).toBe("failed");
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
    expect((await submitUpdate(deps, submission())).alert).toBe("posted");
    expect((await submitUpdate(deps, submission())).alert).toBe("already_posted");
    expect(world.channel.posts).toHaveLength(1);
  });
});

describe("writing back to Asana", () => {
  beforeEach(() => start(true));

  it("posts a status update on the project and keeps its gid", async () => {
    let body: z.output<typeof postedBody> | null = null;
    const scope = nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .reply(201, (_uri, raw) => {
        body = postedBody.parse(raw);
        return statusUpdateAnswer("su-1");
      });
    const outcome = await submitUpdate(deps, submission());
    expect(scope.isDone()).toBe(true);
    expect(outcome.writeBack).toBe("written");
    expect(body).toMatchObject({
      data: { parent: P1, status_type: "off_track", title: "Actualización de estado — 4 de marzo de 2026" },
    });
    const text = body === null ? "" : postedBody.parse(body).data.text;
    expect(text).toContain("Avance: 60 %");
    expect(text).toContain("Bloqueos: el proveedor");
    expect(text).toContain(`Mensaje original:\n${TEXT}`);
    expect((await world.repos.updates.listForProject(P1))[0]?.asanaStatusUpdateGid).toBe("su-1");
    expect(await world.repos.meta.writeBacks.listPending()).toEqual([]);
  });

  it.each([
    [null, "on_track"],
    ["on_hold", "on_hold"],
    ["at_risk", "at_risk"],
  ] as const)("maps health %s to status_type %s", async (health, statusType) => {
    let posted = "";
    nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .reply(201, (_uri, raw) => {
        posted = postedBody.parse(raw).data.status_type;
        return statusUpdateAnswer("su-2");
      });
    await submitUpdate(deps, submission({ parsed: { ...PARSED, health } }));
    expect(posted).toBe(statusType);
  });

  it("a failure keeps the update saved and pending; retryPendingWriteBacks writes it later, once", async () => {
    nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .reply(503, { errors: [{ message: "down" }] });
    const outcome = await submitUpdate(deps, submission());
    expect(outcome.writeBack).toBe("pending");
    expect((await world.repos.updates.listForProject(P1))[0]?.asanaStatusUpdateGid).toBeNull();
    expect((await world.repos.meta.writeBacks.listPending()).map((w) => w.id)).toEqual([
      updateKey(submission()),
    ]);

    // Still down at the first retry: it stays pending.
    nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .replyWithError(new Error("socket hang up"));
    expect(await retryPendingWriteBacks(deps)).toMatchObject({ pending: 1, written: 0, failed: 1 });

    const scope = nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .reply(201, statusUpdateAnswer("su-9"));
    expect(await retryPendingWriteBacks(deps)).toMatchObject({ pending: 1, written: 1, failed: 0 });
    expect(scope.isDone()).toBe(true);
    expect((await world.repos.updates.listForProject(P1))[0]?.asanaStatusUpdateGid).toBe("su-9");
    expect(await retryPendingWriteBacks(deps)).toMatchObject({ pending: 0, written: 0 });
  });

  it("a repeated submission does not post to Asana again", async () => {
    nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .once()
      .reply(201, statusUpdateAnswer("su-3"));
    await submitUpdate(deps, submission());
    expect((await submitUpdate(deps, submission())).writeBack).toBe("already_written");
  });

  it("a write-back another instance is working on is left to it", async () => {
    await world.repos.meta.writeBacks.record(updateKey(submission()), {}, { owner: "other-instance" });
    const scope = nock(ASANA_ORIGIN)
      .post("/api/1.0/status_updates")
      .query(true)
      .reply(201, statusUpdateAnswer("x"));
    expect((await submitUpdate(deps, submission())).writeBack).toBe("pending");
    expect(scope.isDone()).toBe(false);
  });
});
