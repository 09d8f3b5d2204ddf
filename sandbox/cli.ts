/** `npm run sandbox -- <service> [options]`: starts one local stand-in and prints how to reach it. */
const SANDBOXES: Record<string, () => Promise<(args: readonly string[]) => Promise<void>>> = {
  asana: async () => (await import("./asana/cli.ts")).runAsanaSandbox,
  slack: async () => (await import("./slack/cli.ts")).runSlackSandbox,
};

const [name, ...rest] = process.argv.slice(2);
const load = name === undefined ? undefined : SANDBOXES[name];
if (load === undefined) {
  console.error(`usage: npm run sandbox -- <${Object.keys(SANDBOXES).join("|")}> [options]`);
  process.exit(2);
} else {
  load()
    .then((run) => run(rest))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
