import type { ChildProcess } from "node:child_process";
import { z } from "zod";

/** The next message from a forked sandbox that parses with `schema`; fails if the child exits first. */
export function nextMessage<T>(child: ChildProcess, schema: z.ZodType<T>): Promise<T> {
  return new Promise((ok, fail) => {
    const onExit = (code: number | null) => {
      child.off("message", onMessage);
      fail(new Error(`the sandbox process exited with ${code}`));
    };
    const onMessage = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      ok(parsed.data);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** What bench/asana-sandbox-child.ts says once its sandbox Asana listens (each bench reads its part). */
export const asanaSandboxReady = z.object({
  type: z.literal("ready"),
  baseUrl: z.string(),
  token: z.string(),
  workspaceGid: z.string(),
  projects: z.number(),
  ownerEmail: z.string().nullable(),
  ownerEmails: z.array(z.string()),
});

/** Its answer to `{type: "mutate", share}`. */
export const asanaSandboxMutated = z.object({
  type: z.literal("mutated"),
  changed: z.number(),
  tasksChanged: z.number(),
});
