import { parseArgs } from "node:util";
import { startSandboxAsana } from "./server.ts";

/** `npm run sandbox -- asana [--projects 60] [--port 4010] [--seed 1] [--plan paid|free] [--latency 0]` */
export async function runAsanaSandbox(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      projects: { type: "string", default: "60" },
      port: { type: "string", default: "4010" },
      seed: { type: "string", default: "1" },
      plan: { type: "string", default: "paid" },
      latency: { type: "string", default: "0" },
    },
    strict: true,
  });
  const number = (name: string, value: string, min: number, max: number) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new Error(`--${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
  if (values.plan !== "paid" && values.plan !== "free") throw new Error("--plan must be paid or free");
  const sandbox = await startSandboxAsana({
    projects: number("projects", values.projects, 0, 20_000),
    port: number("port", values.port, 0, 65_535),
    seed: number("seed", values.seed, 0, 2 ** 31),
    plan: values.plan,
    latencyMs: number("latency", values.latency, 0, 60_000),
  });
  console.log(`Asana sandbox listening with ${sandbox.workspace.projects().length} projects. For .env:`);
  console.log(`ASANA_BASE_URL=${sandbox.baseUrl}`);
  console.log(`ASANA_TOKEN=${sandbox.token}`);
  console.log(`ASANA_WORKSPACE_GID=${sandbox.workspaceGid}`);
  console.log(`# teams: ASANA_TEAM_GIDS=${sandbox.teamGids.join(",")}`);
  console.log(`# or the portfolio: ASANA_PORTFOLIO_GID=${sandbox.portfolioGid}`);
  console.log("Ctrl+C stops it.");
  const stop = () => {
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
