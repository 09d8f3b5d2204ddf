import { randomBytes } from "node:crypto";
import {
  arrayAt,
  copyJson,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  objectAt,
  stringAt,
} from "./json.ts";

/**
 * Block Kit as Slack checks and stores it: the limits that make Slack answer invalid_blocks, the
 * block_id and action_id Slack fills in when a block or element has none, the buttons a user can
 * click and the state.values a submitted input carries.
 */

export const MAX_MESSAGE_BLOCKS = 50;
export const MAX_VIEW_BLOCKS = 100;

const BLOCK_TYPES = new Set([
  "actions",
  "context",
  "context_actions",
  "divider",
  "file",
  "header",
  "image",
  "input",
  "markdown",
  "rich_text",
  "section",
  "table",
  "video",
]);

const INTERACTIVE_TYPES = new Set([
  "button",
  "channels_select",
  "checkboxes",
  "conversations_select",
  "datepicker",
  "datetimepicker",
  "email_text_input",
  "external_select",
  "file_input",
  "multi_channels_select",
  "multi_conversations_select",
  "multi_external_select",
  "multi_static_select",
  "multi_users_select",
  "number_input",
  "overflow",
  "plain_text_input",
  "radio_buttons",
  "rich_text_input",
  "static_select",
  "timepicker",
  "url_text_input",
  "users_select",
]);

const tooLong = (max: number, pointer: string) =>
  `must be less than ${max + 1} characters [json-pointer:${pointer}]`;

function textErrors(
  value: JsonValue | undefined,
  pointer: string,
  rules: { max: number; plainOnly?: boolean; required?: boolean },
): string[] {
  if (value === undefined)
    return rules.required === false ? [] : [`missing required field [json-pointer:${pointer}]`];
  if (!isJsonObject(value)) return [`must be an object [json-pointer:${pointer}]`];
  const type = value.type;
  if (type !== "plain_text" && (rules.plainOnly || type !== "mrkdwn")) {
    return [
      `must be ${rules.plainOnly ? "plain_text" : "plain_text or mrkdwn"} [json-pointer:${pointer}/type]`,
    ];
  }
  const text = value.text;
  if (typeof text !== "string") return [`must provide a string [json-pointer:${pointer}/text]`];
  if (text.length === 0) return [`must be more than 0 characters [json-pointer:${pointer}/text]`];
  return text.length > rules.max ? [tooLong(rules.max, `${pointer}/text`)] : [];
}

function elementErrors(element: JsonValue, pointer: string): string[] {
  if (!isJsonObject(element) || typeof element.type !== "string") {
    return [`must provide an object with a type [json-pointer:${pointer}]`];
  }
  const errors: string[] = [];
  const actionId = element.action_id;
  if (typeof actionId === "string" && actionId.length > 255)
    errors.push(tooLong(255, `${pointer}/action_id`));
  if (element.type === "button") {
    errors.push(...textErrors(element.text, `${pointer}/text`, { max: 75, plainOnly: true }));
    const value = element.value;
    if (typeof value === "string" && value.length > 2000) errors.push(tooLong(2000, `${pointer}/value`));
    const url = element.url;
    if (typeof url === "string" && url.length > 3000) errors.push(tooLong(3000, `${pointer}/url`));
    const style = element.style;
    if (style !== undefined && style !== "primary" && style !== "danger") {
      errors.push(`must be one of primary, danger [json-pointer:${pointer}/style]`);
    }
  }
  return errors;
}

function blockErrorsAt(block: JsonValue, pointer: string): string[] {
  if (!isJsonObject(block)) return [`must be an object [json-pointer:${pointer}]`];
  const type = block.type;
  if (typeof type !== "string" || !BLOCK_TYPES.has(type)) {
    return [`unsupported type: ${String(type)} [json-pointer:${pointer}/type]`];
  }
  const errors: string[] = [];
  const blockId = block.block_id;
  if (blockId !== undefined && (typeof blockId !== "string" || blockId.length > 255)) {
    errors.push(tooLong(255, `${pointer}/block_id`));
  }
  switch (type) {
    case "section": {
      const fields = block.fields;
      if (block.text === undefined && fields === undefined) {
        errors.push(`must provide either text or fields [json-pointer:${pointer}]`);
      }
      if (block.text !== undefined) errors.push(...textErrors(block.text, `${pointer}/text`, { max: 3000 }));
      if (fields !== undefined) {
        if (!Array.isArray(fields)) errors.push(`must be an array [json-pointer:${pointer}/fields]`);
        else {
          if (fields.length > 10)
            errors.push(`no more than 10 items allowed [json-pointer:${pointer}/fields]`);
          fields.forEach((field, i) => {
            errors.push(...textErrors(field, `${pointer}/fields/${i}`, { max: 2000 }));
          });
        }
      }
      if (block.accessory !== undefined)
        errors.push(...elementErrors(block.accessory, `${pointer}/accessory`));
      break;
    }
    case "header":
      errors.push(...textErrors(block.text, `${pointer}/text`, { max: 150, plainOnly: true }));
      break;
    case "context": {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        errors.push(`must provide at least one element [json-pointer:${pointer}/elements]`);
      } else if (elements.length > 10) {
        errors.push(`no more than 10 items allowed [json-pointer:${pointer}/elements]`);
      }
      break;
    }
    case "actions": {
      const elements = block.elements;
      if (!Array.isArray(elements) || elements.length === 0) {
        errors.push(`must provide at least one element [json-pointer:${pointer}/elements]`);
        break;
      }
      if (elements.length > 25)
        errors.push(`no more than 25 items allowed [json-pointer:${pointer}/elements]`);
      const seen = new Set<string>();
      elements.forEach((element, i) => {
        errors.push(...elementErrors(element, `${pointer}/elements/${i}`));
        const actionId = stringAt(element, "action_id");
        if (actionId === undefined) return;
        if (seen.has(actionId)) {
          errors.push(
            `action_id must be unique in a block [json-pointer:${pointer}/elements/${i}/action_id]`,
          );
        }
        seen.add(actionId);
      });
      break;
    }
    case "input":
      errors.push(...textErrors(block.label, `${pointer}/label`, { max: 2000, plainOnly: true }));
      if (block.element === undefined)
        errors.push(`missing required field [json-pointer:${pointer}/element]`);
      else errors.push(...elementErrors(block.element, `${pointer}/element`));
      break;
    case "image":
      if (typeof block.image_url !== "string" && block.slack_file === undefined) {
        errors.push(`missing required field [json-pointer:${pointer}/image_url]`);
      }
      if (typeof block.alt_text !== "string")
        errors.push(`missing required field [json-pointer:${pointer}/alt_text]`);
      break;
    default:
      break;
  }
  return errors;
}

/** Slack's complaints about a blocks array, empty when Slack would accept it. */
export function blockErrors(blocks: readonly JsonValue[], maxBlocks: number, pointer = "/blocks"): string[] {
  const errors: string[] = [];
  if (blocks.length > maxBlocks)
    errors.push(`no more than ${maxBlocks} items allowed [json-pointer:${pointer}]`);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    errors.push(...blockErrorsAt(block, `${pointer}/${i}`));
    const id = stringAt(block, "block_id");
    if (id === undefined) return;
    if (ids.has(id)) errors.push(`duplicate block_id [json-pointer:${pointer}/${i}/block_id]`);
    ids.add(id);
  });
  return errors;
}

/** Slack's complaints about a modal or Home tab view. */
export function viewErrors(view: JsonObject, expected: "modal" | "home" | "any"): string[] {
  const errors: string[] = [];
  const type = view.type;
  if (type !== "modal" && type !== "home")
    errors.push("must be one of modal, home [json-pointer:/view/type]");
  else if (expected !== "any" && type !== expected)
    errors.push(`must be ${expected} [json-pointer:/view/type]`);
  if (type === "modal") {
    errors.push(...textErrors(view.title, "/view/title", { max: 24, plainOnly: true }));
    errors.push(...textErrors(view.submit, "/view/submit", { max: 24, plainOnly: true, required: false }));
    errors.push(...textErrors(view.close, "/view/close", { max: 24, plainOnly: true, required: false }));
  }
  const metadata = view.private_metadata;
  if (typeof metadata === "string" && metadata.length > 3000)
    errors.push(tooLong(3000, "/view/private_metadata"));
  const callbackId = view.callback_id;
  if (typeof callbackId === "string" && callbackId.length > 255)
    errors.push(tooLong(255, "/view/callback_id"));
  const blocks = view.blocks;
  if (!Array.isArray(blocks)) return [...errors, "missing required field [json-pointer:/view/blocks]"];
  errors.push(...blockErrors(blocks, MAX_VIEW_BLOCKS, "/view/blocks"));
  if (type === "modal" && view.submit === undefined && blocks.some((b) => stringAt(b, "type") === "input")) {
    errors.push("must provide submit when the view has input blocks [json-pointer:/view/submit]");
  }
  return errors;
}

function generatedId(): string {
  return randomBytes(4).toString("base64url").slice(0, 5);
}

function withActionId(element: JsonValue): JsonValue {
  if (!isJsonObject(element) || typeof element.type !== "string" || !INTERACTIVE_TYPES.has(element.type)) {
    return element;
  }
  return typeof element.action_id === "string" ? element : { ...element, action_id: generatedId() };
}

/** The blocks as Slack stores them: every block has a block_id and every interactive element an action_id. */
export function withGeneratedIds(blocks: readonly JsonValue[]): JsonObject[] {
  return blocks.filter(isJsonObject).map((original) => {
    const block = copyJson(original);
    if (typeof block.block_id !== "string") block.block_id = generatedId();
    if (Array.isArray(block.elements) && block.type === "actions")
      block.elements = block.elements.map(withActionId);
    if (block.accessory !== undefined) block.accessory = withActionId(block.accessory);
    if (block.element !== undefined) block.element = withActionId(block.element);
    return block;
  });
}

export type FoundButton = { blockId: string; button: JsonObject };

function buttonsOf(block: JsonObject): JsonObject[] {
  const candidates = [
    ...(arrayAt(block, "elements") ?? []),
    ...(block.accessory === undefined ? [] : [block.accessory]),
  ];
  return candidates.filter(isJsonObject).filter((element) => element.type === "button");
}

/** The button with this action_id (and value, when given) in the blocks. */
export function findButton(
  blocks: readonly JsonObject[],
  actionId: string,
  value?: string,
): FoundButton | undefined {
  for (const block of blocks) {
    const blockId = stringAt(block, "block_id") ?? "";
    for (const button of buttonsOf(block)) {
      if (button.action_id === actionId && (value === undefined || button.value === value)) {
        return { blockId, button };
      }
    }
  }
  return undefined;
}

/** Every button as "action_id=value", for an error message that says what could have been clicked. */
export function describeButtons(blocks: readonly JsonObject[]): string[] {
  return blocks.flatMap((block) =>
    buttonsOf(block).map((b) => `${stringAt(b, "action_id") ?? "?"}=${stringAt(b, "value") ?? ""}`),
  );
}

/**
 * What a user typed or picked in an input: a string for text, number, date, time and single selects
 * (the option's value), an array of strings for multi selects and checkboxes, a number for a
 * datetimepicker, null for "left empty".
 */
export type InputValue = string | number | readonly string[] | null;

type InputBlock = { blockId: string; actionId: string; element: JsonObject };

function inputBlocks(blocks: readonly JsonObject[]): InputBlock[] {
  const inputs: InputBlock[] = [];
  for (const block of blocks) {
    if (block.type !== "input") continue;
    const element = objectAt(block, "element");
    const blockId = stringAt(block, "block_id");
    const actionId = stringAt(element, "action_id");
    if (element === undefined || blockId === undefined || actionId === undefined) continue;
    inputs.push({ blockId, actionId, element });
  }
  return inputs;
}

function optionsOf(element: JsonObject): JsonObject[] {
  const direct = (arrayAt(element, "options") ?? []).filter(isJsonObject);
  const grouped = (arrayAt(element, "option_groups") ?? [])
    .filter(isJsonObject)
    .flatMap((group) => (arrayAt(group, "options") ?? []).filter(isJsonObject));
  return [...direct, ...grouped];
}

function pickOption(element: JsonObject, value: string, where: string): JsonObject {
  if (element.type === "external_select" || element.type === "multi_external_select") {
    return { text: { type: "plain_text", text: value, emoji: true }, value };
  }
  const options = optionsOf(element);
  const option = options.find((o) => o.value === value);
  if (option === undefined) {
    const known = options.map((o) => stringAt(o, "value") ?? "?").join(", ");
    throw new Error(`${where}: no option with value ${JSON.stringify(value)} (options: ${known})`);
  }
  return option;
}

function asList(value: InputValue, where: string): readonly string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === "string") return [value];
  throw new Error(`${where}: expected a string or a list of strings`);
}

function asText(value: InputValue, where: string): string | null {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  throw new Error(`${where}: expected a single value`);
}

function richText(text: string): JsonObject {
  return {
    type: "rich_text",
    elements: [{ type: "rich_text_section", elements: [{ type: "text", text }] }],
  };
}

/** One input's state entry, from what the user gave or else from the element's initial value. */
function inputState(element: JsonObject, given: InputValue | undefined, where: string): JsonObject {
  const type = stringAt(element, "type") ?? "";
  const initial = (key: string): JsonValue => element[key] ?? null;
  switch (type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      return { type, value: given === undefined ? initial("initial_value") : asText(given, where) };
    case "rich_text_input": {
      if (given === undefined) return { type, rich_text_value: initial("initial_value") };
      const text = asText(given, where);
      return { type, rich_text_value: text === null ? null : richText(text) };
    }
    case "static_select":
    case "external_select":
    case "radio_buttons": {
      if (given === undefined) return { type, selected_option: initial("initial_option") };
      const text = asText(given, where);
      return { type, selected_option: text === null ? null : pickOption(element, text, where) };
    }
    case "multi_static_select":
    case "multi_external_select":
    case "checkboxes":
      return {
        type,
        selected_options:
          given === undefined
            ? (element.initial_options ?? [])
            : asList(given, where).map((v) => pickOption(element, v, where)),
      };
    case "users_select":
      return { type, selected_user: given === undefined ? initial("initial_user") : asText(given, where) };
    case "multi_users_select":
      return {
        type,
        selected_users: given === undefined ? (element.initial_users ?? []) : [...asList(given, where)],
      };
    case "conversations_select":
      return {
        type,
        selected_conversation: given === undefined ? initial("initial_conversation") : asText(given, where),
      };
    case "multi_conversations_select":
      return {
        type,
        selected_conversations:
          given === undefined ? (element.initial_conversations ?? []) : [...asList(given, where)],
      };
    case "channels_select":
      return {
        type,
        selected_channel: given === undefined ? initial("initial_channel") : asText(given, where),
      };
    case "multi_channels_select":
      return {
        type,
        selected_channels: given === undefined ? (element.initial_channels ?? []) : [...asList(given, where)],
      };
    case "datepicker":
      return { type, selected_date: given === undefined ? initial("initial_date") : asText(given, where) };
    case "timepicker":
      return { type, selected_time: given === undefined ? initial("initial_time") : asText(given, where) };
    case "datetimepicker": {
      if (given === undefined) return { type, selected_date_time: initial("initial_date_time") };
      if (given !== null && typeof given !== "number") throw new Error(`${where}: expected epoch seconds`);
      return { type, selected_date_time: given };
    }
    case "file_input":
      return { type, files: [] };
    default:
      throw new Error(`${where}: the sandbox cannot fill a ${type} input`);
  }
}

/**
 * state.values for the input blocks, keyed by block_id then action_id as Slack sends them. A key of
 * `given` names an input by its action_id or its block_id; a key that names no input is an error.
 */
export function stateValues(
  blocks: readonly JsonObject[],
  given: Readonly<Record<string, InputValue>>,
): JsonObject {
  const inputs = inputBlocks(blocks);
  const unknown = Object.keys(given).filter(
    (key) => !inputs.some((input) => input.actionId === key || input.blockId === key),
  );
  if (unknown.length > 0) {
    const known = inputs.map((input) => `${input.blockId}/${input.actionId}`).join(", ") || "none";
    throw new Error(`no input named ${unknown.join(", ")} in the view (inputs: ${known})`);
  }
  const values: JsonObject = {};
  for (const { blockId, actionId, element } of inputs) {
    const key = Object.hasOwn(given, actionId) ? actionId : blockId;
    const entry = inputState(element, given[key], `${blockId}/${actionId}`);
    values[blockId] = { ...(objectAt(values, blockId) ?? {}), [actionId]: entry };
  }
  return values;
}
