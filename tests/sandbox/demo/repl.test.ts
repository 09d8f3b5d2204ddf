import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Demo, startDemo } from "../../../app/demo.ts";
import { createWorkspace } from "../../../sandbox/asana/workspace.ts";
import { demoUsers } from "../../../sandbox/demo/people.ts";
import { runDemoRepl } from "../../../sandbox/demo/repl.ts";

describe("demoUsers", () => {
  it("gives the top Asana owners a Slack account with the same email, plus an admin and a colleague", () => {
    const workspace = createWorkspace({ seed: 7, projects: 60 });
    const users = demoUsers(workspace);
    const pms = users.filter((u) => u.role === "pm");
    expect(pms).toHaveLength(3);
    for (const pm of pms) {
      const owner = workspace.findUser(pm.email);
      expect(owner?.name).toBe(pm.realName);
      expect(pm.projects).toBeGreaterThan(0);
    }
    expect(users.filter((u) => u.isAdmin).map((u) => u.role)).toEqual(["admin"]);
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);
    expect(users.every((u) => /^U[A-Z0-9]+$/.test(u.id))).toBe(true);
  });
});

describe("the demo prompt", () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({ env: { LOG_LEVEL: "silent" } });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
  });

  it("runs /pmo, opens the Home, presses a numbered button, fills a modal, switches user and quits", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const [admin, pm] = [demo.users.find((u) => u.role === "admin"), demo.users.find((u) => u.role === "pm")];
    if (admin === undefined || pm === undefined) throw new Error("the demo has an admin and a PM");
    const running = runDemoRepl({
      slack: demo.slack,
      users: demo.users,
      channel: demo.channel,
      input,
      output,
      settleMs: 200,
    });
    /** Types a line and returns what the prompt printed until it asked for the next one. */
    const say = async (line: string): Promise<string> => {
      const from = printed.length;
      input.write(`${line}\n`);
      await demo.slack.waitFor(() => /(\S> | {2}> |\[y\/n\] )$/.test(printed.slice(from)), 15_000, line);
      return printed.slice(from);
    };
    await demo.slack.waitFor(() => printed.endsWith(`${pm.name}> `), 5_000, "the first prompt");
    expect(printed).toContain(`You are ${pm.realName}`);

    const help = await say("/pmo ayuda");
    expect(help).toContain("— only you can see this (DM) —");
    expect(help).toContain("/pmo mis-proyectos");

    const home = await say("home");
    expect(home).toContain("— Home —");
    expect(home).toContain("== Mis proyectos ==");
    const acknowledge = /\[(\d+) Reconocer\]/.exec(home)?.[1];
    if (acknowledge === undefined) throw new Error(`no Reconocer button on the Home:\n${home}`);

    const modal = await say(acknowledge);
    expect(modal).toContain("(pressing “Reconocer”)");
    expect(modal).toContain("— modal —");
    await say("revisado con el equipo");
    const submitted = await say("y");
    expect(submitted).toContain(`Reconocido por @${pm.realName}: revisado con el equipo`);

    expect(await say("user 1")).toContain(`You are now ${admin.realName}`);
    expect(await say("canal 1")).toContain(`— #${demo.channel.name}: the latest 1 —`);
    expect(await say("/foo")).toContain("This app has one slash command: /pmo");
    expect(await say("99")).toMatch(/Buttons go from 1 to \d+|No buttons on screen/);
    input.write("salir\nusers\n");
    await running;
    // "users" came after "salir": the prompt had stopped reading.
    expect(printed).not.toContain("← you");
  }, 60_000);
});
