// `npm run lint:deps`: the import rules of .dependency-cruiser.mjs (every import, type-only ones
// included) and .dependency-cruiser.runtime.mjs (what is loaded at run time), checked by dependency-cruiser
// over the source folders. Prints each violation as "rule: importing file → imported file" and exits
// non-zero when there is one. Plain Node, not tsx: tsx's CommonJS interop hides swc's Visitor class
// from dependency-cruiser.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cruise, format, getAvailableTranspilers } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/** The folders checked, when present; `web/` is the dashboard surface to come. */
const SOURCE_FOLDERS = ["app", "jobs", "listeners", "services", "web", "sandbox", "bench"];
const RUNTIME_FOLDERS = ["services/rules"];

/** What tsx and esbuild erase under `verbatimModuleSyntax`: `import type` and `export type`, nothing else. */
const ERASE_TYPE_ONLY_IMPORTS = {
  babelrc: false,
  configFile: false,
  cwd: repoRoot,
  plugins: [["@babel/plugin-transform-typescript", { onlyRemoveTypeImports: true }]],
};

/** @param {string} [baseDir] the repository, or a test's fixture tree */
export async function checkImports(baseDir = repoRoot) {
  assertParsersAvailable();
  const present = (/** @type {string[]} */ folders) =>
    folders.filter((folder) => existsSync(join(baseDir, folder)));
  const results = [await run(".dependency-cruiser.mjs", present(SOURCE_FOLDERS), baseDir)];
  const runtimeFolders = present(RUNTIME_FOLDERS);
  if (runtimeFolders.length > 0) {
    results.push(
      await run(".dependency-cruiser.runtime.mjs", runtimeFolders, baseDir, ERASE_TYPE_ONLY_IMPORTS),
    );
  }
  const violations = results.flatMap((result) =>
    result.summary.violations.map((violation) => ({
      rule: violation.rule.name,
      from: violation.from,
      to: violation.to,
      cycle: (violation.cycle ?? []).map((step) => step.name),
    })),
  );
  const reports = await Promise.all(results.map((result) => format(result, { outputType: "err-long" })));
  return { violations, report: reports.map((formatted) => String(formatted.output)).join("") };
}

/**
 * @param {string} configFile
 * @param {string[]} folders
 * @param {string} baseDir
 * @param {object} [babelConfig]
 * @returns {Promise<import("dependency-cruiser").ICruiseResult>}
 */
async function run(configFile, folders, baseDir, babelConfig) {
  const options = await extractDepcruiseOptions(join(repoRoot, configFile));
  const reported = await cruise(folders, { ...options, baseDir }, {}, babelConfig ? { babelConfig } : {});
  if (typeof reported.output === "string")
    throw new Error(`${configFile}: expected a cruise result, got a report`);
  return reported.output;
}

/** dependency-cruiser silently falls back to a JavaScript-only parser when one is missing. */
function assertParsersAvailable() {
  const missing = getAvailableTranspilers()
    .filter(
      (transpiler) => (transpiler.name === "swc" || transpiler.name === "babel") && !transpiler.available,
    )
    .map((transpiler) => transpiler.name);
  if (missing.length > 0) {
    throw new Error(`dependency-cruiser cannot load ${missing.join(" and ")}: run npm ci`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { violations, report } = await checkImports();
  process.stdout.write(report);
  process.exitCode = violations.length > 0 ? 1 : 0;
}
