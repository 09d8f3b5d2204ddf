import { z } from "zod";
import { SEVERITIES, type Severity } from "../../../model.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_PAGE_NEXT,
  HOME_PAGE_PREVIOUS,
} from "../../home-action-ids.ts";

/**
 * What the App Home shows besides the data: the admin's filters and the page of the findings
 * list. It travels in the Home view's private_metadata, so a filter change or a page turn (and an
 * action taken from the Home) publishes the same view again with one thing changed.
 */

/** A filter on a text attribute: anything, "not set", or one value. */
export type ValueFilter = { kind: "all" } | { kind: "none" } | { kind: "is"; value: string };

export type HomeState = {
  severity: Severity | "all";
  vertical: ValueFilter;
  responsable: ValueFilter;
  /** 1-based. */
  page: number;
};

export const DEFAULT_HOME_STATE: HomeState = {
  severity: "all",
  vertical: { kind: "all" },
  responsable: { kind: "all" },
  page: 1,
};

const PAGE_MAX = 10_000;

/** Slack caps an option's value at 150 characters; "is:" takes three. */
export const FILTER_VALUE_MAX = 147;
const IS = "is:";

export function encodeValueFilter(filter: ValueFilter): string {
  return filter.kind === "is" ? `${IS}${filter.value}` : filter.kind;
}

export function parseValueFilter(value: string): ValueFilter | null {
  if (value === "all" || value === "none") return { kind: value };
  if (value.startsWith(IS) && value.length > IS.length && value.length <= IS.length + FILTER_VALUE_MAX)
    return { kind: "is", value: value.slice(IS.length) };
  return null;
}

export function parseSeverityFilter(value: string): Severity | "all" | null {
  if (value === "all") return "all";
  return SEVERITIES.find((severity) => severity === value) ?? null;
}

const valueFilterSchema = z.string().transform((value, ctx) => {
  const filter = parseValueFilter(value);
  if (filter === null) {
    ctx.addIssue({ code: "custom", message: "not a filter" });
    return z.NEVER;
  }
  return filter;
});

const metadataSchema = z.object({
  s: z.enum([...SEVERITIES, "all"]),
  v: valueFilterSchema,
  r: valueFilterSchema,
  p: z.number().int().min(1).max(PAGE_MAX),
});

/** The state as a small JSON object (also carried inside a modal's metadata). */
export function homeStateJson(state: HomeState): z.input<typeof metadataSchema> {
  return {
    s: state.severity,
    v: encodeValueFilter(state.vertical),
    r: encodeValueFilter(state.responsable),
    p: state.page,
  };
}

/** The state from its JSON object; the default for anything else. */
export function homeStateFromJson(json: unknown): HomeState {
  const parsed = metadataSchema.safeParse(json);
  if (!parsed.success) return DEFAULT_HOME_STATE;
  return {
    severity: parsed.data.s,
    vertical: parsed.data.v,
    responsable: parsed.data.r,
    page: parsed.data.p,
  };
}

export function encodeHomeState(state: HomeState): string {
  return JSON.stringify(homeStateJson(state));
}

/** The state a Home view carried; the default for anything else (a view published before, say). */
export function parseHomeState(metadata: unknown): HomeState {
  if (typeof metadata !== "string" || metadata === "") return DEFAULT_HOME_STATE;
  try {
    return homeStateFromJson(JSON.parse(metadata));
  } catch {
    return DEFAULT_HOME_STATE;
  }
}

/** The state after a Home control was used: a filter starts the list again at page 1. */
export function withHomeControl(state: HomeState, control: { actionId: string; value: string }): HomeState {
  switch (control.actionId) {
    case HOME_FILTER_SEVERITY: {
      const severity = parseSeverityFilter(control.value);
      return severity === null ? state : { ...state, severity, page: 1 };
    }
    case HOME_FILTER_VERTICAL: {
      const vertical = parseValueFilter(control.value);
      return vertical === null ? state : { ...state, vertical, page: 1 };
    }
    case HOME_FILTER_RESPONSABLE: {
      const responsable = parseValueFilter(control.value);
      return responsable === null ? state : { ...state, responsable, page: 1 };
    }
    case HOME_PAGE_PREVIOUS:
    case HOME_PAGE_NEXT: {
      const page = Number(control.value);
      return Number.isInteger(page) && page >= 1 && page <= PAGE_MAX ? { ...state, page } : state;
    }
    default:
      return state;
  }
}
