/** One broken import rule: `from` imports `to`; for a cycle, `cycle` lists its modules, from `to` round to `from`. */
export type ImportViolation = { rule: string; from: string; to: string; cycle: string[] };

/** Checks the source folders under `baseDir` (default: the repository) against the import rules. */
export function checkImports(baseDir?: string): Promise<{ violations: ImportViolation[]; report: string }>;
