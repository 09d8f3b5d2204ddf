import { z } from "zod";
import type { Logger } from "../logger.ts";

const authTestAnswer = z.object({ team_id: z.string().min(1) });

/**
 * The Slack team the app is installed in, from auth.test with the bot token: asked once at start,
 * so each request's team can be checked against it. Null (logged) when Slack could not say: the
 * team check then rests on each person's own team as users.info gives it.
 */
export async function installedTeamOf(
  client: { auth: { test(): Promise<unknown> } },
  logger: Pick<Logger, "warn">,
): Promise<string | null> {
  try {
    const parsed = authTestAnswer.safeParse(await client.auth.test());
    if (parsed.success) return parsed.data.team_id;
    logger.warn("auth.test gave no team_id: the installed team is unknown");
  } catch (error) {
    logger.warn({ err: error }, "auth.test failed: the installed team is unknown");
  }
  return null;
}
