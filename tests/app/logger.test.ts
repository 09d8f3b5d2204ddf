import { Writable } from "node:stream";
import { LogLevel } from "@slack/logger";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../app/config.ts";
import { createLogger, scrubLine, toBoltLogger } from "../../app/logger.ts";

const BOT = "xoxb-2222222-3333333-SeCrEtBoT";
const APP = "xapp-1-A999-4444-SeCrEtApP";
const ASANA = "2/12045/12046:SeCrEtAsAnA";

function capture(logLevel = "debug") {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const config = parseConfig(
    {
      SLACK_BOT_TOKEN: BOT,
      SLACK_APP_TOKEN: APP,
      ASANA_TOKEN: ASANA,
      ASANA_WORKSPACE_GID: "1",
      PMO_CHANNEL_ID: "C1",
      LOG_LEVEL: logLevel,
    },
    "app",
  );
  return { logger: createLogger(config, stream), output: () => lines.join("") };
}

describe("logger", () => {
  it("never prints a configured token, wherever it appears", () => {
    const { logger, output } = capture();
    logger.info({ headers: { Authorization: `Bearer ${ASANA}` }, botToken: BOT }, "calling Asana");
    logger.info(`token in the message ${BOT} and ${APP}`);
    logger.warn({ nested: { deeper: { list: [`x ${ASANA} y`] } } }, "deep");
    logger.error({ err: new Error(`request failed with ${ASANA}`) }, "failure");
    logger.debug({ url: `https://slack.com/api/chat.postMessage?token=${BOT}` }, "url");
    const out = output();
    expect(out).toContain("calling Asana");
    expect(out).toContain("request failed with");
    for (const secret of [BOT, APP, ASANA, "SeCrEt"]) expect(out).not.toContain(secret);
    expect(out.split("\n").filter(Boolean)).toHaveLength(5);
  });

  it("drops response_url, trigger_id and DM text at any depth", () => {
    const { logger, output } = capture();
    logger.info(
      {
        body: {
          response_url: "https://hooks.slack.com/commands/T1/123/abc",
          trigger_id: "1337.42.abcdef",
          event: { type: "message", text: "mi proyecto va mal, confidencial" },
        },
      },
      "received",
    );
    const out = output();
    expect(out).toContain("received");
    for (const leaked of ["hooks.slack.com", "1337.42.abcdef", "confidencial"])
      expect(out).not.toContain(leaked);
  });

  it("scrubs JSON payloads that arrive already serialized inside a message", () => {
    const payload = JSON.stringify({
      response_url: "https://hooks.slack.com/x/y",
      trigger_id: "99.88.zz",
      text: "secreto",
      token: "verif",
    });
    const line = scrubLine(JSON.stringify({ msg: `payload ${payload}` }), []);
    for (const leaked of ["hooks.slack.com", "99.88.zz", "secreto", "verif"])
      expect(line).not.toContain(leaked);
    expect(line).toContain("response_url");
  });

  it("gives Bolt a Logger whose messages go through the same redaction", () => {
    const { logger, output } = capture();
    const bolt = toBoltLogger(logger);
    bolt.setName("socket-mode");
    bolt.setLevel(LogLevel.DEBUG);
    expect(bolt.getLevel()).toBe(LogLevel.DEBUG);
    bolt.debug("envelope", { payload: { trigger_id: "555.666.777", text: "hola privado", token: APP } });
    bolt.info(`connected with ${APP}`);
    const out = output();
    expect(out).toContain("socket-mode");
    expect(out).toContain("envelope");
    for (const leaked of ["555.666.777", "hola privado", APP]) expect(out).not.toContain(leaked);
  });

  it("keeps LOG_LEVEL whatever level Bolt sets (Bolt's App sets info on the logger it is given)", () => {
    const atDebug = capture("debug");
    const bolt = toBoltLogger(atDebug.logger);
    bolt.setLevel(LogLevel.INFO);
    bolt.debug("frame at debug");
    expect(bolt.getLevel()).toBe(LogLevel.DEBUG);
    expect(atDebug.output()).toContain("frame at debug");

    const atWarn = capture("warn");
    const quiet = toBoltLogger(atWarn.logger);
    quiet.setLevel(LogLevel.DEBUG);
    quiet.info("not shown at warn");
    expect(quiet.getLevel()).toBe(LogLevel.WARN);
    expect(atWarn.output()).not.toContain("not shown at warn");
  });
});

describe("raw frames and Asana errors at debug", () => {
  const DM = 'SECRET-DM-7f3a "quoted" \\ text';
  const frame = JSON.stringify({
    envelope_id: "e1",
    payload: {
      event: { type: "message", user: "U1", text: `PMO-1 avance ${DM}`, channel_type: "im" },
      view: {
        state: {
          values: {
            b1: { text: { type: "plain_text_input", value: "SECRET-MODAL-91c2" } },
            b2: { comment: { type: "plain_text_input", value: "SECRET-ACK-COMMENT-44d0" } },
          },
        },
      },
      user: { id: "U1", email: "ana.secreta@empresa.example" },
    },
  });

  it("redacts a socket frame's text, values and e-mails wherever the quotes fall", () => {
    const { logger, output } = capture();
    toBoltLogger(logger).debug(`Received a message on the WebSocket: ${frame}`);
    const out = output();
    expect(out).toContain("Received a message on the WebSocket");
    for (const marker of [
      "SECRET-DM-7f3a",
      "quoted",
      "SECRET-MODAL-91c2",
      "SECRET-ACK-COMMENT-44d0",
      "ana.secreta",
    ])
      expect(out).not.toContain(marker);
  });

  it("redacts the e-mail in an Asana /users/<email> path and message", () => {
    const { logger, output } = capture();
    logger.error(
      {
        err: new Error("GET /users/ana.secreta%40empresa.example failed"),
        path: "/users/ana.secreta@empresa.example",
      },
      "lookup failed",
    );
    expect(output()).not.toContain("ana.secreta");
  });
});
