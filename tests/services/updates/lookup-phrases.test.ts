import { describe, expect, it } from "vitest";
import {
  lookupCommand,
  MAX_PROJECT_LOOKUPS,
  readLookupPhrase,
} from "../../../services/updates/lookup-phrases.ts";

const mine = { kind: "lookup", lookups: [{ kind: "mine" }] };
const findings = { kind: "lookup", lookups: [{ kind: "findings" }] };
const card = (...pmoIds: string[]) => ({
  kind: "lookup",
  lookups: pmoIds.map((pmoId) => ({ kind: "project", pmoId })),
});

describe("readLookupPhrase", () => {
  it.each([
    "mis proyectos",
    "Mis Proyectos",
    "mis proyectos?",
    "¿Mis proyectos?",
    "MIS PROYECTOS",
    "mis-proyectos",
    "misproyectos",
    "proyectos",
    "mostrar mis proyectos",
    "muéstrame mis proyectos, por favor",
    "hola! ¿me muestras mis proyectos? 🙏",
    "cuáles son mis proyectos",
    "lista de mis proyectos",
    "mis poryectos",
    "mis proyetcos",
    "mis proyectso",
    "mi proyecto",
    "my projects",
    "My projects?",
    "what are my projects",
    "what are my projects?",
    "show my projects please",
    "list my projects",
    "my projcts",
  ])("%j asks for my projects", (text) => {
    expect(readLookupPhrase(text)).toEqual(mine);
  });

  it.each([
    "hallazgos",
    "Hallazgos?",
    "mis hallazgos",
    "mis hallazgos abiertos",
    "halazgos",
    "hallasgos",
    "findings",
    "my findings",
    "show my open findings",
    "findigns",
  ])("%j asks for my open findings", (text) => {
    expect(readLookupPhrase(text)).toEqual(findings);
  });

  it.each([
    "PMO-123",
    "pmo-123",
    "pmo 123",
    "PMO123",
    "PMO #123",
    "*PMO-123*",
    "PMO-123?",
    "¿cómo va PMO-123?",
    "como va el pmo 123",
    "¿Qué tal va el PMO-123?",
    "estado de PMO-123",
    "estado del PMO-123",
    "¿En qué estado está PMO-123?",
    "dame la ficha del proyecto PMO-123",
    "hallazgos de PMO-123",
    "how is PMO-123 doing?",
    "How's PMO-123 going?",
    "what's the status of PMO-123?",
    "status PMO-123",
    "show me PMO-123",
    "project PMO-123",
  ])("%j asks for the card of PMO-123", (text) => {
    expect(readLookupPhrase(text)).toEqual(card("PMO-123"));
  });

  it("several PMO IDs ask for a card each, once each, up to a few", () => {
    expect(readLookupPhrase("¿cómo van PMO-101 y PMO-102?")).toEqual(card("PMO-101", "PMO-102"));
    expect(readLookupPhrase("PMO-101, pmo 101, PMO-0101")).toEqual(card("PMO-101"));
    const many = readLookupPhrase("PMO-1 PMO-2 PMO-3 PMO-4 PMO-5");
    expect(many).toEqual(card("PMO-1", "PMO-2", "PMO-3"));
    expect(MAX_PROJECT_LOOKUPS).toBe(3);
  });

  it("both lists asked at once are both answered, in the order asked", () => {
    expect(readLookupPhrase("mis hallazgos y mis proyectos")).toEqual({
      kind: "lookup",
      lookups: [{ kind: "findings" }, { kind: "mine" }],
    });
  });

  it.each([
    "ayuda",
    "ayuda por favor",
    "necesito ayuda",
    "¿Ayuda?",
    "help",
    "help please",
    "hi, I need help",
    "comandos",
  ])("%j asks for help", (text) => {
    expect(readLookupPhrase(text)).toEqual({ kind: "help" });
  });

  it.each([
    // Update content: a word outside the grammar makes it an update.
    "PMO-123 avance 60%",
    "PMO-123 progress 60%",
    "PMO-123 va bien",
    "PMO-123 terminado",
    "PMO-123 listo",
    "PMO-123 sin riesgos",
    "PMO-123 en riesgo?",
    "¿cómo va PMO-123? todo bien",
    "PMO-123 ok",
    "PMO-123 60",
    "mis proyectos van bien",
    "my projects are on track",
    "hallazgos resueltos en PMO-123, avance 80%",
    "ayuda con el proveedor, avance 20%",
    "actualizar PMO-123",
    // Nothing asked.
    "hola",
    "estado",
    "gracias",
    "",
    "123",
  ])("%j is no lookup", (text) => {
    expect(readLookupPhrase(text)).toBeNull();
  });

  it("a long message is no lookup, even made of lookup words", () => {
    expect(readLookupPhrase(`${"por favor ".repeat(10)}mis proyectos`)).toBeNull();
  });

  it("reads through Slack's formatting and escapes", () => {
    expect(readLookupPhrase("_mis_ *proyectos* :pray:")).toEqual(mine);
    expect(readLookupPhrase("mis proyectos &lt;3")).toBeNull();
    // Someone else named: not "my" projects.
    expect(readLookupPhrase("<@U0PM000001> mis proyectos")).toBeNull();
    expect(readLookupPhrase("`PMO-123`")).toEqual(card("PMO-123"));
  });
});

describe("lookupCommand", () => {
  it("is the /pmo command: the list, the card, and the findings of one's own projects", () => {
    expect(lookupCommand({ kind: "mine" }, "U1")).toEqual({ kind: "mine" });
    expect(lookupCommand({ kind: "project", pmoId: "PMO-7" }, "U1")).toEqual({
      kind: "project",
      pmoId: "PMO-7",
    });
    expect(lookupCommand({ kind: "findings" }, "U1")).toEqual({
      kind: "findings",
      filters: {
        severities: [],
        vertical: null,
        responsable: { kind: "slack_user", slackUserId: "U1", label: null },
      },
    });
  });
});
