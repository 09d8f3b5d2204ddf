import nock from "nock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { createLogger } from "../../../app/logger.ts";
import type { FullPipelineSummary, ProjectInput, SyncKind } from "../../../services/model.ts";
import { HOSTILE_STRINGS } from "../../fixtures/hostile-strings.ts";
import { ADMIN, type Harness, listenerHarness, SLACK_TEST_ORIGIN } from "../../fixtures/listener-harness.ts";
import { slashCommandBody } from "../../fixtures/slack-bodies.ts";

/** 08:42 in Bogotá (PMO_TIMEZONE's default); the last sync completed at 08:30. */
const NOW = new Date("2026-11-22T13:42:00.000Z");
let now = NOW;
let pipeline: (kind: SyncKind, options?: { confirmRemovals?: boolean }) => Promise<FullPipelineSummary> =
  () => Promise.reject(new Error("unset"));

const FRESHNESS_ES = "Datos al 22/11/2026 08:30 (hace 12 min)";
const FRESHNESS_EN = "Data as of 11/22/2026 8:30 AM (12 min ago)";

let h: Harness;

// What respond() POSTs to the response_url, read back structurally.
const textObject = z.object({ text: z.string() });
const elementSchema = z.object({
  type: z.string(),
  text: z.union([z.string(), textObject]).optional(),
  action_id: z.string().optional(),
  value: z.string().optional(),
});
const blockSchema = z.object({
  type: z.string(),
  block_id: z.string().optional(),
  text: textObject.optional(),
  fields: z.array(textObject).optional(),
  elements: z.array(elementSchema).optional(),
});
const responseSchema = z.object({
  response_type: z.literal("ephemeral"),
  replace_original: z.boolean().optional(),
  unfurl_links: z.literal(false),
  text: z.string(),
  blocks: z.array(blockSchema).min(1).max(50),
});
type Response = z.output<typeof responseSchema>;

/** Every text a reader sees: the blocks' texts, fields, context elements and buttons. */
function textsOf(response: Response): string[] {
  return response.blocks.flatMap((block) => [
    ...(block.text ? [block.text.text] : []),
    ...(block.fields ?? []).map((f) => f.text),
    ...(block.elements ?? []).flatMap((e) =>
      e.text === undefined ? [] : [typeof e.text === "string" ? e.text : e.text.text],
    ),
  ]);
}

const shown = (response: Response) => textsOf(response).join("\n");
const freshnessOf = (response: Response) => textsOf(response).at(-1);

/** No `<` or `>` but our links and mentions, every `&` an escape: nothing typed became a ping. */
function expectNothingUnescaped(response: Response): void {
  for (const text of [response.text, ...textsOf(response)]) {
    expect(text.replace(/<https?:\/\/[^\s|<>]+\|[^<>]*>|<@[UW][A-Z0-9]+>/g, "")).not.toMatch(/[<>]/);
    expect(text).not.toMatch(/&(?!amp;|lt;|gt;)/);
  }
}

let responseCount = 0;

/** A /pmo body as Slack sends it, its response_url pointing at nock. */
function slashCommand(text: string, user = "U0ANA") {
  const path = `/response/${++responseCount}`;
  const body = slashCommandBody({ text, userId: user, responseUrl: `${SLACK_TEST_ORIGIN}${path}` });
  return { body, path };
}

/** Intercepts the next `times` answers posted to `path`. */
function answersTo(path: string, times = 1): Response[] {
  const answers: Response[] = [];
  nock(SLACK_TEST_ORIGIN)
    .post(path, (posted: unknown) => {
      answers.push(responseSchema.parse(posted));
      return true;
    })
    .times(times)
    .reply(200, "ok");
  return answers;
}

async function ask(text: string, user = "U0ANA"): Promise<Response> {
  const { body, path } = slashCommand(text, user);
  const answers = answersTo(path);
  expect(await h.process(body)).toBeUndefined();
  expect(answers).toHaveLength(1);
  const [answer] = answers;
  if (answer === undefined) throw new Error("no answer");
  expectNothingUnescaped(answer);
  return answer;
}

/** A click on a button of an ephemeral answer, as Slack sends it. */
function buttonClick(value: string, user = "U0ANA") {
  const path = `/response/${++responseCount}`;
  const body = {
    type: "block_actions",
    team: { id: "T0001", domain: "pmo" },
    user: { id: user, username: "someone", name: "someone", team_id: "T0001" },
    api_app_id: "A0001",
    token: "verification-token",
    container: { type: "message", message_ts: "1700000000.000100", channel_id: "C0001", is_ephemeral: true },
    trigger_id: "1337.42.abcdef",
    channel: { id: "C0001", name: "general" },
    response_url: `${SLACK_TEST_ORIGIN}${path}`,
    actions: [
      {
        type: "button",
        action_id: "pmo_more",
        block_id: "pmo-more",
        text: { type: "plain_text", text: "Ver más", emoji: true },
        value,
        action_ts: "1700000001.000200",
      },
    ],
  };
  return { body, path };
}

function moreValueOf(response: Response): string | null {
  for (const block of response.blocks)
    for (const element of block.elements ?? [])
      if (element.action_id === "pmo_more" && element.value !== undefined) return element.value;
  return null;
}

const project = (gid: string, overrides: Partial<ProjectInput> = {}): ProjectInput => ({
  gid,
  name: `Proyecto ${gid}`,
  pmoId: `PMO-${gid}`,
  responsable: "Carlos Ruiz",
  responsableKey: "9002",
  businessVertical: "Seguros",
  permalinkUrl: `https://app.asana.com/0/${gid}/list`,
  ...overrides,
});

beforeAll(async () => {
  h = await listenerHarness({
    now: () => now,
    slackUsers: {
      U0ANA: { email: "ana@example.com", name: "Ana Pérez", locale: "es-LA" },
      U0BOB: { email: "bob@example.com", name: "Bob Stone", locale: "en-US" },
      U0NOMAIL: { email: null, name: "Sin Correo", locale: "es-ES" },
      U0NOASANA: { email: "nadie@example.com", name: "Nadie", locale: "en-GB" },
      [ADMIN]: { email: "admin@example.com", name: "Admin", locale: "es-LA" },
    },
    asanaUsers: { "ana@example.com": "9001", "bob@example.com": "9003" },
    runPipeline: (kind, runOptions) => pipeline(kind, runOptions),
  });
  await h.repos.projects.insertMany([
    project("1", {
      name: "Portal de Clientes",
      responsable: "Ana Pérez",
      responsableKey: "9001",
      businessVertical: "Banca Digital",
      status: "at_risk",
      progressPercent: 40,
      dueOn: "2026-12-05",
      lastStatusUpdateAt: "2026-11-20T13:42:00.000Z",
    }),
    project("2", { name: "Migración del ERP", responsable: "Ana Pérez", responsableKey: "9001" }),
    project("3", {
      name: "Portal antiguo",
      responsable: "Ana Pérez",
      responsableKey: "9001",
      archived: true,
    }),
    project("4", { name: "App móvil", responsable: "Mariana López", responsableKey: "9004" }),
    project("5", { name: "Portal", responsable: "Bob Stone", responsableKey: "9003" }),
    project("6", { name: "<!channel> Proyecto ruidoso", responsable: "<@U999>", responsableKey: "9005" }),
    ...Array.from({ length: 45 }, (_, i) => project(String(100 + i), { name: `Obra ${i}` })),
  ]);
  await h.repos.findings.open({
    projectGid: "1",
    ruleId: "schedule_risk",
    severity: "high",
    details: { daysToDue: 5, progress: 40 },
  });
  await h.repos.findings.open({
    projectGid: "1",
    ruleId: "no_status_update",
    severity: "medium",
    details: { daysSinceUpdate: 9 },
  });
  await h.repos.findings.open({
    projectGid: "4",
    ruleId: "no_activity",
    severity: "medium",
    details: { daysSinceActivity: 8 },
  });
  await h.repos.findings.open({
    projectGid: "5",
    ruleId: "amount_of_tasks",
    severity: "low",
    details: { taskCount: 2 },
  });
  await h.repos.findings.open({ projectGid: "6", ruleId: "missing_pmo_id", severity: "low", details: {} });
  now = new Date("2026-11-22T13:26:00.000Z");
  await h.repos.syncLog.createRunning({ syncId: "s1", kind: "partial", owner: null });
  now = new Date("2026-11-22T13:30:00.000Z");
  await h.repos.syncLog.complete("s1", { projectsSynced: 51, changesDetected: 4, durationMs: 240_000 });
  now = NOW;
  // Their Slack languages are known already (the users table caches them).
  for (const user of ["U0ANA", "U0BOB", ADMIN]) await h.services.users.profile(user);
});

afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
  vi.restoreAllMocks();
});

afterAll(async () => {
  await h.close();
});

describe("/pmo acknowledges first, then answers ephemerally", () => {
  it("acks with no body before anything is posted", async () => {
    const { body, path } = slashCommand("ayuda");
    const events: string[] = [];
    nock(SLACK_TEST_ORIGIN)
      .post(path)
      .reply(200, () => {
        events.push("respond");
        return "ok";
      });
    await h.app.processEvent({
      body,
      ack: async (response?: unknown) => {
        events.push(response === undefined ? "ack" : "ack with a body");
      },
    });
    expect(events).toEqual(["ack", "respond"]);
  });
});

describe("ayuda | help", () => {
  it.each([
    [
      "",
      "U0ANA",
      ["/pmo mis-proyectos", "/pmo buscar portal", "/pmo hallazgos alta", "/pmo estado", "/pmo sync"],
      FRESHNESS_ES,
    ],
    ["ayuda", "U0ANA", ["/pmo PMO-123", "/pmo ayuda"], FRESHNESS_ES],
    [
      "help",
      "U0BOB",
      ["/pmo mine", "/pmo search portal", "/pmo findings high", "/pmo status", "/pmo help"],
      FRESHNESS_EN,
    ],
  ])("%j by %s lists every subcommand in the user's language", async (text, user, examples, freshness) => {
    const answer = await ask(text, user);
    for (const example of examples) expect(shown(answer)).toContain(example);
    expect(freshnessOf(answer)).toBe(freshness);
  });

  it("shows the help for an unknown subcommand, saying so", async () => {
    const es = await ask("reportar todo");
    expect(textsOf(es)[0]).toBe("No entendí «reportar». Estos son los comandos que conozco:");
    const en = await ask("frobnicate", "U0BOB");
    expect(textsOf(en)[0]).toBe("I did not understand “frobnicate”. These are the commands I know:");
  });

  it("a user whose language is not known yet reads DEFAULT_LOCALE (es)", async () => {
    expect(freshnessOf(await ask("help", "U0NEWCOMER"))).toBe(FRESHNESS_ES);
  });
});

describe("mis-proyectos | mine", () => {
  it("lists the caller's active projects (es)", async () => {
    const answer = await ask("mis-proyectos");
    expect(textsOf(answer)[0]).toBe("*Tus proyectos* · 2");
    expect(shown(answer)).toContain(
      "🟡 *<https://app.asana.com/0/1/list|Portal de Clientes>* · PMO-1\nEn riesgo · Avance 40 % · Entrega 5 de diciembre de 2026 · 🔴 2 hallazgos abiertos",
    );
    expect(shown(answer)).toContain("Migración del ERP");
    expect(shown(answer)).not.toContain("Portal antiguo");
    expect(freshnessOf(answer)).toBe(FRESHNESS_ES);
  });

  it("lists them in English for an English user", async () => {
    const answer = await ask("mine", "U0BOB");
    expect(textsOf(answer)[0]).toBe("*Your projects* · 1");
    expect(shown(answer)).toContain("🟢 1 open finding");
    expect(freshnessOf(answer)).toBe(FRESHNESS_EN);
  });

  it("tells an unmapped user why and what to do", async () => {
    const noEmail = await ask("mis proyectos", "U0NOMAIL");
    expect(shown(noEmail)).toContain("Slack no le muestra tu correo a PMO Pulse");
    expect(shown(noEmail)).toContain("users:read.email");
    const noAsana = await ask("mine", "U0NOASANA");
    expect(shown(noAsana)).toContain("There is no Asana user with your email (nadie@example.com)");
    expect(freshnessOf(noAsana)).toBe(FRESHNESS_EN);
  });
});

describe("PMO-123", () => {
  it.each(["PMO-1", "pmo-1", "PMO 1", "1", "proyecto PMO-1"])("%j shows the project card", async (text) => {
    const answer = await ask(text);
    const texts = textsOf(answer);
    expect(texts[0]).toBe("🟡 *<https://app.asana.com/0/1/list|Portal de Clientes>*");
    expect(texts).toEqual(
      expect.arrayContaining([
        "*PMO ID*\nPMO-1",
        "*Responsable*\nAna Pérez",
        "*Vertical de negocio*\nBanca Digital",
        "*Última actualización de estado*\n20/11/2026 08:42 (hace 2 días)",
        "🔴 *Alta* · Vence en 5 días con 40 % de avance",
      ]),
    );
    expect(answer.blocks.some((b) => b.elements?.some((e) => e.action_id === "finding_ack"))).toBe(true);
    expect(freshnessOf(answer)).toBe(FRESHNESS_ES);
  });

  it("says when a PMO ID is unknown and suggests buscar (es, en)", async () => {
    expect(textsOf(await ask("PMO-999"))[0]).toBe(
      "No encontré ningún proyecto con el PMO ID PMO-999. Prueba con `/pmo buscar` y parte del nombre.",
    );
    expect(textsOf(await ask("pmo 999", "U0BOB"))[0]).toContain("Try `/pmo search`");
  });
});

describe("buscar | search", () => {
  it("finds names ignoring case and accents, best first", async () => {
    const answer = await ask("buscar PORTAL");
    expect(textsOf(answer)[0]).toBe("*Resultados para «PORTAL»* · 2");
    const lines = textsOf(answer).filter((t) => t.includes("app.asana.com"));
    expect(lines[0]).toContain("|Portal>");
    expect(lines[1]).toContain("|Portal de Clientes>");
    const accents = await ask("search migracion", "U0BOB");
    expect(textsOf(accents)[0]).toBe("*Results for “migracion”* · 1");
  });

  it("asks for the text when there is none", async () => {
    expect(shown(await ask("buscar"))).toContain("Escribe qué buscar.");
  });
});

describe("hallazgos | findings", () => {
  it("lists open findings grouped by severity (es)", async () => {
    const answer = await ask("hallazgos");
    const texts = textsOf(answer);
    expect(texts[0]).toBe("*Hallazgos abiertos* · 5");
    expect(texts.indexOf("🔴 *Alta* · 1")).toBeLessThan(texts.indexOf("🟡 *Media* · 2"));
    expect(texts.indexOf("🟡 *Media* · 2")).toBeLessThan(texts.indexOf("🟢 *Baja* · 2"));
    expect(shown(answer)).toContain("Vence en 5 días con 40 % de avance");
  });

  it("filters by severity and vertical, case and accents ignored (en)", async () => {
    const answer = await ask('findings medium vertical:"banca DIGITAL"', "U0BOB");
    expect(textsOf(answer)[0]).toBe("*Open findings* · 1");
    expect(shown(answer)).toContain("Filters: 🟡 Medium · vertical banca DIGITAL");
    expect(shown(answer)).toContain("No status update for 9 days");
  });

  it("filters by a Slack mention, mapped to the Asana user", async () => {
    const answer = await ask("hallazgos <@U0BOB|bob>");
    expect(textsOf(answer)[0]).toBe("*Hallazgos abiertos* · 1");
    expect(shown(answer)).toContain("Solo 2 tareas en el proyecto");
  });

  it("filters by a typed name", async () => {
    const answer = await ask("hallazgos @mariana");
    expect(textsOf(answer)[0]).toBe("*Hallazgos abiertos* · 1");
    expect(shown(answer)).toContain("App móvil");
  });

  it("refuses a filter it does not understand", async () => {
    const answer = await ask("hallazgos <!channel>");
    expect(textsOf(answer)[0]).toBe("No entendí el filtro «&lt;!channel&gt;».");
    expect(freshnessOf(answer)).toBe(FRESHNESS_ES);
  });
});

describe("estado | status", () => {
  it("shows the last runs, the next runs, the projects and the freshness", async () => {
    const nextRuns = h.jobs.nextRuns;
    h.jobs.nextRuns = () => [
      { name: "sync-full", next: new Date("2026-11-23T11:00:00.000Z") },
      { name: "sync-partial", next: new Date("2026-11-22T14:00:00.000Z") },
    ];
    try {
      const es = shown(await ask("estado"));
      expect(es).toContain("✅ Parcial · terminada · 22/11/2026 08:26 (hace 16 min)");
      expect(es).toContain("51 proyectos · 4 cambios · 0 hallazgos abiertos · 0 resueltos · 4 min 0 s");
      expect(es).toContain("• Sincronización completa: 23/11/2026 06:00");
      expect(es).toContain("• Sincronización parcial: 22/11/2026 09:00");
      expect(es).toContain("*Proyectos*: 50 activos · 0 con datos incompletos");
      const en = await ask("status", "U0BOB");
      expect(shown(en)).toContain("✅ Partial · completed");
      expect(freshnessOf(en)).toBe(FRESHNESS_EN);
    } finally {
      h.jobs.nextRuns = nextRuns;
    }
  });
});

describe("sync", () => {
  const stats = {
    projectsSynced: 51,
    changesDetected: 6,
    findingsOpened: 2,
    findingsResolved: 1,
    asanaCalls: 60,
    throttled: 0,
    staleProjects: 0,
    durationMs: 42_000,
    projectsWritten: 6,
    projectsRemoved: 0,
    listingRestarts: 0,
    abandonedRuns: 0,
  };

  it("tells a non-admin who may sync, and runs nothing", async () => {
    const run = vi.fn(() => Promise.reject(new Error("must not run")));
    pipeline = run;
    const answer = await ask("sync full");
    expect(textsOf(answer)[0]).toBe("Solo los administradores de la PMO pueden sincronizar: <@UADMIN0001>.");
    expect(run).not.toHaveBeenCalled();
    expect(textsOf(await ask("sync", "U0BOB"))[0]).toBe("Only PMO admins may sync: <@UADMIN0001>.");
  });

  it("answers 'Sincronizando…' at once, then the counts", async () => {
    const order: string[] = [];
    pipeline = async (kind) => {
      order.push(`run ${kind}`);
      return {
        sync: { status: "completed", kind, syncId: "s9", reason: null, stats },
        rules: null,
        alerts: null,
      };
    };
    const { body, path } = slashCommand("sync full", ADMIN);
    const answers: Response[] = [];
    nock(SLACK_TEST_ORIGIN)
      .post(path, (posted: unknown) => {
        answers.push(responseSchema.parse(posted));
        order.push(`answer ${answers.length}`);
        return true;
      })
      .times(2)
      .reply(200, "ok");
    await h.process(body);
    expect(order).toEqual(["answer 1", "run full", "answer 2"]);
    const [started, done] = answers;
    expect(started && textsOf(started)[0]).toBe("⏳ Sincronizando (completa)… Te aviso aquí cuando termine.");
    expect(done && textsOf(done)[0]).toContain("✅ Sincronización completa terminada en 42 s.");
    expect(done && textsOf(done)[0]).toContain(
      "51 proyectos sincronizados · 6 cambios · 2 hallazgos abiertos · 1 hallazgo resuelto",
    );
    expect(done && freshnessOf(done)).toBe(FRESHNESS_ES);
  });

  it.each(["sync confirmar-bajas", "sync confirm-removals"])(
    "%j runs a full sync allowed to mark the removals, and says what it marked",
    async (text) => {
      const run = vi.fn(
        async (kind: SyncKind): Promise<FullPipelineSummary> => ({
          sync: {
            status: "completed",
            kind,
            syncId: "s11",
            reason: null,
            stats: { ...stats, projectsRemoved: 6 },
          },
          rules: null,
          alerts: null,
        }),
      );
      pipeline = run;
      const { body, path } = slashCommand(text, ADMIN);
      const answers = answersTo(path, 2);
      await h.process(body);
      expect(run).toHaveBeenCalledWith("full", { confirmRemovals: true });
      expect(answers[0] && textsOf(answers[0])[0]).toBe(
        "⏳ Sincronización completa con las bajas confirmadas… Te aviso aquí cuando termine.",
      );
      expect(answers[1] && textsOf(answers[1])[0]).toContain("6 proyectos marcados como baja.");
    },
  );

  it("a plain sync is not allowed to mark a mass removal, and says it held one back", async () => {
    const run = vi.fn(
      async (kind: SyncKind): Promise<FullPipelineSummary> => ({
        sync: {
          status: "completed",
          kind,
          syncId: "s12",
          reason: null,
          stats,
          heldRemovals: { syncId: "s12", kind, count: 1260, activeProjects: 1400, limit: 70, samples: [] },
        },
        rules: null,
        alerts: null,
      }),
    );
    pipeline = run;
    const { body, path } = slashCommand("sync", ADMIN);
    const answers = answersTo(path, 2);
    await h.process(body);
    expect(run).toHaveBeenCalledWith("partial", {});
    expect(answers[1] && textsOf(answers[1])[0]).toContain(
      "⚠️ 1260 proyectos desaparecieron de Asana a la vez: no se dio de baja ninguno.",
    );
  });

  it("refuses confirmar-bajas to a non-admin, and runs nothing", async () => {
    const run = vi.fn(() => Promise.reject(new Error("must not run")));
    pipeline = run;
    expect(textsOf(await ask("sync confirm-removals", "U0BOB"))[0]).toBe(
      "Only PMO admins may sync: <@UADMIN0001>.",
    );
    expect(run).not.toHaveBeenCalled();
  });

  it.each([
    [
      "already running",
      async (kind: SyncKind): Promise<FullPipelineSummary> => ({
        sync: { status: "skipped", kind, syncId: null, reason: "lease held", stats },
        rules: null,
        alerts: null,
      }),
      "Ya hay una sincronización en curso.",
    ],
    [
      "failed",
      async (kind: SyncKind): Promise<FullPipelineSummary> => ({
        sync: { status: "failed", kind, syncId: "s10", reason: "Asana answered 500", stats },
        rules: null,
        alerts: null,
      }),
      "❌ La sincronización falló.",
    ],
    ["thrown", () => Promise.reject(new Error("no Asana client")), "❌ La sincronización falló."],
  ])("says when the run is %s", async (_name, run, expected) => {
    pipeline = run;
    const { body, path } = slashCommand("sync", ADMIN);
    const answers = answersTo(path, 2);
    await h.process(body);
    expect(answers).toHaveLength(2);
    expect(answers[1] && textsOf(answers[1])[0]).toContain(expected);
  });
});

describe("paging with the 'Ver más' button", () => {
  it("pages a long list; the button carries the subcommand, the text and the offset", async () => {
    const first = await ask("buscar obra");
    expect(textsOf(first)[0]).toBe("*Resultados para «obra»* · 45");
    expect(shown(first)).toContain("Mostrando 1–20 de 45");
    expect(first.blocks.length).toBeLessThanOrEqual(50);
    const value = moreValueOf(first);
    expect(value).not.toBeNull();
    expect(value?.length).toBeLessThanOrEqual(2_000);

    const click = buttonClick(value ?? "");
    const secondAnswers = answersTo(click.path);
    expect(await h.process(click.body)).toBeUndefined();
    const [second] = secondAnswers;
    if (second === undefined) throw new Error("no second page");
    expect(second.replace_original).toBe(false);
    expect(shown(second)).toContain("Mostrando 21–40 de 45");
    expect(freshnessOf(second)).toBe(FRESHNESS_ES);

    const third = buttonClick(moreValueOf(second) ?? "");
    const thirdAnswers = answersTo(third.path);
    await h.process(third.body);
    expect(thirdAnswers[0] && shown(thirdAnswers[0])).toContain("Mostrando 41–45 de 45");
    expect(thirdAnswers[0] && moreValueOf(thirdAnswers[0])).toBeNull();
  });

  it("answers in the clicker's language", async () => {
    const first = await ask("buscar obra");
    const click = buttonClick(moreValueOf(first) ?? "", "U0BOB");
    const answers = answersTo(click.path);
    await h.process(click.body);
    expect(answers[0] && shown(answers[0])).toContain("Showing 21–40 of 45");
  });

  it.each(["{", '{"cmd":{"kind":"sync"},"offset":1}', "x".repeat(3_000)])(
    "refuses a value that is not ours (%#)",
    async (value) => {
      const click = buttonClick(value);
      const answers = answersTo(click.path);
      await h.process(click.body);
      expect(answers[0] && textsOf(answers[0])[0]).toBe(
        "Este botón ya no es válido. Vuelve a escribir el comando.",
      );
    },
  );
});

describe("bad input gets a short polite answer and nothing crashes", () => {
  it("5,000 characters: the echo is capped and escaped", async () => {
    const answer = await ask(`<&>${"x".repeat(4_997)}`);
    expect(textsOf(answer)[0]?.length).toBeLessThan(200);
    expect(textsOf(answer)[0]).toContain("&lt;&amp;&gt;");
    const search = await ask(`buscar ${"ñ".repeat(5_000)}`);
    expect(textsOf(search)[0]).toBe("El texto a buscar es demasiado largo: máximo 100 caracteres.");
    const filters = await ask(`hallazgos ${"vertical:x ".repeat(500)}`);
    expect(textsOf(filters)[0]).toBe("Usa un solo filtro de vertical.");
  });

  it.each([
    "<!channel>",
    "<!here> hola",
    "@channel",
    "&lt;!everyone&gt;",
    "buscar <!channel>",
    "hallazgos @here",
  ])("%j pings nobody", async (text) => {
    const answer = await ask(text);
    for (const t of [answer.text, ...textsOf(answer)]) {
      expect(t).not.toMatch(/<!(channel|here|everyone)/);
      expect(t).not.toMatch(/(^|[^\u2060])@(channel|here|everyone)\b/);
    }
  });

  it("a project named <!channel> is shown escaped", async () => {
    const answer = await ask("buscar ruidoso");
    expect(shown(answer)).toContain("&lt;!channel&gt; Proyecto ruidoso");
    expect(shown(answer)).toContain("&lt;@U999&gt;");
  });

  it("every blns string, alone and after buscar and hallazgos", async () => {
    const texts = HOSTILE_STRINGS.flatMap((s) => [s, `buscar ${s}`, `hallazgos ${s}`]);
    const path = `/response/${++responseCount}`;
    const answers = answersTo(path, texts.length);
    for (const [i, text] of texts.entries()) {
      const { body } = slashCommand(text, i % 2 === 0 ? "U0ANA" : "U0BOB");
      await h.process({ ...body, response_url: `${SLACK_TEST_ORIGIN}${path}` });
    }
    expect(answers).toHaveLength(texts.length);
    for (const answer of answers) {
      expectNothingUnescaped(answer);
      expect(freshnessOf(answer)).toMatch(/^Datos al|^Data as of/);
    }
  }, 120_000);
});

describe("failures", () => {
  it("a store failure gets a short apology; nothing is thrown to Bolt", async () => {
    vi.spyOn(h.repos.syncLog, "recent").mockRejectedValue(new Error("store unreachable"));
    const answer = await ask("estado");
    expect(textsOf(answer)).toEqual(["Algo salió mal al responder. Inténtalo de nuevo en unos minutos."]);
  });

  it("an expired response_url is logged, not thrown", async () => {
    const { body, path } = slashCommand("ayuda");
    nock(SLACK_TEST_ORIGIN).post(path).times(2).reply(404, "expired_url");
    await expect(h.process(body)).resolves.toBeUndefined();
  });

  it("logs never carry the response_url, the trigger_id or what the user typed", async () => {
    const lines: string[] = [];
    const logger = h.deps.logger;
    h.deps.logger = createLogger(
      { logLevel: "debug", secrets: [] },
      { write: (line: string) => lines.push(line) },
    );
    vi.spyOn(h.repos.syncLog, "recent").mockRejectedValue(new Error("store unreachable"));
    try {
      const { body, path } = slashCommand("buscar secreto-del-usuario", "U0ANA");
      nock(SLACK_TEST_ORIGIN).post(path).reply(200, "ok");
      await h.process(body);
      vi.restoreAllMocks();
      const sync = slashCommand("sync full", "U0BOB");
      nock(SLACK_TEST_ORIGIN).post(sync.path).reply(200, "ok");
      await h.process(sync.body);
    } finally {
      h.deps.logger = logger;
    }
    expect(lines.length).toBeGreaterThan(0);
    const log = lines.join("\n");
    expect(log).toContain("/pmo could not answer");
    expect(log).not.toContain("secreto-del-usuario");
    expect(log).not.toContain("otra-cosa-secreta");
    expect(log).not.toContain("/response/");
    expect(log).not.toContain("1337.42.abcdef");
  });
});
