import { PmoError } from "../services/errors.ts";

/**
 * Runs a command line's `main` on the process arguments and sets the exit code it answers.
 * Expected failures (a PmoError: bad config, a locked store, Asana refusing the token) get one
 * clear line and no stack trace; bad configuration exits 2, like a usage error.
 */
export function runCommand(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof PmoError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = error.code === "config_invalid" ? 2 : 1;
        return;
      }
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
