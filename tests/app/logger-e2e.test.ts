import type { DestinationStream } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPDATE_FIELDS, UPDATE_MODAL } from "../../services/slack/update-ids.ts";
import { type E2eWorld, startE2eWorld } from "../fixtures/e2e-world.ts";

/** The whole app at LOG_LEVEL=debug, its log captured: nothing a person wrote, no e-mail, no token. */
const lines: string[] = [];
const destination: DestinationStream = {
  write: (line: string) => {
    lines.push(line);
  },
};
let world: E2eWorld;

beforeAll(async () => {
  world = await startE2eWorld({ projects: 6, env: { LOG_LEVEL: "debug" }, logDestination: destination });
}, 60_000);
afterAll(async () => world?.stop());

const DM_MARKER = 'SECRET-DM-7f3a "quoted" \\ text';
const MODAL_MARKER = "SECRET-MODAL-91c2";
const COMMENT_MARKER = "SECRET-ACK-COMMENT-44d0";

describe("the log at debug", () => {
  it("keeps DM text, modal values, ack comments, e-mails and tokens out", async () => {
    const dm = await world.slack.sendDm(world.pm.id, `PMO-1 avance 40% ${DM_MARKER}`);
    expect(dm.eventId).toBeTruthy();
    await world.slack.deliver("interactive", {
      type: "view_submission",
      team: { id: "T0SANDBOX" },
      user: { id: world.pm.id },
      trigger_id: "1.2.x",
      view: {
        id: "V0LOGTEST",
        type: "modal",
        callback_id: UPDATE_MODAL,
        private_metadata: "",
        state: {
          values: {
            [UPDATE_FIELDS.summary]: {
              [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: MODAL_MARKER },
            },
            comment: { comment: { type: "plain_text_input", value: COMMENT_MARKER } },
          },
        },
      },
    });
    // The DM makes the directory ask Slack for the PM's e-mail and Asana for /users/<email>.
    await world.slack.waitFor(() => world.slack.calls("users.info").length > 0, 15_000, "the PM looked up");
    await new Promise((done) => setTimeout(done, 2_000));
    const out = lines.join("");
    // The raw socket frames and Web API calls are there (at debug, whatever level Bolt sets), scrubbed.
    expect(out).toContain("Received a message on the WebSocket");
    expect(out).toContain("apiCall('users.info')");
    const email = world.slack.calls("users.info").length > 0 ? pmEmail() : null;
    const forbidden = [
      "SECRET-DM-7f3a",
      "quoted",
      MODAL_MARKER,
      COMMENT_MARKER,
      world.env.SLACK_BOT_TOKEN,
      world.env.SLACK_APP_TOKEN,
      world.env.ASANA_TOKEN,
      ...(email === null ? [] : [email, encodeURIComponent(email)]),
    ];
    for (const marker of forbidden) expect(out, marker).not.toContain(marker);
  }, 60_000);
});

function pmEmail(): string | null {
  const user = world.asana.workspace.user(world.pm.asanaGid);
  return user?.email ?? null;
}
