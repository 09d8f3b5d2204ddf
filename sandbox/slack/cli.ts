import { parseArgs } from "node:util";
import { startSandboxSlack } from "./server.ts";

/** `npm run sandbox -- slack [--port 4020] [--latency 0] [--ack-timeout 3000]` */
export async function runSlackSandbox(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: "string", default: "4020" },
      latency: { type: "string", default: "0" },
      "ack-timeout": { type: "string", default: "3000" },
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
  const sandbox = await startSandboxSlack({
    port: number("port", values.port, 0, 65_535),
    latencyMs: number("latency", values.latency, 0, 60_000),
    ackTimeoutMs: number("ack-timeout", values["ack-timeout"], 1, 600_000),
  });
  console.log(`Slack sandbox listening on ${sandbox.origin} (Web API + socket mode). For .env:`);
  console.log(`SLACK_API_URL=${sandbox.apiUrl}`);
  console.log(`SLACK_BOT_TOKEN=${sandbox.botToken}`);
  console.log(`SLACK_APP_TOKEN=${sandbox.appToken}`);
  const [pmoChannel] = sandbox.channels;
  if (pmoChannel !== undefined) console.log(`PMO_CHANNEL_ID=${pmoChannel.id}`);
  console.log(
    `PMO_ADMIN_USER_IDS=${sandbox.users
      .filter((u) => u.isAdmin)
      .map((u) => u.id)
      .join(",")}`,
  );
  console.log(`# channels: ${sandbox.channels.map((c) => `${c.id} #${c.name}`).join(", ")}`);
  console.log(
    `# users: ${sandbox.users.map((u) => `${u.id} ${u.realName}${u.isAdmin ? " (admin)" : ""}`).join(", ")}`,
  );
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
