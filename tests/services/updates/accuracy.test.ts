import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { interpretStatusUpdate } from "../../../services/updates/interpreter.ts";
import { FIELDS, type Field, INTERPRETER_CASES, inputFor, readingOf } from "./interpreter-cases.ts";

type Tally = { correct: number; total: number };

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

describe("interpreter accuracy on the table", () => {
  const tallies = accuracyByField();
  const tallyOf = (field: Field): Tally => tallies.get(field) ?? { correct: 0, total: 0 };

  it("prints the accuracy of every field", () => {
    const lines = FIELDS.map((field) => {
      const { correct, total } = tallyOf(field);
      return `  ${field.padEnd(10)} ${((100 * correct) / total).toFixed(1).padStart(5)}%  (${correct}/${total})`;
    });
    process.stdout.write(
      `\nInterpreter accuracy on ${INTERPRETER_CASES.length} updates:\n${lines.join("\n")}\n`,
    );
    expect(lines).toHaveLength(FIELDS.length);
  });

  it.each(FIELDS)("reads %s right in at least 90% of the updates", (field) => {
    const { correct, total } = tallyOf(field);
    expect(total).toBe(INTERPRETER_CASES.length);
    expect(correct / total, `${field}: ${correct}/${total}`).toBeGreaterThanOrEqual(0.9);
  });
});
