import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  type InterpretInput,
  type ProjectRef,
  RuleBasedInterpreter,
  readMessage,
} from "../../../services/updates/interpreter.ts";
import {
  createLlmInterpreter,
  type LlmSettings,
  userPrompt,
} from "../../../services/updates/llm-interpreter.ts";
import { chatCompletion, jsonAnswer, type LlmReply, useLlmEndpoint } from "../../fixtures/llm-endpoint.ts";

const API_KEY = "sk-standin-9f8e7d6c5b4a";
/** A word only the DM holds: no log line may carry it. */
const SECRET_WORD = "Zanzíbar";
const PROJECTS: ProjectRef[] = [
  { gid: "101", name: "Portal Clientes", pmoId: "PMO-101" },
  { gid: "102", name: "App Móvil", pmoId: "PMO-102" },
];
const OTHER_PM_PROJECT: ProjectRef = { gid: "900", name: "Core Bancario", pmoId: "PMO-900" };

const standin = useLlmEndpoint(API_KEY);

function interpreter(overrides: Partial<LlmSettings> = {}) {
  return createLlmInterpreter(standin.settings(overrides), new RuleBasedInterpreter(), standin.logger());
}

function input(text: string, overrides: Partial<InterpretInput> = {}): InterpretInput {
  return {
    text,
    projects: PROJECTS,
    now: new Date("2026-07-09T03:00:00.000Z"), // 22:00 on Wednesday 8 July in Bogotá
    timezone: "America/Bogota",
    locale: "es",
    ...overrides,
  };
}

const TEXT = `Portal Clientes al 60%, ojo con ${SECRET_WORD}: la dependencia con Seguridad puede atrasarnos. Entrega el 2026-07-24.`;

const update = (fields: Record<string, unknown> = {}) => ({
  projectGid: "101",
  pmoId: null,
  progress: 60,
  health: "at_risk",
  risks: ["dependencia con Seguridad"],
  blockers: [],
  nextSteps: [],
  eta: "2026-07-24",
  etaUncertain: false,
  ...fields,
});
const answer = (updates: unknown[], fields: Record<string, unknown> = {}) => ({
  language: "es",
  confidence: 0.9,
  updates,
  ...fields,
});

const logText = () => standin.logLines.join("");
const warnings = () =>
  standin.logLines
    .map((line) =>
      z
        .object({ level: z.number(), llm: z.object({ reason: z.string(), status: z.number().nullable() }) })
        .safeParse(JSON.parse(line)),
    )
    .flatMap((parsed) => (parsed.success ? [parsed.data] : []));

/** The fallback was used: the reading is the rules' own, logged with the reason and nothing of the DM. */
async function expectFallback(
  reply: LlmReply,
  reason: string,
  text = TEXT,
  settings: Partial<LlmSettings> = {},
) {
  standin.endpoint.reply(reply);
  const given = input(text);
  const reading = await interpreter(settings).interpret(given);
  expect(reading).toEqual(readMessage(given));
  expect(warnings()).toEqual([
    expect.objectContaining({ level: 40, llm: expect.objectContaining({ reason }) }),
  ]);
  expect(logText()).not.toContain(SECRET_WORD);
  expect(logText()).not.toContain("Seguridad");
  expect(logText()).not.toContain(API_KEY);
  return reading;
}

describe("llm interpreter: a valid answer", () => {
  it("becomes full readings, the model's and not the rules'", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update({ progress: 42 })])));
    const given = input(TEXT);
    const reading = await interpreter().interpret(given);

    expect(reading.language).toBe("es");
    expect(reading.readings).toHaveLength(1);
    expect(reading.readings[0]).toEqual({
      project: PROJECTS[0],
      projectRefs: [
        { project: PROJECTS[0], reason: "name", score: 1, matchedText: null, writersProject: true },
      ],
      progress: 42,
      health: "at_risk",
      risks: ["dependencia con Seguridad"],
      blockers: [],
      nextSteps: [],
      eta: "2026-07-24",
      etaUncertain: false,
      unread: [],
      unreadCharacters: 0,
      unknownPmoIds: [],
      confidence: 0.9,
      language: "es",
    });
    expect(readMessage(given).readings[0]?.progress).toBe(60);
    expect(logText()).toBe("");
  });

  it("asks the chat completions endpoint with a strict JSON schema, the key and the model", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update()])));
    await interpreter().interpret(input(TEXT));

    expect(standin.endpoint.requests).toHaveLength(1);
    const [request] = standin.endpoint.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const body = z
      .object({
        model: z.string(),
        messages: z.array(z.object({ role: z.string(), content: z.string() })),
        response_format: z.object({
          type: z.literal("json_schema"),
          json_schema: z.object({
            name: z.string(),
            strict: z.literal(true),
            schema: z.record(z.string(), z.unknown()),
          }),
        }),
      })
      .parse(request?.body);
    expect(body.model).toBe("standin-model");
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(body.messages[1]?.content).toContain(SECRET_WORD);
  });

  it("puts the PM's projects (names, PMO IDs, gids) and today's date in the PMO time zone in the prompt", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update()])));
    await interpreter().interpret(input(TEXT));

    const prompt = z
      .object({ messages: z.array(z.object({ content: z.string() })) })
      .parse(standin.endpoint.requests[0]?.body).messages[1]?.content;
    const sent = z
      .object({
        today: z.string(),
        weekday: z.string(),
        timezone: z.string(),
        projects: z.array(z.object({ gid: z.string(), name: z.string(), pmoId: z.string().nullable() })),
        message: z.string(),
      })
      .parse(JSON.parse(prompt ?? ""));
    // 03:00 UTC on the 9th is still the 8th in Bogotá.
    expect(sent.today).toBe("2026-07-08");
    expect(sent.weekday).toBe("Wednesday");
    expect(sent.timezone).toBe("America/Bogota");
    expect(sent.projects).toEqual(PROJECTS);
    expect(sent.message).toBe(TEXT);
    expect(userPrompt(input(TEXT, { timezone: "Asia/Tokyo" }))).toContain('"today": "2026-07-09"');
  });

  it("gives one reading per project, in the order of the answer, each saved to its own project", async () => {
    const text = "PMO-101 al 80% en verde; PMO-102 atrasado 2 semanas por el proveedor, avance 40%";
    standin.endpoint.reply(
      jsonAnswer(
        answer([
          update({ projectGid: "101", progress: 80, health: "on_track", risks: [], eta: null }),
          update({
            projectGid: "102",
            progress: 40,
            health: "off_track",
            risks: [],
            blockers: ["el proveedor"],
            eta: null,
          }),
        ]),
      ),
    );
    const reading = await interpreter().interpret(input(text));
    expect(reading.readings.map((r) => [r.project?.gid, r.progress, r.health, r.blockers])).toEqual([
      ["101", 80, "on_track", []],
      ["102", 40, "off_track", ["el proveedor"]],
    ]);
  });

  it("resolves another PM's PMO ID written in the message through the lookup, and lists unknown ones", async () => {
    const text = "PMO-900 avance 30%. Ojo: PMO-777 también.";
    standin.endpoint.reply(
      jsonAnswer(
        answer([
          update({ projectGid: null, pmoId: "PMO-900", progress: 30, risks: [], health: null, eta: null }),
        ]),
      ),
    );
    const asked: string[] = [];
    const reading = await interpreter().interpret(
      input(text, {
        allProjects: (pmoId) => {
          asked.push(pmoId);
          return pmoId === "PMO-900" ? OTHER_PM_PROJECT : null;
        },
      }),
    );
    expect(asked.sort()).toEqual(["PMO-777", "PMO-900"]);
    expect(reading.readings[0]?.project).toEqual(OTHER_PM_PROJECT);
    expect(reading.readings[0]?.projectRefs[0]).toMatchObject({ reason: "pmo_id", writersProject: false });
    expect(reading.readings[0]?.unknownPmoIds).toEqual(["PMO-777"]);
  });

  it("asks the model once when the conversation reads the same message twice", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update()])));
    const llm = interpreter();
    const first = await llm.interpret(input(TEXT, { allProjects: () => null }));
    const second = await llm.interpret(input(TEXT, { allProjects: () => OTHER_PM_PROJECT }));
    expect(second).toEqual(first);
    expect(standin.endpoint.requests).toHaveLength(1);
  });

  it("does not ask again when the first reading of the same message failed: the PM waits once at most", async () => {
    standin.endpoint.reply({ status: 503, body: { error: { message: "overloaded" } } });
    const llm = interpreter();
    const given = input(TEXT, { allProjects: () => null });
    expect(await llm.interpret(given)).toEqual(readMessage(given));
    expect(await llm.interpret(input(TEXT, { allProjects: () => OTHER_PM_PROJECT }))).toEqual(
      readMessage(input(TEXT, { allProjects: () => OTHER_PM_PROJECT })),
    );
    expect(standin.endpoint.requests).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
  });

  it("takes the writer's only project when the answer names none, as the rules do", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update({ projectGid: null })])));
    const reading = await interpreter().interpret(
      input("avance 60%", { projects: [PROJECTS[1] as ProjectRef] }),
    );
    expect(reading.readings[0]?.project).toEqual(PROJECTS[1]);
    expect(reading.readings[0]?.projectRefs[0]?.reason).toBe("only_project");
  });

  it("works without a key (a local server): a placeholder bearer, never a real key", async () => {
    standin.endpoint.reply(jsonAnswer(answer([update()])));
    await interpreter({ apiKey: null }).interpret(input(TEXT));
    expect(standin.endpoint.requests[0]?.headers.authorization).toBe("Bearer not-needed");
  });
});

describe("llm interpreter: every failure gives the rule-based reading, logged without the DM", () => {
  it("an answer that is not JSON", async () => {
    await expectFallback(
      { status: 200, body: chatCompletion(`Claro: el proyecto ${SECRET_WORD} va bien`) },
      "invalid_json",
    );
  });

  it("a response body that is not JSON at all", async () => {
    await expectFallback({ status: 200, body: `<html>${SECRET_WORD}</html>` }, "invalid_json");
  });

  it("an answer that breaks the schema", async () => {
    await expectFallback(jsonAnswer(answer([update({ progress: 150 })])), "invalid_answer");
    standin.logLines.length = 0;
    await expectFallback(jsonAnswer({ language: "es", updates: [update()] }), "invalid_answer");
    standin.logLines.length = 0;
    await expectFallback(jsonAnswer(answer([update({ eta: "24/07/2026" })])), "invalid_answer");
  });

  it("an empty answer", async () => {
    await expectFallback({ status: 200, body: chatCompletion(null) }, "no_answer");
  });

  it("a server that never answers (the timeout)", async () => {
    await expectFallback({ kind: "never" }, "timeout", TEXT, { timeoutMs: 300 });
  });

  it("a server that sends headers and never finishes the body", async () => {
    await expectFallback({ kind: "stall_body" }, "timeout", TEXT, { timeoutMs: 300 });
  });

  it("a 429, asked once (no retries)", async () => {
    await expectFallback(
      { status: 429, body: { error: { message: `slow down ${SECRET_WORD}` } } },
      "rate_limited",
    );
    expect(standin.endpoint.requests).toHaveLength(1);
    expect(warnings()[0]?.llm.status).toBe(429);
  });

  it("a 500, asked once (no retries)", async () => {
    await expectFallback({ status: 500, body: { error: { message: "boom" } } }, "server_error");
    expect(standin.endpoint.requests).toHaveLength(1);
  });

  it("an answer naming a project the PM does not own", async () => {
    await expectFallback(jsonAnswer(answer([update({ projectGid: "555" })])), "unknown_project");
  });

  it("an answer naming a PMO ID the message does not carry", async () => {
    await expectFallback(
      jsonAnswer(answer([update({ projectGid: null, pmoId: "PMO-900" })])),
      "unknown_project",
    );
  });

  it("an answer giving one project twice", async () => {
    await expectFallback(jsonAnswer(answer([update(), update()])), "invalid_answer");
  });

  it("an endpoint that refuses the connection", async () => {
    await expectFallback(jsonAnswer(answer([update()])), "connection_error", TEXT, {
      baseUrl: "http://127.0.0.1:9/v1",
    });
  });
});
