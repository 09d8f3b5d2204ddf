// The import rules (issue #11; DESIGN.md sections 2 and 11), checked by dependency-cruiser with
// `npm run lint:deps` (scripts/lint-imports.mjs) and tested in tests/architecture/import-rules.test.ts.
// This file holds the rules on every import, type-only ones included, parsed with swc (TypeScript 7
// has no JavaScript API for dependency-cruiser to use). The rules on what is loaded at run time are
// in .dependency-cruiser.runtime.mjs. `web/` (the dashboard surface, to come) obeys the listeners' rules.

/** Node built-ins and installed packages: any layer may use them. */
const packagesAndBuiltins = { dependencyTypesNot: ["core", "npm", "npm-dev", "npm-optional", "npm-peer"] };

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Import cycles are forbidden everywhere, type-only ones included.",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "An import that does not resolve escapes every other rule: fix the path or install the package.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "surface-imports-services-only",
      severity: "error",
      comment:
        "A surface (listeners/, web/) imports only services/ (the model included), its own files and packages: " +
        "never app/, jobs/ or another surface.",
      from: { path: "^(listeners|web)/" },
      to: { pathNot: "^(services|$1)/", ...packagesAndBuiltins },
    },
    {
      name: "surface-folders-independent",
      severity: "error",
      comment:
        "A surface folder (listeners/commands, ...) never imports another folder of its surface; " +
        "what they share is a service.",
      from: { path: "^(listeners|web)/([^/]+)/" },
      to: { path: "^$1/[^/]+/", pathNot: "^$1/$2/" },
    },
    {
      name: "surface-root-imports-folder-index-only",
      severity: "error",
      comment:
        "The surface's own files (listeners/index.ts, listeners/deps.ts) import a folder through its index.ts.",
      from: { path: "^(listeners|web)/[^/]+$" },
      to: { path: "^$1/[^/]+/", pathNot: "^$1/[^/]+/index\\.ts$" },
    },
    {
      name: "surface-not-to-store-or-asana",
      severity: "error",
      comment:
        "A surface never reaches a repository or the Asana client (DESIGN.md section 11): " +
        "it calls a service, which gets them from the composition root.",
      from: { path: "^(listeners|web)/" },
      to: { path: "^services/(store|asana)/" },
    },
    {
      name: "services-not-to-entry-points",
      severity: "error",
      comment:
        "Services never import app/, jobs/, listeners/, web/, sandbox/ or bench/, not even types: " +
        "settings reach them as plain typed objects, summary types live in the model.",
      from: { path: "^services/" },
      to: { path: "^(app|jobs|listeners|web|sandbox|bench)/" },
    },
    {
      name: "jobs-not-to-surfaces",
      severity: "error",
      comment: "Jobs never import a surface (listeners/, web/): what both need is a service.",
      from: { path: "^jobs/" },
      to: { path: "^(listeners|web)/" },
    },
    {
      name: "store-imports-model-only",
      severity: "error",
      comment:
        "The store imports only the model (services/model.ts), services/errors.ts, its own files and packages.",
      from: { path: "^services/store/" },
      to: { pathNot: "^services/(store/|model\\.ts$|errors\\.ts$)", ...packagesAndBuiltins },
    },
  ],
  options: {
    parser: "swc",
    doNotFollow: { path: "(^|/)node_modules/" },
    moduleSystems: ["es6", "cjs"],
    skipAnalysisNotInRules: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};
