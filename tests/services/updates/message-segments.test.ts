import { describe, expect, it } from "vitest";
import { type Segmentation, segmentMessage } from "../../../services/updates/message-segments.ts";
import { findProjects, type ProjectRef } from "../../../services/updates/project-matching.ts";
import { foldWord } from "../../../services/updates/slack-text.ts";

/**
 * The segmenting rule on folded text, with stand-ins for what the reader knows: which places lie
 * inside a list item, and whether status is said between two places (here: a digit or a health word).
 */

const PROJECTS: readonly ProjectRef[] = [
  { gid: "101", name: "Portal Clientes", pmoId: "PMO-101" },
  { gid: "102", name: "Migración SAP", pmoId: "PMO-102" },
  { gid: "103", name: "App Ventas", pmoId: "PMO-103" },
  { gid: "104", name: "Facturación Electrónica", pmoId: "PMO-104" },
];

function segment(text: string, inside: readonly [number, number][] = []): Segmentation & { text: string } {
  const folded = foldWord(text);
  const { hits } = findProjects(folded, { projects: PROJECTS });
  const segmentation = segmentMessage(folded, hits, {
    isInsideItem: (span) => inside.some(([start, end]) => span.start >= start && span.end <= end),
    hasStatusBetween: (start, end) => /\d|verde|atrasad|bloquead/u.test(folded.slice(start, end)),
  });
  return { ...segmentation, text: folded };
}

/** Each segment as its project and the text of its ranges. */
function parts(text: string, inside: readonly [number, number][] = []): [string, string][] {
  const result = segment(text, inside);
  return result.segments.map((one) => [
    one.project.gid,
    one.ranges.map((range) => result.text.slice(range.start, range.end).trim()).join(" | "),
  ]);
}

describe("segmentMessage", () => {
  it("splits where a project starts a clause, a sentence or a line, text before going to the first", () => {
    expect(parts("Hola. PMO-101 al 80%; PMO-102 atrasado")).toEqual([
      ["101", "hola. pmo-101 al 80%;"],
      ["102", "pmo-102 atrasado"],
    ]);
    expect(parts("Portal Clientes 80%\nMigración SAP 40%")).toEqual([
      ["101", "portal clientes 80%"],
      ["102", "migracion sap 40%"],
    ]);
  });

  it("splits at a conjunction, the lead-in words going with the project they lead to", () => {
    expect(parts("Portal Clientes va al 80% y Migración SAP al 40%")).toEqual([
      ["101", "portal clientes va al 80%"],
      ["102", "y migracion sap al 40%"],
    ]);
    expect(parts("Sobre el portal: 60%. En cuanto a SAP, bloqueados")).toEqual([
      ["101", "sobre el portal: 60%."],
      ["102", "en cuanto a sap, bloqueados"],
    ]);
  });

  it("does not split at a project named inside running text or inside a list item", () => {
    expect(
      segment("Portal Clientes 60%, depende de la API de App Ventas").segments.map((one) => one.project.gid),
    ).toEqual(["101"]);
    const text = "PMO-102 bloqueado por PMO-101";
    expect(parts(text, [[text.indexOf("PMO-101"), text.length]])).toEqual([
      ["102", "pmo-102 bloqueado por pmo-101"],
    ]);
  });

  it("gives a project named again the later part too", () => {
    expect(parts("PMO-101 80%. PMO-102 40%. PMO-101 entrega el viernes")).toEqual([
      ["101", "pmo-101 80%. | pmo-101 entrega el viernes"],
      ["102", "pmo-102 40%."],
    ]);
  });

  it("takes a single word of a name only with a label, or with status after it when it is not a common word", () => {
    expect(parts("PMO-101 80%. Facturación atrasada")).toEqual([
      ["101", "pmo-101 80%."],
      ["104", "facturacion atrasada"],
    ]);
    expect(parts("PMO-101 80%. La app queda lista el viernes 10").map(([gid]) => gid)).toEqual(["101"]);
    expect(parts("PMO-101 80%. App: 40%").map(([gid]) => gid)).toEqual(["101", "103"]);
  });

  it("starts with the first project named in running text once another starts a part", () => {
    expect(parts("Les cuento que el Portal Clientes va al 80% y que Migración SAP está bloqueada")).toEqual([
      ["101", "les cuento que el portal clientes va al 80%"],
      ["102", "y que migracion sap esta bloqueada"],
    ]);
  });

  it("cuts closing words about them all off the last part, and marks a part joined by 'ni'", () => {
    const both = segment("Portal Clientes al 30% y App Ventas al 70%, ambos en verde");
    expect(both.shared && both.text.slice(both.shared.start, both.shared.end)).toBe(", ambos en verde");
    expect(both.segments.map((one) => one.sharesPrevious)).toEqual([false, false]);
    const neither = segment("Sin novedades en Portal Clientes ni en App Ventas");
    expect(neither.segments.map((one) => [one.project.gid, one.sharesPrevious])).toEqual([
      ["101", false],
      ["103", true],
    ]);
  });

  it("tells no project apart when the words fit several, and returns nothing without projects", () => {
    const twins: readonly ProjectRef[] = [
      { gid: "1", name: "Migración Core", pmoId: null },
      { gid: "2", name: "Migración CRM", pmoId: null },
    ];
    const folded = "migracion: avance 30%";
    const { hits } = findProjects(folded, { projects: twins });
    expect(
      segmentMessage(folded, hits, { isInsideItem: () => false, hasStatusBetween: () => true }).segments,
    ).toEqual([]);
    expect(segment("avance 60%, todo bien").segments).toEqual([]);
  });
});
