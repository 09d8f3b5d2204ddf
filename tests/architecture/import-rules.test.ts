import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkImports, type ImportViolation } from "../../scripts/lint-imports.mjs";

const tree = (name: string) => fileURLToPath(new URL(`../fixtures/import-rules/${name}/`, import.meta.url));

/** "rule: from → to", a package named by its name rather than its resolved file. */
const edge = ({ rule, from, to }: ImportViolation) =>
  `${rule}: ${from} → ${to.replace(/^(\.\.\/)*node_modules\/(@[^/]+\/[^/]+)\/.*$/, "$2")}`;

describe("the import rules (npm run lint:deps)", () => {
  it("pass a tree that follows them, type-only imports of the store from the rules included", async () => {
    const { violations, report } = await checkImports(tree("clean"));

    expect(violations).toEqual([]);
    expect(report).toContain("no dependency violations found");
  });

  it("report every broken rule once, with the importing and the imported file", async () => {
    const { violations, report } = await checkImports(tree("broken"));

    expect(
      violations
        .filter((violation) => violation.rule !== "no-circular")
        .map(edge)
        .sort(),
    ).toEqual(
      [
        "jobs-not-to-surfaces: jobs/sync.ts → listeners/messages/index.ts",
        "not-to-unresolvable: services/asana/client.ts → ./missing.ts",
        // a type-only import: the rules on every import see it
        "services-not-to-entry-points: services/digest/digest.ts → app/config.ts",
        "store-imports-model-only: services/store/projects.ts → services/digest/summary.ts",
        "surface-folders-independent: listeners/commands/pmo.ts → listeners/messages/index.ts",
        "surface-imports-services-only: listeners/commands/pmo.ts → app/config.ts",
        "surface-imports-services-only: listeners/messages/index.ts → web/page.ts",
        "surface-imports-services-only: web/home.ts → listeners/commands/index.ts",
        "surface-not-to-store-or-asana: listeners/views/finding-modal.ts → services/store/projects.ts",
        "surface-root-imports-folder-index-only: listeners/index.ts → listeners/commands/pmo.ts",
        // the runtime rule: not `import type { Repository }`, but `import { type Channel }`, which loads it
        "rules-no-io-at-runtime: services/rules/engine.ts → @aws-sdk/client-dynamodb",
        "rules-no-io-at-runtime: services/rules/engine.ts → services/slack/channel.ts",
        "rules-no-io-at-runtime: services/rules/engine.ts → services/store/projects.ts",
      ].sort(),
    );
    expect(
      violations.filter((violation) => violation.rule === "no-circular").map((cycle) => cycle.cycle.sort()),
    ).toEqual([["services/digest/format.ts", "services/digest/summary.ts"]]);
    expect(report).toContain(
      "error surface-folders-independent: listeners/commands/pmo.ts → listeners/messages/index.ts",
    );
  });
});
