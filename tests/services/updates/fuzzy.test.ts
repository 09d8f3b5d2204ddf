import { describe, expect, it } from "vitest";
import {
  damerauLevenshtein,
  findNameMatches,
  isFullMatch,
  nameMatchScore,
  nameWords,
  wordDistance,
} from "../../../services/updates/fuzzy.ts";
import { wordsOf } from "../../../services/updates/patterns.ts";
import { foldWord } from "../../../services/updates/slack-text.ts";

const NAMES = ["Migración Core Bancario", "Migración CRM", "Portal Clientes", "App Móvil Seguros", "Nómina"];

function matchesIn(text: string) {
  return findNameMatches(wordsOf(foldWord(text)), NAMES).map((match) => ({
    name: NAMES[match.index],
    words: `${match.matchedWords}/${match.nameWords}`,
    edits: match.edits,
  }));
}

describe("damerauLevenshtein", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["kitten", "sitting", 3],
    ["riesgo", "riezgo", 1],
    ["bloqueado", "bloquedo", 1],
    ["clientes", "cleintes", 1],
    ["ab", "ba", 1],
    ["migracion", "migracion", 0],
  ])("%s -> %s is %i edits", (a, b, edits) => {
    expect(damerauLevenshtein(a, b)).toBe(edits);
    expect(damerauLevenshtein(b, a)).toBe(edits);
  });

  it("stops at the limit", () => {
    expect(damerauLevenshtein("portal", "seguros", 1)).toBe(2);
    expect(damerauLevenshtein("a", "abcdef", 2)).toBe(3);
  });
});

describe("wordDistance", () => {
  it("tolerates one typo up to 7 letters and two from 8, none under 4", () => {
    expect(wordDistance("portal", "portla")).toBe(1);
    expect(wordDistance("clientes", "clientez")).toBe(1);
    expect(wordDistance("bancario", "bnacaroi")).toBe(2);
    expect(wordDistance("movil", "mvl")).toBeNull();
    expect(wordDistance("crm", "cmr")).toBeNull();
    expect(wordDistance("crm", "crm")).toBe(0);
  });

  it("never bends a number", () => {
    expect(wordDistance("fase2", "fase3")).toBeNull();
  });
});

describe("nameWords", () => {
  it("folds accents and case and leaves out filler words", () => {
    expect(nameWords("Migración del Core Bancario")).toEqual(["migracion", "core", "bancario"]);
    expect(nameWords("App Móvil de Seguros")).toEqual(["app", "movil", "seguros"]);
  });
});

describe("findNameMatches", () => {
  it("finds a name written in full, in any case, without accents", () => {
    expect(matchesIn("el PORTAL CLIENTES va bien")).toEqual([
      { name: "Portal Clientes", words: "2/2", edits: 0 },
    ]);
    expect(matchesIn("app movil seguros 40%")).toEqual([
      { name: "App Móvil Seguros", words: "3/3", edits: 0 },
    ]);
  });

  it("allows a filler word between the words of a name", () => {
    expect(matchesIn("el portal de clientes")).toEqual([{ name: "Portal Clientes", words: "2/2", edits: 0 }]);
  });

  it("counts typos", () => {
    expect(matchesIn("Portal Cleintes")).toEqual([{ name: "Portal Clientes", words: "2/2", edits: 1 }]);
    expect(matchesIn("Migrasion Core Bancaro")).toEqual([
      { name: "Migración Core Bancario", words: "3/3", edits: 2 },
    ]);
  });

  it("finds part of a name: two words even with a typo, one word only when exact", () => {
    expect(matchesIn("core bancaro al 50%")).toEqual([
      { name: "Migración Core Bancario", words: "2/3", edits: 1 },
    ]);
    expect(matchesIn("el CRM")).toEqual([{ name: "Migración CRM", words: "1/2", edits: 0 }]);
    expect(matchesIn("el portla")).toEqual([]);
  });

  it("reports a word two names share for both", () => {
    expect(matchesIn("migracion al 30%")).toEqual([
      { name: "Migración Core Bancario", words: "1/3", edits: 0 },
      { name: "Migración CRM", words: "1/2", edits: 0 },
    ]);
  });

  it("takes a one-word name with a typo only when it is long enough", () => {
    expect(matchesIn("nomina al 20%")).toEqual([{ name: "Nómina", words: "1/1", edits: 0 }]);
    expect(matchesIn("nomima al 20%")).toEqual([{ name: "Nómina", words: "1/1", edits: 1 }]);
  });

  it("keeps the best match of each name", () => {
    const [match] = findNameMatches(wordsOf("portal y luego portal clientes"), ["Portal Clientes"]);
    expect(match && isFullMatch(match)).toBe(true);
    expect(match?.start).toBe(15);
  });

  it("does not take a generic word for a name", () => {
    expect(findNameMatches(wordsOf("el proyecto va bien"), ["Proyecto Atlas"])).toEqual([]);
  });
});

describe("nameMatchScore", () => {
  it("scores the whole name above part of it, and typos lower", () => {
    const score = (text: string, name: string) => {
      const [match] = findNameMatches(wordsOf(foldWord(text)), [name]);
      return match === undefined ? null : nameMatchScore(match);
    };
    expect(score("portal clientes", "Portal Clientes")).toBe(0.9);
    expect(score("portal clientez", "Portal Clientes")).toBe(0.85);
    expect(score("core bancario", "Migración Core Bancario")).toBe(0.53);
    expect(score("crm", "Migración CRM")).toBe(0.4);
  });
});
