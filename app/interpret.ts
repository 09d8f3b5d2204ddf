import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError } from "../services/errors.ts";
import { LOCALES } from "../services/model.ts";
import {
  type MessageReading,
  RuleBasedInterpreter,
  type StatusUpdateInterpreter,
} from "../services/updates/interpreter.ts";
import { loadConfig, quietAwsSdkOnNode20 } from "./config.ts";
import { createLogger } from "./logger.ts";

/**
 * `npm run -s interpret -- --jsonl [--interpreter rules|llm]`: reads status-update messages, one
 * JSON object per line on stdin, with the same interpreter the Slack DM path uses, and writes
 * exactly one JSON object per input line to stdout, in order (issue 13, part 3). Nothing else goes
 * to stdout; diagnostics go to stderr. No Slack, Asana or store.
 *
 * In:  {"text": "...", "now": "2026-07-08T10:00:00-05:00", "timezone": "America/Bogota",
 *       "projects": [{"gid": "101", "name": "Portal Clientes", "pmoId": "PMO-101"}],
 *       "locale": "es"}                          (locale optional: the writer's Slack language)
 * Out: {"language": "es", "updates": [{"projectGid": "101", "progress": 80, "health": "on_track",
 *       "risks": [], "blockers": [], "nextSteps": [], "eta": "2026-07-31"}]}
 * A line that cannot be read (not JSON, a field missing or wrong, an unknown time zone) gives
 * {"error": "<why>"} on its own line, and the next line is read.
 */

const USAGE = `usage: npm run -s interpret -- --jsonl [--interpreter rules|llm]
  reads one JSON object per line on stdin: {"text", "now", "timezone", "projects": [{"gid", "name", "pmoId"}]}
  writes one JSON object per line on stdout, in order: {"language", "updates": [{"projectGid", "progress",
  "health", "risks", "blockers", "nextSteps", "eta"}]}, or {"error"} for a line that cannot be read
  --interpreter rules   the rule-based interpreter (the default)
  --interpreter llm     the language model set by LLM_BASE_URL and LLM_MODEL, the rules behind it`;

/** Lines read at once by an interpreter that calls out; the rules read one after another. */
const LLM_CONCURRENCY = 4;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const inputLineSchema = z.object({
  text: z.string(),
  now: z.iso.datetime({ offset: true }),
  timezone: z.string().min(1).refine(isTimeZone, "is not a known time zone"),
  projects: z.array(
    z.object({ gid: z.string().min(1), name: z.string(), pmoId: z.string().nullable().default(null) }),
  ),
  locale: z.enum(LOCALES).default("es"),
});

export type OutputUpdate = {
  projectGid: string | null;
  progress: number | null;
  health: string | null;
  risks: string[];
  blockers: string[];
  nextSteps: string[];
  eta: string | null;
};
export type OutputLine = { language: string; updates: OutputUpdate[] } | { error: string };

/** A reading as the command prints it. */
export function toOutputLine(reading: MessageReading): OutputLine {
  return {
    language: reading.language,
    updates: reading.readings.map((one) => ({
      projectGid: one.project?.gid ?? null,
      progress: one.progress,
      health: one.health,
      risks: one.risks,
      blockers: one.blockers,
      nextSteps: one.nextSteps,
      eta: one.eta,
    })),
  };
}

/** One input line read by the interpreter; never throws (a bad line is an `error` line). */
export async function interpretLine(line: string, interpreter: StatusUpdateInterpreter): Promise<OutputLine> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: line.trim() === "" ? "empty line" : "not JSON" };
  }
  const parsed = inputLineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "line";
    return { error: `${where}: ${issue?.message ?? "is not valid"}` };
  }
  const { text, now, timezone, projects, locale } = parsed.data;
  try {
    return toOutputLine(
      await interpreter.interpret({ text, now: new Date(now), timezone, projects, locale }),
    );
  } catch (error: unknown) {
    return { error: `could not be read: ${error instanceof Error ? error.name : "error"}` };
  }
}

/**
 * Reads every line of `input`, writing each answer in the order the lines came, at most
 * `concurrency` lines read at once.
 */
export async function interpretLines(
  input: AsyncIterable<string>,
  interpreter: StatusUpdateInterpreter,
  write: (line: string) => void,
  concurrency = 1,
): Promise<{ lines: number; errors: number }> {
  let lines = 0;
  let errors = 0;
  const pending: Promise<OutputLine>[] = [];
  const flush = async (keep: number) => {
    while (pending.length > keep) {
      const answer = await (pending.shift() ?? Promise.resolve({ error: "lost" }));
      if ("error" in answer) errors++;
      write(JSON.stringify(answer));
    }
  };
  for await (const raw of input) {
    lines++;
    pending.push(interpretLine(raw.replace(/\r$/, ""), interpreter));
    await flush(concurrency - 1);
  }
  await flush(0);
  return { lines, errors };
}

async function chooseInterpreter(name: string): Promise<StatusUpdateInterpreter | string> {
  const rules = new RuleBasedInterpreter();
  if (name === "rules") return rules;
  if (name !== "llm") return `unknown interpreter "${name}"`;
  quietAwsSdkOnNode20();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig("store");
  } catch (error: unknown) {
    return error instanceof ConfigError ? error.message : "the configuration could not be read";
  }
  if (config.llm === null) return "--interpreter llm needs LLM_BASE_URL and LLM_MODEL (see README)";
  const { createLlmInterpreter } = await import("../services/updates/llm-interpreter.ts");
  return createLlmInterpreter(config.llm, rules, createLogger(config, process.stderr));
}

async function main(argv: string[]): Promise<number> {
  let values: { jsonl?: boolean; interpreter?: string };
  try {
    values = parseArgs({
      args: argv,
      options: { jsonl: { type: "boolean" }, interpreter: { type: "string", default: "rules" } },
      strict: true,
    }).values;
  } catch (error: unknown) {
    process.stderr.write(`${error instanceof Error ? error.message : "bad arguments"}\n${USAGE}\n`);
    return 2;
  }
  if (values.jsonl !== true) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const name = values.interpreter ?? "rules";
  const interpreter = await chooseInterpreter(name);
  if (typeof interpreter === "string") {
    process.stderr.write(`${interpreter}\n`);
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const { lines: read, errors } = await interpretLines(
    lines,
    interpreter,
    (line) => process.stdout.write(`${line}\n`),
    name === "llm" ? LLM_CONCURRENCY : 1,
  );
  process.stderr.write(`interpret: ${read} lines read by ${name}, ${errors} could not be read\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`interpret failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
