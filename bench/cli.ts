import { quietAwsSdkOnNode20 } from "../app/config.ts";
import { benchCost, describeCostBench } from "./cost.ts";
import { benchSlack, describeSlackBench } from "./slack.ts";
import { benchSync, describeSyncBench } from "./sync.ts";
import { benchWeb, describeWebBench } from "./web.ts";

/** `npm run bench -- <name> [options]`: runs one benchmark and prints its figures (JSON with --json). */
const BENCHMARKS: Record<string, (args: string[]) => Promise<{ text: string; json: unknown }>> = {
  sync: async (args) => {
    const result = await benchSync(args.filter((a) => a !== "--json"));
    return { text: describeSyncBench(result), json: { full: result.full, partial: result.partial } };
  },
  cost: async (args) => {
    const result = await benchCost(args.filter((a) => a !== "--json"));
    return { text: describeCostBench(result), json: result };
  },
  slack: async (args) => {
    const result = await benchSlack(args.filter((a) => a !== "--json"));
    return { text: describeSlackBench(result), json: result };
  },
  web: async (args) => {
    const result = await benchWeb(args.filter((a) => a !== "--json"));
    return { text: describeWebBench(result), json: result };
  },
};

quietAwsSdkOnNode20();
const [name, ...rest] = process.argv.slice(2);
const bench = name === undefined ? undefined : BENCHMARKS[name];
if (bench === undefined) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join("|")}> [options] [--json]`);
  process.exit(2);
}
bench(rest).then(
  (result) => {
    console.log(rest.includes("--json") ? JSON.stringify(result.json) : result.text);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
