import { describe, expect, it } from "vitest";
import { parsedUpdateSchema } from "../../../services/model.ts";
import {
  type Interpretation,
  type InterpretInput,
  interpretStatusUpdate,
  MAX_READ_CHARACTERS,
  RuleBasedInterpreter,
  readMessage,
  toParsedUpdate,
} from "../../../services/updates/interpreter.ts";
import { HOSTILE_STRINGS } from "../../fixtures/hostile-strings.ts";
import {
  FIELDS,
  INTERPRETER_CASES,
  inputFor,
  NOW,
  OTHER_PROJECTS,
  readingOf,
  TIMEZONE,
  WRITERS_PROJECTS,
} from "./interpreter-cases.ts";

function interpret(text: string, overrides: Partial<InterpretInput> = {}): Interpretation {
  return interpretStatusUpdate({
    text,
    projects: WRITERS_PROJECTS,
    allProjects: [...WRITERS_PROJECTS, ...OTHER_PROJECTS],
    now: NOW,
    timezone: TIMEZONE,
    locale: "es",
    ...overrides,
  });
}

/** Every string the interpretation hands on. */
function textsOf(result: Interpretation): string[] {
  return [
    ...result.risks,
    ...result.blockers,
    ...result.nextSteps,
    ...result.unread,
    ...result.projectRefs.map((candidate) => candidate.matchedText ?? ""),
  ];
}

describe("RuleBasedInterpreter on the table of updates", () => {
  it("has at least 60 cases", () => {
    expect(INTERPRETER_CASES.length).toBeGreaterThanOrEqual(60);
  });

  it.each(INTERPRETER_CASES.map((testCase) => [testCase.name, testCase] as const))(
    "%s",
    (_name, testCase) => {
      const result = interpretStatusUpdate(inputFor(testCase));
      const read = readingOf(result);
      const { expected } = testCase;
      const misses = testCase.knownMisses ?? {};
      expect(read.language).toBe(expected.language);
      for (const field of FIELDS) {
        if (misses[field] === undefined) {
          expect(read[field], field).toEqual(expected[field]);
        } else {
          expect(read[field], `${field} is no longer missed: remove it from knownMisses`).not.toEqual(
            expected[field],
          );
        }
      }
      const projects = readMessage(inputFor(testCase)).readings.map((one) => one.project?.gid ?? null);
      expect(projects).toEqual(testCase.readings ?? [expected.project]);
      if (testCase.candidates !== undefined) {
        const offered = result.projectRefs.map((candidate) => candidate.project.gid).sort();
        expect(offered).toEqual([...testCase.candidates].sort());
      }
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      for (const text of textsOf(result)) expect(text).not.toMatch(/[<>]/);
    },
  );
});

describe("project references", () => {
  it("ranks a PMO ID above a name and says why each was found", () => {
    const result = interpret("PMO-103 avance 10%, depende de Migración CRM");
    expect(result.project?.gid).toBe("103");
    expect(result.projectRefs.map(({ project, reason }) => [project.gid, reason])).toEqual([
      ["103", "pmo_id"],
      ["102", "name"],
    ]);
    expect(result.projectRefs[0]?.score).toBe(1);
    expect(result.projectRefs[0]?.matchedText).toBe("PMO-103");
  });

  it("tells an exact name from a fuzzy one", () => {
    expect(interpret("Portal Clientes 10%").projectRefs[0]?.reason).toBe("name");
    const fuzzy = interpret("Portal Clietnes 10%").projectRefs[0];
    expect(fuzzy?.reason).toBe("fuzzy_name");
    expect(fuzzy?.score).toBeLessThan(0.9);
  });

  it("takes the writer's only project when none is named, and says so", () => {
    const result = interpret("avance 10%", {
      projects: [WRITERS_PROJECTS[2] ?? WRITERS_PROJECTS[0] ?? never()],
    });
    expect(result.project?.gid).toBe("103");
    expect(result.projectRefs).toEqual([
      expect.objectContaining({ reason: "only_project", matchedText: null }),
    ]);
  });

  it("does not fall back to the only project when an unknown PMO ID was named", () => {
    const result = interpret("PMO-999 avance 10%", { projects: WRITERS_PROJECTS.slice(0, 1) });
    expect(result.project).toBeNull();
    expect(result.unknownPmoIds).toEqual(["PMO-999"]);
  });

  it("asks a lookup function for PMO IDs outside the writer's list, as PMO-<number>", () => {
    const asked: string[] = [];
    const result = interpret("PMO-0231 avance 10%", {
      allProjects: (pmoId) => {
        asked.push(pmoId);
        return OTHER_PROJECTS.find((project) => project.pmoId === pmoId) ?? null;
      },
    });
    expect(asked).toEqual(["PMO-231"]);
    expect(result.project?.gid).toBe("231");
    expect(result.projectRefs[0]).toMatchObject({ reason: "pmo_id", writersProject: false, score: 0.95 });
  });

  it("finds another PM's project by its full name when the list is given", () => {
    const result = interpret("Intranet Corporativa avance 10%");
    expect(result.project?.gid).toBe("231");
    expect(result.projectRefs[0]?.writersProject).toBe(false);
  });

  it("reads '#123' as a project only at the very start and only when the number exists", () => {
    expect(interpret("#103 avance 10%").project?.gid).toBe("103");
    expect(interpret("#999 avance 10%").unknownPmoIds).toEqual([]);
    expect(interpret("avance 10%, cerramos el ticket #103").project).toBeNull();
  });

  it("lists a project named only inside a list with a lower score, and does not choose it", () => {
    const result = interpret("bloqueado por Migración CRM");
    expect(result.project).toBeNull();
    expect(result.projectRefs).toEqual([expect.objectContaining({ score: 0.45 })]);
  });
});

describe("what is not read", () => {
  it("reports fragments it could not place, as written", () => {
    const result = interpret(
      "PMO-104 avance 65% ver <https://app.asana.com/0/123|tablero>, el cliente está feliz",
    );
    expect(result.unread).toEqual(["ver tablero", "el cliente está feliz"]);
    expect(result.confidence).toBeLessThan(1);
    expect(result.confidence).toBeGreaterThan(0.4);
  });

  it("reports a percentage of something else, and an impossible progress or date", () => {
    expect(interpret("PMO-101 el 30% del presupuesto ejecutado").unread).toEqual([
      "el 30% del presupuesto ejecutado",
    ]);
    expect(interpret("PMO-105 avance 150%").unread).toEqual(["avance 150%"]);
    const impossible = interpret("PMO-105 entrega el 31/02");
    expect(impossible.eta).toBeNull();
    expect(impossible.unread).toEqual(["entrega el 31/02"]);
  });

  it("is fully confident when every word was read, and not at all on a greeting", () => {
    expect(interpret("PMO-101 avance 70%, en riesgo por el proveedor, entrega el viernes").confidence).toBe(
      1,
    );
    expect(interpret("hola, gracias").confidence).toBe(0);
  });

  it("falls back to the writer's locale when the words do not tell", () => {
    expect(interpret("PMO-101 70%", { locale: "en" }).language).toBe("en");
    expect(interpret("PMO-101 70%", { locale: "es" }).language).toBe("es");
  });
});

describe("safety", () => {
  it(`never crashes nor hands on a < or > on ${HOSTILE_STRINGS.length} hostile strings`, () => {
    for (const hostile of HOSTILE_STRINGS) {
      const result = interpret(`PMO-101 riesgo: ${hostile}, avance 10%`);
      for (const text of textsOf(result)) expect(text).not.toMatch(/[<>]/);
      expect(parsedUpdateSchema.safeParse(toParsedUpdate(result)).success).toBe(true);
    }
  });

  it("reads only the beginning of a 40,000-character message and reports the rest unread", () => {
    const update = "PMO-101 avance 70%, en riesgo por el proveedor. ";
    const filler = "bla ".repeat(10_000);
    const result = interpret(`${update}${filler}`);
    expect(result.project?.gid).toBe("101");
    expect(result.progress).toBe(70);
    expect(result.unreadCharacters).toBeGreaterThan(40_000 - MAX_READ_CHARACTERS - 10);
    expect(result.unread.at(-1)).toMatch(/^bla bla .*…$/);
    expect(result.confidence).toBeLessThan(0.2);
  });

  it("returns on 40,000 characters built to make a regex backtrack", () => {
    const attacks = [
      "avance ".repeat(6_000),
      "1".repeat(40_000),
      `${"riesgo: a y ".repeat(4_000)}`,
      `${"<".repeat(20_000)}${">".repeat(20_000)}`,
      `${"el 1 de ".repeat(5_000)}`,
      `${"PMO-".repeat(10_000)}`,
      `${":a".repeat(20_000)}`,
      `${"a".repeat(40_000)}`,
    ];
    for (const attack of attacks) {
      const result = interpret(attack);
      expect(result.unreadCharacters).toBeGreaterThan(0);
      for (const text of textsOf(result)) expect(text).not.toMatch(/[<>]/);
    }
  });

  it("hands on a parsed update the store accepts", () => {
    const result = interpret("PMO-101 avance 70%, en riesgo por el proveedor, entrega el viernes");
    expect(parsedUpdateSchema.parse(toParsedUpdate(result))).toEqual({
      progress: 70,
      health: "at_risk",
      risks: ["el proveedor"],
      blockers: [],
      nextSteps: [],
      eta: "2026-07-10",
    });
  });
});

function never(): never {
  throw new Error("fixture missing");
}

describe("issue 13: the misreadings it names", () => {
  const latam = [
    { gid: "101", name: "Portal Clientes", pmoId: "PMO-101" },
    { gid: "102", name: "Migración SAP", pmoId: "PMO-102" },
    { gid: "103", name: "App Ventas", pmoId: "PMO-103" },
  ];
  const read = (text: string, locale: "es" | "en" = "es") =>
    readMessage({ text, projects: latam, now: NOW, timezone: TIMEZONE, locale });
  const only = (text: string) => {
    const { readings } = read(text);
    expect(readings).toHaveLength(1);
    return readings[0] ?? never();
  };

  it("gives one reading per project, in order, each with only its own facts", () => {
    const { readings } = read(
      "PMO-101 al 80% en verde; PMO-102 atrasado 2 semanas por el proveedor, avance 40%",
    );
    expect(readings.map(toParsedUpdate)).toEqual([
      { progress: 80, health: "on_track", risks: [], blockers: [], nextSteps: [], eta: null },
      { progress: 40, health: "off_track", risks: [], blockers: ["el proveedor"], nextSteps: [], eta: null },
    ]);
    expect(readings.map((one) => one.project?.gid)).toEqual(["101", "102"]);
    expect(readings[1]?.projectRefs[0]).toMatchObject({ reason: "pmo_id", matchedText: "PMO-102" });
  });

  it("gives a project named again later its facts, in the order first named", () => {
    const { readings } = read("PMO-101 80%. PMO-102 40%. PMO-101 entrega el viernes.");
    expect(readings.map((one) => [one.project?.gid, one.progress, one.eta])).toEqual([
      ["101", 80, "2026-07-10"],
      ["102", 40, null],
    ]);
  });

  it("reads a share of things done as a progress", () => {
    expect(only("PMO-101 llevamos 3 de 4 entregables").progress).toBe(75);
    expect(only("PMO-101 vamos 7 de 10").progress).toBe(70);
    expect(only("PMO-101 ya pasamos 3/4 de las pruebas").progress).toBe(75);
    expect(only("PMO-101 dos tercios del desarrollo").progress).toBe(67);
    expect(only("PMO-101 resolvimos 3 de 10 defectos").progress).toBeNull();
    expect(only("PMO-101 entrega el 3/4").eta).toBe("2027-04-03");
  });

  it("reads questions and their answers", () => {
    const reading = only("PMO-101 ¿Bloqueos? No. ¿Riesgos? Sí, la dependencia con Seguridad.");
    expect(toParsedUpdate(reading)).toMatchObject({
      health: "at_risk",
      risks: ["la dependencia con Seguridad"],
      blockers: [],
    });
  });

  it("reads a conditional delay as a risk, and the vendor's Friday as no ETA", () => {
    const reading = only(
      "PMO-102 No estamos en riesgo todavía, pero si el proveedor no entrega el viernes nos vamos a atrasar",
    );
    expect(toParsedUpdate(reading)).toEqual({
      progress: null,
      health: "at_risk",
      risks: ["si el proveedor no entrega el viernes nos vamos a atrasar"],
      blockers: [],
      nextSteps: [],
      eta: null,
    });
  });

  it("reads a negation far from what it negates, and stops at what starts another thought", () => {
    expect(only("PMO-101 no hemos identificado hasta ahora ningún riesgo").health).toBeNull();
    expect(only("PMO-101 no tenemos ambiente de QA y vamos atrasados").health).toBe("off_track");
  });

  it("reads a low, mitigated or administrative risk as no risk", () => {
    for (const text of [
      "PMO-103: el riesgo de retraso es bajo",
      "PMO-103 revisamos los riesgos con el sponsor y quedaron mitigados",
      "PMO-103 actualicé la matriz de riesgos",
      "PMO-103 se levantó el bloqueo de accesos",
    ]) {
      const reading = only(text);
      expect([reading.health, reading.risks, reading.blockers], text).toEqual([null, [], []]);
    }
  });

  it("reads on track said beside a risk as at risk", () => {
    const reading = only("PMO-101 on track, pero hay riesgo con el deploy");
    expect([reading.health, reading.risks]).toEqual(["at_risk", ["el deploy"]]);
  });

  it("does not take another team's delivery date as the ETA", () => {
    expect(only("PMO-101 el proveedor entrega el ambiente el lunes, nosotros terminamos el 30/07").eta).toBe(
      "2026-07-30",
    );
    expect(only("PMO-101 la DIAN entrega los certificados el 15/07").eta).toBeNull();
    expect(only("PMO-101 la entrega es el 15/07").eta).toBe("2026-07-15");
  });

  it("keeps one reading with no project when none can be told apart", () => {
    const { readings } = read("avance 60%, todo bien");
    expect(readings.map((one) => [one.project, one.progress, one.health])).toEqual([[null, 60, "on_track"]]);
  });
});

describe("etaUncertain", () => {
  const eta = (text: string, locale: "es" | "en" = "es") => {
    const reading = interpret(text, { locale });
    return [reading.eta, reading.etaUncertain];
  };

  it("flags a weekday said with 'next' / 'que viene' while this week's is still to come", () => {
    expect(eta("PMO-101 entregamos el jueves que viene")).toEqual(["2026-07-09", true]);
    expect(eta("PMO-101 delivery next Friday", "en")).toEqual(["2026-07-10", true]);
    expect(eta("PMO-101 entrega el próximo viernes")).toEqual(["2026-07-10", true]);
  });

  it("does not flag a date with one reading", () => {
    expect(eta("PMO-101 entrega el viernes")).toEqual(["2026-07-10", false]);
    expect(eta("PMO-101 launch next Monday", "en")).toEqual(["2026-07-13", false]);
    expect(eta("PMO-101 entrega el 15/07")).toEqual(["2026-07-15", false]);
    expect(eta("PMO-101 avance 10%")).toEqual([null, false]);
  });
});

describe("the interpreter interface", () => {
  it("reads through RuleBasedInterpreter exactly as readMessage does, and interpretStatusUpdate is its first reading", async () => {
    const input = {
      text: "PMO-101 al 80% en verde; PMO-102 atrasado por el proveedor",
      projects: WRITERS_PROJECTS,
      now: NOW,
      timezone: TIMEZONE,
      locale: "es" as const,
    };
    const reading = await new RuleBasedInterpreter().interpret(input);
    expect(reading).toEqual(readMessage(input));
    expect(reading.readings).toHaveLength(2);
    expect(interpretStatusUpdate(input)).toEqual(reading.readings[0]);
  });
});
