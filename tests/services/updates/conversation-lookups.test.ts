import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AnswerableCommand } from "../../../services/commands/pmo-service.ts";
import type { Locale } from "../../../services/model.ts";
import { pmoAnswerMessage } from "../../../services/slack/blocks/pmo/answer.ts";
import { RuleBasedInterpreter, type StatusUpdateInterpreter } from "../../../services/updates/interpreter.ts";
import { lookupCommand } from "../../../services/updates/lookup-phrases.ts";
import {
  dmFrom,
  OWNER2,
  P1,
  P2,
  P3,
  PM,
  PM_DM,
  UNMAPPED,
  type UpdateWorld,
  updateWorld,
} from "../../fixtures/update-world.ts";

/**
 * Lookups by DM ("mis proyectos", "PMO-123", "hallazgos", "ayuda") through the conversation service
 * and its inbox on dynalite: each answered with the very message `/pmo` answers with (the same
 * service and renderer), and nothing of the status-update conversation started or changed. The
 * machine's routing is tested in conversation.test.ts, the grammar in lookup-phrases.test.ts.
 */

let world: UpdateWorld;
beforeEach(async () => {
  world = await updateWorld();
});
afterEach(async () => {
  await world.services.inbox.idle();
  vi.restoreAllMocks();
  await world.close();
});

const say = (userId: string, words: string, eventId?: string) =>
  world.services.inbox.receive(eventId ?? `Ev-${Math.random()}`, dmFrom(world, userId, words, eventId));

/** What `/pmo` shows for the command, rendered now. */
async function commandAnswer(command: AnswerableCommand, userId = PM) {
  const reply = await world.lookups.answer(command, userId);
  return pmoAnswerMessage({ locale: reply.locale, timeZone: world.timezone, now: world.now() }, reply);
}

async function seedFindings() {
  for (const [projectGid, ruleId] of [
    [P1, "no_status_update"],
    [P3, "no_activity"],
  ] as const)
    await world.repos.findings.upsertCandidate({
      projectGid,
      ruleId,
      severity: "high",
      details: { daysSinceUpdate: 9 },
    });
}

async function nothingStarted(userId = PM) {
  expect(await world.repos.conversations.get(userId)).toBeNull();
  expect(await world.repos.meta.inbound.listPending()).toEqual([]);
}

describe("«mis proyectos» by DM", () => {
  it("lists the writer's projects as /pmo mis-proyectos does, and starts nothing", async () => {
    expect(await say(PM, "mis proyectos")).toBe("done");
    expect(world.dm.posts).toHaveLength(1);
    const [answer] = world.dm.posts;
    expect(answer?.channel).toBe(PM_DM);
    expect(answer?.message).toEqual(await commandAnswer({ kind: "mine" }));
    expect(answer?.text).toContain("*Tus proyectos* · 2");
    expect(answer?.text).toContain("Portal de clientes");
    expect(answer?.text).toContain("Migración ERP");
    expect(answer?.text).not.toContain("App móvil");
    expect(answer?.text).not.toContain("No encontré una actualización");
    await nothingStarted();
  });

  it.each([
    "Mis proyectos?",
    "mostrar mis proyectos",
    "mis poryectos",
    "muestrame mis proyectos por favor",
    "what are my projects",
    "my projects",
  ])("%j is the same lookup", async (text) => {
    await say(PM, text);
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "mine" }));
    await nothingStarted();
  });

  it("from someone PMO Pulse cannot map to Asana: the command's answer, in their language", async () => {
    await say(UNMAPPED, "what are my projects?");
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "mine" }, UNMAPPED));
    expect(world.dm.last()?.text).toContain("I could not find your projects");
    await nothingStarted(UNMAPPED);
  });
});

describe("a PMO ID by DM", () => {
  it.each(["PMO-101", "pmo 101", "¿cómo va PMO-101?", "estado de PMO-101"])(
    "%j shows the card /pmo PMO-101 shows, and starts no update",
    async (text) => {
      await say(PM, text);
      expect(world.dm.posts).toHaveLength(1);
      expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "project", pmoId: "PMO-101" }));
      expect(world.dm.last()?.text).toContain("Portal de clientes");
      expect(world.dm.last()?.text).not.toContain("Entendí");
      await nothingStarted();
    },
  );

  it("in English, for an English reader", async () => {
    await say(UNMAPPED, "how is PMO-101 doing?");
    expect(world.dm.last()?.message).toEqual(
      await commandAnswer({ kind: "project", pmoId: "PMO-101" }, UNMAPPED),
    );
    expect(world.dm.last()?.text).toContain("Open findings");
    await nothingStarted(UNMAPPED);
  });

  it("of someone else's project is shown too: anyone may look things up", async () => {
    await say(PM, "PMO-201");
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "project", pmoId: "PMO-201" }));
    expect(world.dm.last()?.text).toContain("App móvil");
    await nothingStarted();
  });

  it("that no project has gets the command's polite answer", async () => {
    await say(PM, "¿cómo va PMO-999?");
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "project", pmoId: "PMO-999" }));
    expect(world.dm.last()?.text).toContain("PMO-999");
    await nothingStarted();
  });

  it("several of them: a card each", async () => {
    await say(PM, "¿cómo van PMO-101 y PMO-201?");
    expect(world.dm.posts.map((p) => p.message)).toEqual([
      await commandAnswer({ kind: "project", pmoId: "PMO-101" }),
      await commandAnswer({ kind: "project", pmoId: "PMO-201" }),
    ]);
    await nothingStarted();
  });

  it("while a draft waits for Confirmar leaves the draft as it was, still confirmable", async () => {
    await say(PM, "PMO-102 avance 30%");
    const card = world.dm.last();
    const pending = await world.repos.conversations.get(PM);
    expect(pending?.state).toBe("confirming");

    await say(PM, "¿cómo va PMO-101?");
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "project", pmoId: "PMO-101" }));
    await say(PM, "mis proyectos");
    expect(await world.repos.conversations.get(PM)).toEqual(pending);

    await say(PM, "sí");
    expect(await world.repos.updates.listForProject(P2)).toMatchObject([{ text: "PMO-102 avance 30%" }]);
    expect(await world.repos.updates.listForProject(P1)).toEqual([]);
    expect(card?.text).toContain("Migración ERP (PMO-102) · avance 30 %");
  });

  it("answers «which project?» when the writer is being asked it, as before", async () => {
    await say(PM, "avance 30%");
    expect(world.dm.last()?.text).toContain("¿De qué proyecto");
    await say(PM, "mis proyectos");
    expect((await world.repos.conversations.get(PM))?.state).toBe("choosing_project");
    await say(PM, "PMO-102");
    expect(world.dm.last()?.text).toContain("Migración ERP (PMO-102) · avance 30 %");
    expect((await world.repos.conversations.get(PM))?.state).toBe("confirming");
  });
});

describe("the boundary between a lookup and an update", () => {
  it.each([
    ["PMO-101 avance 60%", "avance 60 %"],
    ["¿cómo va PMO-101? todo bien", "en curso"],
    ["PMO-101 va bien", "en curso"],
    ["PMO-101 progress 60%", "60"],
  ])("%j carries update content: it is an update", async (text, understood) => {
    await say(PM, text);
    expect(world.dm.last()?.text).toContain("Entendí:");
    expect(world.dm.last()?.text).toContain(understood);
    expect((await world.repos.conversations.get(PM))?.state).toBe("confirming");
  });
});

describe("«hallazgos» by DM", () => {
  it("lists the open findings of the writer's projects, as /pmo hallazgos does for them", async () => {
    await seedFindings();
    await say(PM, "mis hallazgos");
    expect(world.dm.last()?.message).toEqual(await commandAnswer(lookupCommand({ kind: "findings" }, PM)));
    expect(world.dm.last()?.text).toContain("Portal de clientes");
    expect(world.dm.last()?.text).not.toContain("App móvil");
    await say(OWNER2, "findings");
    expect(world.dm.last()?.text).toContain("App móvil");
    expect(world.dm.last()?.text).not.toContain("Portal de clientes");
    await nothingStarted();
  });
});

describe("«ayuda» by DM", () => {
  it.each([
    [PM, "ayuda", "es", "Consultar", "• ¿Cómo va PMO-123?", "• PMO-123 avance 70%"],
    [PM, "necesito ayuda por favor", "es", "Consultar", "• ¿Cómo va PMO-123?", "• PMO-123 avance 70%"],
    [UNMAPPED, "help", "en", "Look up", "• How is PMO-123 doing?", "• PMO-123 progress 70%"],
  ] as const)(
    "%s %j: lookups and updates, one example of each, in their language (%s)",
    async (userId, text, _locale: Locale, lookups, lookupExample, updateExample) => {
      await say(userId, text);
      const help = world.dm.last()?.text ?? "";
      expect(help).toContain(lookups);
      expect(help).toContain(lookupExample);
      expect(help).toContain(updateExample);
      expect(help.match(/^• /gm)).toHaveLength(2);
      await nothingStarted(userId);
    },
  );
});

describe("with an interpreter configured (a language model)", () => {
  it("a lookup is read by the rules alone: its text never reaches the configured interpreter", async () => {
    const asked: string[] = [];
    const rules = new RuleBasedInterpreter();
    const configured: StatusUpdateInterpreter = {
      interpret: (request) => {
        asked.push(request.text);
        return rules.interpret(request);
      },
    };
    await world.close();
    world = await updateWorld({ interpreter: configured });
    await say(PM, "mis proyectos");
    await say(PM, "¿cómo va PMO-101?");
    expect(world.dm.posts).toHaveLength(2);
    expect(asked).toEqual([]);
    await say(PM, "PMO-101 avance 60%");
    expect(asked).toContain("PMO-101 avance 60%");
  });
});

describe("the inbox around a lookup", () => {
  it("delivered twice is answered once", async () => {
    expect(await say(PM, "mis proyectos", "EvTwice")).toBe("done");
    expect(await say(PM, "mis proyectos", "EvTwice")).toBe("seen");
    expect(world.dm.posts).toHaveLength(1);
  });

  it("failing once (the store) is retried and answered once", async () => {
    vi.spyOn(world.repos.findings, "listForProject").mockRejectedValueOnce(new Error("store down"));
    expect(await say(PM, "mis proyectos")).toBe("pending");
    expect(world.dm.posts).toEqual([]);
    await world.services.inbox.idle();
    expect(world.dm.posts).toHaveLength(1);
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "mine" }));
    await nothingStarted();
  });

  it("failing twice: the writer is told, and the scheduler's retry answers it", async () => {
    vi.spyOn(world.repos.projects, "getByPmoId")
      .mockRejectedValueOnce(new Error("store down"))
      .mockRejectedValueOnce(new Error("store down"));
    await say(PM, "PMO-101");
    await world.services.inbox.idle();
    expect(world.dm.posts.map((p) => p.text)).toEqual([
      expect.stringContaining("No pude procesar tu mensaje"),
    ]);
    expect(await world.services.inbox.retryPending()).toMatchObject({ pending: 1, done: 1 });
    expect(world.dm.last()?.message).toEqual(await commandAnswer({ kind: "project", pmoId: "PMO-101" }));
    await nothingStarted();
  });
});
