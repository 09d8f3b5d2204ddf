import { afterAll, describe, expect, it } from "vitest";
import { runScript } from "../fixtures/node-script.ts";

/**
 * `npm start -- --demo --prompt` as a new user meets it, in its own Node process: the prompt's
 * commands typed on stdin (a pipe, so --prompt), what it prints read on stdout.
 */

const children: { kill: () => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill();
});

/** A prompt waiting for the next line: "name> ", a modal field's "  > ", or the submit question. */
const PROMPT = /(\S> | {2}> |\[y\/n\] )$/;

function startDemoPrompt() {
  const { child, done, stdout, stderr } = runScript(
    "app/main.ts",
    ["--demo", "--prompt"],
    { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "silent", TZ: "UTC" },
    { interactive: true },
  );
  children.push({ kill: () => child.kill("SIGKILL") });
  const exited = done.then((result) => result.code);

  const waitFor = async (test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; stdout so far:\n${stdout().slice(-3000)}\n${stderr()}`,
        );
      await new Promise((ok) => setTimeout(ok, 50));
    }
  };
  /** Types a line; returns what the demo printed until it asked for the next one. */
  const say = async (line: string): Promise<string> => {
    const from = stdout().length;
    child.stdin?.write(`${line}\n`);
    await waitFor(() => PROMPT.test(stdout().slice(from)), JSON.stringify(line));
    return stdout().slice(from);
  };
  return { child, exited, say, waitFor, stdout };
}

describe("the demo's prompt, driven through stdin", () => {
  it("answers help, home (as a PM and as the admin), a button number, modal, canal, users and user", async () => {
    const demo = startDemoPrompt();
    await demo.waitFor(() => /You are .+\n[\s\S]*\S> $/.test(demo.stdout()), "the first prompt", 60_000);
    expect(demo.stdout()).toMatch(/synced: \d+ projects \(sync completed\)/);

    const help = await demo.say("help");
    for (const command of ["/pmo <text>", "home", "<number>", "modal", "canal [n]", "users", "salir"])
      expect(help).toContain(command);

    const home = await demo.say("home");
    expect(home).toContain("— Home —");
    expect(home).toContain("== Mis proyectos ==");
    expect(home).toContain("== Mis hallazgos abiertos ==");
    const acknowledge = /\[(\d+) Reconocer\]/.exec(home)?.[1];
    if (acknowledge === undefined) throw new Error(`no Reconocer button on the Home:\n${home}`);

    const pressed = await demo.say(acknowledge);
    expect(pressed).toContain("(pressing “Reconocer”)");
    expect(pressed).toContain("— modal —");
    await demo.say("lo vemos el lunes");
    expect(await demo.say("n")).toContain("Not submitted: the modal stays open (type: modal).");

    const modal = await demo.say("modal");
    expect(modal).toContain("— modal —");
    await demo.say("revisado con el equipo");
    expect(await demo.say("y")).toMatch(/Reconocido por @.+: revisado con el equipo/);

    const channel = await demo.say("canal 2");
    expect(channel).toMatch(/— #pmo-alertas: the latest 2 —/);

    const users = await demo.say("users");
    expect(users).toContain("PMO admin");
    expect(users).toContain("← you");

    const admin = await demo.say("user 1");
    expect(admin).toMatch(/You are now .+\(U0DEMOADM1\)/);
    const adminHome = await demo.say("home");
    expect(adminHome).toContain("— Home —");
    expect(adminHome).toContain("== Portafolio ==");

    expect(await demo.say("/pmo ayuda")).toContain("/pmo mis-proyectos");
    demo.child.stdin?.write("salir\n");
    expect(await demo.exited).toBe(0);
  }, 120_000);
});
