import type { InterpretedUpdate, StatusUpdate } from "../model.ts";

/**
 * How well the interpreter reads real messages (issue 13, part 4): every status update saved from
 * a DM keeps the interpreter's reading (`interpreted`) beside what its writer confirmed (`parsed`,
 * after Editar if they edited, and the project it went to). Per field, the report counts how often
 * the reading was kept unchanged. Pure: the updates come in, the counts go out.
 *
 * A field that changed changed one of three ways: `added` (the interpreter read nothing there and
 * the writer gave a value: a miss), `removed` (the interpreter read something the writer cleared: a
 * false reading, such as a risk that was not one), `corrected` (both had a value, not the same).
 * Lists are compared as sets of items, ignoring case, spacing, bullets and end punctuation (the form
 * re-splits them line by line); the project by gid, progress, health and ETA by value.
 */

export const REPORT_FIELDS = [
  "project",
  "progress",
  "health",
  "risks",
  "blockers",
  "nextSteps",
  "eta",
] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export type FieldTally = { kept: number; added: number; removed: number; corrected: number };

export type InterpreterTally = {
  /** Stored updates looked at (within the period, when one was given). */
  stored: number;
  /** Those carrying the interpreter's reading; the others were written in the form alone. */
  considered: number;
  fields: Record<ReportField, FieldTally>;
  /** Updates whose every field was kept. */
  allKept: number;
};

export type FieldReport = FieldTally & {
  /** kept / considered, in percent with one decimal; null when nothing was considered. */
  percentKept: number | null;
};

export type InterpreterReport = {
  stored: number;
  considered: number;
  fields: Record<ReportField, FieldReport>;
  allFields: { kept: number; percentKept: number | null };
};

const emptyField = (): FieldTally => ({ kept: 0, added: 0, removed: 0, corrected: 0 });

export function emptyTally(): InterpreterTally {
  return {
    stored: 0,
    considered: 0,
    fields: {
      project: emptyField(),
      progress: emptyField(),
      health: emptyField(),
      risks: emptyField(),
      blockers: emptyField(),
      nextSteps: emptyField(),
      eta: emptyField(),
    },
    allKept: 0,
  };
}

type Comparison = "kept" | "added" | "removed" | "corrected";

function compareValues<T>(read: T | null, confirmed: T | null): Comparison {
  if (read === confirmed) return "kept";
  if (read === null) return "added";
  if (confirmed === null) return "removed";
  return "corrected";
}

const BULLET = /^[\s\-*•·–—+>]+/u;
const END_PUNCTUATION = /[\s.,;:!?¡¿]+$/u;

function normalisedItems(items: readonly string[]): string[] {
  return items
    .map((item) =>
      item
        .toLocaleLowerCase("es")
        .replace(BULLET, "")
        .replace(END_PUNCTUATION, "")
        .replace(/\s+/g, " ")
        .trim(),
    )
    .filter((item) => item !== "")
    .sort();
}

function compareLists(read: readonly string[], confirmed: readonly string[]): Comparison {
  const a = normalisedItems(read);
  const b = normalisedItems(confirmed);
  if (a.length === b.length && a.every((item, index) => item === b[index])) return "kept";
  if (a.length === 0) return "added";
  if (b.length === 0) return "removed";
  return "corrected";
}

function comparisons(read: InterpretedUpdate, update: StatusUpdate): Record<ReportField, Comparison> {
  const confirmed = update.parsed;
  return {
    project: compareValues(read.projectGid, update.projectGid),
    progress: compareValues(read.progress, confirmed.progress),
    health: compareValues(read.health, confirmed.health),
    risks: compareLists(read.risks, confirmed.risks),
    blockers: compareLists(read.blockers, confirmed.blockers),
    nextSteps: compareLists(read.nextSteps, confirmed.nextSteps),
    eta: compareValues(read.eta, confirmed.eta),
  };
}

/** Counts one stored update in (the tally is changed in place and returned). */
export function tallyUpdate(tally: InterpreterTally, update: StatusUpdate): InterpreterTally {
  tally.stored++;
  if (update.interpreted === null) return tally;
  tally.considered++;
  const compared = comparisons(update.interpreted, update);
  for (const field of REPORT_FIELDS) tally.fields[field][compared[field]]++;
  if (REPORT_FIELDS.every((field) => compared[field] === "kept")) tally.allKept++;
  return tally;
}

const percentOf = (count: number, total: number): number | null =>
  total === 0 ? null : Math.round((count / total) * 1000) / 10;

export function interpreterReport(tally: InterpreterTally): InterpreterReport {
  const field = (name: ReportField): FieldReport => ({
    ...tally.fields[name],
    percentKept: percentOf(tally.fields[name].kept, tally.considered),
  });
  return {
    stored: tally.stored,
    considered: tally.considered,
    fields: {
      project: field("project"),
      progress: field("progress"),
      health: field("health"),
      risks: field("risks"),
      blockers: field("blockers"),
      nextSteps: field("nextSteps"),
      eta: field("eta"),
    },
    allFields: { kept: tally.allKept, percentKept: percentOf(tally.allKept, tally.considered) },
  };
}

/** The report of a list of updates, at once. */
export function reportOf(updates: Iterable<StatusUpdate>): InterpreterReport {
  const tally = emptyTally();
  for (const update of updates) tallyUpdate(tally, update);
  return interpreterReport(tally);
}

const FIELD_LABELS: Record<ReportField, string> = {
  project: "project",
  progress: "progress",
  health: "health",
  risks: "risks",
  blockers: "blockers",
  nextSteps: "next steps",
  eta: "ETA",
};

const percentText = (percent: number | null): string => (percent === null ? "–" : `${percent.toFixed(1)} %`);

/** The report as an admin reads it in a terminal (English, like the other jobs' summaries). */
export function describeInterpreterReport(report: InterpreterReport, since: string | null): string {
  const period = since === null ? "" : ` since ${since}`;
  const head = `Interpreter report${period}: ${report.considered} of ${report.stored} stored updates carry the interpreter's reading`;
  if (report.considered === 0)
    return `${head}\n  nothing to measure yet: readings are kept for updates confirmed from a DM`;
  const row = (label: string, kept: string, rest: string) => `  ${label.padEnd(12)}${kept.padEnd(20)}${rest}`;
  const lines = [head, row("field", "kept unchanged", "added  removed  corrected")];
  for (const field of REPORT_FIELDS) {
    const f = report.fields[field];
    lines.push(
      row(
        FIELD_LABELS[field],
        `${f.kept} (${percentText(f.percentKept)})`,
        `${String(f.added).padEnd(7)}${String(f.removed).padEnd(9)}${f.corrected}`,
      ),
    );
  }
  lines.push(
    row("all fields", `${report.allFields.kept} (${percentText(report.allFields.percentKept)})`, ""),
  );
  return lines.map((line) => line.trimEnd()).join("\n");
}
