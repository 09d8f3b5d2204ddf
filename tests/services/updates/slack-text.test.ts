import { describe, expect, it } from "vitest";
import { foldWord, stripSlackFormatting } from "../../../services/updates/slack-text.ts";
import { SLACK_SPECIALS } from "../../fixtures/hostile-strings.ts";

describe("stripSlackFormatting", () => {
  it.each([
    ["<@U024BE7LH> avance", "@U024BE7LH avance"],
    ["por <@U999|maria.lopez>", "por @maria.lopez"],
    ["ver <https://app.asana.com/0/1|tablero>", "ver tablero"],
    ["ver <https://example.com/x>", "ver https://example.com/x"],
    ["escribir a <mailto:pmo@example.com|pmo@example.com>", "escribir a pmo@example.com"],
    ["en <#C123|proyectos>", "en #proyectos"],
    ["<!channel> avance", "  avance"],
    ["<!subteam^S1|@pmo> revisen", "@pmo revisen"],
    ["&lt;!here&gt; hola", "  hola"],
    ["costos &amp; plazos", "costos & plazos"],
    ["a &lt; b", "a   b"],
    ["*PMO-101* _avance_ ~viejo~ `70%`", "PMO-101 avance viejo 70%"],
    ["snake_case_name queda", "snake_case_name queda"],
    [":large_green_circle: todo bien :tada:", "🟢 todo bien  "],
    [":warning: riesgo a las 10:30:45", "⚠️ riesgo a las 10:30:45"],
    ["* uno\n- dos", "• uno\n• dos"],
    ["línea\r\notra", "línea\notra"],
  ])("reads %j as %j", (slack, plain) => {
    expect(stripSlackFormatting(slack)).toBe(plain);
  });

  it.each(SLACK_SPECIALS)("leaves no bracket of %s", (special) => {
    expect(stripSlackFormatting(special)).not.toMatch(/[<>]/);
  });
});

describe("foldWord", () => {
  it("drops case and accents, keeps the length", () => {
    expect(foldWord("Migración")).toBe("migracion");
    expect(foldWord("MAÑANA")).toBe("manana");
    expect(foldWord("Próximos")).toHaveLength("Próximos".length);
  });
});
