import { describe, expect, it } from "vitest";
import {
  DEFAULT_HOME_STATE,
  encodeHomeState,
  type HomeState,
  parseHomeState,
  withHomeControl,
} from "../../../../../services/slack/blocks/home/home-state.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_PAGE_NEXT,
  HOME_PAGE_PREVIOUS,
} from "../../../../../services/slack/home-action-ids.ts";

const filtered: HomeState = {
  severity: "medium",
  vertical: { kind: "is", value: 'Banca: <b> & "más"' },
  responsable: { kind: "none" },
  page: 4,
};

describe("the Home's state in its private_metadata", () => {
  it("comes back as it went", () => {
    expect(parseHomeState(encodeHomeState(filtered))).toEqual(filtered);
    expect(parseHomeState(encodeHomeState(DEFAULT_HOME_STATE))).toEqual(DEFAULT_HOME_STATE);
  });

  it.each([
    undefined,
    null,
    3,
    "",
    "{",
    "[]",
    '{"s":"urgent","v":"all","r":"all","p":1}',
    '{"s":"all","v":"is:","r":"all","p":1}',
  ])("falls back to the default for %j", (metadata) => {
    expect(parseHomeState(metadata)).toEqual(DEFAULT_HOME_STATE);
  });
});

describe("a Home control used", () => {
  it.each([
    [HOME_FILTER_SEVERITY, "high", { severity: "high", page: 1 }],
    [HOME_FILTER_SEVERITY, "all", { severity: "all", page: 1 }],
    [HOME_FILTER_VERTICAL, "none", { vertical: { kind: "none" }, page: 1 }],
    [HOME_FILTER_VERTICAL, "is:Salud", { vertical: { kind: "is", value: "Salud" }, page: 1 }],
    [HOME_FILTER_RESPONSABLE, "is:9001", { responsable: { kind: "is", value: "9001" }, page: 1 }],
    [HOME_FILTER_RESPONSABLE, "all", { responsable: { kind: "all" }, page: 1 }],
    [HOME_PAGE_NEXT, "5", { page: 5 }],
    [HOME_PAGE_PREVIOUS, "3", { page: 3 }],
  ] as const)("%s = %s", (actionId, value, changed) => {
    expect(withHomeControl(filtered, { actionId, value })).toEqual({ ...filtered, ...changed });
  });

  it.each([
    [HOME_FILTER_SEVERITY, "urgent"],
    [HOME_FILTER_VERTICAL, "Salud"],
    [HOME_FILTER_RESPONSABLE, `is:${"9".repeat(148)}`],
    [HOME_PAGE_NEXT, "0"],
    [HOME_PAGE_NEXT, "2.5"],
    [HOME_PAGE_NEXT, "99999"],
    ["something_else", "all"],
  ])("%s = %s changes nothing", (actionId, value) => {
    expect(withHomeControl(filtered, { actionId, value })).toEqual(filtered);
  });
});
