import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toOutputLine } from "../../app/interpret.ts";
import { readMessage } from "../../services/updates/interpreter.ts";
import { jsonAnswer, type LlmEndpoint, startLlmEndpoint } from "../fixtures/llm-endpoint.ts";
import { runScript, type ScriptResult } from "../fixtures/node-script.ts";

/**
 * `npm run -s interpret -- --jsonl` as a child process, as `npm run` starts it: one JSON line out
 * per line in, in order, errors as lines, and the same reading the DM path gives in-process.
 */

const PROJECTS = [
  { gid: "101", name: "Portal Clientes", pmoId: "PMO-101" },
  { gid: "102", name: "Migración SAP", pmoId: "PMO-102" },
  { gid: "103", name: "App Ventas", pmoId: "PMO-103" },
];
const NOW = "2026-07-08T10:00:00-05:00";

type Line = { text: string; now?: string; timezone?: string; projects?: typeof PROJECTS };
const line = ({ text, now = NOW, timezone = "America/Bogota", projects = PROJECTS }: Line) =>
  JSON.stringify({ text, now, timezone, projects });

/** The script in its own Node process, stdin given, the LLM variables as given (none by default). */
function interpret(
  args: readonly string[],
  stdin: string,
  env: Record<string, string> = {},
): Promise<ScriptResult> {
  return runScript(
    "app/interpret.ts",
    args,
    // Empty LLM variables override any `.env` in the repository: the language model stays off.
    { PATH: process.env.PATH ?? "", LLM_BASE_URL: "", LLM_MODEL: "", LLM_API_KEY: "", ...env },
    { input: stdin },
  ).closed;
}

const outputLines = (run: ScriptResult): unknown[] =>
  run.stdout
    .split("\n")
    .filter((text) => text !== "")
    .map((text) => JSON.parse(text));

const MESSAGES: readonly Line[] = [
  { text: "PMO-101 al 80% en verde; PMO-102 atrasado 2 semanas por el proveedor, avance 40%" },
  { text: "¿Bloqueos? No. ¿Riesgos? Sí, la dependencia con Seguridad." },
  { text: "App Ventas: llevamos 3 de 4 entregables, cierre el 31/07" },
  { text: "avance 60%, todo bien" },
  // 23:30 in Bogotá is already the 9th in UTC: "mañana" is the 9th all the same.
  { text: "Portal Clientes entrega mañana", now: "2026-07-08T23:30:00-05:00" },
];

describe("npm run interpret -- --jsonl (rules)", () => {
  it("answers each line in order with the reading the DM path gives, several projects included", async () => {
    const run = await interpret(["--jsonl"], `${MESSAGES.map(line).join("\n")}\n`);
    expect(run.code).toBe(0);
    const expected = MESSAGES.map((message) =>
      toOutputLine(
        readMessage({
          text: message.text,
          projects: PROJECTS,
          now: new Date(message.now ?? NOW),
          timezone: "America/Bogota",
          locale: "es",
        }),
      ),
    );
    expect(outputLines(run)).toEqual(expected);
    expect(outputLines(run)[0]).toEqual({
      language: "es",
      updates: [
        {
          projectGid: "101",
          progress: 80,
          health: "on_track",
          risks: [],
          blockers: [],
          nextSteps: [],
          eta: null,
        },
        {
          projectGid: "102",
          progress: 40,
          health: "off_track",
          risks: [],
          blockers: ["el proveedor"],
          nextSteps: [],
          eta: null,
        },
      ],
    });
    expect(outputLines(run)[2]).toMatchObject({
      updates: [{ projectGid: "103", progress: 75, eta: "2026-07-31" }],
    });
    expect(outputLines(run)[3]).toMatchObject({ updates: [{ projectGid: null, progress: 60 }] });
    expect(outputLines(run)[4]).toMatchObject({ updates: [{ projectGid: "101", eta: "2026-07-09" }] });
    expect(run.stderr).toContain("5 lines read by rules, 0 could not be read");
  });

  it("answers a line it cannot read with an error line, and reads on", async () => {
    const input = [
      line({ text: "PMO-101 avance 10%" }),
      "not json at all",
      "",
      JSON.stringify({ text: "PMO-101 avance 20%", timezone: "America/Bogota", projects: PROJECTS }),
      line({ text: "PMO-101 avance 30%", timezone: "Mars/Olympus_Mons" }),
      line({ text: "PMO-101 avance 40%", now: "yesterday" }),
      line({ text: "PMO-102 avance 50%" }),
    ].join("\r\n");
    const run = await interpret(["--jsonl"], input);
    expect(run.code).toBe(0);
    const lines = outputLines(run);
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatchObject({ updates: [{ projectGid: "101", progress: 10 }] });
    expect(lines[1]).toEqual({ error: "not JSON" });
    expect(lines[2]).toEqual({ error: "empty line" });
    expect(lines[3]).toEqual({ error: expect.stringMatching(/^now: /) });
    expect(lines[4]).toEqual({ error: "timezone: is not a known time zone" });
    expect(lines[5]).toEqual({ error: expect.stringMatching(/^now: /) });
    expect(lines[6]).toMatchObject({ updates: [{ projectGid: "102", progress: 50 }] });
    expect(run.stderr).toContain("7 lines read by rules, 5 could not be read");
  });

  it("refuses to start without --jsonl, or with an interpreter it does not know", async () => {
    const bare = await interpret([], "");
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toContain("usage: npm run -s interpret -- --jsonl");
    const unknown = await interpret(["--jsonl", "--interpreter", "magic"], "");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown interpreter "magic"');
  });
});

describe("npm run interpret -- --jsonl --interpreter llm", () => {
  let endpoint: LlmEndpoint;
  beforeAll(async () => {
    endpoint = await startLlmEndpoint();
  });
  afterAll(async () => endpoint.stop());

  it("exits 2 and says why when no language model is configured", async () => {
    const run = await interpret(["--jsonl", "--interpreter", "llm"], line({ text: "PMO-101 avance 10%" }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("LLM_BASE_URL and LLM_MODEL");
  });

  it("reads with the model, in order, and with the rules where the model fails", async () => {
    endpoint.reply((request) =>
      request.raw.includes("Zanzibar")
        ? jsonAnswer({
            language: "en",
            confidence: 0.9,
            updates: [
              {
                projectGid: "103",
                pmoId: null,
                progress: 42,
                health: "at_risk",
                risks: ["Zanzibar"],
                blockers: [],
                nextSteps: [],
                eta: null,
                etaUncertain: false,
              },
            ],
          })
        : { status: 500, body: { error: { message: "down" } } },
    );
    const messages = [
      { text: "PMO-101 avance 10%" },
      { text: "App Ventas, ojo con Zanzibar" },
      { text: "PMO-102 avance 30%" },
    ];
    const run = await interpret(["--jsonl", "--interpreter", "llm"], `${messages.map(line).join("\n")}\n`, {
      LLM_BASE_URL: endpoint.baseUrl,
      LLM_MODEL: "standin-model",
      LLM_API_KEY: "sk-standin",
      LLM_TIMEOUT_MS: "5000",
    });
    expect(run.code).toBe(0);
    expect(outputLines(run)).toEqual([
      expect.objectContaining({ updates: [expect.objectContaining({ projectGid: "101", progress: 10 })] }),
      {
        language: "en",
        updates: [
          {
            projectGid: "103",
            progress: 42,
            health: "at_risk",
            risks: ["Zanzibar"],
            blockers: [],
            nextSteps: [],
            eta: null,
          },
        ],
      },
      expect.objectContaining({ updates: [expect.objectContaining({ projectGid: "102", progress: 30 })] }),
    ]);
    expect(endpoint.requests).toHaveLength(3);
    expect(run.stderr).not.toContain("Zanzibar");
  });
});
