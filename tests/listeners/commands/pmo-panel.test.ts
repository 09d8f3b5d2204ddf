import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Harness, listenerHarness, SLACK_TEST_ORIGIN } from "../../fixtures/listener-harness.ts";
import { slashCommandBody } from "../../fixtures/slack-bodies.ts";

/** `/pmo panel`: a one-time link to the web dashboard, answered only to the caller. */

const answerSchema = z.object({
  response_type: z.literal("ephemeral"),
  unfurl_links: z.boolean().optional(),
  text: z.string(),
  blocks: z.array(
    z.looseObject({
      type: z.string(),
      text: z.object({ text: z.string() }).optional(),
      elements: z.array(z.looseObject({ type: z.string(), url: z.string().optional() })).optional(),
    }),
  ),
});
type Answer = z.output<typeof answerSchema>;

let h: Harness | null = null;
let sequence = 0;

afterEach(async () => {
  await h?.close();
  h = null;
  nock.cleanAll();
});

async function ask(harness: Harness, text: string, user: string): Promise<Answer> {
  const path = `/panel-response/${++sequence}`;
  const answers: Answer[] = [];
  nock(SLACK_TEST_ORIGIN)
    .post(path, (posted: unknown) => {
      answers.push(answerSchema.parse(posted));
      return true;
    })
    .reply(200, "ok");
  await harness.process(slashCommandBody({ text, userId: user, responseUrl: `${SLACK_TEST_ORIGIN}${path}` }));
  const [answer] = answers;
  if (answer === undefined) throw new Error("no answer");
  return answer;
}

const linkIn = (answer: Answer): string | undefined =>
  answer.blocks.flatMap((b) => b.elements ?? []).find((e) => e.url !== undefined)?.url;

describe("/pmo panel", () => {
  it("answers a link button that signs the caller in, once", async () => {
    h = await listenerHarness({
      env: { WEB_BASE_URL: "https://pmo.example.com", WEB_SESSION_SECRET: "s".repeat(40) },
      slackUsers: { U0ANA: { email: null, name: "Ana", locale: "es-LA" } },
    });
    for (const text of ["panel", "Tablero", "dashboard"]) {
      const answer = await ask(h, text, "U0ANA");
      const url = linkIn(answer) ?? "";
      expect(url).toMatch(/^https:\/\/pmo\.example\.com\/auth\/link\?t=/);
      expect(answer.text).toContain("sirve una vez");
      expect(answer.unfurl_links).toBe(false);
      const token = new URL(url).searchParams.get("t") ?? "";
      expect(await h.services.web?.links.redeem(token)).toEqual({ kind: "valid", slackUserId: "U0ANA" });
      expect(await h.services.web?.links.redeem(token)).toEqual({ kind: "refused", reason: "used" });
    }
  });

  it("gives a guest no link", async () => {
    h = await listenerHarness({
      installedTeamId: "T0001",
      slackUsers: {
        U0GUEST: {
          email: null,
          name: "Invitado",
          locale: "en-US",
          membership: { teamId: "T0001", restricted: true, ultraRestricted: false },
        },
      },
    });
    const answer = await ask(h, "panel", "U0GUEST");
    expect(linkIn(answer)).toBeUndefined();
    expect(answer.text).not.toContain("/auth/link");
  });

  it("says the dashboard is off when WEB_ENABLED=false", async () => {
    h = await listenerHarness({ env: { WEB_ENABLED: "false" } });
    const answer = await ask(h, "panel", "U0ANA");
    expect(linkIn(answer)).toBeUndefined();
    expect(answer.text).toContain("WEB_ENABLED=false");
  });
});
