import type { Health, Locale } from "../../../services/model.ts";
import type { MessageReading } from "../../../services/updates/interpreter.ts";
import type { ExpectedUpdate } from "./interpreter-cases-2026.ts";

/**
 * Scores readings of whole messages against what a person reads, per field, as issue 13 part 6
 * measures them: project, progress, health and ETA exactly; risk and blocker by presence; a false
 * alarm is a risk, a blocker, at_risk or off_track read for a project where a person reads none.
 *
 * Each expected update is compared with the reading of the same project (by position when the
 * person reads no project). The project field is right only when the message was also split into
 * as many readings as the person reads, so a wrong split counts against it.
 */

export const SCORED_FIELDS = ["project", "progress", "health", "eta", "risk", "blocker"] as const;
export type ScoredField = (typeof SCORED_FIELDS)[number];

/** The per-project facts of a reading, as the interpret command prints them. */
export type ReadUpdate = {
  project: string | null;
  progress: number | null;
  health: Health | null;
  risks: readonly string[];
  blockers: readonly string[];
  eta: string | null;
  etaUncertain: boolean;
};

export type ScoredCase = { name: string; language: Locale; updates: readonly ExpectedUpdate[] };

export type Tally = { correct: number; total: number };
export type Scores = {
  fields: Record<ScoredField, Tally>;
  /** Updates a person reads no alarm in (total), read with one anyway (correct counts those). */
  falseAlarms: Tally;
  etaUncertain: Tally;
  language: Tally;
  /** One line per missed field: case, project, field, expected and read. */
  misses: string[];
};

export function readUpdatesOf(reading: MessageReading): { language: Locale; updates: ReadUpdate[] } {
  return {
    language: reading.language,
    updates: reading.readings.map((one) => ({
      project: one.project?.gid ?? null,
      progress: one.progress,
      health: one.health,
      risks: one.risks,
      blockers: one.blockers,
      eta: one.eta,
      etaUncertain: one.etaUncertain,
    })),
  };
}

function hasAlarm(update: { health: Health | null; risk: boolean; blocker: boolean }): boolean {
  return update.risk || update.blocker || update.health === "at_risk" || update.health === "off_track";
}

export function scoreMessages(
  cases: readonly ScoredCase[],
  read: (testCase: ScoredCase, index: number) => { language: Locale; updates: ReadUpdate[] },
): Scores {
  const tally = (): Tally => ({ correct: 0, total: 0 });
  const scores: Scores = {
    fields: {
      project: tally(),
      progress: tally(),
      health: tally(),
      eta: tally(),
      risk: tally(),
      blocker: tally(),
    },
    falseAlarms: tally(),
    etaUncertain: tally(),
    language: tally(),
    misses: [],
  };
  cases.forEach((testCase, caseIndex) => {
    const reading = read(testCase, caseIndex);
    scores.language.total++;
    if (reading.language === testCase.language) scores.language.correct++;
    testCase.updates.forEach((expected, index) => {
      const actual =
        (expected.project === null
          ? undefined
          : reading.updates.find((update) => update.project === expected.project)) ?? reading.updates[index];
      const got = {
        project:
          actual === undefined || reading.updates.length !== testCase.updates.length
            ? "(split)"
            : actual.project,
        progress: actual?.progress ?? null,
        health: actual?.health ?? null,
        eta: actual?.eta ?? null,
        risk: (actual?.risks.length ?? 0) > 0,
        blocker: (actual?.blockers.length ?? 0) > 0,
      };
      if (got.project === "(split)" && actual !== undefined)
        got.project = `${actual.project} (${reading.updates.length} readings)`;
      for (const field of SCORED_FIELDS) {
        const fieldTally = scores.fields[field];
        fieldTally.total++;
        if (got[field] === expected[field]) fieldTally.correct++;
        else
          scores.misses.push(
            `${testCase.name} [${expected.project ?? "-"}] ${field}: expected ${String(expected[field])}, read ${String(got[field])}`,
          );
      }
      if (!hasAlarm(expected)) {
        scores.falseAlarms.total++;
        if (hasAlarm(got)) scores.falseAlarms.correct++;
      }
      if (expected.eta !== null) {
        scores.etaUncertain.total++;
        if ((actual?.etaUncertain ?? false) === (expected.etaUncertain ?? false))
          scores.etaUncertain.correct++;
      }
    });
  });
  return scores;
}

export function percent(tally: Tally): number {
  return tally.total === 0 ? 100 : (100 * tally.correct) / tally.total;
}

/** The figures as lines, for the test's output and the report. */
export function scoreLines(title: string, scores: Scores): string[] {
  const line = (label: string, value: Tally) =>
    `  ${label.padEnd(14)} ${percent(value).toFixed(1).padStart(5)}%  (${value.correct}/${value.total})`;
  return [
    title,
    ...SCORED_FIELDS.map((field) => line(field, scores.fields[field])),
    line("false alarm", scores.falseAlarms),
    line("eta uncertain", scores.etaUncertain),
    line("language", scores.language),
  ];
}
