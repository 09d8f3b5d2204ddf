// The import rules on what is loaded at run time, checked by `npm run lint:deps` (scripts/lint-imports.mjs),
// which reads each file through Babel's TypeScript transform with `onlyRemoveTypeImports`: `import type`
// and `export type` are erased, every other import stays, as tsx and esbuild do under
// `verbatimModuleSyntax` (so `import { type X } from "y"` still loads y). Run it through that script,
// not with the bare depcruise command, which would not erase the type-only imports.
import allImports from "./.dependency-cruiser.mjs";

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "rules-no-io-at-runtime",
      severity: "error",
      comment:
        "The rules engine (services/rules/) loads no store, Asana or Slack code at run time: " +
        "`import type` of the store's repository types is fine, a value import is not.",
      from: { path: "^services/rules/" },
      to: { path: "^services/(store|asana|slack)/|(^|/)node_modules/(@slack|@aws-sdk)/" },
    },
  ],
  options: {
    ...allImports.options,
    parser: "acorn",
    maxDepth: 1,
  },
};
