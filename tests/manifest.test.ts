import { readFileSync } from "node:fs";
import { App, type Receiver } from "@slack/bolt";
import { Ajv } from "ajv";
import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { parseConfig } from "../app/config.ts";
import { createLogger } from "../app/logger.ts";
import type { ListenerDeps, ListenerServices } from "../listeners/deps.ts";
import { registerListeners } from "../listeners/index.ts";

const SHARED = "../shared/slack";
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

const manifestSchema = z.object({
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean() }),
    slash_commands: z.array(
      z.object({ command: z.string(), description: z.string(), usage_hint: z.string().optional() }),
    ),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean() }),
    socket_mode_enabled: z.boolean(),
  }),
});
const manifest = manifestSchema.parse(readJson("manifest.json"));

describe("manifest.json", () => {
  it("is valid against Slack's published manifest schema", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const version of ["1.0.0", "2.0.0"]) {
      ajv.addSchema(
        z.record(z.string(), z.unknown()).parse(readJson(`${SHARED}/manifest.schema.${version}.json`)),
        `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${version}.json`,
      );
    }
    const validate = ajv.compile(
      z.record(z.string(), z.unknown()).parse(readJson(`${SHARED}/manifest.schema.json`)),
    );
    const valid = validate(readJson("manifest.json"));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 1)).toEqual([]);
    expect(valid).toBe(true);
  });

  it("is a socket-mode app with the Home and Messages tabs and a Spanish /pmo", () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    const [pmo] = manifest.features.slash_commands;
    expect(pmo?.command).toBe("/pmo");
    expect(pmo?.description).toMatch(/proyectos/);
  });
});

class NoopReceiver implements Receiver {
  init(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** Registers every listener on a real App and notes what was registered. */
function registrations() {
  const app = new App({
    token: "xoxb-x",
    receiver: new NoopReceiver(),
    tokenVerificationEnabled: false,
    botId: "B",
    botUserId: "U",
  });
  const seen = {
    commands: new Set<string>(),
    actions: new Set<string>(),
    views: new Set<string>(),
    events: new Set<string>(),
    messages: 0,
  };
  const idOf = (constraint: unknown, key: "action_id" | "callback_id"): string => {
    if (typeof constraint === "string") return constraint;
    const parsed = z.object({ [key]: z.string() }).safeParse(constraint);
    return parsed.success ? String(parsed.data[key]) : String(constraint);
  };
  vi.spyOn(app, "command").mockImplementation((name: unknown) => {
    seen.commands.add(String(name));
  });
  vi.spyOn(app, "action").mockImplementation((constraint: unknown) => {
    seen.actions.add(idOf(constraint, "action_id"));
  });
  vi.spyOn(app, "view").mockImplementation((constraint: unknown) => {
    seen.views.add(idOf(constraint, "callback_id"));
  });
  vi.spyOn(app, "event").mockImplementation((name: unknown) => {
    seen.events.add(String(name));
  });
  vi.spyOn(app, "message").mockImplementation(() => {
    seen.messages++;
  });
  const config = parseConfig({ LOG_LEVEL: "silent" }, "store");
  const unused = () => {
    throw new Error("not used while registering");
  };
  const deps: ListenerDeps = {
    services: new Proxy({} as ListenerServices, { get: () => unused }),
    logger: createLogger(config),
    clock: () => new Date(),
    rendering: { timeZone: config.timezone, defaultLocale: config.defaultLocale },
  };
  registerListeners(app, deps);
  return seen;
}

describe("the manifest and the listeners agree", () => {
  it("declares exactly the commands the code handles", () => {
    const seen = registrations();
    expect([...seen.commands].sort()).toEqual(manifest.features.slash_commands.map((c) => c.command).sort());
  });

  it("declares exactly the events the code handles", () => {
    const seen = registrations();
    const handled = [...seen.events, ...(seen.messages > 0 ? ["message.im"] : [])].sort();
    expect(handled).toEqual([...manifest.settings.event_subscriptions.bot_events].sort());
    expect(manifest.features.app_home.home_tab_enabled).toBe(seen.events.has("app_home_opened"));
    expect(manifest.features.app_home.messages_tab_enabled).toBe(seen.messages > 0);
  });

  it("turns interactivity on exactly when buttons or modals are handled", () => {
    const seen = registrations();
    expect(manifest.settings.interactivity.is_enabled).toBe(seen.actions.size + seen.views.size > 0);
  });
});
