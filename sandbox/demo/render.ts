import { mrkdwnAsText } from "../../services/slack/blocks/as-text.ts";
import { escapeMrkdwn } from "../../services/slack/mrkdwn.ts";
import type { InputValue } from "../slack/blocks.ts";
import { arrayAt, isJsonObject, type JsonObject, type JsonValue, objectAt, stringAt } from "../slack/json.ts";

/**
 * Block Kit as a terminal shows it in the demo: what a person would read in Slack, buttons
 * numbered across a whole surface so the prompt can press "3", and each number remembers what
 * the sandbox needs to click it. Pure: JSON in, text and button list out.
 */

export type ButtonTarget = { channel: string; ts: string } | { view_id: string };

export type NumberedButton = {
  number: number;
  label: string;
  target: ButtonTarget;
  actionId: string;
  value: string | undefined;
  url: string | undefined;
};

export type Rendered = { text: string; buttons: NumberedButton[] };

/** An input of a modal, as the prompt asks for it. */
export type ModalInput = {
  blockId: string;
  actionId: string;
  label: string;
  type: string;
  optional: boolean;
  options: { value: string; label: string }[];
  /** What the input holds before anyone types, readable; null when empty. */
  initial: string | null;
  hint: string | null;
};

export type InputAnswer = { ok: true; value: InputValue | undefined } | { ok: false; problem: string };

const CONTROL = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

/** Control characters (a terminal would obey ESC sequences) and bidi overrides shown as escapes. */
export function safeForTerminal(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === "\n" || c === "\t") return c;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
}

export type RenderOptions = {
  /** The first button's number (a surface printed after another continues its numbering). */
  firstNumber?: number;
  /** Display names by Slack user ID: a mention `<@U…>` reads as `@name`. */
  names?: ReadonlyMap<string, string>;
};

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/g;
/** A link with a label reads as its label, as in Slack (the demo's Asana links lead nowhere anyway). */
const LABELLED_LINK = /<https?:[^<>|]*\|([^<>]*)>/g;

/** A text object as Slack shows it: plain_text verbatim, mrkdwn with its links, mentions and entities read. */
export function textObject(
  value: JsonValue | undefined,
  names: ReadonlyMap<string, string> = new Map(),
): string {
  if (!isJsonObject(value)) return "";
  const text = stringAt(value, "text") ?? "";
  return value.type === "mrkdwn" ? mrkdwnText(text, names) : safeForTerminal(text);
}

function mrkdwnText(text: string, names: ReadonlyMap<string, string>): string {
  const named = text
    .replace(MENTION, (whole, id: string) => {
      const name = names.get(id);
      return name === undefined ? whole : `<@${escapeMrkdwn(name)}>`;
    })
    .replace(LABELLED_LINK, "$1");
  return safeForTerminal(mrkdwnAsText(named));
}

type Surface = {
  target: ButtonTarget;
  names: ReadonlyMap<string, string>;
  errors: JsonObject | null;
  buttons: NumberedButton[];
  next: number;
};

function element(el: JsonObject, surface: Surface): string {
  const type = stringAt(el, "type") ?? "";
  if (type === "button") {
    const number = surface.next++;
    const label = textObject(el.text);
    const url = stringAt(el, "url");
    surface.buttons.push({
      number,
      label,
      target: surface.target,
      actionId: stringAt(el, "action_id") ?? "",
      value: stringAt(el, "value"),
      url,
    });
    return `[${number} ${label}${url === undefined ? "" : ` ↗ ${safeForTerminal(url)}`}]`;
  }
  if (type === "image") return "";
  if (type === "overflow") return "[⋯]";
  const chosen = objectAt(el, "initial_option");
  const shown = chosen === undefined ? textObject(el.placeholder) : textObject(chosen.text);
  return `[▾ ${shown || type}]`;
}

function richText(value: JsonValue | undefined, names: ReadonlyMap<string, string>): string {
  if (!isJsonObject(value)) return "";
  switch (value.type) {
    case "text":
      return safeForTerminal(stringAt(value, "text") ?? "");
    case "link":
      return safeForTerminal(stringAt(value, "text") ?? stringAt(value, "url") ?? "");
    case "user": {
      const id = stringAt(value, "user_id") ?? "";
      return `@${safeForTerminal(names.get(id) ?? id)}`;
    }
    case "channel":
      return `#${safeForTerminal(stringAt(value, "channel_id") ?? "")}`;
    case "emoji":
      return `:${safeForTerminal(stringAt(value, "name") ?? "")}:`;
    case "rich_text_list":
      return (arrayAt(value, "elements") ?? []).map((item) => `• ${richText(item, names)}`).join("\n");
    default: {
      const parts = (arrayAt(value, "elements") ?? []).map((item) => richText(item, names));
      return value.type === "rich_text" ? parts.join("\n") : parts.join("");
    }
  }
}

function inputLine(b: JsonObject, errors: JsonObject | null): string {
  const input = describeInput(b);
  if (input === undefined) return `✎ ${textObject(b.label)}`;
  const optional = input.optional ? " (optional)" : "";
  const current = input.initial === null ? "" : `: ${input.initial}`;
  const choices = input.options.length > 0 ? ` {${input.options.map((o) => o.label).join(" | ")}}` : "";
  const lines = [`✎ ${input.label}${optional}: [${input.type}${current}]${choices}`];
  if (input.hint !== null) lines.push(`  ${input.hint}`);
  const error = errors === null ? undefined : stringAt(errors, input.blockId);
  if (error !== undefined) lines.push(`  ⚠ ${safeForTerminal(error)}`);
  return lines.join("\n");
}

function block(b: JsonObject, surface: Surface): string {
  const text = (value: JsonValue | undefined) => textObject(value, surface.names);
  switch (b.type) {
    case "header":
      return `== ${text(b.text)} ==`;
    case "section": {
      const parts = [
        ...(b.text === undefined ? [] : [text(b.text)]),
        ...(arrayAt(b, "fields") ?? []).map((field) => text(field).replace("\n", ": ")),
      ];
      const accessory = objectAt(b, "accessory");
      const extra = accessory === undefined ? "" : element(accessory, surface);
      return extra === "" ? parts.join("\n") : `${parts.join("\n")} ${extra}`;
    }
    case "context":
      return (arrayAt(b, "elements") ?? [])
        .filter(isJsonObject)
        .map((el) => (el.type === "image" ? "" : text(el)))
        .filter((line) => line !== "")
        .join(" · ");
    case "actions":
      return (arrayAt(b, "elements") ?? [])
        .filter(isJsonObject)
        .map((el) => element(el, surface))
        .filter((line) => line !== "")
        .join(" ");
    case "divider":
      return "────────────";
    case "image":
      return `[image: ${safeForTerminal(stringAt(b, "alt_text") ?? "")}]`;
    case "rich_text":
      return richText(b, surface.names);
    case "markdown":
      return safeForTerminal(stringAt(b, "text") ?? "");
    case "input":
      return inputLine(b, surface.errors);
    default:
      return `(${safeForTerminal(String(b.type))})`;
  }
}

/** Blocks on a surface whose buttons click into `target`, numbered from `options.firstNumber` (1). */
export function renderBlocks(
  blocks: readonly JsonValue[],
  target: ButtonTarget,
  options: RenderOptions & { errors?: JsonObject | null } = {},
): Rendered {
  const surface: Surface = {
    target,
    names: options.names ?? new Map(),
    errors: options.errors ?? null,
    buttons: [],
    next: options.firstNumber ?? 1,
  };
  const text = blocks
    .filter(isJsonObject)
    .map((b) => block(b, surface))
    .filter((line) => line !== "")
    .join("\n");
  return { text, buttons: surface.buttons };
}

/** A message: its blocks, or its text when it has none (Slack shows the text then). */
export function renderMessage(
  message: { channel: string; ts: string; text: string; blocks: readonly JsonValue[] },
  options: RenderOptions = {},
): Rendered {
  if (message.blocks.length === 0)
    return { text: mrkdwnText(message.text, options.names ?? new Map()), buttons: [] };
  return renderBlocks(message.blocks, { channel: message.channel, ts: message.ts }, options);
}

/** A Home tab or a modal: title, blocks (with the errors a submission got), submit and close. */
export function renderView(
  view: { id: string; view: JsonObject; errors?: JsonObject | null },
  options: RenderOptions = {},
): Rendered {
  const blocks = arrayAt(view.view, "blocks") ?? [];
  const body = renderBlocks(blocks, { view_id: view.id }, { ...options, errors: view.errors ?? null });
  const title = textObject(view.view.title);
  const submit = textObject(view.view.submit);
  const close = textObject(view.view.close);
  const lines = [
    ...(title === "" ? [] : [`[ ${title} ]`]),
    body.text,
    ...(submit === "" && close === "" ? [] : [`(${[submit, close].filter((s) => s !== "").join(" / ")})`]),
  ];
  return { text: lines.filter((l) => l !== "").join("\n"), buttons: body.buttons };
}

function optionOf(value: JsonValue | undefined): { value: string; label: string } | undefined {
  const optionValue = stringAt(value, "value");
  if (optionValue === undefined || !isJsonObject(value)) return undefined;
  return { value: optionValue, label: textObject(value.text) || safeForTerminal(optionValue) };
}

function optionsOf(el: JsonObject): { value: string; label: string }[] {
  const grouped = (arrayAt(el, "option_groups") ?? []).flatMap((group) => arrayAt(group, "options") ?? []);
  return [...(arrayAt(el, "options") ?? []), ...grouped].flatMap((o) => {
    const option = optionOf(o);
    return option === undefined ? [] : [option];
  });
}

function initialOf(el: JsonObject): string | null {
  const single = optionOf(el.initial_option);
  if (single !== undefined) return single.label;
  const many = (arrayAt(el, "initial_options") ?? []).flatMap((o) => optionOf(o)?.label ?? []);
  if (many.length > 0) return many.join(", ");
  for (const key of ["initial_value", "initial_date", "initial_time", "initial_user", "initial_channel"]) {
    const value = el[key];
    if (typeof value === "string" && value !== "") return safeForTerminal(value);
    if (typeof value === "number") return String(value);
  }
  return null;
}

function describeInput(b: JsonObject): ModalInput | undefined {
  const el = objectAt(b, "element");
  const blockId = stringAt(b, "block_id");
  const actionId = stringAt(el, "action_id");
  if (el === undefined || blockId === undefined || actionId === undefined) return undefined;
  const hint = textObject(b.hint);
  return {
    blockId,
    actionId,
    label: textObject(b.label),
    type: stringAt(el, "type") ?? "",
    optional: b.optional === true,
    options: optionsOf(el),
    initial: initialOf(el),
    hint: hint === "" ? null : hint,
  };
}

/** The inputs of a modal, in order, as the prompt asks for them. */
export function modalInputs(view: JsonObject): ModalInput[] {
  return (arrayAt(view, "blocks") ?? [])
    .filter(isJsonObject)
    .filter((b) => b.type === "input")
    .flatMap((b) => describeInput(b) ?? []);
}

const SINGLE_CHOICE = new Set(["static_select", "radio_buttons"]);
const MULTI_CHOICE = new Set(["multi_static_select", "checkboxes"]);

function pick(input: ModalInput, answer: string): string | undefined {
  const index = /^\d+$/.test(answer) ? Number(answer) : Number.NaN;
  const byNumber = input.options[index - 1];
  if (byNumber !== undefined) return byNumber.value;
  const lower = answer.toLowerCase();
  return input.options.find((o) => o.value === answer || o.label.toLowerCase() === lower)?.value;
}

/**
 * What the user typed for an input: empty keeps what it holds (the initial value, or nothing),
 * "-" empties it, a choice is its number, value or label, `\n` in a text is a line break.
 */
export function readInputAnswer(input: ModalInput, typed: string): InputAnswer {
  const answer = typed.trim();
  if (answer === "") return { ok: true, value: undefined };
  if (answer === "-") return { ok: true, value: null };
  if (SINGLE_CHOICE.has(input.type)) {
    const value = pick(input, answer);
    return value === undefined
      ? { ok: false, problem: `choose 1 to ${input.options.length} (or a value)` }
      : { ok: true, value };
  }
  if (MULTI_CHOICE.has(input.type)) {
    const chosen = answer.split(",").map((part) => pick(input, part.trim()));
    if (chosen.some((value) => value === undefined))
      return { ok: false, problem: `list choices 1 to ${input.options.length}, separated by commas` };
    return { ok: true, value: chosen.filter((value): value is string => value !== undefined) };
  }
  switch (input.type) {
    case "datepicker":
      return /^\d{4}-\d{2}-\d{2}$/.test(answer)
        ? { ok: true, value: answer }
        : { ok: false, problem: "a date as YYYY-MM-DD" };
    case "timepicker":
      return /^\d{2}:\d{2}$/.test(answer)
        ? { ok: true, value: answer }
        : { ok: false, problem: "a time as HH:MM" };
    case "number_input":
      return /^-?\d+(\.\d+)?$/.test(answer)
        ? { ok: true, value: answer }
        : { ok: false, problem: "a number" };
    default:
      return { ok: true, value: answer.replace(/\\n/g, "\n") };
  }
}
