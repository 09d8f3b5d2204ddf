import nock from "nock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../app/logger.ts";
import { sendDailyDigest } from "../../../jobs/daily-digest.ts";
import { INBOUND_MEMORY_MS, WRITE_BACK_MEMORY_MS } from "../../../services/store/meta/pending-queue.ts";
import { submitUpdate, updateKey } from "../../../services/updates/submit-update.ts";
import {
  ASANA_ORIGIN,
  dmFrom,
  P1,
  PM,
  PM_DM,
  readable,
  recordingNotifier,
  type UpdateWorld,
  updateWorld,
} from "../../fixtures/update-world.ts";

/**
 * Nothing expires silently (issue #12, item 7): a DM not processed within 24 h, or a write-back not
 * written within 7 days, is given up by the retry job, its writer told once, and the digest lists it.
 */

let world: UpdateWorld;
afterEach(async () => {
  nock.cleanAll();
  vi.restoreAllMocks();
  await world?.close();
});

const MINUTE = 60_000;
const toldOfExpiry = () =>
  world.dm.posts.filter((p) => /demasiado tiempo para reintentarlo|dejé de intentarlo/.test(p.text));

async function digestText(): Promise<{ text: string; givenUp: unknown }> {
  const channel = recordingNotifier();
  const summary = await sendDailyDigest({
    repos: world.repos,
    notifier: channel.notifier,
    clock: world.now,
    logger: createLogger({ logLevel: "silent", secrets: [] }),
    owner: "test-instance",
    settings: { locale: "es", timeZone: "America/Bogota", freshUpdateDays: 7 },
  });
  const [post] = channel.posts;
  return { text: post === undefined ? "" : readable(post), givenUp: summary.facts?.givenUp };
}

describe("a DM that cannot be processed within 24 hours", () => {
  it("is given up by the retry job, its writer told once, and the digest shows it", async () => {
    world = await updateWorld();
    vi.spyOn(world.repos.projects, "listByResponsable").mockRejectedValue(new Error("store down"));
    expect(
      await world.services.inbox.receive("EvLost", dmFrom(world, PM, "PMO-101 avance 70%", "EvLost")),
    ).toBe("pending");
    await world.services.inbox.idle();

    world.advance(INBOUND_MEMORY_MS + MINUTE);
    const first = await world.services.retryPending();
    expect(first.expired).toEqual({ givenUp: 1, told: 1 });
    expect(toldOfExpiry()).toHaveLength(1);
    expect(toldOfExpiry()[0]).toMatchObject({ channel: PM_DM });
    expect(toldOfExpiry()[0]?.text).toContain("No pude procesar tu mensaje del");
    expect(await world.repos.meta.inbound.listPending()).toEqual([]);

    const second = await world.services.retryPending();
    expect(second.expired).toEqual({ givenUp: 0, told: 0 });
    expect(toldOfExpiry()).toHaveLength(1);

    // A redelivery of the given-up DM is still recognised.
    expect(await world.repos.meta.inbound.record("EvLost", {})).toBe("seen");

    const digest = await digestText();
    expect(digest.givenUp).toEqual({ messages: 1, writeBacks: 0, projects: [] });
    expect(digest.text).toContain("Sin procesar a tiempo: 1");
    expect(digest.text).toContain("1 mensaje o confirmación por DM sin procesar en 24 h");
  });

  it("is given up shortly before its life ends, while DynamoDB still has it", async () => {
    world = await updateWorld();
    vi.spyOn(world.repos.projects, "listByResponsable").mockRejectedValue(new Error("store down"));
    await world.services.inbox.receive("EvLate", dmFrom(world, PM, "PMO-101 avance 70%", "EvLate"));
    await world.services.inbox.idle();
    world.advance(INBOUND_MEMORY_MS - 2 * 60 * MINUTE);
    expect((await world.services.retryPending()).expired.givenUp).toBe(0);
    world.advance(100 * MINUTE);
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 1, told: 1 });
  });

  it("whose writer cannot be told now is told by a later run, still once", async () => {
    world = await updateWorld();
    vi.spyOn(world.repos.projects, "listByResponsable").mockRejectedValue(new Error("store down"));
    await world.services.inbox.receive("EvQuiet", dmFrom(world, PM, "PMO-101 avance 70%", "EvQuiet"));
    await world.services.inbox.idle();
    world.advance(INBOUND_MEMORY_MS + MINUTE);
    world.dm.failNextPosts(1);
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 1, told: 0 });
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 0, told: 1 });
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 0, told: 0 });
    expect(toldOfExpiry()).toHaveLength(1);
  });
});

describe("a write-back that cannot be written within 7 days", () => {
  it("is given up, its writer told once naming the project, and the digest names the project", async () => {
    world = await updateWorld({ writeBack: true });
    nock(ASANA_ORIGIN).persist().post("/api/1.0/status_updates").query(true).reply(503, { errors: [] });
    const submission = {
      projectGid: P1,
      slackUserId: PM,
      submittedAt: world.now().toISOString(),
      text: "PMO-101 avance 60%",
      parsed: { progress: 60, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
      slackEventId: "EvWb",
    };
    expect((await submitUpdate(world.services.submit, submission)).writeBack).toBe("pending");

    world.advance(WRITE_BACK_MEMORY_MS + MINUTE);
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 1, told: 1 });
    expect((await world.services.retryPending()).expired).toEqual({ givenUp: 0, told: 0 });
    const told = toldOfExpiry();
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ channel: PM });
    expect(told[0]?.text).toContain("Tu actualización de Portal de clientes (PMO-101)");
    expect(told[0]?.text).toContain("no pude escribirla en Asana en 7 días");
    expect(await world.repos.meta.writeBacks.listPending()).toEqual([]);
    expect((await world.repos.meta.writeBacks.listGivenUp()).map((w) => w.id)).toEqual([
      updateKey(submission),
    ]);
    // The update itself is still saved.
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);

    const digest = await digestText();
    expect(digest.givenUp).toMatchObject({ messages: 0, writeBacks: 1, projects: [{ gid: P1 }] });
    expect(digest.text).toContain("1 actualización guardada que no llegó a Asana en 7 días");
    expect(digest.text).toContain("• Portal de clientes (PMO-101)");
  });
});

describe("the digest", () => {
  it("shows no section when nothing was given up", async () => {
    world = await updateWorld();
    const digest = await digestText();
    expect(digest.givenUp).toEqual({ messages: 0, writeBacks: 0, projects: [] });
    expect(digest.text).not.toContain("Sin procesar a tiempo");
  });
});
