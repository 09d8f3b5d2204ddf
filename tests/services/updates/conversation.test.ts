import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ParsedUpdate } from "../../../services/model.ts";
import { checkUpdateModal } from "../../../services/slack/blocks/modals/update-modal.ts";
import {
  parseUpdateRef,
  UPDATE_CANCEL,
  UPDATE_CHOOSE_PROJECT,
  UPDATE_CONFIRM,
  UPDATE_EDIT,
  UPDATE_FIELDS,
  UPDATE_MODAL,
  type UpdateActionId,
} from "../../../services/slack/update-ids.ts";
import {
  type ActiveConversation,
  classifyText,
  type Draft,
  fromStored,
  MAX_CHOICES,
  MAX_PARTS,
  onCancel,
  onChooseProject,
  onConfirm,
  onEdit,
  onText,
  type Part,
  type Prior,
  type ProjectChoice,
  type Reading,
  type Step,
  type TextInput,
  UPDATE_TEXT_MAX,
  type Writer,
  withoutPart,
} from "../../../services/updates/conversation.ts";
import {
  ADMIN,
  buttonValue,
  dmFrom,
  messageButtons,
  NO_EMAIL,
  OWNER2,
  P1,
  P2,
  P3,
  PM,
  PM_DM,
  UNMAPPED,
  type UpdateWorld,
  updateWorld,
} from "../../fixtures/update-world.ts";

// ---- the pure machine ----------------------------------------------------------------------------

const NOW = "2026-03-04T15:00:00.000Z";
const portal: ProjectChoice = { gid: "p1", name: "Portal de clientes", pmoId: "PMO-101", url: null };
const erp: ProjectChoice = { gid: "p2", name: "Migración ERP", pmoId: "PMO-102", url: null };
const movil: ProjectChoice = { gid: "p3", name: "App móvil", pmoId: "PMO-201", url: null };

const parsed = (overrides: Partial<ParsedUpdate> = {}): ParsedUpdate => ({
  progress: 70,
  health: "at_risk",
  risks: ["el proveedor"],
  blockers: [],
  nextSteps: [],
  eta: null,
  ...overrides,
});
const nothing: ParsedUpdate = {
  progress: null,
  health: null,
  risks: [],
  blockers: [],
  nextSteps: [],
  eta: null,
};

const pm: Writer = {
  slackUserId: "UPM",
  isAdmin: false,
  asanaUserGid: "a-pm",
  email: "pm@x.example",
  projects: [portal, erp],
};

const reading = (overrides: Partial<Reading> = {}): Reading => ({
  project: null,
  named: [],
  parsed: parsed(),
  unread: [],
  unknownPmoIds: [],
  etaUncertain: false,
  ...overrides,
});

const text = (
  overrides: Partial<TextInput> & { reading?: Reading; readings?: Reading[] } = {},
): TextInput => {
  const { reading: given, readings, ...rest } = overrides;
  return {
    writer: pm,
    prior: null,
    text: "avance 70%, en riesgo por el proveedor",
    sourceId: "Ev1",
    receivedAt: NOW,
    newId: "new",
    read: () => readings ?? [given ?? reading()],
    ...rest,
  };
};

const draft = (sourceId = "Ev0"): Draft => ({
  sourceId,
  text: "PMO-101 avance 70%",
  receivedAt: NOW,
  parsed: parsed(),
  unread: [],
  etaUncertain: false,
  interpreted: null,
});

const confirming = (version = 1, project = portal, others: Part[] = []): ActiveConversation => ({
  state: "confirming",
  id: "c1",
  version,
  draft: draft(),
  project,
  others,
  refused: [],
  unplaced: 0,
});
const choosing = (version = 1): ActiveConversation => ({
  state: "choosing_project",
  id: "c1",
  version,
  draft: draft(),
  choices: [portal, erp],
  more: 0,
  named: false,
  before: [],
  after: [],
  refused: [],
  unplaced: 0,
});
const live = (conversation: ActiveConversation): Prior => ({ conversation, expired: false });
const expired = (conversation: ActiveConversation): Prior => ({ conversation, expired: true });
const ref = (version = 1, projectGid: string | null = null) => ({
  conversationId: "c1",
  version,
  projectGid,
});

/** The conversation a step stores, read back as the next input finds it. */
function priorAfter(step: Step): Prior {
  if (step.next === "clear" || step.next === "keep") throw new Error("the step stores nothing");
  const stored = { slackUserId: "UPM", updatedAt: NOW, expiresAt: 0, version: step.expectedVersion + 1 };
  const conversation = fromStored({ ...stored, state: step.next.state, data: step.next.data });
  if (conversation === null) throw new Error("not read back");
  return live(conversation);
}

describe("classifyText", () => {
  it.each([
    ["ayuda", "help"],
    ["Help", "help"],
    ["*ayuda*", "help"],
    ["", "help"],
    ["sí", "confirm"],
    ["Confirmar", "confirm"],
    ["ok", "confirm"],
    ["cancelar", "cancel"],
    ["no", "cancel"],
    ["PMO-101 avance 70%", "update"],
    ["ayuda con el proveedor, avance 20%", "update"],
    ["x".repeat(UPDATE_TEXT_MAX), "update"],
    ["x".repeat(UPDATE_TEXT_MAX + 1), "too_long"],
  ] as const)("%j is %s", (input, kind) => {
    expect(classifyText(input)).toBe(kind);
  });
});

describe("a text", () => {
  it("asks for help's answer without touching the conversation", () => {
    const step = onText(text({ text: "ayuda", prior: live(confirming()) }));
    expect(step).toMatchObject({ next: "keep", reply: { kind: "help" }, submit: null });
  });

  it("that is too long is answered with its length and the limit", () => {
    const step = onText(text({ text: "a".repeat(40_000) }));
    expect(step).toMatchObject({
      next: "keep",
      reply: { kind: "too_long", length: 40_000, max: UPDATE_TEXT_MAX },
    });
  });

  it("naming one of the writer's projects goes to confirming, version 1", () => {
    const step = onText(text({ reading: reading({ project: portal }) }));
    expect(step.next).toMatchObject({ state: "confirming", data: { id: "new", project: portal } });
    expect(step.expectedVersion).toBe(0);
    expect(step.reply).toMatchObject({
      kind: "confirm",
      project: portal,
      ref: { conversationId: "new", version: 1 },
    });
  });

  it("from a writer with exactly one project does not ask which", () => {
    const step = onText(text({ writer: { ...pm, projects: [portal] } }));
    expect(step.reply).toMatchObject({ kind: "confirm", project: portal });
  });

  it("naming none of several projects offers all of the writer's", () => {
    const step = onText(text());
    expect(step.next).toMatchObject({
      state: "choosing_project",
      data: { choices: [portal, erp], named: false },
    });
    expect(step.reply).toMatchObject({
      kind: "choose_project",
      choices: [portal, erp],
      more: 0,
      named: false,
    });
  });

  it("naming several offers those", () => {
    const step = onText(
      text({
        writer: { ...pm, projects: [portal, erp, movil] },
        reading: reading({ named: [portal, movil] }),
      }),
    );
    expect(step.reply).toMatchObject({ kind: "choose_project", choices: [portal, movil], named: true });
  });

  it("offers at most a message's worth of buttons", () => {
    const many = Array.from({ length: MAX_CHOICES + 5 }, (_, i) => ({ ...portal, gid: `g${i}` }));
    const step = onText(text({ writer: { ...pm, projects: many } }));
    expect(step.reply).toMatchObject({ kind: "choose_project", more: 5 });
    expect(step.reply.kind === "choose_project" && step.reply.choices).toHaveLength(MAX_CHOICES);
  });

  it("naming someone else's project is refused", () => {
    const step = onText(text({ reading: reading({ project: movil }) }));
    expect(step).toMatchObject({ next: "keep", reply: { kind: "not_allowed", project: movil } });
    const named = onText(text({ reading: reading({ named: [movil] }) }));
    expect(named.reply).toMatchObject({ kind: "not_allowed", project: movil });
  });

  it("from an admin may be about any project", () => {
    const admin: Writer = { ...pm, isAdmin: true, asanaUserGid: null, projects: [] };
    expect(onText(text({ writer: admin, reading: reading({ project: movil }) })).reply).toMatchObject({
      kind: "confirm",
      project: movil,
    });
    expect(onText(text({ writer: admin })).reply).toEqual({ kind: "need_pmo_id" });
  });

  it("from a writer without an Asana user says why; without projects, that", () => {
    const unmapped = { ...pm, asanaUserGid: null, projects: [] };
    expect(onText(text({ writer: unmapped })).reply).toEqual({ kind: "unmapped", email: "pm@x.example" });
    expect(onText(text({ writer: { ...pm, projects: [] } })).reply).toEqual({ kind: "no_projects" });
  });

  it("naming an unknown PMO ID says so; saying nothing says that", () => {
    expect(
      onText(text({ reading: reading({ parsed: parsed(), unknownPmoIds: ["PMO-999"] }) })).reply,
    ).toEqual({ kind: "unknown_project", pmoIds: ["PMO-999"] });
    expect(onText(text({ text: "hola", reading: reading({ parsed: nothing }) })).reply).toEqual({
      kind: "not_understood",
    });
  });

  it("while confirming replaces the draft, in the same conversation, one version on", () => {
    const step = onText(text({ prior: live(confirming(3)), reading: reading({ project: erp }) }));
    expect(step.notices).toEqual(["replaced"]);
    expect(step.expectedVersion).toBe(3);
    expect(step.next).toMatchObject({ state: "confirming", data: { id: "c1", project: erp } });
    expect(step.reply).toMatchObject({ ref: { conversationId: "c1", version: 4 } });
  });

  it("after an expiry starts a new conversation, saying so", () => {
    const step = onText(text({ prior: expired(confirming(3)), reading: reading({ project: erp }) }));
    expect(step.notices).toEqual(["expired"]);
    expect(step.expectedVersion).toBe(0);
    expect(step.reply).toMatchObject({ kind: "confirm", ref: { conversationId: "new", version: 1 } });
  });

  it("«sí» confirms a live draft; with none it says so, or that it expired", () => {
    const step = onText(text({ text: "sí", prior: live(confirming(2)) }));
    expect(step).toMatchObject({
      next: "clear",
      reply: { kind: "saving" },
      submit: { submissionId: "confirm:c1:2", projectGid: portal.gid, draft: draft() },
    });
    expect(onText(text({ text: "sí" })).reply).toEqual({ kind: "nothing_pending" });
    expect(onText(text({ text: "sí", prior: expired(confirming()) })).reply).toEqual({ kind: "expired" });
    expect(onText(text({ text: "sí", prior: live(choosing()) })).reply).toMatchObject({
      kind: "choose_project",
    });
  });

  it("«cancelar» drops a live draft", () => {
    expect(onText(text({ text: "cancelar", prior: live(confirming()) }))).toMatchObject({
      next: "clear",
      reply: { kind: "cancelled" },
    });
  });

  it("naming just a project while choosing settles the pending draft", () => {
    const step = onText(
      text({
        text: "PMO-102",
        prior: live(choosing(2)),
        reading: reading({ project: erp, parsed: nothing }),
      }),
    );
    expect(step.next).toMatchObject({
      state: "confirming",
      data: { id: "c1", project: erp, draft: draft() },
    });
    expect(step.reply).toMatchObject({ kind: "confirm", ref: { version: 3 } });
  });

  it("delivered again (a retry) answers as before and changes nothing", () => {
    const prior = live({ ...confirming(2), draft: draft("Ev1") });
    const step = onText(
      text({
        prior,
        read: () => {
          throw new Error("not read again");
        },
      }),
    );
    expect(step).toMatchObject({
      next: "keep",
      reply: { kind: "confirm", ref: { conversationId: "c1", version: 2 } },
    });
  });
});

describe("a lookup (lookup-phrases.ts)", () => {
  it.each([
    ["mis proyectos", "lookup"],
    ["what are my projects?", "lookup"],
    ["¿cómo va PMO-101?", "lookup"],
    ["hallazgos", "lookup"],
    ["necesito ayuda", "help"],
    ["hola", "update"],
  ] as const)("%j is classified %s", (input, kind) => {
    expect(classifyText(input)).toBe(kind);
  });

  it("is answered without storing anything", () => {
    expect(onText(text({ text: "mis proyectos", reading: reading({ parsed: nothing }) }))).toEqual({
      next: "keep",
      expectedVersion: 0,
      reply: { kind: "lookup", lookups: [{ kind: "mine" }] },
      notices: [],
      submit: null,
    });
  });

  it("naming a project and nothing else shows it; with update content it is an update", () => {
    const asked = text({ text: "¿cómo va PMO-101?", reading: reading({ project: portal, parsed: nothing }) });
    expect(onText(asked).reply).toEqual({ kind: "lookup", lookups: [{ kind: "project", pmoId: "PMO-101" }] });
    for (const content of [
      { progress: 60 },
      { health: "on_track" as const },
      { risks: ["el proveedor"] },
      { blockers: ["accesos"] },
      { nextSteps: ["pruebas"] },
      { eta: "2026-03-20" },
    ]) {
      const read = reading({ project: portal, parsed: { ...nothing, ...content } });
      const step = onText(text({ text: "¿cómo va PMO-101?", reading: read }));
      expect(step.reply).toMatchObject({ kind: "confirm", project: portal });
      expect(step.next).toMatchObject({ state: "confirming" });
    }
  });

  it("leaves a draft waiting for Confirmar as it is", () => {
    const bare = reading({ project: portal, parsed: nothing });
    const step = onText(text({ text: "PMO-101", prior: live(confirming(3)), reading: bare }));
    expect(step).toMatchObject({ next: "keep", expectedVersion: 3, notices: [], submit: null });
    expect(step.reply.kind).toBe("lookup");
  });

  it("while «which project?» is asked: a PMO ID answers it, a list is a lookup", () => {
    const prior = live(choosing(2));
    const answer = onText(
      text({ text: "PMO-102", prior, reading: reading({ project: erp, parsed: nothing }) }),
    );
    expect(answer.next).toMatchObject({ state: "confirming", data: { id: "c1", project: erp } });
    const list = onText(text({ text: "mis proyectos", prior, reading: reading({ parsed: nothing }) }));
    expect(list).toMatchObject({ next: "keep", reply: { kind: "lookup", lookups: [{ kind: "mine" }] } });
  });

  it("is answered for a writer who may send no update (unmapped, or owning nothing)", () => {
    const unmapped: Writer = { ...pm, asanaUserGid: null, projects: [] };
    const mine = text({ text: "mis proyectos", writer: unmapped, reading: reading({ parsed: nothing }) });
    expect(onText(mine).reply).toEqual({ kind: "lookup", lookups: [{ kind: "mine" }] });
    const card = text({
      text: "PMO-101",
      writer: { ...pm, projects: [] },
      reading: reading({ parsed: nothing }),
    });
    expect(onText(card).reply).toMatchObject({ kind: "lookup" });
  });
});

describe("the buttons", () => {
  it("a project chosen among those offered goes to confirming", () => {
    const step = onChooseProject(pm, live(choosing(1)), ref(1, erp.gid));
    expect(step.next).toMatchObject({ state: "confirming", data: { project: erp } });
    expect(step.reply).toMatchObject({ kind: "confirm", ref: { version: 2 } });
  });

  it.each([
    ["an older version", live(choosing(2)), ref(1, erp.gid), "stale"],
    ["another conversation", live({ ...choosing(1), id: "c9" }), ref(1, erp.gid), "stale"],
    ["no conversation", null, ref(1, erp.gid), "stale"],
    ["an expired one", expired(choosing(1)), ref(1, erp.gid), "expired"],
    ["a project not offered", live(choosing(1)), ref(1, movil.gid), "stale"],
    ["a card already past choosing", live(confirming(1)), ref(1, erp.gid), "stale"],
  ] as const)("a choice on %s is answered %s", (_what, prior, clicked, kind) => {
    const step = onChooseProject(pm, prior, clicked);
    expect(step).toMatchObject({ next: "keep", reply: { kind }, submit: null });
  });

  it("Confirmar submits the draft once, keyed by conversation and version", () => {
    const step = onConfirm(pm, live(confirming(2)), ref(2));
    expect(step).toMatchObject({ next: "clear", submit: { submissionId: "confirm:c1:2", project: portal } });
    expect(onConfirm(pm, live(confirming(3)), ref(2)).reply).toEqual({ kind: "stale" });
    expect(onConfirm(pm, expired(confirming(2)), ref(2)).reply).toEqual({ kind: "expired" });
    expect(onConfirm(pm, live(choosing(2)), ref(2)).reply).toEqual({ kind: "stale" });
  });

  it("Confirmar by a writer who no longer owns the project is refused", () => {
    const step = onConfirm({ ...pm, projects: [erp] }, live(confirming(1)), ref(1));
    expect(step).toMatchObject({
      next: "clear",
      submit: null,
      reply: { kind: "not_allowed", project: portal },
    });
  });

  it("Cancelar clears a current card; a stale one is told", () => {
    expect(onCancel(live(confirming(1)), ref(1))).toMatchObject({
      next: "clear",
      reply: { kind: "cancelled" },
    });
    expect(onCancel(live(confirming(2)), ref(1))).toMatchObject({ next: "keep", reply: { kind: "stale" } });
    expect(onCancel(null, null)).toMatchObject({ reply: { kind: "nothing_pending" } });
  });

  it("Editar gives the draft to prefill, or a stale answer", () => {
    expect(onEdit(live(confirming(1)), ref(1))).toMatchObject({ edit: { id: "c1", project: portal } });
    expect(onEdit(live(confirming(2)), ref(1))).toMatchObject({ step: { reply: { kind: "stale" } } });
  });
});

describe("fromStored", () => {
  const stored = (state: string, data: Record<string, unknown>) => ({
    slackUserId: "U1",
    state,
    data,
    updatedAt: NOW,
    expiresAt: 0,
    version: 4,
  });

  it("reads back what the machine stored", () => {
    expect(fromStored(stored("confirming", { id: "c1", draft: draft(), project: portal }))).toEqual({
      ...confirming(),
      version: 4,
    });
  });

  it("reads a conversation stored before several projects and the interpreter's reading were kept", () => {
    const { etaUncertain: _unsure, interpreted: _read, ...oldDraft } = draft();
    expect(fromStored(stored("confirming", { id: "c1", draft: oldDraft, project: portal }))).toEqual({
      ...confirming(),
      version: 4,
    });
    expect(
      fromStored(stored("choosing_project", { id: "c1", draft: oldDraft, choices: [portal, erp] })),
    ).toEqual({ ...choosing(), version: 4 });
  });

  it("stores a message about one project in the shape the previous version reads", () => {
    // The previous version's schemas, as they were: it must read what this one stores.
    const previousDraft = z.object({
      sourceId: z.string().min(1),
      text: z.string(),
      receivedAt: z.string(),
      parsed: z.object({ progress: z.number().nullable() }),
      unread: z.array(z.string()).default([]),
    });
    const previousConfirming = z.object({
      id: z.string().min(1),
      draft: previousDraft,
      project: z.object({ gid: z.string() }),
    });
    const step = onText(text({ reading: reading({ project: portal }) }));
    if (step.next === "clear" || step.next === "keep") throw new Error("no state");
    expect(step.next.state).toBe("confirming");
    expect(previousConfirming.safeParse(step.next.data)).toMatchObject({
      success: true,
      data: { project: { gid: portal.gid }, draft: { parsed: { progress: 70 } } },
    });
  });

  it("ignores a state or data it does not know", () => {
    expect(fromStored(stored("awaiting_project", {}))).toBeNull();
    expect(fromStored(stored("confirming", { id: "c1" }))).toBeNull();
  });
});

describe("a message about several projects", () => {
  const part101 = reading({
    project: portal,
    parsed: parsed({ progress: 80, health: "on_track", risks: [] }),
  });
  const part102 = reading({
    project: erp,
    parsed: parsed({ progress: 40, health: "off_track", risks: [], blockers: ["el proveedor"] }),
  });
  const asText = "PMO-101 al 80% en verde; PMO-102 atrasado 2 semanas por el proveedor, avance 40%";

  it("shows one card with a part per project, each with only its own facts", () => {
    const step = onText(text({ text: asText, readings: [part101, part102] }));
    expect(step.reply).toMatchObject({
      kind: "confirm",
      project: portal,
      draft: { text: asText, parsed: part101.parsed },
      others: [{ project: erp, draft: { text: asText, parsed: part102.parsed } }],
      refused: [],
      unplaced: 0,
    });
    expect(step.next).toMatchObject({
      state: "confirming",
      data: { project: portal, others: [{ project: erp }] },
    });
  });

  it("Confirmar submits every part to its own project, with what the interpreter read of each", () => {
    const prior = priorAfter(onText(text({ text: asText, readings: [part101, part102] })));
    const step = onConfirm(pm, prior, { conversationId: "new", version: 1, projectGid: null });
    expect(step.submit).toMatchObject({
      projectGid: portal.gid,
      project: portal,
      draft: { parsed: part101.parsed, interpreted: { ...part101.parsed, projectGid: portal.gid } },
      others: [{ project: erp, draft: { parsed: part102.parsed, interpreted: { projectGid: erp.gid } } }],
    });
    expect(step.submit?.draft.parsed.blockers).toEqual([]);
    expect(step.reply).toMatchObject({ kind: "saving", others: [{ project: erp }] });
  });

  it("asks about a part naming no project, offering only projects no other part took", () => {
    const unnamed = reading({ parsed: parsed({ progress: 40, blockers: ["el proveedor"] }) });
    const step = onText(text({ text: asText, readings: [part101, unnamed] }));
    expect(step.reply).toMatchObject({
      kind: "choose_project",
      choices: [erp],
      part: { parsed: unnamed.parsed },
    });
    const prior = priorAfter(step);
    // PMO-101 is not offered; clicking it anyway (a forged value) is stale, saving nothing there.
    const newRef = (projectGid: string) => ({ conversationId: "new", version: 1, projectGid });
    expect(onChooseProject(pm, prior, newRef(portal.gid))).toMatchObject({ reply: { kind: "stale" } });
    const chosen = onChooseProject(pm, prior, newRef(erp.gid));
    expect(chosen.reply).toMatchObject({
      kind: "confirm",
      project: portal,
      draft: { parsed: part101.parsed },
      others: [{ project: erp, draft: { parsed: unnamed.parsed } }],
    });
  });

  it("answering the question by naming a project another part is about asks again", () => {
    const unnamed = reading({ parsed: parsed({ progress: 40 }) });
    const prior = priorAfter(onText(text({ text: asText, readings: [part101, unnamed] })));
    const answer = (project: ProjectChoice) =>
      onText(
        text({
          text: project.pmoId ?? "",
          sourceId: `Ev-${project.gid}`,
          prior,
          reading: reading({ project, parsed: nothing }),
        }),
      );
    expect(answer(portal)).toMatchObject({ next: "keep", reply: { kind: "choose_project", choices: [erp] } });
    const answered = answer(erp);
    expect(answered.reply).toMatchObject({
      kind: "confirm",
      others: [{ project: erp, draft: { parsed: unnamed.parsed } }],
    });
  });

  it("a part with no project left to offer is left out, and the card says so", () => {
    const unnamed = reading({ parsed: parsed({ progress: 10 }) });
    const step = onText(text({ writer: { ...pm, projects: [portal] }, readings: [part101, unnamed] }));
    expect(step.reply).toMatchObject({ kind: "confirm", project: portal, others: [], unplaced: 1 });
    expect(step.reply.kind === "confirm" && step.reply.draft.parsed).toEqual(part101.parsed);
  });

  it("a part naming an unknown PMO ID is left out rather than asked about", () => {
    const unknown = reading({ parsed: parsed({ progress: 10 }), unknownPmoIds: ["PMO-999"] });
    expect(onText(text({ readings: [part101, unknown] })).reply).toMatchObject({
      kind: "confirm",
      others: [],
      unplaced: 1,
    });
  });

  it("a part about someone else's project is left out and named; all of them refused is refused", () => {
    const other = reading({ project: movil, parsed: parsed({ progress: 5 }) });
    const step = onText(text({ readings: [part101, other] }));
    expect(step.reply).toMatchObject({ kind: "confirm", project: portal, others: [], refused: [movil] });
    const confirmed = onConfirm(pm, live({ ...confirming(), refused: [movil] }), ref(1));
    expect(confirmed.submit).toMatchObject({ projectGid: portal.gid, others: [] });
    expect(onText(text({ readings: [other, other] })).reply).toEqual({ kind: "not_allowed", project: movil });
  });

  it("two parts about one project join into one", () => {
    const again = reading({
      project: portal,
      parsed: parsed({ progress: null, health: null, risks: ["pruebas"] }),
    });
    const step = onText(text({ readings: [part101, again, part102] }));
    expect(step.reply).toMatchObject({
      kind: "confirm",
      draft: { parsed: { progress: 80, health: "on_track", risks: ["pruebas"] } },
      others: [{ project: erp }],
    });
  });

  it("a card shows at most MAX_PARTS projects; the rest are counted as left out", () => {
    const many = Array.from({ length: MAX_PARTS + 2 }, (_, i) => ({
      ...portal,
      gid: `g${i}`,
      pmoId: `PMO-${i}`,
    }));
    const admin: Writer = { ...pm, isAdmin: true };
    const step = onText(text({ writer: admin, readings: many.map((project) => reading({ project })) }));
    expect(step.reply).toMatchObject({ kind: "confirm", unplaced: 2 });
    expect(step.reply.kind === "confirm" && step.reply.others).toHaveLength(MAX_PARTS - 1);
  });

  it("one reading naming two projects by PMO ID is not asked about: nothing is kept", () => {
    const step = onText(text({ text: asText, reading: reading({ named: [portal, erp], unsplit: true }) }));
    expect(step).toMatchObject({
      next: "keep",
      reply: { kind: "several_unsplit", projects: [portal, erp] },
      submit: null,
    });
  });

  it("Editar edits the part whose button was clicked; a project not on the card is stale", () => {
    const prior = live(confirming(2, portal, [{ project: erp, draft: { ...draft(), text: "erp" } }]));
    expect(onEdit(prior, ref(2, erp.gid))).toMatchObject({ part: { project: erp, draft: { text: "erp" } } });
    expect(onEdit(prior, ref(2))).toMatchObject({ part: { project: portal } });
    expect(onEdit(prior, ref(2, movil.gid))).toMatchObject({ step: { reply: { kind: "stale" } } });
  });

  it("once one part is saved on its own, the others stay to confirm", () => {
    const base = confirming(2);
    if (base.state !== "confirming") throw new Error("not confirming");
    const current = { ...base, others: [{ project: erp, draft: draft("Ev9") }] };
    expect(withoutPart(current, portal.gid)).toMatchObject({
      state: "confirming",
      data: { id: "c1", project: erp, draft: { sourceId: "Ev9" }, others: [] },
    });
    expect(withoutPart({ ...current, others: [] }, portal.gid)).toBeNull();
  });

  it("an ETA with more than one reading is flagged on the draft; a confirmed one is not", () => {
    const unsure = onText(
      text({
        reading: reading({ project: portal, etaUncertain: true, parsed: parsed({ eta: "2026-03-12" }) }),
      }),
    );
    expect(unsure.reply).toMatchObject({ kind: "confirm", draft: { etaUncertain: true } });
    const noEta = onText(text({ reading: reading({ project: portal, etaUncertain: true }) }));
    expect(noEta.reply).toMatchObject({ kind: "confirm", draft: { etaUncertain: false } });
  });
});

// ---- the service on dynalite ------------------------------------------------------------------

describe("the conversation service", () => {
  let world: UpdateWorld;
  beforeEach(async () => {
    world = await updateWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  const say = (userId: string, words: string, eventId?: string) =>
    world.services.inbox.receive(eventId ?? `Ev-${Math.random()}`, dmFrom(world, userId, words, eventId));

  const click = (action: UpdateActionId, userId = PM, nth = 0, message = world.dm.last()) => {
    const value = buttonValue(message?.message, action, nth);
    const payload = { userId, channel: PM_DM, messageTs: message?.ts ?? "", value };
    const { conversations } = world.services;
    if (action === UPDATE_CONFIRM) return conversations.confirm(payload);
    if (action === UPDATE_CANCEL) return conversations.cancel(payload);
    if (action === UPDATE_CHOOSE_PROJECT) return conversations.choose(payload);
    return conversations.edit(payload);
  };

  it("reads a DM naming a project and shows the card with its three buttons", async () => {
    expect(await say(PM, "PMO-101 avance 70%, en riesgo por el proveedor, entrega el viernes")).toBe("done");
    const card = world.dm.last();
    expect(card?.channel).toBe(PM_DM);
    expect(card?.text).toContain("Entendí:");
    expect(card?.text).toContain(
      "Portal de clientes (PMO-101) · avance 70 % · 🟡 en riesgo · riesgos: el proveedor",
    );
    expect(messageButtons(card?.message).map((b) => b.action_id)).toEqual([
      UPDATE_CONFIRM,
      UPDATE_EDIT,
      UPDATE_CANCEL,
    ]);
    expect(JSON.parse(buttonValue(card?.message, UPDATE_CONFIRM))).toEqual({ c: "conv1", v: 1 });
    expect((await world.repos.conversations.get(PM))?.state).toBe("confirming");
  });

  it("saves on Confirmar: the text byte for byte, the card turned into the saved one", async () => {
    const words = "PMO-101 avance 70%, en riesgo por el proveedor &amp; la API 🚧\n  próximos pasos: pruebas";
    await say(PM, words, "EvByte");
    const card = world.dm.last();
    await click(UPDATE_CONFIRM);
    const [stored] = await world.repos.updates.listForProject(P1);
    expect(stored).toMatchObject({
      text: words,
      slackUserId: PM,
      slackEventId: "EvByte",
      parsed: { progress: 70 },
    });
    const [saved] = world.dm.updates;
    expect(saved).toMatchObject({ channel: PM_DM, ts: card?.ts });
    expect(saved?.text).toContain("Guardé tu actualización de Portal de clientes");
    expect(messageButtons(saved?.message)).toEqual([]);
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("a second Confirmar on the same card saves nothing more", async () => {
    await say(PM, "PMO-101 avance 70%");
    const card = world.dm.last();
    await click(UPDATE_CONFIRM, PM, 0, card);
    await click(UPDATE_CONFIRM, PM, 0, card);
    expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
    expect(world.dm.last()?.text).toContain("ya no están vigentes");
  });

  it("asks which project with buttons, then shows the card in place of the question", async () => {
    await say(PM, "avance 30%, próximos pasos: pruebas de carga");
    const question = world.dm.last();
    expect(question?.text).toContain("¿De qué proyecto es esta actualización?");
    expect(messageButtons(question?.message).map((b) => JSON.parse(b.value ?? "{}").p)).toEqual([P1, P2]);
    await click(UPDATE_CHOOSE_PROJECT, PM, 1);
    const [card] = world.dm.updates;
    expect(card?.ts).toBe(question?.ts);
    expect(card?.text).toContain("Migración ERP (PMO-102) · avance 30 %");
    await click(UPDATE_CONFIRM, PM, 0, card);
    expect(await world.repos.updates.listForProject(P2)).toHaveLength(1);
  });

  it("a project named by itself answers the question", async () => {
    await say(PM, "avance 30%");
    await say(PM, "PMO-102");
    expect(world.dm.last()?.text).toContain("Migración ERP (PMO-102) · avance 30 %");
    expect((await world.repos.conversations.get(PM))?.state).toBe("confirming");
  });

  it("a stale card's button is refused once a newer draft replaced it", async () => {
    await say(PM, "PMO-101 avance 10%");
    const first = world.dm.last();
    await say(PM, "PMO-101 avance 20%");
    expect(world.dm.last()?.text).toContain("Dejé de lado la actualización que no habías confirmado");
    await click(UPDATE_CONFIRM, PM, 0, first);
    expect(world.dm.last()?.text).toContain("ya no están vigentes");
    expect(await world.repos.updates.listForProject(P1)).toEqual([]);
  });

  it("an expired conversation is restarted politely, by button or by text", async () => {
    await say(PM, "PMO-101 avance 10%");
    const card = world.dm.last();
    world.advance(61 * 60_000);
    await click(UPDATE_CONFIRM, PM, 0, card);
    expect(world.dm.last()?.text).toContain("Tu conversación anterior expiró; empecemos de nuevo");
    expect(await world.repos.updates.listForProject(P1)).toEqual([]);
    await say(PM, "PMO-101 avance 15%");
    expect(world.dm.last()?.text).toMatch(
      /^Tu conversación anterior expiró; empecemos de nuevo\.\n\*Entendí:\*/,
    );
  });

  it("Cancelar drops the draft", async () => {
    await say(PM, "PMO-101 avance 10%");
    await click(UPDATE_CANCEL);
    expect(world.dm.updates[0]?.text).toContain("Cancelado");
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("someone else's project: the writer is told who may send it", async () => {
    await world.users.profile(OWNER2);
    await say(PM, "PMO-201 avance 50%");
    expect(world.dm.last()?.message.text).toContain(`Solo <@${OWNER2}> (responsable del proyecto)`);
    expect(world.dm.last()?.text).toContain("App móvil (PMO-201)");
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("an admin may send it for any project", async () => {
    await say(ADMIN, "PMO-201 avance 50%, en curso");
    await click(UPDATE_CONFIRM, ADMIN);
    expect(await world.repos.updates.listForProject(P3)).toMatchObject([{ slackUserId: ADMIN }]);
  });

  it("an unmapped writer is told why", async () => {
    await say(UNMAPPED, "PMO-101 avance 50%");
    expect(world.dm.last()?.text).toContain("nuevo@empresa.example");
    await say(NO_EMAIL, "PMO-101 avance 50%");
    expect(world.dm.last()?.text).toContain("users:read.email");
  });

  it("«ayuda» explains how, with two examples", async () => {
    await say(PM, "ayuda");
    const help = world.dm.last()?.text ?? "";
    expect(help).toContain("Cómo enviarme una actualización de estado");
    expect(help.match(/^ {2}• /gm) ?? help.match(/• /g)).toHaveLength(2);
  });

  it("a 40,000-character DM gets a polite answer, and nothing is stored", async () => {
    expect(await say(PM, `PMO-101 avance 70% ${"bla ".repeat(10_000)}`)).toBe("done");
    expect(world.dm.last()?.text).toContain("40.019 caracteres");
    expect(world.dm.last()?.text).toContain("versión más corta");
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });

  it("echoes hostile text only escaped", async () => {
    await say(
      PM,
      "PMO-101 avance 10%, riesgo: &lt;!channel&gt; y <@U0OTHER1> &amp; <https://evil.example|clic> <!here>",
    );
    const sent = JSON.stringify(world.dm.last()?.message);
    expect(sent).toContain("riesgos: @U0OTHER1 &amp; clic");
    expect(sent).not.toMatch(/<!channel>|<!here>|<@U0OTHER1>|<https:\/\/evil/);
  });

  it("Editar opens the modal prefilled; its submission is checked field by field, then saved", async () => {
    const words = "PMO-101 avance 70%, riesgo: el proveedor";
    await say(PM, words, "EvEdit");
    const card = world.dm.last();
    const view = await click(UPDATE_EDIT);
    if (view === null || view === undefined) throw new Error("no modal");
    expect(view.callback_id).toBe(UPDATE_MODAL);
    const blockIds = view.blocks.map((b) => b.block_id);
    expect(blockIds).toEqual(Object.values(UPDATE_FIELDS));

    const values = (overrides: Record<string, Record<string, unknown>> = {}) => ({
      [UPDATE_FIELDS.project]: {
        [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P1 } },
      },
      [UPDATE_FIELDS.progress]: { [UPDATE_FIELDS.progress]: { type: "number_input", value: "75" } },
      [UPDATE_FIELDS.health]: {
        [UPDATE_FIELDS.health]: { type: "static_select", selected_option: { value: "at_risk" } },
      },
      [UPDATE_FIELDS.summary]: { [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: words } },
      [UPDATE_FIELDS.risks]: {
        [UPDATE_FIELDS.risks]: { type: "plain_text_input", value: "el proveedor\n- la API" },
      },
      [UPDATE_FIELDS.blockers]: { [UPDATE_FIELDS.blockers]: { type: "plain_text_input", value: null } },
      [UPDATE_FIELDS.nextSteps]: {
        [UPDATE_FIELDS.nextSteps]: { type: "plain_text_input", value: "pruebas" },
      },
      [UPDATE_FIELDS.eta]: { [UPDATE_FIELDS.eta]: { type: "datepicker", selected_date: "2026-03-20" } },
      ...overrides,
    });
    const submit = (v: unknown) =>
      world.services.conversations.checkModal({
        userId: PM,
        viewId: "V1",
        values: v,
        privateMetadata: view.private_metadata,
      });

    const invalid = await submit(
      values({
        [UPDATE_FIELDS.progress]: { [UPDATE_FIELDS.progress]: { type: "number_input", value: "150" } },
        [UPDATE_FIELDS.summary]: { [UPDATE_FIELDS.summary]: { type: "plain_text_input", value: "  " } },
      }),
    );
    expect(invalid).toEqual({
      kind: "errors",
      errors: {
        [UPDATE_FIELDS.progress]: "Escribe un número entero de 0 a 100.",
        [UPDATE_FIELDS.summary]: "Escribe un resumen.",
      },
    });
    const notTheirs = await submit(
      values({
        [UPDATE_FIELDS.project]: {
          [UPDATE_FIELDS.project]: { type: "static_select", selected_option: { value: P3 } },
        },
      }),
    );
    expect(notTheirs).toMatchObject({
      kind: "errors",
      errors: { [UPDATE_FIELDS.project]: expect.stringContaining("responsable") },
    });

    const accepted = await submit(values());
    if (accepted.kind !== "accepted") throw new Error("not accepted");
    await world.services.conversations.submitModal(accepted);
    const [stored] = await world.repos.updates.listForProject(P1);
    expect(stored).toMatchObject({
      text: words,
      slackEventId: "EvEdit",
      parsed: {
        progress: 75,
        health: "at_risk",
        risks: ["el proveedor", "la API"],
        nextSteps: ["pruebas"],
        eta: "2026-03-20",
      },
    });
    expect(world.dm.updates.at(-1)).toMatchObject({ ts: card?.ts });
    expect(await world.repos.conversations.get(PM)).toBeNull();
  });
});

describe("logs", () => {
  it("never carry the DM's text, through failures, retries and a save", async () => {
    const lines: string[] = [];
    const world = await updateWorld({ logDestination: { write: (line: string) => lines.push(line) } });
    try {
      const secret = "PMO-101 avance 70%, riesgo: proveedor Zyxwvut confidencial";
      const listByResponsable = world.repos.projects.listByResponsable.bind(world.repos.projects);
      let failures = 2;
      world.repos.projects.listByResponsable = async (gid) => {
        if (failures-- > 0) throw new Error("store down");
        return listByResponsable(gid);
      };
      expect(await world.services.inbox.receive("EvLog", dmFrom(world, PM, secret, "EvLog"))).toBe("pending");
      await world.services.inbox.idle();
      await world.services.inbox.retryPending();
      const card = world.dm.last();
      await world.services.conversations.confirm({
        userId: PM,
        channel: PM_DM,
        messageTs: card?.ts ?? "",
        value: buttonValue(card?.message, UPDATE_CONFIRM),
      });
      expect(await world.repos.updates.listForProject(P1)).toHaveLength(1);
      expect(lines.length).toBeGreaterThan(3);
      expect(lines.join("\n")).not.toContain("Zyxwvut");
    } finally {
      await world.close();
    }
  });
});

describe("the update modal's checks", () => {
  const field = (name: keyof typeof UPDATE_FIELDS, value: Record<string, unknown>) => ({
    [UPDATE_FIELDS[name]]: { [UPDATE_FIELDS[name]]: { type: "x", ...value } },
  });
  const base = { ...field("project", { value: "PMO-7" }), ...field("summary", { value: "Todo en orden" }) };

  it("takes a PMO ID typed in the fallback field, and empty optional fields as nothing", () => {
    expect(checkUpdateModal("es", base)).toEqual({
      ok: true,
      values: {
        project: { kind: "pmo_id", pmoId: "PMO-7" },
        summary: "Todo en orden",
        parsed: { progress: null, health: null, risks: [], blockers: [], nextSteps: [], eta: null },
      },
    });
  });

  it("names every problem under its field", () => {
    const result = checkUpdateModal("en", {
      ...field("summary", { value: "x".repeat(UPDATE_TEXT_MAX + 1) }),
      ...field("progress", { value: "-3" }),
      ...field("health", { selected_option: { value: "great" } }),
      ...field("risks", { value: Array.from({ length: 21 }, (_, i) => `r${i}`).join("\n") }),
      ...field("nextSteps", { value: "y".repeat(301) }),
      ...field("eta", { selected_date: "2026-02-30" }),
    });
    expect(result.ok).toBe(false);
    expect(result.ok === false && Object.keys(result.errors).sort()).toEqual(
      [
        UPDATE_FIELDS.project,
        UPDATE_FIELDS.summary,
        UPDATE_FIELDS.progress,
        UPDATE_FIELDS.health,
        UPDATE_FIELDS.risks,
        UPDATE_FIELDS.nextSteps,
        UPDATE_FIELDS.eta,
      ].sort(),
    );
    expect(result.ok === false && result.errors[UPDATE_FIELDS.summary]).toBe(
      "At most 3,000 characters; it has 3,001.",
    );
  });

  it("reads state Slack did not send as missing, never as a crash", () => {
    expect(checkUpdateModal("es", "nonsense")).toMatchObject({ ok: false });
    expect(checkUpdateModal("es", null)).toMatchObject({ ok: false });
  });
});

describe("button values", () => {
  it.each([
    ['{"c":"conv1","v":2}', { conversationId: "conv1", version: 2, projectGid: null }],
    ['{"c":"conv1","v":2,"p":"123"}', { conversationId: "conv1", version: 2, projectGid: "123" }],
    ['{"c":"conv1","v":0}', null],
    ['{"c":"","v":1}', null],
    ["not json", null],
    [42, null],
  ])("%j reads as %j", (value, expected) => {
    expect(parseUpdateRef(value)).toEqual(expected);
  });
});
