import { PmoError } from "../services/errors.ts";
import { loadConfig, quietAwsSdkOnNode20 } from "./config.ts";
import { startApp } from "./start.ts";

/** `npm start`: the Slack app with its schedules. Expected failures print one message, no stack. */
async function main(): Promise<void> {
  quietAwsSdkOnNode20();
  const config = loadConfig("app");
  const running = await startApp(config);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals++;
    if (signals > 1) process.exit(1);
    running.container.logger.info({ signal }, "stopping");
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        running.container.logger.error({ err: error }, "stopping failed");
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
    process.exit(error.code === "config_invalid" ? 2 : 1);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
