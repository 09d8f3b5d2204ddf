// The npm registry this project installs from lacks some of Biome's per-platform binaries
// (Windows, macOS, Android, musl for the newest versions). `npm install` then leaves them out
// of package-lock.json and `npm ci` refuses the lockfile. This adds the entries npm would have
// written: each marked optional for its own os/cpu/libc, so npm ci skips them on this platform.
// Run after any `npm install`: node scripts/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;
const biome = packages["node_modules/@biomejs/biome"];
const template = packages["node_modules/@biomejs/cli-linux-x64"];
if (!biome || !template) process.exit(0);

const added = [];
for (const name of Object.keys(biome.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (packages[key]) continue;
  const [os, cpu, libc] = name.replace("@biomejs/cli-", "").split("-");
  packages[key] = {
    version: biome.version,
    cpu: [cpu],
    dev: true,
    license: template.license,
    optional: true,
    os: [os],
    engines: template.engines,
    ...(libc ? { libc: [libc] } : {}),
  };
  added.push(name);
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(file, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
console.log(added.length === 0 ? "package-lock.json already complete" : `added ${added.join(", ")}`);
