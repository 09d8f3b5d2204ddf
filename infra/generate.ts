import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildTemplate } from "./template.ts";

const target = join(import.meta.dirname, "template.yaml");
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--write");

if (unknown.length > 0) {
  console.error(`unknown argument ${unknown.join(" ")}\nusage: npm run infra [-- --write]`);
  process.exit(2);
}

const template = buildTemplate();
if (args.includes("--write")) {
  writeFileSync(target, template);
  console.error(`wrote ${target}`);
} else {
  process.stdout.write(template);
}
