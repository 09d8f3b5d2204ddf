/**
 * Typed errors: every error the app raises on purpose carries a machine-readable `code` and,
 * where it wraps another failure, the original as `cause`. Users see a sentence in their
 * language chosen from the code; logs see the code and context.
 */
export class PmoError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export type ConfigProblem = { variable: string; problem: string; example: string };

export class ConfigError extends PmoError<"config_invalid"> {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super("config_invalid", formatConfigProblems(problems));
    this.problems = problems;
  }
}

function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const count =
    problems.length === 1 ? "1 configuration problem" : `${problems.length} configuration problems`;
  const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}. Example: ${p.variable}=${p.example}`);
  return [`PMO Pulse cannot start: ${count} (set them in the environment or in .env):`, ...lines].join("\n");
}

export type StoreErrorCode =
  | "store_locked"
  | "store_unreachable"
  | "tables_mismatch"
  | "version_conflict"
  | "not_found"
  | "invalid_transition"
  | "invalid_item"
  | "batch_incomplete"
  | "lease_not_held";

export class StoreError extends PmoError<StoreErrorCode> {}

/** Raised when an item read from DynamoDB does not have the shape the repository promises. */
export class InvalidItemError extends StoreError {
  constructor(table: string, cause: unknown) {
    super("invalid_item", `an item of table ${table} does not match its schema`, { cause });
  }
}

/** A conditional write lost against a concurrent writer: reread and decide again. */
export class VersionConflictError extends StoreError {
  constructor(what: string, cause?: unknown) {
    super("version_conflict", `${what} was changed by someone else in the meantime`, { cause });
  }
}
