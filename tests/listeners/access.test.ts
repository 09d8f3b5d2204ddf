import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import type { Membership } from "../../services/model.ts";
import { UPDATE_OPEN } from "../../services/slack/reminder-ids.ts";
import { type Harness, listenerHarness, SLACK_TEST_ORIGIN } from "../fixtures/listener-harness.ts";
import { homeOpened } from "../fixtures/slack-bodies.ts";

const TEAM = "T0PMO";
const member: Membership = { teamId: TEAM, restricted: false, ultraRestricted: false };
const people = {
  U0MEMBER: { email: null, name: "Ana", locale: "es-LA", membership: member },
  U0GUEST: { email: null, name: "Gus", locale: "en-US", membership: { ...member, restricted: true } },
  U0SINGLE: { email: null, name: "Sol", locale: "es-ES", membership: { ...member, ultraRestricted: true } },
  U0OTHER: { email: null, name: "Otto", locale: "en-US", membership: { ...member, teamId: "T0ELSEWHERE" } },
};

let h: Harness | undefined;
afterEach(async () => {
  nock.cleanAll();
  await h?.close();
  h = undefined;
});

async function harness(env: Record<string, string> = {}) {
  h = await listenerHarness({ slackUsers: people, installedTeamId: TEAM, env });
  return h;
}

let count = 0;
function command(user: string, team = TEAM) {
  const path = `/response/access-${++count}`;
  const answers: { text: string }[] = [];
  nock(SLACK_TEST_ORIGIN)
    .post(path, (posted: { text: string }) => {
      answers.push(posted);
      return true;
    })
    .reply(200, "ok");
  const body = {
    token: "verification-token",
    team_id: team,
    channel_id: "C0001",
    user_id: user,
    command: "/pmo",
    text: "ayuda",
    response_url: `${SLACK_TEST_ORIGIN}${path}`,
    trigger_id: "1337.42.abcdef",
    api_app_id: "A0001",
  };
  return { body, answers };
}

function published(): { user: string; text: string }[] {
  const views: { user: string; text: string }[] = [];
  nock(SLACK_TEST_ORIGIN)
    .post("/api/views.publish", (posted: { user_id: string; view: string }) => {
      views.push({ user: posted.user_id, text: String(posted.view) });
      return true;
    })
    .reply(200, { ok: true });
  return views;
}

describe("who may use the app", () => {
  it.each([
    ["U0GUEST", "PMO Pulse is not available to workspace guests"],
    ["U0SINGLE", "PMO Pulse no está disponible para invitados"],
    ["U0OTHER", "PMO Pulse only serves members of the workspace"],
  ])("answers /pmo from %s with a short refusal in their language, and nothing else", async (user, says) => {
    const harness_ = await harness();
    const { body, answers } = command(user);
    expect(await harness_.process(body)).toBeUndefined();
    expect(answers).toHaveLength(1);
    expect(answers[0]?.text).toContain(says);
  });

  it("refuses a command whose payload comes from another team", async () => {
    const harness_ = await harness();
    const { body, answers } = command("U0MEMBER", "T0ELSEWHERE");
    await harness_.process(body);
    expect(answers[0]?.text).toContain("solo atiende a los miembros");
  });

  it("answers a member as before", async () => {
    const harness_ = await harness();
    const { body, answers } = command("U0MEMBER");
    await harness_.process(body);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.text).not.toContain("PMO Pulse");
  });

  it("lets guests in with PMO_ALLOW_GUESTS=true, never people of another team", async () => {
    const harness_ = await harness({ PMO_ALLOW_GUESTS: "true" });
    for (const guest of ["U0GUEST", "U0SINGLE"]) {
      const { body, answers } = command(guest);
      await harness_.process(body);
      expect(answers[0]?.text).not.toContain("PMO Pulse");
    }
    const { body, answers } = command("U0OTHER");
    await harness_.process(body);
    expect(answers[0]?.text).toContain("only serves members");
  });

  it("shows a guest a Home that says so, and no projects", async () => {
    const harness_ = await harness();
    const views = published();
    await harness_.process(homeOpened({ userId: "U0GUEST" }));
    expect(views).toHaveLength(1);
    expect(views[0]?.text).toContain("not available to workspace guests");
    expect(views[0]?.text).not.toContain("PMO-");
  });

  it("answers a guest's DM with the refusal, and records nothing", async () => {
    const harness_ = await harness();
    const posted: { channel: string; text: string }[] = [];
    nock(SLACK_TEST_ORIGIN)
      .post("/api/chat.postMessage", (p: { channel: string; text: string }) => {
        posted.push(p);
        return true;
      })
      .reply(200, { ok: true, channel: "D0GUEST", ts: "1.000100" });
    await harness_.process({
      type: "event_callback",
      team_id: TEAM,
      event_id: "EvGUESTDM",
      event: {
        type: "message",
        channel_type: "im",
        channel: "D0GUEST",
        user: "U0GUEST",
        text: "PMO-1 al 50 %",
        ts: "1773150000.000200",
      },
    });
    expect(posted).toEqual([expect.objectContaining({ channel: "D0GUEST" })]);
    expect(posted[0]?.text).toContain("guests");
    expect(await harness_.repos.meta.inbound.listPending()).toEqual([]);
  });

  it("opens no update modal for a person of another team who clicks 'Actualizar estado'", async () => {
    const harness_ = await harness();
    const views = published();
    const opened: unknown[] = [];
    nock(SLACK_TEST_ORIGIN)
      .post("/api/views.open", (p: unknown) => {
        opened.push(p);
        return true;
      })
      .reply(200, { ok: true });
    const ack = await harness_.process({
      type: "block_actions",
      team: { id: TEAM },
      user: { id: "U0OTHER", team_id: "T0ELSEWHERE" },
      trigger_id: "1.2.secret",
      container: { type: "view", view_id: "V0HOME" },
      view: { id: "V0HOME", type: "home", blocks: [] },
      actions: [{ type: "button", action_id: UPDATE_OPEN, block_id: "b", value: "1201" }],
    });
    expect(ack).toBeUndefined();
    expect(opened).toEqual([]);
    // The payload's team refuses them before Slack is asked who they are: their language is not known yet.
    expect(views[0]?.text).toContain("solo atiende a los miembros");
  });
});

describe("one delivery sent to two connections", () => {
  it("is handled once: one Home published for the same event id", async () => {
    const harness_ = await harness();
    const views = published();
    nock(SLACK_TEST_ORIGIN).post("/api/views.publish").reply(200, { ok: true }).persist();
    const body = homeOpened({ userId: "U0MEMBER" });
    await harness_.process(body);
    await harness_.process(body);
    expect(views).toHaveLength(1);
    expect(nock.pendingMocks()).toHaveLength(1);
  });
});
