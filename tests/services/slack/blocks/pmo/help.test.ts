import { describe, expect, it } from "vitest";
import { parsePmoCommand } from "../../../../../services/commands/parse-pmo.ts";
import { pmoHelpMessage, pmoInvalidMessage } from "../../../../../services/slack/blocks/pmo/help.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { expectSafeMrkdwn, expectWithinBlockKitLimits, textSlots } from "../block-kit-checks.ts";
import { ctx, FRESH } from "./ctx.ts";

const allText = (message: { text: string; blocks: unknown[] } & Parameters<typeof textSlots>[0]) =>
  textSlots(message)
    .map((slot) => slot.text)
    .join("\n");

describe("the help", () => {
  it.each([
    [
      "es",
      [
        "/pmo mis-proyectos",
        "/pmo PMO-123",
        "/pmo buscar portal",
        "/pmo hallazgos alta",
        "/pmo estado",
        "/pmo sync full",
        "/pmo ayuda",
      ],
    ],
    [
      "en",
      [
        "/pmo mine",
        "/pmo PMO-123",
        "/pmo search portal",
        "/pmo findings high",
        "/pmo status",
        "/pmo sync full",
        "/pmo help",
      ],
    ],
  ] as const)("lists every subcommand with an example (%s)", (locale, examples) => {
    const message = pmoHelpMessage(ctx(locale), { notUnderstood: null }, FRESH);
    const text = allText(message);
    for (const example of examples) expect(text).toContain(example);
    expect(message.blocks.map((b) => b.block_id)).toEqual(["pmo-help", "pmo-help-aliases", "pmo-freshness"]);
    expectWithinBlockKitLimits(message);
    expectSafeMrkdwn(message);
  });

  it("says first what it did not understand", () => {
    const message = pmoHelpMessage(ctx("es"), { notUnderstood: "exportar" }, FRESH);
    expect(message.blocks[0]).toMatchObject({
      block_id: "pmo-not-understood",
      text: { text: "No entendí «exportar». Estos son los comandos que conozco:" },
    });
  });

  it.each(HOSTILE_STRINGS)("echoes %j escaped", (hostile) => {
    const message = pmoHelpMessage(ctx("en"), { notUnderstood: hostile }, FRESH);
    expectWithinBlockKitLimits(message);
    expectSafeMrkdwn(message);
  });
});

describe("a subcommand with bad arguments", () => {
  it.each([
    ["es", "buscar", "Escribe qué buscar.", "Uso: `/pmo buscar texto`"],
    ["en", "search", "Type what to search for.", "Usage: `/pmo search text`"],
    ["es", "hallazgos vertical:", "Falta el valor del filtro de vertical.", "Uso: `/pmo hallazgos"],
    ["en", "findings <@U1> <@U2>", "Use a single owner filter.", "Usage: `/pmo findings"],
    ["es", `buscar ${"x".repeat(101)}`, "máximo 100 caracteres", "Uso: `/pmo buscar"],
    ["en", "sync now", "I did not understand “now”.", "Usage: `/pmo sync`"],
    ["es", "hallazgos <!channel>", "No entendí el filtro «&lt;!channel&gt;».", "Uso: `/pmo hallazgos"],
  ] as const)("%s %j says what is wrong and how it is written", (locale, text, problem, usage) => {
    const command = parsePmoCommand(text);
    if (command.kind !== "invalid") throw new Error(`expected invalid, got ${command.kind}`);
    const message = pmoInvalidMessage(ctx(locale), command, FRESH);
    const shown = allText(message);
    expect(shown).toContain(problem);
    expect(shown).toContain(usage);
    expectWithinBlockKitLimits(message);
    expectSafeMrkdwn(message);
  });

  it.each(HOSTILE_STRINGS)("echoes an unknown filter %j escaped", (hostile) => {
    const message = pmoInvalidMessage(
      ctx("es"),
      { kind: "invalid", subcommand: "findings", problem: { code: "unknown_filter", excerpt: hostile } },
      FRESH,
    );
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });
});
