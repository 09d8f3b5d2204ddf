// `npm start` runs this first: app/main.ts and what it imports, compiled by esbuild into dist/
// (the packages stay in node_modules). The long-running process then needs no TypeScript loader:
// tsx's loader thread alone costs about 33 MB of resident memory. Dynamic imports (the demo,
// the Excel export, the embedded engine) become chunks loaded only when used.
// `node scripts/build.mjs [--outdir DIR]` (default dist/).
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { outdir: { type: "string" } }, strict: true });
const outdir = values.outdir === undefined ? join(root, "dist") : resolve(values.outdir);

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "app/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  // Stack traces read against the sources with `node --enable-source-maps dist/main.js`.
  sourcemap: "linked",
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});
