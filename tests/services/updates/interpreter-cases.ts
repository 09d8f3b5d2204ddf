import type { Health, Locale } from "../../../services/model.ts";
import type { Interpretation, InterpretInput, ProjectRef } from "../../../services/updates/interpreter.ts";

/**
 * Realistic status updates with what a person reads in each, field by field. The clock is
 * Wednesday 2026-07-08 10:00 in Bogotá: "el viernes" is 2026-07-10, "next week" 2026-07-17 (its
 * Friday), "fin de mes" 2026-07-31. Shared by interpreter.test.ts (every case, every field) and
 * accuracy.test.ts (per-field accuracy).
 */

export const NOW = new Date("2026-07-08T15:00:00.000Z");
export const TIMEZONE = "America/Bogota";

export const WRITERS_PROJECTS: readonly ProjectRef[] = [
  { gid: "101", name: "Migración Core Bancario", pmoId: "PMO-101" },
  { gid: "102", name: "Migración CRM", pmoId: "PMO-102" },
  { gid: "103", name: "Portal Clientes", pmoId: "PMO-103" },
  { gid: "104", name: "App Móvil Seguros", pmoId: "PMO-104" },
  { gid: "105", name: "Nómina Electrónica", pmoId: "PMO-105" },
];

/** Projects of other PMs, found only by PMO ID or full name. */
export const OTHER_PROJECTS: readonly ProjectRef[] = [
  { gid: "230", name: "Facturación Electrónica", pmoId: "PMO-230" },
  { gid: "231", name: "Intranet Corporativa", pmoId: "PMO-231" },
];

const PORTAL_ONLY: readonly ProjectRef[] = WRITERS_PROJECTS.filter((project) => project.gid === "103");

export const FIELDS = ["project", "progress", "health", "risks", "blockers", "nextSteps", "eta"] as const;
export type Field = (typeof FIELDS)[number];

export type ExpectedReading = {
  /** The chosen project's gid; null when none or several were named. */
  project: string | null;
  progress: number | null;
  health: Health | null;
  risks: string[];
  blockers: string[];
  nextSteps: string[];
  eta: string | null;
  language: Locale;
};

export type InterpreterCase = {
  name: string;
  text: string;
  /** "single": the writer has only Portal Clientes. */
  writer?: "all" | "single";
  locale?: Locale;
  expected: ExpectedReading;
  /** When no project is chosen: the gids the conversation should offer (any order). */
  candidates?: string[];
  /**
   * When the message reports on several projects: the project of each reading, in order (issue 13:
   * one reading per project). `expected` is then the first reading, the one interpretStatusUpdate
   * returns.
   */
  readings?: string[];
  /**
   * Fields the rule-based interpreter reads differently from a person, with why. The table keeps
   * the person's reading (it is what accuracy is measured against); the test checks these fields
   * are still missed, so a fix has to remove the entry.
   */
  knownMisses?: Partial<Record<Field, string>>;
};

export function inputFor(testCase: InterpreterCase): InterpretInput {
  return {
    text: testCase.text,
    projects: testCase.writer === "single" ? PORTAL_ONLY : WRITERS_PROJECTS,
    allProjects: [...WRITERS_PROJECTS, ...OTHER_PROJECTS],
    now: NOW,
    timezone: TIMEZONE,
    locale: testCase.locale ?? "es",
  };
}

/** The fields of an interpretation the table compares. */
export function readingOf(result: Interpretation): ExpectedReading {
  return {
    project: result.project?.gid ?? null,
    progress: result.progress,
    health: result.health,
    risks: result.risks,
    blockers: result.blockers,
    nextSteps: result.nextSteps,
    eta: result.eta,
    language: result.language,
  };
}

const nothing = {
  project: null,
  progress: null,
  health: null,
  risks: [],
  blockers: [],
  nextSteps: [],
  eta: null,
  language: "es",
} satisfies ExpectedReading;

function read(expected: Partial<ExpectedReading>): ExpectedReading {
  return { ...nothing, ...expected };
}

export const INTERPRETER_CASES: readonly InterpreterCase[] = [
  // --- The example from the design, and its relatives
  {
    name: "design example: PMO ID, progress, risk by supplier, Friday",
    text: "PMO-101 avance 70%, en riesgo por el proveedor, entrega el viernes",
    expected: read({
      project: "101",
      progress: 70,
      health: "at_risk",
      risks: ["el proveedor"],
      eta: "2026-07-10",
    }),
  },
  {
    name: "pmo with a space, 'por ciento'",
    text: "pmo 102 al 40 por ciento, todo bien",
    expected: read({ project: "102", progress: 40, health: "on_track" }),
  },
  {
    name: "PMO ID without separator, '% completado', next steps list",
    text: "PMO102: 55% completado, en tiempo. Próximos pasos: pruebas UAT, capacitación a usuarios",
    expected: read({
      project: "102",
      progress: 55,
      health: "on_track",
      nextSteps: ["pruebas UAT", "capacitación a usuarios"],
    }),
  },
  {
    name: "project by name, risks and next steps split on 'y'",
    text: "Portal Clientes: avance del 45%. Riesgos: retrasos en la integración y falta de personal. Próximos pasos: pruebas y despliegue.",
    expected: read({
      project: "103",
      progress: 45,
      health: "at_risk",
      risks: ["retrasos en la integración", "falta de personal"],
      nextSteps: ["pruebas", "despliegue"],
    }),
  },
  {
    name: "name sharing a word with another project, 'según lo planeado', numeric date",
    text: "Migración Core Bancario va al 80%, según lo planeado, termina el 15/07",
    expected: read({ project: "101", progress: 80, health: "on_track", eta: "2026-07-15" }),
  },
  {
    name: "no accents, typo in 'avance', 'sin riesgos'",
    text: "Migracion core bancario avanse 60% sin riesgos",
    expected: read({ project: "101", progress: 60 }),
  },
  {
    name: "number in words, green emoji",
    text: "App Movil Seguros: setenta por ciento, verde 🟢",
    expected: read({ project: "104", progress: 70, health: "on_track" }),
  },
  {
    name: "English: progress without percent sign, next steps split on 'and'",
    text: "App Móvil Seguros progress 70, on track, next steps: security review and store submission",
    expected: read({
      project: "104",
      progress: 70,
      health: "on_track",
      nextSteps: ["security review", "store submission"],
      language: "en",
    }),
  },
  {
    name: "English: number in words, 'all good', ETA month name",
    text: "PMO-104 seventy percent done, all good, ETA July 15",
    expected: read({ project: "104", progress: 70, health: "on_track", eta: "2026-07-15", language: "en" }),
  },
  {
    name: "'a la mitad', blocked by a team",
    text: "Portal Clientes a la mitad, bloqueado por el equipo de infraestructura",
    expected: read({
      project: "103",
      progress: 50,
      health: "off_track",
      blockers: ["el equipo de infraestructura"],
    }),
  },
  {
    name: "English: blocked by",
    text: "Portal Clientes 50%. Blocked by legal approval of the contract",
    expected: read({
      project: "103",
      progress: 50,
      health: "off_track",
      blockers: ["legal approval of the contract"],
      language: "en",
    }),
  },
  {
    name: "'atrasado' and an impediment",
    text: "PMO-102 atrasado, avance 35%. Impedimento: falta el acceso a la VPN del cliente",
    expected: read({
      project: "102",
      progress: 35,
      health: "off_track",
      blockers: ["falta el acceso a la VPN del cliente"],
    }),
  },
  {
    name: "on hold until further notice",
    text: "Migración CRM en pausa hasta nuevo aviso",
    expected: read({ project: "102", health: "on_hold" }),
  },
  {
    name: "stopped for lack of budget: on hold with its blocker",
    text: "PMO-103 detenido por falta de presupuesto",
    expected: read({ project: "103", health: "on_hold", blockers: ["falta de presupuesto"] }),
  },

  // --- Which project
  {
    name: "two projects named in full: one reading each, sharing the facts",
    text: "Migración CRM y Portal Clientes al 60%, todo en orden",
    readings: ["102", "103"],
    expected: read({ project: "102", progress: 60, health: "on_track" }),
  },
  {
    name: "two PMO IDs: one reading each, sharing the facts",
    text: "PMO-101 y PMO-103: avance 20%",
    readings: ["101", "103"],
    expected: read({ project: "101", progress: 20 }),
  },
  {
    name: "a word two project names share: none chosen",
    text: "Migración: avance 30%",
    candidates: ["101", "102"],
    expected: read({ progress: 30 }),
  },
  {
    name: "no project named, the writer has several",
    text: "avance 85%, en tiempo, entrega fin de mes",
    expected: read({ progress: 85, health: "on_track", eta: "2026-07-31" }),
  },
  {
    name: "no project named, the writer has only one",
    text: "avance 85%, en tiempo, entrega fin de mes",
    writer: "single",
    expected: read({ project: "103", progress: 85, health: "on_track", eta: "2026-07-31" }),
  },
  {
    name: "'vamos en 70', a risk with its text",
    text: "vamos en 70, riesgo: el proveedor de licencias no confirma fecha",
    writer: "single",
    expected: read({
      project: "103",
      progress: 70,
      health: "at_risk",
      risks: ["el proveedor de licencias no confirma fecha"],
    }),
  },
  {
    name: "part of a name, check mark, 'listo para el lunes'",
    text: "Core Bancario 90% ✅ listo para el lunes",
    expected: read({ project: "101", progress: 90, health: "on_track", eta: "2026-07-13" }),
  },
  {
    name: "acronym alone names the project, delay with its cause",
    text: "el CRM va en 25%, retrasado por el proveedor",
    expected: read({ project: "102", progress: 25, health: "off_track", blockers: ["el proveedor"] }),
  },
  {
    name: "100% and closing date",
    text: "PMO-105 Nómina: 100% completado, cerramos el 31/07",
    expected: read({ project: "105", progress: 100, eta: "2026-07-31" }),
  },
  {
    name: "PMO ID of another PM's project",
    text: "PMO-230 avance 10%",
    expected: read({ project: "230", progress: 10 }),
  },
  {
    name: "PMO ID nobody has",
    text: "PMO-999 avance 10%",
    expected: read({ progress: 10 }),
  },
  {
    name: "typo in a project name",
    text: "Portal Clientez avance 20%",
    expected: read({ project: "103", progress: 20 }),
  },
  {
    name: "typo and no accent in a three-word name",
    text: "App Movl Seguros 40%",
    expected: read({ project: "104", progress: 40 }),
  },
  {
    name: "name without accents, 'sin novedades'",
    text: "PMO-105 Nomina electronica sin novedades",
    expected: read({ project: "105", health: "on_track" }),
  },
  {
    name: "a project named inside a risk is not the project",
    text: "PMO-103 🟡 avance 30% - Riesgo: dependencia con Migración CRM",
    expected: read({
      project: "103",
      progress: 30,
      health: "at_risk",
      risks: ["dependencia con Migración CRM"],
    }),
  },
  {
    name: "a PMO ID inside a blocker is not the project",
    text: "Portal Clientes bloqueado por PMO-102",
    expected: read({ project: "103", health: "off_track", blockers: ["PMO-102"] }),
  },
  {
    name: "English: two projects, one reading each",
    text: "Portal Clientes and Migración CRM are both at 60%",
    readings: ["103", "102"],
    expected: read({ project: "103", progress: 60, language: "en" }),
  },

  // --- Slack formatting and hostile text
  {
    name: "bold, italics, strike, yellow circle shortcode",
    text: "*PMO-101* avance _75%_ :large_yellow_circle: riesgo: ~migración de datos~ lenta",
    expected: read({ project: "101", progress: 75, health: "at_risk", risks: ["migración de datos lenta"] }),
  },
  {
    name: "user mentions",
    text: "<@U024BE7LH> PMO-103 avance 60%, bloqueado por <@U999|maria.lopez>",
    expected: read({ project: "103", progress: 60, health: "off_track", blockers: ["@maria.lopez"] }),
  },
  {
    name: "a link with a label, date with month name",
    text: "PMO-104 avance 65% ver <https://app.asana.com/0/123|tablero>, entrega 15 de julio",
    expected: read({ project: "104", progress: 65, eta: "2026-07-15" }),
  },
  {
    name: "a channel broadcast, red circle",
    text: "<!channel> PMO-102 avance 20% 🔴 atrasado",
    expected: read({ project: "102", progress: 20, health: "off_track" }),
  },
  {
    name: "an escaped broadcast typed as text",
    text: "&lt;!here&gt; PMO-101 avance 5%",
    expected: read({ project: "101", progress: 5 }),
  },
  {
    name: "script tags and @everyone around a risk",
    text: "PMO-103 avance 40% &lt;script&gt;alert(1)&lt;/script&gt; riesgo: <!everyone> el proveedor",
    expected: read({ project: "103", progress: 40, health: "at_risk", risks: ["el proveedor"] }),
  },

  // --- Bullets and line breaks
  {
    name: "one fact per bullet",
    text: "Hola equipo!\n• PMO-103\n• Avance: 80%\n• Estado: en riesgo\n• Riesgo: rotación del equipo\n• ETA: 2026-07-24",
    expected: read({
      project: "103",
      progress: 80,
      health: "at_risk",
      risks: ["rotación del equipo"],
      eta: "2026-07-24",
    }),
  },
  {
    name: "header lines with bullets under them",
    text: "PMO-101 avance 40%\nRiesgos:\n- proveedor sin capacidad\n- cambios de alcance del cliente\nPróximos pasos:\n- cerrar diseño técnico\n- iniciar pruebas de integración",
    expected: read({
      project: "101",
      progress: 40,
      health: "at_risk",
      risks: ["proveedor sin capacidad", "cambios de alcance del cliente"],
      nextSteps: ["cerrar diseño técnico", "iniciar pruebas de integración"],
    }),
  },
  {
    name: "English: headers, asterisk and numbered bullets",
    text: "PMO-102 update\nProgress: 55%\nStatus: at risk\nRisks:\n* data quality issues in the legacy CRM\n* key user on vacation\nNext steps:\n1. finish data cleansing\n2. dry run migration",
    expected: read({
      project: "102",
      progress: 55,
      health: "at_risk",
      risks: ["data quality issues in the legacy CRM", "key user on vacation"],
      nextSteps: ["finish data cleansing", "dry run migration"],
      language: "en",
    }),
  },
  {
    name: "a cue on every bullet",
    text: "PMO-101 avance 30%\n- riesgo: proveedor\n- bloqueo: firma del contrato\n- siguiente paso: kickoff técnico",
    expected: read({
      project: "101",
      progress: 30,
      health: "off_track",
      risks: ["proveedor"],
      blockers: ["firma del contrato"],
      nextSteps: ["kickoff técnico"],
    }),
  },
  {
    name: "paragraphs separated by blank lines",
    text: "PMO-101 Avance 45%\n\nRiesgos: la migración de datos puede tomar más tiempo, el proveedor no tiene personal\n\nSiguiente paso: ejecutar prueba piloto el lunes",
    expected: read({
      project: "101",
      progress: 45,
      health: "at_risk",
      risks: ["la migración de datos puede tomar más tiempo", "el proveedor no tiene personal"],
      nextSteps: ["ejecutar prueba piloto el lunes"],
    }),
  },
  {
    name: "greeting and smiley around a plain health",
    text: "Hola! Les comparto el estado: todo según lo planeado 😊",
    writer: "single",
    expected: read({ project: "103", health: "on_track" }),
  },

  // --- Next steps with dates are not the ETA
  {
    name: "next steps with days in them",
    text: "PMO-103 al 70%. Próximos pasos: reunión con el cliente el viernes y despliegue la próxima semana",
    expected: read({
      project: "103",
      progress: 70,
      nextSteps: ["reunión con el cliente el viernes", "despliegue la próxima semana"],
    }),
  },
  {
    name: "two actions joined by 'y'",
    text: "PMO-104 avance del 70%, impedimentos: ninguno, próximos pasos: publicar en tiendas y monitorear",
    expected: read({ project: "104", progress: 70, nextSteps: ["publicar en tiendas", "monitorear"] }),
  },

  // --- Negations
  {
    name: "mixed languages, 'sin bloqueos'",
    text: "PMO-104 sin bloqueos, avance 90%, on track",
    expected: read({ project: "104", progress: 90, health: "on_track" }),
  },
  {
    name: "'no está atrasado'",
    text: "PMO-101: no está atrasado, avance 50%",
    expected: read({ project: "101", progress: 50, health: "on_track" }),
  },
  {
    name: "'no vamos a llegar a tiempo'",
    text: "PMO-102 avance 30%, no vamos a llegar a tiempo",
    expected: read({ project: "102", progress: 30, health: "off_track" }),
  },
  {
    name: "English: not blocked anymore, 'next:'",
    text: "PMO-103: not blocked anymore, progress 65%, next: UAT sign-off",
    expected: read({ project: "103", progress: 65, nextSteps: ["UAT sign-off"], language: "en" }),
  },
  {
    name: "all good, no blockers nor risks",
    text: "PMO-101 todo bien 👍, sin bloqueos ni riesgos",
    expected: read({ project: "101", health: "on_track" }),
  },
  {
    name: "'no hay riesgos', next step",
    text: "PMO-102: no hay riesgos, avance 50 %, próximo paso: validar con negocio",
    expected: read({ project: "102", progress: 50, nextSteps: ["validar con negocio"] }),
  },
  {
    name: "lists answered 'ninguno'",
    text: "PMO-102 avance 60%, riesgos: ninguno, bloqueos: ninguno",
    expected: read({ project: "102", progress: 60 }),
  },
  {
    name: "English: halfway, no blockers, a risk",
    text: "PMO-104: halfway there, no blockers, risk: Apple review times",
    expected: read({
      project: "104",
      progress: 50,
      health: "at_risk",
      risks: ["Apple review times"],
      language: "en",
    }),
  },

  // --- Percentages that are not progress, invalid values
  {
    name: "budget percentage is not progress",
    text: "PMO-101 el 30% del presupuesto ya se ejecutó, avance 25%",
    expected: read({ project: "101", progress: 25 }),
  },
  {
    name: "a percentage inside a risk",
    text: "PMO-104 avance 45%, riesgo: 20% de probabilidad de rechazo en la tienda",
    expected: read({
      project: "104",
      progress: 45,
      health: "at_risk",
      risks: ["20% de probabilidad de rechazo en la tienda"],
    }),
  },
  {
    name: "over 100% is not a progress",
    text: "PMO-105 avance 150%",
    expected: read({ project: "105" }),
  },
  {
    name: "'casi terminado' is not a number, tomorrow",
    text: "Portal Clientes casi terminado, entrega mañana",
    expected: read({ project: "103", eta: "2026-07-09" }),
  },
  {
    name: "decimal progress is rounded",
    text: "PMO-104 avance 70,5%",
    expected: read({ project: "104", progress: 71 }),
  },
  {
    name: "'estamos al 100%'",
    text: "PMO-101 estamos al 100%, proyecto terminado",
    expected: read({ project: "101", progress: 100 }),
  },
  {
    name: "'por la mitad', low risk says nothing",
    text: "PMO-103 vamos por la mitad, riesgo bajo",
    expected: read({ project: "103", progress: 50 }),
  },
  {
    name: "current and previous progress",
    text: "PMO-101: avance 60% (antes 50%)",
    expected: read({ project: "101", progress: 60 }),
  },

  // --- Dates of every kind
  {
    name: "ETA day/month",
    text: "PMO-102 ETA 15/07",
    expected: read({ project: "102", eta: "2026-07-15" }),
  },
  {
    name: "English: ETA month/day",
    text: "PMO-102 ETA 07/15, on track",
    expected: read({ project: "102", health: "on_track", eta: "2026-07-15", language: "en" }),
  },
  {
    name: "'fecha de entrega: 3 de agosto'",
    text: "PMO-104 fecha de entrega: 3 de agosto",
    expected: read({ project: "104", eta: "2026-08-03" }),
  },
  {
    name: "ISO date after go-live",
    text: "PMO-101 go-live el 2026-09-01",
    expected: read({ project: "101", eta: "2026-09-01" }),
  },
  {
    name: "'terminamos la próxima semana'",
    text: "PMO-105: terminamos la próxima semana",
    expected: read({ project: "105", eta: "2026-07-17" }),
  },
  {
    name: "English: deadline end of month",
    text: "PMO-105 deadline end of month, progress 80%",
    expected: read({ project: "105", progress: 80, eta: "2026-07-31", language: "en" }),
  },
  {
    name: "English: delivery next Friday",
    text: "PMO-102 delivery next Friday, 60% done",
    expected: read({ project: "102", progress: 60, eta: "2026-07-10", language: "en" }),
  },
  {
    name: "'ETA en dos semanas'",
    text: "PMO-103: ETA en dos semanas",
    expected: read({ project: "103", eta: "2026-07-22" }),
  },
  {
    name: "'a fin de julio'",
    text: "PMO-101 lo cerramos a fin de julio",
    expected: read({ project: "101", eta: "2026-07-31" }),
  },
  {
    name: "Wednesday on a Wednesday is next week's",
    text: "PMO-104 listo el miércoles",
    expected: read({ project: "104", eta: "2026-07-15" }),
  },
  {
    name: "English: finish on Monday",
    text: "PMO-102 we finish on Monday, on track",
    expected: read({ project: "102", health: "on_track", eta: "2026-07-13", language: "en" }),
  },
  {
    name: "'el viernes de la próxima semana'",
    text: "PMO-103 entrega el viernes de la próxima semana",
    expected: read({ project: "103", eta: "2026-07-17" }),
  },
  {
    name: "English: month/day with 'go-live on'",
    text: "Quick update on PMO-101: we're at 85%, green, go-live on 7/20",
    expected: read({ project: "101", progress: 85, health: "on_track", eta: "2026-07-20", language: "en" }),
  },
  {
    name: "English: tomorrow, ninety percent",
    text: "PMO-102 ninety percent, on schedule, finishing tomorrow",
    expected: read({ project: "102", progress: 90, health: "on_track", eta: "2026-07-09", language: "en" }),
  },
  {
    name: "English: delayed by a duration, new ETA",
    text: "PMO-105 delayed by two weeks, new ETA 2026-07-31",
    expected: read({ project: "105", health: "off_track", eta: "2026-07-31", language: "en" }),
  },

  // --- Typos
  {
    name: "'riezgo', 'proximos pasos' without accent, semicolon",
    text: "riezgo: salida del arquitecto líder; proximos pasos: contratar reemplazo",
    writer: "single",
    expected: read({
      project: "103",
      health: "at_risk",
      risks: ["salida del arquitecto líder"],
      nextSteps: ["contratar reemplazo"],
    }),
  },
  {
    name: "'bloquedo'",
    text: "PMO-101 bloquedo por el proveedor de hardware",
    expected: read({ project: "101", health: "off_track", blockers: ["el proveedor de hardware"] }),
  },
  {
    name: "'retrazado'",
    text: "PMO 102 avance 40% retrazado por cambios del cliente",
    expected: read({ project: "102", progress: 40, health: "off_track", blockers: ["cambios del cliente"] }),
  },

  // --- Health phrases and emojis
  {
    name: "warning shortcode and 'riesgo de que'",
    text: "PMO-104 :warning: riesgo de que la tienda rechace la app, avance 85%",
    expected: read({ project: "104", progress: 85, health: "at_risk", risks: ["la tienda rechace la app"] }),
  },
  {
    name: "English: warning emoji, at risk due to, next steps",
    text: "PMO-105 ⚠️ at risk due to vendor delays; next steps: escalate to procurement",
    expected: read({
      project: "105",
      health: "at_risk",
      risks: ["vendor delays"],
      nextSteps: ["escalate to procurement"],
      language: "en",
    }),
  },
  {
    name: "English: pipes between fields, red",
    text: "pmo-101 progress: 35 % | health: red | blockers: waiting on firewall rules from security",
    expected: read({
      project: "101",
      progress: 35,
      health: "off_track",
      blockers: ["waiting on firewall rules from security"],
      language: "en",
    }),
  },
  {
    name: "English: at risk with an unread explanation",
    text: "PMO-103: 40%, at risk, the vendor hasn't delivered the API keys",
    expected: read({ project: "103", progress: 40, health: "at_risk", language: "en" }),
  },
  {
    name: "English: paused until budget approval",
    text: "PMO-103 is paused until the budget is approved",
    expected: read({ project: "103", health: "on_hold", language: "en" }),
  },
  {
    name: "English: behind schedule because of a review",
    text: "PMO-104 behind schedule because of App Store review, ETA next week",
    expected: read({
      project: "104",
      health: "off_track",
      blockers: ["App Store review"],
      eta: "2026-07-17",
      language: "en",
    }),
  },
  {
    name: "'en amarillo por'",
    text: "PMO-102 en amarillo por temas de calidad de datos",
    expected: read({ project: "102", health: "at_risk", risks: ["temas de calidad de datos"] }),
  },
  {
    name: "only a progress, no project",
    text: "Avance 60%",
    expected: read({ progress: 60 }),
  },
  // --- Longer, freer writing
  {
    name: "free prose: a blocker said without a cue",
    text: "Buenos días. Actualización PMO-101: llevamos un 65% de avance. El proveedor de core sigue sin entregar el ambiente de QA, eso nos bloquea. Esperamos terminar el 31 de julio.",
    expected: read({
      project: "101",
      progress: 65,
      health: "off_track",
      blockers: ["El proveedor de core sigue sin entregar el ambiente de QA"],
      eta: "2026-07-31",
    }),
  },
  {
    name: "a delay with its length and cause, a next step with a date",
    text: "PMO-102 - Estamos al 45%, con retraso de una semana por la migración de datos. Próximo paso: carga final el 20/07",
    expected: read({
      project: "102",
      progress: 45,
      health: "off_track",
      blockers: ["la migración de datos"],
      nextSteps: ["carga final el 20/07"],
    }),
  },
  {
    name: "'90% listo', a bare 'riesgo medio'",
    text: "Update PMO-104: app en revisión de Apple, 90% listo. Si no la aprueban esta semana nos vamos a la próxima. Riesgo medio.",
    expected: read({ project: "104", progress: 90, health: "at_risk" }),
  },
  {
    name: "go-live in its own sentence",
    text: "PMO-105 Nómina: todo verde, 75%, sin impedimentos. Siguientes pasos: paralelo con nómina actual. Salida en vivo el 1 de agosto",
    expected: read({
      project: "105",
      progress: 75,
      health: "on_track",
      nextSteps: ["paralelo con nómina actual"],
      eta: "2026-08-01",
    }),
  },
  {
    name: "English: progress in brackets, go-live after 'then' in next steps",
    text: "PMO-103 status: on track. 3 of 5 sprints done (60%). Next: regression testing, then go-live Aug 15.",
    expected: read({
      project: "103",
      progress: 60,
      health: "on_track",
      nextSteps: ["regression testing"],
      eta: "2026-08-15",
      language: "en",
    }),
  },
  {
    name: "red, a blocker told as a story",
    text: "PMO-101: Seguimos en rojo. El banco no ha liberado los accesos a producción y sin eso no podemos avanzar. Avance real 38%.",
    expected: read({
      project: "101",
      progress: 38,
      health: "off_track",
      blockers: ["El banco no ha liberado los accesos a producción"],
    }),
  },
  {
    name: "every field labelled",
    text: "PMO-102 avance 50%. Riesgo: el cliente puede cambiar el alcance. Bloqueo: ninguno por ahora. ETA: 30/08",
    expected: read({
      project: "102",
      progress: 50,
      health: "at_risk",
      risks: ["el cliente puede cambiar el alcance"],
      eta: "2026-08-30",
    }),
  },
  {
    name: "amber with an explanation, new date",
    text: "Core bancario: 72%, amarillo, el proveedor pidió 2 semanas más para el módulo de pagos. Nueva fecha: 14 de agosto.",
    expected: read({
      project: "101",
      progress: 72,
      health: "at_risk",
      risks: ["el proveedor pidió 2 semanas más para el módulo de pagos"],
      eta: "2026-08-14",
    }),
    knownMisses: { risks: "the risk is explained, not labelled" },
  },
  {
    name: "English: prose with a launch date and no risks",
    text: "Hi team, App Movil Seguros is 80% complete and on track for the July 31 launch. No risks at the moment.",
    expected: read({ project: "104", progress: 80, health: "on_track", eta: "2026-07-31", language: "en" }),
  },
  {
    name: "stopped waiting for an approval",
    text: "PMO-105 sin avance esta semana, detenido esperando aprobación de RRHH",
    expected: read({ project: "105", health: "on_hold", blockers: ["aprobación de RRHH"] }),
  },
  {
    name: "arrow, emoji and go-live with weekday and date",
    text: "PMO-103 → 85%, 🟢, go live el lunes 20 de julio",
    expected: read({ project: "103", progress: 85, health: "on_track", eta: "2026-07-20" }),
  },
  {
    name: "a form: one label per line",
    text: "Portal clientes\nAvance: 92%\nSalud: Verde\nPróximos pasos: pruebas de carga y estrés, capacitación\nFecha fin: 24/07",
    expected: read({
      project: "103",
      progress: 92,
      health: "on_track",
      nextSteps: ["pruebas de carga y estrés", "capacitación"],
      eta: "2026-07-24",
    }),
  },
  {
    name: "a project named by one word, 'va bien', delivery kept",
    text: "El proyecto de nómina va bien, 60 por ciento, la entrega sigue para el 15 de agosto",
    expected: read({ project: "105", progress: 60, health: "on_track", eta: "2026-08-15" }),
  },
  {
    name: "late by two weeks because of a certification",
    text: "PMO-104 atrasados 2 semanas por la certificación de seguridad, avance 55%",
    expected: read({
      project: "104",
      progress: 55,
      health: "off_track",
      blockers: ["la certificación de seguridad"],
    }),
  },
  {
    name: "English: everything in one line with semicolons",
    text: "PMO-101 progress 40% (was 35%), risks: vendor staffing, data migration complexity; blockers: none; next steps: finalize cutover plan",
    expected: read({
      project: "101",
      progress: 40,
      health: "at_risk",
      risks: ["vendor staffing", "data migration complexity"],
      nextSteps: ["finalize cutover plan"],
      language: "en",
    }),
  },
  {
    name: "numbered risks on one line",
    text: "PMO-102: Avance 20 %. Semáforo amarillo. Riesgos: 1) falta de datos maestros 2) disponibilidad del equipo de negocio",
    expected: read({
      project: "102",
      progress: 20,
      health: "at_risk",
      risks: ["falta de datos maestros", "disponibilidad del equipo de negocio"],
    }),
  },
  {
    name: "'estamos en 75', 'entregamos el 17'",
    text: "PMO-103 estamos en 75 y vamos bien, entregamos el 17",
    expected: read({ project: "103", progress: 75, health: "on_track", eta: "2026-07-17" }),
  },
  {
    name: "nothing new this week",
    text: "Sin cambios esta semana en PMO-105.",
    expected: read({ project: "105" }),
  },
  {
    name: "late, and a high risk with its text",
    text: "PMO-101 retrasado, riesgo alto de perder al arquitecto",
    expected: read({ project: "101", health: "off_track", risks: ["perder al arquitecto"] }),
  },
  {
    name: "stories done as a fraction, then the percentage",
    text: "PMO-104: 8/10 historias completadas, 80%",
    expected: read({ project: "104", progress: 80 }),
  },
  {
    name: "a problem solved, all in order",
    text: "PMO-101: Avanzamos al 55%. Tuvimos un problema con el servidor de pruebas pero ya está resuelto. Todo en orden.",
    expected: read({ project: "101", progress: 55, health: "on_track" }),
  },
  {
    name: "ETA to be defined",
    text: "PMO-105 ETA: TBD",
    expected: read({ project: "105" }),
  },
  {
    name: "next week first, then the delivery verb",
    text: "PMO 104 al 60%, la próxima semana entregamos el MVP",
    expected: read({ project: "104", progress: 60, eta: "2026-07-17" }),
  },
  {
    name: "progress word before the PMO ID",
    text: "Avance PMO-103: 45%",
    expected: read({ project: "103", progress: 45 }),
  },
  {
    name: "name with 'de' in it, go-live on a weekday and day",
    text: "Equipo, el Portal de Clientes quedó al 95%, solo faltan ajustes menores. Salimos a producción el martes 14.",
    expected: read({ project: "103", progress: 95, nextSteps: ["ajustes menores"], eta: "2026-07-14" }),
  },
  {
    name: "acronym first, grimace emoji, blocked with",
    text: "CRM: 30% 😬 el proveedor nos tiene bloqueados con las licencias",
    expected: read({ project: "102", progress: 30, health: "off_track", blockers: ["las licencias"] }),
  },
  {
    name: "weekly report form with planned progress and a next milestone",
    text: "Reporte semanal PMO-104\nAvance: 68% (planeado 75%)\nEstado: atrasado\nBloqueos: pendiente firma de contrato con el proveedor de pagos\nSiguiente hito: pruebas con usuarios el 22/07",
    expected: read({
      project: "104",
      progress: 68,
      health: "off_track",
      blockers: ["pendiente firma de contrato con el proveedor de pagos"],
      nextSteps: ["pruebas con usuarios el 22/07"],
    }),
  },
  {
    name: "dashes between facts, 'sin novedad'",
    text: "pmo-101 avance 50% - el equipo está trabajando en la integración con SWIFT - sin novedad",
    expected: read({ project: "101", progress: 50, health: "on_track" }),
  },
  {
    name: "100% of features is progress, go live kept",
    text: "Todo en verde con el portal 👍 llegamos al 100% de las funcionalidades, el go live sigue para el 24 de julio",
    expected: read({ project: "103", progress: 100, health: "on_track", eta: "2026-07-24" }),
  },
  {
    name: "two risks joined by 'y', a project name inside one",
    text: "PMO-105 avance 35%, riesgos: rotación de personal y la ley de nómina electrónica cambia en agosto",
    expected: read({
      project: "105",
      progress: 35,
      health: "at_risk",
      risks: ["rotación de personal", "la ley de nómina electrónica cambia en agosto"],
    }),
  },
  {
    name: "stopped, waiting for a committee",
    text: "Migración CRM sigue detenida; esperamos la decisión del comité la próxima semana",
    expected: read({ project: "102", health: "on_hold", blockers: ["la decisión del comité"] }),
    knownMisses: { blockers: "'esperamos …' is not read as a blocker" },
  },
  {
    name: "weeks late, new go-live date",
    text: "PMO-103 estamos 2 semanas atrasados, nueva fecha de salida 31/07, avance 60%",
    expected: read({ project: "103", progress: 60, health: "off_track", eta: "2026-07-31" }),
  },
  {
    name: "rocket and an exclamation",
    text: "PMO-104 🚀 lanzamiento el 15/07! avance 98%",
    expected: read({ project: "104", progress: 98, eta: "2026-07-15" }),
  },
  {
    name: "'avance acumulado'",
    text: "PMO-101 sprint 6 cerrado, avance acumulado 62%, velocidad estable",
    expected: read({ project: "101", progress: 62 }),
  },
  {
    name: "'porciento' in one word, no accents, next step without colon",
    text: "avanse del 80 porciento y sin bloqueos, siguiente paso capacitacion a usuarios finales",
    writer: "single",
    expected: read({ project: "103", progress: 80, nextSteps: ["capacitacion a usuarios finales"] }),
  },
  {
    name: "two words of a three-word name, apart",
    text: "App Seguros: avance 70%, desarrollo terminado. Fecha estimada de publicación: 05/08",
    expected: read({ project: "104", progress: 70, eta: "2026-08-05" }),
  },
  {
    name: "em dashes",
    text: "PMO-101 — 55% — 🟡 — riesgo: dependencias con el equipo de seguridad",
    expected: read({
      project: "101",
      progress: 55,
      health: "at_risk",
      risks: ["dependencias con el equipo de seguridad"],
    }),
  },
  {
    name: "a form with '% Avance' and 'N/A'",
    text: "Proyecto Portal Clientes\nEstado: En tiempo\n% Avance: 85\nRiesgos: N/A\nComentarios: se completó la migración de usuarios",
    expected: read({ project: "103", progress: 85, health: "on_track" }),
  },
  {
    name: "actual against planned",
    text: "PMO-104 avance 70% vs 80% planeado, en riesgo",
    expected: read({ project: "104", progress: 70, health: "at_risk" }),
  },
  {
    name: "English: delayed due to",
    text: "PMO-102: progress is 65%, we are slightly delayed due to data issues",
    expected: read({
      project: "102",
      progress: 65,
      health: "off_track",
      blockers: ["data issues"],
      language: "en",
    }),
  },
  {
    name: "'avanzó a', next week then the verb",
    text: "Hola, PMO-103 avanzó a 88%. La próxima semana cerramos.",
    expected: read({ project: "103", progress: 88, eta: "2026-07-17" }),
  },
  {
    name: "English: risks announced in prose, ordinal date",
    text: "Morning! Portal Clientes: 73% done. A couple of risks: the SSO integration and pending security sign-off. We're targeting July 24th for go-live.",
    expected: read({
      project: "103",
      progress: 73,
      health: "at_risk",
      risks: ["the SSO integration", "pending security sign-off"],
      eta: "2026-07-24",
      language: "en",
    }),
  },
  {
    name: "English: blocked until a patch arrives",
    text: "PMO-101 update: we hit a snag with the mainframe connector, now blocked until IBM sends a patch. Progress stays at 48%.",
    expected: read({
      project: "101",
      progress: 48,
      health: "off_track",
      blockers: ["IBM sends a patch"],
      language: "en",
    }),
  },
  {
    name: "remaining work and a planned close",
    text: "Nómina electrónica 🟢 90%. Faltan pruebas de regresión. Cierre previsto: 29/07",
    expected: read({
      project: "105",
      progress: 90,
      health: "on_track",
      nextSteps: ["pruebas de regresión"],
      eta: "2026-07-29",
    }),
  },
  {
    name: "English: in red, a missed deadline",
    text: "PMO-102 in red: the vendor missed the second deadline. Escalated to the steering committee. New ETA unknown.",
    expected: read({
      project: "102",
      health: "off_track",
      blockers: ["the vendor missed the second deadline"],
      language: "en",
    }),
  },
  {
    name: "three facts, three commas",
    text: "PMO-104, 61%, a tiempo.",
    expected: read({ project: "104", progress: 61, health: "on_track" }),
  },
  {
    name: "late by weeks, a stated cause, a next step",
    text: "Actualizo: Migración Core Bancario 🔴 retrasada 3 semanas. Causa: el proveedor cambió el equipo. Próximo paso: reunión de escalamiento el jueves.",
    expected: read({
      project: "101",
      health: "off_track",
      blockers: ["el proveedor cambió el equipo"],
      nextSteps: ["reunión de escalamiento el jueves"],
    }),
  },
  {
    name: "go-live postponed, with a reason",
    text: "PMO-105 se pospone el go live al 15 de agosto por cambios regulatorios",
    expected: read({
      project: "105",
      health: "off_track",
      blockers: ["cambios regulatorios"],
      eta: "2026-08-15",
    }),
  },
  {
    name: "closed, with emojis",
    text: "pmo-103: 100% ✅ proyecto cerrado 🎉",
    expected: read({ project: "103", progress: 100, health: "on_track" }),
  },
  {
    name: "a full form with headers and bullets",
    text: "PMO-101\n\nAvance: 58%\nRiesgos:\n• Salida de un desarrollador senior\n• Cambios en requerimientos regulatorios\nBloqueos: Ninguno\nPróximos pasos:\n• Pruebas integrales\n• Capacitación\nFecha estimada de cierre: 30 de septiembre",
    expected: read({
      project: "101",
      progress: 58,
      health: "at_risk",
      risks: ["Salida de un desarrollador senior", "Cambios en requerimientos regulatorios"],
      nextSteps: ["Pruebas integrales", "Capacitación"],
      eta: "2026-09-30",
    }),
  },
  {
    name: "English: 'next steps are', 'and' inside one step",
    text: "PMO-102 is green, 42% complete, next steps are data mapping workshops with finance and HR",
    expected: read({
      project: "102",
      progress: 42,
      health: "on_track",
      nextSteps: ["data mapping workshops with finance and HR"],
      language: "en",
    }),
  },
  {
    name: "one word of the name, late a week because of an absence",
    text: "Portal: atrasado una semana por ausencia del líder técnico, se recupera en sprint 8",
    expected: read({ project: "103", health: "off_track", blockers: ["ausencia del líder técnico"] }),
  },
  {
    name: "another project's name inside a risk, middle dot",
    text: "PMO-104 avance 77 % · riesgo: la API del core bancario no soporta el volumen esperado",
    expected: read({
      project: "104",
      progress: 77,
      health: "at_risk",
      risks: ["la API del core bancario no soporta el volumen esperado"],
    }),
  },
  {
    name: "English: explicit at risk beside a blocker",
    text: "PMO-105 progress 15%; at risk; blocker: missing legal opinion on e-payroll",
    expected: read({
      project: "105",
      progress: 15,
      health: "at_risk",
      blockers: ["missing legal opinion on e-payroll"],
      language: "en",
    }),
  },
  {
    name: "delivery moved to a weekday and date",
    text: "Migración CRM: la entrega se mueve al lunes 3 de agosto",
    expected: read({ project: "102", eta: "2026-08-03" }),
  },
  {
    name: "a month alone is no ETA",
    text: "el proyecto de seguros va 40%, sin riesgo, entrega en julio",
    expected: read({ project: "104", progress: 40 }),
  },
  {
    name: "'cincuenta por ciento' and 'fuera de plan'",
    text: "PMO-105 cincuenta por ciento, fuera de plan",
    expected: read({ project: "105", progress: 50, health: "off_track" }),
  },
];
