import type { InputBlock, ModalView, PlainTextElement, PlainTextOption } from "@slack/types";
import { z } from "zod";
import { type Locale, t } from "../../../i18n/index.ts";
import { HEALTHS, type Health, type ParsedUpdate } from "../../../model.ts";
import { type ProjectChoice, UPDATE_TEXT_MAX } from "../../../updates/conversation.ts";
import { parseCarriedJson } from "../../carried-json.ts";
import { truncate } from "../../mrkdwn.ts";
import { UPDATE_FIELDS, UPDATE_MODAL, type UpdateField } from "../../update-ids.ts";

/**
 * The update modal (callback `update_modal`): the project, progress, health, a summary, risks,
 * blockers, next steps and an estimated date, prefilled from a draft; its submission is checked
 * here field by field, and each problem is shown under its field (response_action "errors").
 */

const MODAL_LABEL_MAX = 24;
const LABEL_MAX = 2_000;
const OPTION_TEXT_MAX = 75;
/** Slack's limit on a static select's options. */
export const MAX_PROJECT_OPTIONS = 100;
export const LIST_FIELD_MAX = 1_500;
export const LIST_ITEM_MAX = 300;
export const LIST_ITEMS_MAX = 20;
export const PRIVATE_METADATA_MAX = 3_000;

const plain = (text: string, max: number): PlainTextElement => ({
  type: "plain_text",
  text: truncate(text, max),
  emoji: true,
});

/** Where the modal came from: the conversation and its card, when it was opened with Editar. */
export type UpdateModalOrigin = {
  conversationId: string | null;
  version: number | null;
  /** The DM message with the card, updated once the modal is saved. */
  channel: string | null;
  ts: string | null;
  /** On a card about several projects, the project of the part being edited. */
  part?: string | null;
};

const metadataSchema = z.object({
  c: z.string().min(1).max(64).nullable(),
  v: z.number().int().min(1).nullable(),
  ch: z.string().min(1).max(50).nullable(),
  ts: z.string().min(1).max(50).nullable(),
  p: z.string().min(1).max(200).nullable().optional(),
});

export function encodeUpdateModalMetadata(origin: UpdateModalOrigin): string {
  return JSON.stringify({
    c: origin.conversationId,
    v: origin.version,
    ch: origin.channel,
    ts: origin.ts,
    ...(origin.part === undefined || origin.part === null ? {} : { p: origin.part }),
  });
}

/** The origin a submission carries; a modal opened elsewhere (or tampered with) has none. */
export function parseUpdateModalMetadata(metadata: unknown): UpdateModalOrigin {
  const none: UpdateModalOrigin = { conversationId: null, version: null, channel: null, ts: null };
  const parsed = parseCarriedJson(metadata, PRIVATE_METADATA_MAX, metadataSchema);
  if (parsed === null) return none;
  return {
    conversationId: parsed.c,
    version: parsed.v,
    channel: parsed.ch,
    ts: parsed.ts,
    part: parsed.p ?? null,
  };
}

export type UpdateModalInput = {
  /** The projects the writer may pick (their own, plus the draft's for an admin). */
  choices: readonly ProjectChoice[];
  project: ProjectChoice | null;
  /** The text shown in the summary, as the writer reads it. */
  summary: string;
  parsed: ParsedUpdate;
  origin: UpdateModalOrigin;
};

function optionOf(project: ProjectChoice): PlainTextOption {
  const label = project.pmoId === null ? project.name : `${project.pmoId} · ${project.name}`;
  return { text: plain(label.trim() === "" ? project.gid : label, OPTION_TEXT_MAX), value: project.gid };
}

function healthOption(locale: Locale, health: Health): PlainTextOption {
  return { text: plain(t(locale, `projectStatus.${health}`), OPTION_TEXT_MAX), value: health };
}

function input(
  field: UpdateField,
  label: string,
  element: InputBlock["element"],
  optional: boolean,
): InputBlock {
  return {
    type: "input",
    block_id: UPDATE_FIELDS[field],
    label: plain(label, LABEL_MAX),
    optional,
    element,
  };
}

function listInput(
  field: "risks" | "blockers" | "nextSteps",
  label: string,
  items: readonly string[],
): InputBlock {
  const initial = truncate(items.join("\n"), LIST_FIELD_MAX);
  return input(
    field,
    label,
    {
      type: "plain_text_input",
      action_id: UPDATE_FIELDS[field],
      multiline: true,
      max_length: LIST_FIELD_MAX,
      ...(initial === "" ? {} : { initial_value: initial }),
    },
    true,
  );
}

export function updateModal(locale: Locale, modal: UpdateModalInput): ModalView {
  const metadata = encodeUpdateModalMetadata(modal.origin);
  if (metadata.length > PRIVATE_METADATA_MAX) throw new RangeError("private_metadata over 3,000 characters");
  const choices = modal.choices.slice(0, MAX_PROJECT_OPTIONS);
  const selected = modal.project === null ? undefined : choices.find((p) => p.gid === modal.project?.gid);
  const projectInput: InputBlock =
    choices.length > 0
      ? input(
          "project",
          t(locale, "update.modal.project"),
          {
            type: "static_select",
            action_id: UPDATE_FIELDS.project,
            options: choices.map(optionOf),
            ...(selected === undefined ? {} : { initial_option: optionOf(selected) }),
          },
          false,
        )
      : input(
          "project",
          t(locale, "update.modal.projectPmoId"),
          {
            type: "plain_text_input",
            action_id: UPDATE_FIELDS.project,
            max_length: 60,
            ...(modal.project?.pmoId ? { initial_value: modal.project.pmoId } : {}),
          },
          false,
        );
  const { parsed } = modal;
  const summary = truncate(modal.summary, UPDATE_TEXT_MAX);
  return {
    type: "modal",
    callback_id: UPDATE_MODAL,
    private_metadata: metadata,
    title: plain(t(locale, "update.modal.title"), MODAL_LABEL_MAX),
    submit: plain(t(locale, "update.modal.submit"), MODAL_LABEL_MAX),
    close: plain(t(locale, "update.modal.cancel"), MODAL_LABEL_MAX),
    blocks: [
      projectInput,
      input(
        "progress",
        t(locale, "update.modal.progress"),
        {
          type: "number_input",
          action_id: UPDATE_FIELDS.progress,
          is_decimal_allowed: false,
          min_value: "0",
          max_value: "100",
          ...(parsed.progress === null ? {} : { initial_value: String(parsed.progress) }),
        },
        true,
      ),
      input(
        "health",
        t(locale, "update.modal.health"),
        {
          type: "static_select",
          action_id: UPDATE_FIELDS.health,
          options: HEALTHS.map((health) => healthOption(locale, health)),
          ...(parsed.health === null ? {} : { initial_option: healthOption(locale, parsed.health) }),
        },
        true,
      ),
      input(
        "summary",
        t(locale, "update.modal.summary"),
        {
          type: "plain_text_input",
          action_id: UPDATE_FIELDS.summary,
          multiline: true,
          max_length: UPDATE_TEXT_MAX,
          ...(summary === "" ? {} : { initial_value: summary }),
        },
        false,
      ),
      listInput("risks", t(locale, "update.modal.risks"), parsed.risks),
      listInput("blockers", t(locale, "update.modal.blockers"), parsed.blockers),
      listInput("nextSteps", t(locale, "update.modal.nextSteps"), parsed.nextSteps),
      input(
        "eta",
        t(locale, "update.modal.eta"),
        {
          type: "datepicker",
          action_id: UPDATE_FIELDS.eta,
          ...(parsed.eta === null ? {} : { initial_date: parsed.eta }),
        },
        true,
      ),
    ],
  };
}

// ---- the submission ----------------------------------------------------------------------------

const stateValueSchema = z.object({
  type: z.string(),
  value: z.string().nullable().optional(),
  selected_date: z.string().nullable().optional(),
  selected_option: z.object({ value: z.string() }).nullable().optional(),
});
const stateValuesSchema = z.record(z.string(), z.record(z.string(), stateValueSchema));

/** The project as submitted: a select gives its gid, the fallback text field a PMO ID. */
export type ProjectAnswer = { kind: "gid"; gid: string } | { kind: "pmo_id"; pmoId: string };

export type UpdateModalValues = {
  project: ProjectAnswer;
  summary: string;
  parsed: ParsedUpdate;
};

export type ModalCheck =
  | { ok: true; values: UpdateModalValues }
  | { ok: false; errors: Record<string, string> };

const lengthOf = (text: string): number => [...text].length;

/**
 * The submitted fields, checked; or the errors Slack shows under each field, in the user's language.
 * `values` is the view's state as Slack sent it (parsed here, never trusted).
 */
export function checkUpdateModal(locale: Locale, values: unknown): ModalCheck {
  const state = stateValuesSchema.safeParse(values);
  const read = (field: UpdateField) =>
    state.success ? state.data[UPDATE_FIELDS[field]]?.[UPDATE_FIELDS[field]] : undefined;
  const text = (field: UpdateField): string => (read(field)?.value ?? "").trim();
  const errors: Record<string, string> = {};
  const fail = (field: UpdateField, message: string) => {
    errors[UPDATE_FIELDS[field]] = message;
  };

  const projectValue = read("project");
  const selectedGid = projectValue?.selected_option?.value ?? null;
  const pmoId = text("project");
  let project: ProjectAnswer | null = null;
  if (selectedGid !== null && selectedGid !== "") project = { kind: "gid", gid: selectedGid };
  else if (pmoId !== "") project = { kind: "pmo_id", pmoId };
  else fail("project", t(locale, "update.modal.error.project"));

  const progressText = text("progress");
  let progress: number | null = null;
  if (progressText !== "") {
    const value = /^\d{1,3}$/.test(progressText) ? Number(progressText) : Number.NaN;
    if (Number.isInteger(value) && value >= 0 && value <= 100) progress = value;
    else fail("progress", t(locale, "update.modal.error.progress"));
  }

  const healthValue = read("health")?.selected_option?.value ?? null;
  const health = HEALTHS.find((h) => h === healthValue) ?? null;
  if (healthValue !== null && health === null) fail("health", t(locale, "update.modal.error.health"));

  const summary = (read("summary")?.value ?? "").replace(/\r\n?/g, "\n");
  if (summary.trim() === "") fail("summary", t(locale, "update.modal.error.summaryEmpty"));
  else if (lengthOf(summary) > UPDATE_TEXT_MAX)
    fail(
      "summary",
      t(locale, "update.modal.error.tooLong", { max: UPDATE_TEXT_MAX, length: lengthOf(summary) }),
    );

  const list = (field: "risks" | "blockers" | "nextSteps"): string[] => {
    const items = text(field)
      .split("\n")
      .map((line) => line.replace(/^\s*[-•*]\s*/, "").trim())
      .filter((line) => line !== "");
    if (items.length > LIST_ITEMS_MAX)
      fail(field, t(locale, "update.modal.error.tooManyLines", { max: LIST_ITEMS_MAX }));
    const long = items.find((item) => lengthOf(item) > LIST_ITEM_MAX);
    if (long !== undefined)
      fail(
        field,
        t(locale, "update.modal.error.lineTooLong", { max: LIST_ITEM_MAX, length: lengthOf(long) }),
      );
    return items;
  };
  const risks = list("risks");
  const blockers = list("blockers");
  const nextSteps = list("nextSteps");

  const date = read("eta")?.selected_date ?? null;
  let eta: string | null = null;
  if (date !== null && date !== "") {
    if (z.iso.date().safeParse(date).success) eta = date;
    else fail("eta", t(locale, "update.modal.error.eta"));
  }

  if (Object.keys(errors).length > 0 || project === null) return { ok: false, errors };
  return {
    ok: true,
    values: { project, summary, parsed: { progress, health, risks, blockers, nextSteps, eta } },
  };
}
