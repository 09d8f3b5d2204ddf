import { describe, expect, it } from "vitest";
import { PMO_MORE_ACTION_ID, parseMoreValue } from "../../../../../services/commands/pmo-more-value.ts";
import { BLOCK_KIT } from "../../../../../services/slack/blocks/limits.ts";
import {
  age,
  duration,
  echo,
  finish,
  freshnessText,
  moreButton,
  pageOf,
  rangeLine,
  section,
} from "../../../../../services/slack/blocks/pmo/common.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { ctx, FRESH, NEVER, NOW } from "./ctx.ts";

describe("the data-freshness line", () => {
  it.each([
    ["es", FRESH, "Datos al 22/11/2026 08:30 (hace 12 min)"],
    ["en", FRESH, "Data as of 11/22/2026 8:30 AM (12 min ago)"],
    ["es", NEVER, "Sin sincronizaciones todavía"],
    ["en", NEVER, "No syncs yet"],
  ] as const)("%s %j", (locale, freshness, expected) => {
    expect(freshnessText(ctx(locale), freshness)).toBe(expected);
  });

  it("ends every finished message", () => {
    const message = finish(ctx("es"), [section("a", "hola")], "hola", FRESH);
    expect(message.blocks.at(-1)).toMatchObject({ type: "context", block_id: "pmo-freshness" });
    expect(message.text).toContain("Datos al 22/11/2026 08:30");
  });

  it("keeps a message within 50 blocks, freshness last", () => {
    const many = Array.from({ length: 80 }, (_, i) => section(`b${i}`, "x"));
    const message = finish(ctx("es"), many, "x", FRESH);
    expect(message.blocks).toHaveLength(BLOCK_KIT.blocksPerMessage);
    expect(message.blocks.at(-1)?.block_id).toBe("pmo-freshness");
  });
});

describe("ages and durations", () => {
  const ago = (ms: number) => new Date(NOW.getTime() - ms);
  it.each([
    ["es", 10_000, "hace un momento"],
    ["es", 12 * 60_000, "hace 12 min"],
    ["en", 3 * 3_600_000, "3 h ago"],
    ["es", 3 * 86_400_000, "hace 3 días"],
    ["en", 2 * 86_400_000, "2 days ago"],
    ["es", -60_000, "hace un momento"],
  ] as const)("%s %d ms -> %s", (locale, ms, expected) => {
    expect(age(ctx(locale), ago(ms))).toBe(expected);
  });

  it.each([
    [850, "1 s"],
    [42_000, "42 s"],
    [260_000, "4 min 20 s"],
    [3_900_000, "1 h 5 min"],
  ])("%d ms -> %s", (ms, expected) => {
    expect(duration("es", ms)).toBe(expected);
  });
});

describe("echo", () => {
  it.each(HOSTILE_STRINGS)("shows %j escaped, short and without broadcasts", (hostile) => {
    const shown = echo(hostile);
    expect(shown).not.toMatch(/[<>]/);
    expect(shown).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(shown).not.toMatch(/@(channel|here|everyone)/i);
    expect(shown.length).toBeLessThanOrEqual(60);
  });

  it("breaks a typed @channel without hiding it", () => {
    expect(echo("@channel hola")).toBe("@\u2060channel hola");
  });
});

describe("paging", () => {
  it("slices a page and says where the next starts", () => {
    expect(pageOf([1, 2, 3, 4, 5], 0, 2)).toEqual({ items: [1, 2], from: 0, next: 2, total: 5 });
    expect(pageOf([1, 2, 3, 4, 5], 4, 2)).toEqual({ items: [5], from: 4, next: null, total: 5 });
    expect(pageOf([1, 2], 9, 2)).toEqual({ items: [], from: 2, next: null, total: 2 });
  });

  it("shows the range only when there is more than one page", () => {
    expect(rangeLine(ctx("es"), pageOf([1, 2], 0, 5))).toBeNull();
    expect(rangeLine(ctx("es"), pageOf([1, 2, 3], 0, 2))).toMatchObject({
      elements: [{ text: "Mostrando 1–2 de 3" }],
    });
    expect(rangeLine(ctx("en"), pageOf([1, 2, 3], 9, 2))).toMatchObject({
      elements: [{ text: "There are no more results." }],
    });
  });

  it("puts the command and the next offset on the button, parsed back with zod", () => {
    const command = {
      kind: "findings" as const,
      filters: {
        severities: ["high" as const],
        vertical: "Banca",
        responsable: { kind: "slack_user" as const, slackUserId: "U123", label: "ana" },
      },
    };
    const block = moreButton(ctx("es"), command, 15);
    const button = block?.elements[0];
    expect(button).toMatchObject({
      type: "button",
      action_id: PMO_MORE_ACTION_ID,
      text: { text: "Ver más" },
    });
    const value = button?.type === "button" ? button.value : undefined;
    expect(parseMoreValue(value)).toEqual({ command, offset: 15 });
    expect(moreButton(ctx("en"), { kind: "mine" }, null)).toBeNull();
    expect(moreButton(ctx("en"), { kind: "mine" }, 20)?.elements[0]).toMatchObject({
      text: { text: "Show more" },
    });
  });

  it("keeps the button value under 2,000 characters at the parser's caps", () => {
    const worst = '"\\'.repeat(50);
    const value = moreButton(
      ctx("es"),
      {
        kind: "findings",
        filters: {
          severities: ["high", "medium", "low"],
          vertical: worst,
          responsable: { kind: "name", name: worst },
        },
      },
      99_999,
    );
    const button = value?.elements[0];
    expect(button?.type === "button" ? (button.value ?? "").length : 0).toBeGreaterThan(0);
    expect(button?.type === "button" ? (button.value ?? "").length : 9_999).toBeLessThanOrEqual(
      BLOCK_KIT.buttonValue,
    );
  });

  it.each([
    ["not JSON", "{"],
    ["another button's value", '{"p":"1","r":"x","v":1}'],
    ["a negative offset", '{"cmd":{"kind":"mine"},"offset":-1}'],
    ["an unknown command", '{"cmd":{"kind":"sync"},"offset":5}'],
    ["a query too long", JSON.stringify({ cmd: { kind: "search", query: "x".repeat(101) }, offset: 5 })],
    ["too long a value", "x".repeat(2_001)],
  ])("refuses %s", (_name, value) => {
    expect(parseMoreValue(value)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(parseMoreValue(undefined)).toBeNull();
    expect(parseMoreValue(42)).toBeNull();
  });
});
