import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { InputValue } from "../slack/blocks.ts";
import { dmChannelId } from "../slack/directory.ts";
import type { JsonObject } from "../slack/json.ts";
import type { SandboxSlack, SandboxView } from "../slack/server.ts";
import type { DemoUser } from "./people.ts";
import {
  type ModalInput,
  modalInputs,
  type NumberedButton,
  type Rendered,
  readInputAnswer,
  renderMessage,
  renderView,
  safeForTerminal,
} from "./render.ts";

/**
 * The demo's prompt: act as one of the sandbox's Slack users (slash commands, DMs to the bot, the
 * Home tab, buttons by number, modals filled in line by line) and read what the bot answers.
 */

export type DemoReplOptions = {
  slack: SandboxSlack;
  users: readonly DemoUser[];
  channel: { id: string; name: string };
  input: Readable;
  output: Writable;
  /** A real terminal: line editing and history. */
  terminal?: boolean;
  /** Who the prompt acts as first; the first project manager when absent. */
  user?: string;
  /** How long to wait for the bot's first answer to an action. */
  answerTimeoutMs?: number;
  /** An answer is complete once nothing has changed for this long. */
  settleMs?: number;
};

export const HELP = `What you can type:
  /pmo <text>        a slash command, e.g. /pmo mis-proyectos, /pmo ayuda, /pmo hallazgos
  <any other text>   a direct message to the bot (e.g. a status update for your project)
  home               open the bot's Home tab
  <number>           press that button of what was printed last
  modal              fill in and submit the modal that is open again
  canal [n]          the PMO channel's latest n messages (5 unless given); also: channel
  users              who you can be; user <n|id|name> switches (also: usuarios, usuario)
  (empty line)       show whatever the bot has said since
  ayuda | help       this text
  salir | exit       stop the demo`;

const POLL_MS = 50;
const CHANNEL_POSTS_SHOWN = 3;

type Seen = Map<string, string>;

type Item =
  | {
      kind: "ephemeral" | "dm" | "channel";
      key: string;
      title: string;
      message: MessageLike;
      edited: boolean;
    }
  | { kind: "home" | "modal"; key: string; view: SandboxView; edited: boolean };

type MessageLike = { channel: string; ts: string; text: string; blocks: JsonObject[] };

export async function runDemoRepl(options: DemoReplOptions): Promise<void> {
  const { slack, users, channel, output } = options;
  const answerTimeoutMs = options.answerTimeoutMs ?? 10_000;
  const settleMs = options.settleMs ?? 400;
  const terminal = options.terminal ?? false;
  const write = (text: string) => output.write(`${text}\n`);
  const rl = createInterface({ input: options.input, output, terminal, historySize: 200 });

  const queued: string[] = [];
  let waiting: ((line: string | null) => void) | null = null;
  let closed = false;
  rl.on("line", (line) => {
    const taker = waiting;
    waiting = null;
    if (taker === null) queued.push(line);
    else taker(line);
  });
  rl.on("close", () => {
    closed = true;
    waiting?.(null);
    waiting = null;
  });
  rl.on("SIGINT", () => rl.close());

  const ask = async (prompt: string): Promise<string | null> => {
    if (closed && queued.length === 0) return null;
    rl.setPrompt(prompt);
    rl.prompt();
    const line =
      queued.shift() ??
      (closed ? null : await new Promise<string | null>((take) => (waiting = (l) => take(l))));
    if (!terminal && line !== null) output.write(`${line}\n`);
    return line;
  };

  const firstPm = users.find((u) => u.role === "pm") ?? users[0];
  const startAs = users.find((u) => u.id === options.user) ?? firstPm;
  if (startAs === undefined) throw new Error("the demo has no Slack users");
  let current: DemoUser = startAs;
  const seenByUser = new Map<string, Seen>();
  let buttons: NumberedButton[] = [];
  /** Whether the user is looking at the Home tab: Slack updates it unseen otherwise. */
  let onHome = false;
  const names = new Map(users.map((u) => [u.id, u.realName]));

  const visible = (user: DemoUser): Item[] => {
    const items: Item[] = [];
    for (const e of slack.ephemerals(user.id)) {
      const where =
        e.channel === channel.id ? `#${channel.name}` : e.channel.startsWith("D") ? "DM" : e.channel;
      items.push({
        kind: "ephemeral",
        key: `eph:${e.channel}:${e.ts}`,
        title: `— only you can see this (${where}) —`,
        message: e,
        edited: false,
      });
    }
    for (const m of slack.messages(dmChannelId(user.id))) {
      if (m.user === user.id) continue;
      items.push({
        kind: "dm",
        key: `dm:${m.ts}`,
        title: "— DM from PMO Pulse —",
        message: m,
        edited: false,
      });
    }
    for (const c of slack.channels) {
      for (const m of slack.messages(c.id)) {
        items.push({
          kind: "channel",
          key: `ch:${c.id}:${m.ts}`,
          title: `— #${c.name} —`,
          message: m,
          edited: false,
        });
      }
    }
    for (const v of slack.views(user.id)) {
      if (v.type === "modal" && !v.open) continue;
      items.push({ kind: v.type, key: `view:${v.id}`, view: v, edited: false });
    }
    return items;
  };

  const fingerprint = (item: Item): string =>
    "view" in item
      ? JSON.stringify([item.view.view.blocks, item.view.view.title, item.view.errors])
      : JSON.stringify([item.message.text, item.message.blocks]);

  const seenOf = (user: DemoUser): Seen => {
    let seen = seenByUser.get(user.id);
    if (seen === undefined) {
      // A user's DMs count as unread the first time the prompt becomes them.
      seen = new Map(visible(user).flatMap((i) => (i.kind === "dm" ? [] : [[i.key, fingerprint(i)]])));
      seenByUser.set(user.id, seen);
    }
    return seen;
  };

  const unseen = (): Item[] => {
    const seen = seenOf(current);
    return visible(current).filter((item) => {
      const before = seen.get(item.key);
      if (before === fingerprint(item)) return false;
      item.edited = before !== undefined;
      return true;
    });
  };

  const markSeen = (items: readonly Item[]) => {
    const seen = seenOf(current);
    for (const item of items) seen.set(item.key, fingerprint(item));
  };

  const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

  /** Waits for the bot to answer, then until it has stopped answering. */
  const settle = async (timeoutMs: number): Promise<Item[]> => {
    const deadline = Date.now() + timeoutMs;
    let last = JSON.stringify(unseen().map((i) => [i.key, fingerprint(i)]));
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      const now = JSON.stringify(unseen().map((i) => [i.key, fingerprint(i)]));
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      } else if (last !== "[]" && Date.now() - quietSince >= settleMs) break;
    }
    return unseen();
  };

  /** Prints items with buttons numbered from 1; returns the modal among them, if one is open. */
  const show = (items: readonly Item[]): SandboxView | undefined => {
    const printed: Rendered[] = [];
    let next = 1;
    const channelPosts = items.filter((i) => i.kind === "channel" && !i.edited);
    const hidden = new Set(channelPosts.slice(0, -CHANNEL_POSTS_SHOWN).map((i) => i.key));
    let modal: SandboxView | undefined;
    let homeChanged = false;
    for (const item of items) {
      if (hidden.has(item.key)) continue;
      if (item.kind === "home" && !onHome) {
        homeChanged = true;
        continue;
      }
      const rendered =
        "view" in item
          ? renderView(item.view, { firstNumber: next, names })
          : renderMessage(item.message, { firstNumber: next, names });
      next += rendered.buttons.length;
      printed.push(rendered);
      const title =
        "view" in item
          ? item.kind === "home"
            ? "— Home —"
            : "— modal —"
          : `${item.title}${item.edited ? " (updated)" : ""}`;
      write(title);
      write(indent(rendered.text));
      if (item.kind === "modal") modal = item.view;
    }
    if (homeChanged) write("(your Home tab changed: type home to see it)");
    if (hidden.size > 0)
      write(
        `… and ${hidden.size} more in #${channel.name} (type: canal ${hidden.size + CHANNEL_POSTS_SHOWN})`,
      );
    const pressed = printed.flatMap((r) => r.buttons);
    if (pressed.length > 0) buttons = pressed;
    markSeen(items);
    return modal;
  };

  const fillModal = async (view: SandboxView): Promise<boolean> => {
    const inputs = modalInputs(view.view);
    const values: Record<string, InputValue> = {};
    write(
      inputs.length === 0
        ? "This modal has nothing to fill in."
        : "Fill in the modal: Enter keeps what is there, '-' empties it, \\n is a line break.",
    );
    for (const input of inputs) {
      const answer = await askInput(input);
      if (answer === null) return false;
      if (answer !== undefined) values[input.actionId] = answer;
    }
    const confirm = await ask("Submit it? [y/n] ");
    if (confirm === null || !/^(y|s|yes|si|sí)$/i.test(confirm.trim())) {
      write("Not submitted: the modal stays open (type: modal).");
      return false;
    }
    await slack.submitView(current.id, view.id, values);
    return true;
  };

  const askInput = async (input: ModalInput): Promise<InputValue | undefined | null> => {
    const choices = input.options.map((o, i) => `${i + 1}) ${o.label}`).join("  ");
    const about = [
      input.optional ? "optional" : null,
      input.initial === null ? null : `now: ${input.initial}`,
      input.hint,
    ].filter((part) => part !== null);
    write(`${input.label}${about.length > 0 ? ` (${about.join("; ")})` : ""}`);
    if (choices !== "") write(`  ${choices}`);
    for (;;) {
      const typed = await ask("  > ");
      if (typed === null) return null;
      const read = readInputAnswer(input, typed);
      if (read.ok) return read.value;
      write(`  ${read.problem}`);
    }
  };

  /** After an action: print what the bot answered; a modal it opened is filled in right away. */
  const answer = async (timeoutMs = answerTimeoutMs, quietly = false) => {
    let items = await settle(timeoutMs);
    if (items.length === 0 && !quietly) write("(no answer yet: press Enter later to check)");
    for (;;) {
      const modal = show(items);
      if (modal === undefined || !(await fillModal(modal))) return;
      items = await settle(answerTimeoutMs);
    }
  };

  const act = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      write(`! ${safeForTerminal(error instanceof Error ? error.message : String(error))}`);
      return;
    }
    await answer();
  };

  const listUsers = () => {
    users.forEach((u, i) => {
      const role =
        u.role === "admin"
          ? "PMO admin"
          : u.role === "pm"
            ? `project manager, owns ${u.projects} active projects in Asana`
            : "colleague, owns no project, reads Slack in English";
      write(
        `  ${i + 1}) ${u.id}  ${u.realName} <${u.email}>: ${role}${u.id === current.id ? "  ← you" : ""}`,
      );
    });
  };

  const switchUser = async (which: string) => {
    const lower = which.toLowerCase();
    const index = /^\d+$/.test(which) ? Number(which) - 1 : -1;
    const found =
      users[index] ??
      users.find(
        (u) => u.id.toLowerCase() === lower || u.name === lower || u.realName.toLowerCase().includes(lower),
      );
    if (found === undefined || which === "") {
      write("Who? Type users to see them.");
      return;
    }
    current = found;
    buttons = [];
    onHome = false;
    write(`You are now ${current.realName} (${current.id}).`);
    await answer(POLL_MS * 2, true);
  };

  const showChannel = (count: number) => {
    onHome = false;
    const posts = slack.messages(channel.id).slice(-count);
    write(
      posts.length === 0 ? `#${channel.name} is empty.` : `— #${channel.name}: the latest ${posts.length} —`,
    );
    const printed: Rendered[] = [];
    let next = 1;
    for (const post of posts) {
      const rendered = renderMessage(post, { firstNumber: next, names });
      next += rendered.buttons.length;
      printed.push(rendered);
      write(indent(rendered.text));
      write("");
    }
    const pressed = printed.flatMap((r) => r.buttons);
    if (pressed.length > 0) buttons = pressed;
    markSeen(visible(current).filter((i) => i.kind === "channel"));
  };

  const press = async (number: number) => {
    const button = buttons.find((b) => b.number === number);
    if (button === undefined) {
      write(buttons.length === 0 ? "No buttons on screen." : `Buttons go from 1 to ${buttons.length}.`);
      return;
    }
    write(`(pressing “${button.label}”)`);
    const home = slack.views(current.id).find((v) => v.type === "home");
    if ("view_id" in button.target) onHome = onHome || button.target.view_id === home?.id;
    else onHome = false;
    await act(() => slack.clickButton(current.id, button.target, button.actionId, button.value));
  };

  const openModal = async () => {
    const modal = slack
      .views(current.id)
      .filter((v) => v.type === "modal" && v.open)
      .at(-1);
    if (modal === undefined) {
      write("No modal is open.");
      return;
    }
    show([{ kind: "modal", key: `view:${modal.id}`, view: modal, edited: false }]);
    try {
      if (await fillModal(modal)) await answer();
    } catch (error) {
      write(`! ${safeForTerminal(error instanceof Error ? error.message : String(error))}`);
    }
  };

  /** The Home is printed even when it looks as it did: the user asked to see it. */
  const openHome = async () => {
    const published = slack.calls("views.publish").length;
    try {
      await slack.openHome(current.id);
      await slack.waitFor(
        () => slack.calls("views.publish").length > published,
        answerTimeoutMs,
        "the Home tab",
      );
    } catch (error) {
      write(`! ${safeForTerminal(error instanceof Error ? error.message : String(error))}`);
      return;
    }
    const home = slack.views(current.id).find((v) => v.type === "home");
    if (home !== undefined) seenOf(current).delete(`view:${home.id}`);
    onHome = true;
    await answer();
  };

  write(HELP);
  write(
    `#${channel.name} already has ${slack.messages(channel.id).length} messages from the first run (type: canal).`,
  );
  write(`You are ${current.realName} (${current.id}); type users to see the others.`);
  await answer(POLL_MS * 2, true);

  for (;;) {
    const line = await ask(`${current.name}> `);
    if (line === null) break;
    const text = line.trim();
    const [word = "", ...rest] = text.split(/\s+/);
    const argument = rest.join(" ");
    const command = word.toLowerCase();
    try {
      if (text === "") await answer(POLL_MS * 2, true);
      else if (command === "salir" || command === "exit" || command === "quit") break;
      else if (command === "ayuda" || command === "help") write(HELP);
      else if (command === "users" || command === "usuarios") listUsers();
      else if (command === "user" || command === "usuario") await switchUser(argument);
      else if (command === "home") await openHome();
      else if (command === "modal") await openModal();
      else if (command === "canal" || command === "channel")
        showChannel(Number(argument) > 0 ? Number(argument) : 5);
      else if (/^\d+$/.test(text)) await press(Number(text));
      else if (word.startsWith("/")) {
        if (command !== "/pmo") write("This app has one slash command: /pmo (try /pmo ayuda).");
        else {
          onHome = false;
          await act(() => slack.sendCommand(current.id, "/pmo", argument));
        }
      } else {
        onHome = false;
        await act(() => slack.sendDm(current.id, text));
      }
    } catch (error) {
      write(`! ${safeForTerminal(error instanceof Error ? error.message : String(error))}`);
    }
  }
  rl.close();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
