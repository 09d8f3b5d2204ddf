import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { interpretStatusUpdate, readMessage } from "../../../services/updates/interpreter.ts";
import { FIELDS, type Field, INTERPRETER_CASES, inputFor, readingOf } from "./interpreter-cases.ts";
import {
  BLIND_CASES_2026,
  BLIND_CASES_2026_SECOND,
  MESSAGE_CASES_2026,
  type MessageCase,
  NOW_2026,
  PORTFOLIOS,
  TIMEZONE_2026,
} from "./interpreter-cases-2026.ts";
import {
  percent,
  readUpdatesOf,
  SCORED_FIELDS,
  type ScoredCase,
  type ScoredField,
  type Scores,
  scoreLines,
  scoreMessages,
} from "./message-scoring.ts";

type Tally = { correct: number; total: number };

/** Issue 13, part 6: the share of readings right per field, and at most this many false alarms. */
const TARGETS: Record<ScoredField, number> = {
  project: 95,
  progress: 90,
  health: 85,
  eta: 85,
  risk: 90,
  blocker: 90,
};
const MAX_FALSE_ALARMS = 5;

/** Accuracy per field over the whole table: the share of cases where the field is what a person reads. */
function accuracyByField(): Map<Field, Tally> {
  const tallies = new Map<Field, Tally>(FIELDS.map((field) => [field, { correct: 0, total: 0 }]));
  for (const testCase of INTERPRETER_CASES) {
    const read = readingOf(interpretStatusUpdate(inputFor(testCase)));
    for (const field of FIELDS) {
      const tally = tallies.get(field);
      if (tally === undefined) continue;
      tally.total++;
      if (isDeepStrictEqual(read[field], testCase.expected[field])) tally.correct++;
    }
  }
  return tallies;
}

/** The first table as whole messages: one expected update per project it reports on. */
const FIRST_TABLE: readonly ScoredCase[] = INTERPRETER_CASES.map((testCase) => {
  const { expected } = testCase;
  const facts = {
    progress: expected.progress,
    health: expected.health,
    risk: expected.risks.length > 0,
    blocker: expected.blockers.length > 0,
    eta: expected.eta,
  };
  const projects = testCase.readings ?? [expected.project];
  return {
    name: testCase.name,
    language: expected.language,
    updates: projects.map((project) => ({ project, ...facts })),
  };
});

function scoreFirstTable(): Scores {
  return scoreMessages(FIRST_TABLE, (_scored, index) => {
    const testCase = INTERPRETER_CASES[index];
    if (testCase === undefined) throw new Error(`no case ${index}`);
    return readUpdatesOf(readMessage(inputFor(testCase)));
  });
}

function scoreTable(cases: readonly MessageCase[]): Scores {
  return scoreMessages(cases, (_scored, index) => {
    const testCase = cases[index];
    if (testCase === undefined) throw new Error(`no case ${index}`);
    return readUpdatesOf(
      readMessage({
        text: testCase.text,
        projects: PORTFOLIOS[testCase.writer],
        now: NOW_2026,
        timezone: TIMEZONE_2026,
        locale: testCase.locale ?? "es",
      }),
    );
  });
}

describe("interpreter accuracy on the table", () => {
  const tallies = accuracyByField();
  const tallyOf = (field: Field): Tally => tallies.get(field) ?? { correct: 0, total: 0 };

  it("prints the accuracy of every field", () => {
    const lines = FIELDS.map((field) => {
      const { correct, total } = tallyOf(field);
      return `  ${field.padEnd(10)} ${((100 * correct) / total).toFixed(1).padStart(5)}%  (${correct}/${total})`;
    });
    process.stdout.write(
      `\nInterpreter accuracy on ${INTERPRETER_CASES.length} updates (lists compared item by item):\n${lines.join("\n")}\n`,
    );
    expect(lines).toHaveLength(FIELDS.length);
  });

  it.each(FIELDS)("reads %s right in at least 90% of the updates", (field) => {
    const { correct, total } = tallyOf(field);
    expect(total).toBe(INTERPRETER_CASES.length);
    expect(correct / total, `${field}: ${correct}/${total}`).toBeGreaterThanOrEqual(0.9);
  });
});

describe.each([
  { table: `the first table (${INTERPRETER_CASES.length} messages)`, score: scoreFirstTable },
  {
    table: `the 2026 table (${MESSAGE_CASES_2026.length} messages)`,
    score: () => scoreTable(MESSAGE_CASES_2026),
  },
  {
    table: `the 2026 table's first blind batch (${BLIND_CASES_2026.length} messages)`,
    score: () => scoreTable(BLIND_CASES_2026),
  },
  {
    table: `the 2026 table's second blind batch (${BLIND_CASES_2026_SECOND.length} messages)`,
    score: () => scoreTable(BLIND_CASES_2026_SECOND),
  },
])("issue 13 targets on $table", ({ table, score }) => {
  const scores = score();

  it("prints the figures", () => {
    const lines = scoreLines(`\nInterpreter accuracy on ${table}, by message and project:`, scores);
    process.stdout.write(`${lines.join("\n")}\n`);
    expect(lines.length).toBeGreaterThan(SCORED_FIELDS.length);
  });

  it.each(SCORED_FIELDS)("reads %s at least as often as the target", (field) => {
    const tally = scores.fields[field];
    const misses = scores.misses.filter((miss) => miss.includes(`] ${field}:`));
    expect(percent(tally), misses.join("\n")).toBeGreaterThanOrEqual(TARGETS[field]);
  });

  it(`raises a false alarm on at most ${MAX_FALSE_ALARMS}% of the projects with nothing wrong`, () => {
    expect(scores.falseAlarms.total).toBeGreaterThan(0);
    expect(percent(scores.falseAlarms)).toBeLessThanOrEqual(MAX_FALSE_ALARMS);
  });
});

describe("the 2026 table", () => {
  it("has at least 120 messages, 15 of them about several projects, and a blind batch", () => {
    expect(MESSAGE_CASES_2026.length).toBeGreaterThanOrEqual(120);
    expect(
      MESSAGE_CASES_2026.filter((testCase) => testCase.updates.length > 1).length,
    ).toBeGreaterThanOrEqual(15);
    expect(BLIND_CASES_2026.length).toBeGreaterThan(0);
    expect(BLIND_CASES_2026_SECOND.length).toBeGreaterThan(0);
  });

  it("flags the ETA uncertain exactly where the phrase has two readings", () => {
    const scores = scoreTable(MESSAGE_CASES_2026);
    expect(scores.etaUncertain.correct).toBe(scores.etaUncertain.total);
  });
});
