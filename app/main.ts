import { parseArgs } from "node:util";
import { PmoError } from "../services/errors.ts";
import { hasAnyCredentials, loadConfig, quietAwsSdkOnNode20, readEnvironment } from "./config.ts";
import { startApp } from "./start.ts";

const USAGE = `usage: npm start [-- --demo [--once | --prompt]]
  (no options)  the Slack app with its schedules; with no Slack or Asana credentials, the demo
  --demo        the demo even when credentials are set: sandbox Slack and Asana, a terminal prompt
  --once        with the demo: run the pipeline once, print its summary and exit
  --prompt      with the demo: read the prompt's commands from stdin even when it is not a terminal
                (a pipe, a script); without it such a demo only serves until it is stopped`;

/**
 * `npm start`: the Slack app with its schedules, or the demo when no credentials are set at all
 * (or with --demo). Expected failures print one message, no stack.
 */
async function main(): Promise<void> {
  quietAwsSdkOnNode20();
  const args = parseArgs({
    args: process.argv.slice(2),
    options: {
      demo: { type: "boolean", default: false },
      once: { type: "boolean", default: false },
      prompt: { type: "boolean", default: false },
    },
    strict: true,
  }).values;
  const env = readEnvironment();
  if (args.demo || !hasAnyCredentials(env)) return runDemo(env, args);
  if (args.once) {
    console.error("--once runs the demo once; for one run of a real job use: npm run job -- sync --full");
    process.exit(2);
  }
  const config = loadConfig("app", env);
  const running = await startApp(config);
  const { logger } = running.container;
  onStopSignal(
    (signal) => logger.info({ signal }, "stopping"),
    () => running.stop(),
    (error) => logger.error({ err: error }, "stopping failed"),
    {
      graceMs: config.shutdownGraceMs,
      expired: () =>
        logger.error(
          { graceMs: config.shutdownGraceMs },
          "stopping took longer than SHUTDOWN_GRACE_MS; exiting without waiting further",
        ),
    },
  );
}

/** The demo's modules (and the sandboxes') load only when it runs. */
async function runDemo(
  env: ReturnType<typeof readEnvironment>,
  { once, prompt }: { once: boolean; prompt: boolean },
): Promise<void> {
  const { demoBanner, pipelineSummaryText, startDemo } = await import("./demo.ts");
  const { runDemoRepl } = await import("../sandbox/demo/repl.ts");
  console.log("PMO Pulse demo: starting a sandbox Asana and Slack, the app, and a first full sync…");
  const demo = await startDemo({ env });
  console.log(`\n${demoBanner(demo)}\n\n${pipelineSummaryText(demo.pipeline)}\n`);
  const status = demo.pipeline.sync.status === "completed" ? 0 : 1;
  if (once) {
    await demo.stop();
    process.exit(status);
  }
  onStopSignal(
    () => undefined,
    () => demo.stop(),
    (error) => console.error(error instanceof Error ? error.message : String(error)),
  );
  const terminal = process.stdin.isTTY === true;
  if (!terminal && !prompt) {
    console.log(
      "No terminal: the demo keeps serving until it is stopped (SIGTERM or Ctrl+C); --prompt reads commands from stdin.",
    );
    return;
  }
  await runDemoRepl({
    slack: demo.slack,
    users: demo.users,
    channel: demo.channel,
    input: process.stdin,
    output: process.stdout,
    terminal,
  });
  await demo.stop();
  process.exit(0);
}

/**
 * SIGTERM or SIGINT stops everything and exits 0; a second signal exits 1 at once, and so does a
 * stop still unfinished after the grace period (a call that hangs never holds the process).
 */
function onStopSignal(
  log: (signal: string) => void,
  stop: () => Promise<void>,
  failed: (error: unknown) => void,
  grace?: { graceMs: number; expired: () => void },
): void {
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    log(signal);
    if (grace !== undefined) {
      setTimeout(() => {
        grace.expired();
        process.exit(1);
      }, grace.graceMs).unref();
    }
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        failed(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof PmoError) {
    console.error(error.message);
    process.exit(error.code === "config_invalid" || error.code === "slack_token_refused" ? 2 : 1);
  }
  if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
