import { z } from "zod";
import { parseConfig, quietAwsSdkOnNode20 } from "../app/config.ts";
import { createContainer } from "../app/container.ts";
import { buildServices } from "../app/services.ts";
import { TextNotifier } from "../services/slack/notifier.ts";
import { startWebServer } from "../web/server.ts";
import { projectGidOf, seedDashboard } from "./web-data.ts";

/**
 * The dashboard's server for `npm run bench -- web`, in a process of its own so its memory is
 * measured alone: the app's container and services on an in-memory store seeded with the
 * portfolio, the web server on 127.0.0.1. Over IPC it says where it listens and hands out
 * one-time sign-in links for the admin.
 */

quietAwsSdkOnNode20();
const { projects, findings } = z
  .object({ projects: z.number().int().min(1), findings: z.number().int().min(0) })
  .parse(JSON.parse(process.argv[2] ?? "{}"));
const ADMIN = "UBENCH0001";
const now = new Date();
const config = parseConfig(
  { PMO_ADMIN_USER_IDS: ADMIN, LOG_LEVEL: "silent", WEB_PORT: "0", WEB_SESSION_SECRET: "b".repeat(40) },
  "store",
);
const container = await createContainer(
  { ...config, store: { ...config.store, engine: "embedded" } },
  { inMemoryStore: true, notifier: new TextNotifier({ write: () => true }) },
);
await seedDashboard(container.store, { projects, findings, now, seed: 3 });
let baseUrl = "http://127.0.0.1";
const services = buildServices(
  container,
  {
    userLookup: { info: async () => ({ email: null, name: null, locale: "es-LA" }) },
    messenger: { post: async (channel) => ({ channel, ts: "1.0" }), update: async () => undefined },
  },
  { schedulesOn: false, webBaseUrl: () => baseUrl },
);
if (services.web === null) throw new Error("WEB_ENABLED is false");
const web = await startWebServer(
  {
    services: { ...services, web: services.web },
    slack: null,
    logger: container.logger,
    clock: container.clock,
    settings: { timeZone: config.timezone, defaultLocale: "es", openId: null, slackTimeoutMs: 5_000 },
  },
  0,
  "127.0.0.1",
);
baseUrl = `http://127.0.0.1:${web.port}`;
const access = services.web;
process.on("message", async (message: unknown) => {
  if (message === "link") {
    const link = await access.links.issue(ADMIN);
    process.send?.({ type: "link", url: link.kind === "link" ? link.url : "" });
  }
  if (message === "stop") {
    await web.close();
    await container.close();
    process.exit(0);
  }
});
process.send?.({
  type: "ready",
  url: baseUrl,
  projectGids: [projectGidOf(0), projectGidOf(Math.floor(projects / 2)), projectGidOf(projects - 1)],
});
