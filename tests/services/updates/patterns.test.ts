import { describe, expect, it } from "vitest";
import {
  either,
  foldPhrase,
  maybe,
  notFollowedBy,
  phraseRegex,
  phrases,
  regex,
  sequence,
  startRegex,
  wordsOf,
  wordsRegex,
} from "../../../services/updates/patterns.ts";

/** Every match as "index:text". */
const found = (pattern: RegExp, text: string) => [...text.matchAll(pattern)].map((m) => `${m.index}:${m[0]}`);

describe("phrases", () => {
  it("folds what it is given: accents and capitals are optional in the list", () => {
    const list = phraseRegex(["Próximos pasos", "según lo PLANEADO"]);
    expect(found(list, "proximos pasos y segun lo planeado")).toEqual([
      "0:proximos pasos",
      "17:segun lo planeado",
    ]);
    expect(foldPhrase("  Según   lo\tPlaneado ")).toBe("segun lo planeado");
  });

  it("finds whole words only, Unicode-aware", () => {
    const risk = phraseRegex(["riesgo"]);
    expect(found(risk, "riesgo, riesgoso, sinriesgo, 1riesgo, riesgo2, (riesgo)")).toEqual([
      "0:riesgo",
      "48:riesgo",
    ]);
    expect(found(phraseRegex(["ano"]), "ano anoñ ñano")).toEqual(["0:ano"]);
  });

  it("lets a space stand for any run of spaces or tabs, never a line break", () => {
    const atRisk = phraseRegex(["en riesgo"]);
    expect(found(atRisk, "en riesgo|en   riesgo|en\triesgo")).toEqual([
      "0:en riesgo",
      "10:en   riesgo",
      "22:en\triesgo",
    ]);
    expect(found(atRisk, "en\nriesgo")).toEqual([]);
  });

  it("escapes what regexes treat specially", () => {
    const odd = phraseRegex(["to-do", "a.b", "c++", "(x)", "n/a", "$5", "a|b", "[y]"]);
    expect(found(odd, "to-do a.b n/a")).toEqual(["0:to-do", "6:a.b", "10:n/a"]);
    expect(found(odd, "todo axb")).toEqual([]);
    expect(found(odd, "a|b [y] ab y")).toEqual(["0:a|b", "4:[y]"]);
    expect(found(phraseRegex(["c++"]), "c++ c+ cc")).toEqual(["0:c++"]);
  });

  it("prefers the longest phrase where several fit", () => {
    expect(found(phraseRegex(["no", "no hay", "no hay nada"]), "no hay nada, no hay, no")).toEqual([
      "0:no hay nada",
      "13:no hay",
      "21:no",
    ]);
  });

  it("refuses an empty list", () => {
    expect(() => phrases([])).toThrow(/empty/);
    expect(() => phrases(["  "])).toThrow(/empty/);
  });
});

describe("sequence, maybe, either", () => {
  const cue = wordsRegex(
    sequence(
      maybe(["el", "los"]),
      maybe(["principal", "principales"]),
      phrases(["riesgo", "riesgos"]),
      maybe(["actual", "abierto"]),
      regex(" ?:", { attached: true }),
    ),
  );

  it.each([
    ["riesgos:", "riesgos:"],
    ["riesgo :", "riesgo :"],
    ["los riesgos:", "los riesgos:"],
    ["el principal riesgo abierto:", "el principal riesgo abierto:"],
    ["principales riesgos:", "principales riesgos:"],
    ["los  principales   riesgos actual:", "los  principales   riesgos actual:"],
  ])("puts spaces between the parts present: %j", (text, match) => {
    expect(found(cue, text)).toEqual([`0:${match}`]);
  });

  it.each(["riesgos", "losriesgos:", "riesgo abierto", "el:", "riesgos actuales:"])(
    "matches nothing else: %j",
    (text) => {
      expect(found(cue, text)).toEqual([]);
    },
  );

  it("tries the choices of either in the order given", () => {
    const first = wordsRegex(either(phrases(["a"]), sequence(phrases(["a"]), phrases(["b"]))), { end: "" });
    expect(found(first, "a b")).toEqual(["0:a"]);
    const longer = wordsRegex(either(sequence(phrases(["a"]), phrases(["b"])), phrases(["a"])), { end: "" });
    expect(found(longer, "a b")).toEqual(["0:a b"]);
  });

  it("joins a named regex with its captures kept", () => {
    const progress = wordsRegex(sequence(phrases(["avance"]), maybe(["de"]), regex("(\\d{1,3})( ?%)?")));
    const [match] = "el avance de 70 %".matchAll(progress);
    expect(match?.[1]).toBe("70");
    expect(match?.[2]).toBe(" %");
  });

  it("looks ahead with notFollowedBy", () => {
    const late = wordsRegex(
      sequence(
        phrases(["retrasado"]),
        phrases(["por"]),
        notFollowedBy(sequence(regex("\\d+"), phrases(["dias"]))),
      ),
    );
    expect(found(late, "retrasado por el proveedor")).toEqual(["0:retrasado por"]);
    expect(found(late, "retrasado por 3 dias")).toEqual([]);
  });

  it("refuses a pattern that could match nothing or starts with punctuation", () => {
    expect(() => sequence(maybe(["a"]), maybe(["b"]))).toThrow(/optional/);
    expect(() => sequence(regex(":", { attached: true }), phrases(["a"]))).toThrow(/attached/);
    expect(() => either(maybe(["a"]), phrases(["b"]))).toThrow(/optional/);
    expect(() => either(regex(":", { attached: true }), phrases(["b"]))).toThrow(/mixes/);
    expect(() => wordsRegex(maybe(["a"]))).toThrow(/required/);
    expect(() => notFollowedBy(maybe(["a"]))).toThrow(/optional/);
  });
});

describe("startRegex", () => {
  it("matches only at the start, after what `before` allows", () => {
    const connector = startRegex(phrases(["y", "y luego", "and"]), { end: "(?![\\p{L}\\p{N}]) ?" });
    expect(connector.exec("y luego entrega")?.[0]).toBe("y luego ");
    expect(connector.exec("ya está")).toBeNull();
    expect(connector.exec("entrega y luego")).toBeNull();
    const tail = startRegex(phrases(["de", "por"]), { before: " ?" });
    expect(tail.test(" de retraso")).toBe(true);
    expect(tail.test("del retraso")).toBe(false);
  });
});

describe("speed", () => {
  it("stays linear on input built to make an alternation backtrack", () => {
    const cue = wordsRegex(
      sequence(maybe(["a", "a a"]), phrases(["a a a", "a"]), maybe(["a"]), regex(":", { attached: true })),
    );
    const started = performance.now();
    expect(found(cue, `${"a ".repeat(20_000)}b`)).toEqual([]);
    expect(found(phraseRegex(["en riesgo"]), `en${" ".repeat(40_000)}x`)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("wordsOf", () => {
  it("gives each word with where it stands", () => {
    expect(wordsOf("we're at 70%", 5)).toEqual([
      { word: "we're", start: 5, end: 10 },
      { word: "at", start: 11, end: 13 },
      { word: "70", start: 14, end: 16 },
    ]);
  });
});
