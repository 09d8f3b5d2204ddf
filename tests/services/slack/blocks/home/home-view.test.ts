import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { type Locale, type SyncRun, syncRunSchema } from "../../../../../services/model.ts";
import { FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE } from "../../../../../services/slack/action-ids.ts";
import type { FindingWithProject } from "../../../../../services/slack/blocks/finding-parts.ts";
import {
  DEFAULT_HOME_STATE,
  type HomeState,
  parseHomeState,
} from "../../../../../services/slack/blocks/home/home-state.ts";
import {
  ageText,
  type BuiltHomeView,
  HOME_BLOCKS_MAX,
  type HomeModel,
  homeView,
  MY_FINDINGS_FOR_ADMIN,
  MY_FINDINGS_PAGE,
  type MyWork,
  PORTFOLIO_PAGE,
  type Portfolio,
  pageOf,
} from "../../../../../services/slack/blocks/home/home-view.ts";
import {
  HOME_FILTER_RESPONSABLE,
  HOME_FILTER_SEVERITY,
  HOME_FILTER_VERTICAL,
  HOME_PAGE_NEXT,
  HOME_PAGE_PREVIOUS,
  HOME_WEB_PANEL,
} from "../../../../../services/slack/home-action-ids.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { aFinding, aProject, context } from "../fixtures.ts";
import { expectSafeTexts, expectUniqueIds, textObjects } from "../view-checks.ts";

const NOW = new Date("2026-03-10T15:00:00.000Z");
const lastSync: SyncRun = syncRunSchema.parse({
  syncId: "s1",
  kind: "partial",
  status: "completed",
  startedAt: "2026-03-10T14:30:00.000Z",
  completedAt: "2026-03-10T14:35:00.000Z",
  staleProjects: 2,
});

const entries = (count: number, name = (i: number) => `Proyecto ${i}`): FindingWithProject[] =>
  Array.from({ length: count }, (_, i) => ({
    finding: aFinding({ projectGid: String(3000 + i), severity: i % 3 === 0 ? "high" : "medium" }),
    project: aProject({ gid: String(3000 + i), name: name(i), businessVertical: `Vertical ${i % 4}` }),
  }));

function mine(
  options: { projects?: number; findings?: FindingWithProject[]; page?: number; admin?: boolean } = {},
): MyWork {
  const projects = Array.from({ length: options.projects ?? 2 }, (_, i) => ({
    project: aProject({
      gid: String(1200 + i),
      name: `Mi proyecto ${i}`,
      status: "at_risk",
      dueOn: "2026-03-15",
      progressPercent: 40,
    }),
    openFindings: i,
  }));
  const findings = options.findings ?? entries(2);
  return {
    kind: "mapped",
    projects,
    projectsTotal: projects.length,
    findings: options.admin
      ? pageOf(findings, 1, MY_FINDINGS_FOR_ADMIN)
      : pageOf(findings, options.page ?? 1, MY_FINDINGS_PAGE),
  };
}

function portfolio(all: FindingWithProject[], state: HomeState = DEFAULT_HOME_STATE): Portfolio {
  return {
    bySeverity: { high: 3, medium: 5, low: 1 },
    byVertical: [
      { vertical: "Banca", count: 6 },
      { vertical: null, count: 3 },
    ],
    staleProjects: 2,
    verticals: ["Banca", "Salud"],
    responsables: [{ key: "9001", name: "Ana Pérez" }],
    findings: pageOf(all, state.page, PORTFOLIO_PAGE),
  };
}

function model(overrides: Partial<HomeModel> = {}, locale: Locale = "es"): HomeModel {
  return {
    ctx: context(locale),
    now: NOW,
    state: DEFAULT_HOME_STATE,
    notice: null,
    lastSync,
    mine: mine(),
    portfolio: null,
    ...overrides,
  };
}

const byId = (view: BuiltHomeView, id: string): KnownBlock | undefined =>
  view.blocks.find((b) => b.block_id === id);
const textOf = (view: BuiltHomeView, id: string): string =>
  textObjects(byId(view, id))
    .map((t) => t.text)
    .join("\n");
const ids = (view: BuiltHomeView): string[] => view.blocks.map((b) => b.block_id ?? "");

function expectValidHome(view: BuiltHomeView): void {
  expect(view.type).toBe("home");
  expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCKS_MAX);
  expect((view.private_metadata ?? "").length).toBeLessThanOrEqual(3_000);
  expectUniqueIds(view.blocks);
  expectSafeTexts(view);
  for (const block of view.blocks) {
    if (block.type === "header") expect(textOf(view, block.block_id ?? "").length).toBeLessThanOrEqual(150);
  }
  for (const slot of textObjects(view)) {
    expect(slot.text.trim().length, slot.at).toBeGreaterThan(0);
    expect(slot.text.length, slot.at).toBeLessThanOrEqual(3_000);
    // Options and buttons: 75 characters.
    if (/options|elements\[\d+\]\.text|initial_option/.test(slot.at))
      expect(slot.text.length, slot.at).toBeLessThanOrEqual(75);
  }
}

describe("the Home of a project manager", () => {
  it.each([
    [
      "es",
      "Mis proyectos",
      "Mis hallazgos abiertos",
      "Datos al 10 de marzo de 2026, 09:35 (hace 25 min)",
      "Avance: 40 %",
    ],
    [
      "en",
      "My projects",
      "My open findings",
      "Data as of March 10, 2026, 9:35 AM (25 min ago)",
      "Progress: 40%",
    ],
  ] as const)(
    "shows their projects and findings with buttons (%s)",
    (locale, projects, findings, freshness, progress) => {
      const view = homeView(model({}, locale));
      expectValidHome(view);
      expect(ids(view).slice(0, 3)).toEqual(["home-title", "home-freshness", "home-my-projects"]);
      expect(textOf(view, "home-my-projects")).toBe(projects);
      expect(textOf(view, "home-my-findings")).toBe(findings);
      expect(textOf(view, "home-freshness")).toBe(freshness);
      expect(textOf(view, "home-project-0")).toContain(
        "🟡 <https://app.asana.com/0/1201/list|Mi proyecto 0> · PMO-12",
      );
      expect(textOf(view, "home-project-0")).toContain(progress);
      expect(byId(view, "home-mine-0")).toBeDefined();
      expect(
        JSON.stringify(byId(view, "home-mine-0-actions")).match(/finding_(ack|resolve|snooze)/g),
      ).toEqual([FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE]);
      expect(ids(view)).not.toContain("home-portfolio");
      expect(ids(view)).not.toContain("home-filters");
    },
  );

  it.each([
    {
      locale: "es" as const,
      project: "🔒 *Sin acceso* en Asana",
      finding: "🔒 *Sin acceso* al proyecto en Asana desde el",
    },
    {
      locale: "en" as const,
      project: "🔒 *No access* in Asana",
      finding: "🔒 *No access* to the project in Asana since",
    },
  ])(
    "marks a project without access and its open findings, buttons kept ($locale)",
    ({ locale, project, finding }) => {
      const lostAt = "2026-03-09T12:00:00.000Z";
      const lostProject = aProject({ gid: "1200", removedAt: lostAt, removedReason: "no_access" });
      const lost = {
        finding: aFinding({
          projectGid: "1200",
          details: { daysToDue: 5, progress: 40, noAccessSince: lostAt },
        }),
        project: lostProject,
      };
      const work: MyWork = {
        kind: "mapped",
        projects: [{ project: lostProject, openFindings: 1 }],
        projectsTotal: 1,
        findings: pageOf([lost], 1, MY_FINDINGS_PAGE),
      };
      const view = homeView(model({ mine: work }, locale));
      expectValidHome(view);
      expect(textOf(view, "home-project-0")).toContain(project);
      expect(textOf(view, "home-mine-0")).toContain(finding);
      expect(
        JSON.stringify(byId(view, "home-mine-0-actions")).match(/finding_(ack|resolve|snooze)/g),
      ).toEqual([FINDING_ACK, FINDING_RESOLVE, FINDING_SNOOZE]);
    },
  );

  it("tells someone without an Asana user why their projects are missing", () => {
    const view = homeView(model({ mine: { kind: "unmapped" } }));
    expectValidHome(view);
    expect(textOf(view, "home-unmapped")).toMatch(/correo de tu perfil de Slack/);
    expect(ids(view)).not.toContain("home-my-findings");
  });

  it("says when nothing is synced yet and when there is nothing to do", () => {
    const view = homeView(model({ lastSync: null, mine: mine({ projects: 0, findings: [] }) }));
    expect(textOf(view, "home-freshness")).toBe("Todavía no hay datos sincronizados de Asana.");
    expect(textOf(view, "home-no-projects")).toContain("No eres responsable");
    expect(textOf(view, "home-no-findings")).toContain("No tienes hallazgos abiertos");
  });

  it("pages their findings and counts the projects it does not list", () => {
    const many = entries(40);
    const state = { ...DEFAULT_HOME_STATE, page: 2 };
    const work = mine({ projects: 25, findings: many, page: 2 });
    const view = homeView(model({ state, mine: work }));
    expectValidHome(view);
    expect(view.blocks.filter((b) => /^home-project-\d+$/.test(b.block_id ?? ""))).toHaveLength(10);
    expect(textOf(view, "home-projects-more")).toBe("Y 15 proyectos más.");
    expect(textOf(view, "home-mine-range")).toBe("Hallazgos 16–30 de 40 · página 2 de 3");
    const paging = byId(view, "home-paging");
    expect(JSON.stringify(paging)).toContain(HOME_PAGE_PREVIOUS);
    expect(JSON.stringify(paging)).toContain(HOME_PAGE_NEXT);
    expect(parseHomeState(view.private_metadata)).toEqual(state);
  });

  it("puts a notice on top", () => {
    const view = homeView(model({ notice: "✅ Resolviste el hallazgo de Portal." }));
    expect(ids(view)[2]).toBe("home-notice");
  });
});

describe("the Home of a PMO admin", () => {
  it.each([
    ["es", "Portafolio", "*Hallazgos abiertos*\n🔴 3 · 🟡 5 · 🟢 1", "parcial", "Todas las severidades"],
    ["en", "Portfolio", "*Open findings*\n🔴 3 · 🟡 5 · 🟢 1", "partial", "All severities"],
  ] as const)("adds the portfolio summary and the filtered list (%s)", (locale, title, counts, kind, all) => {
    const view = homeView(model({ mine: mine({ admin: true }), portfolio: portfolio(entries(45)) }, locale));
    expectValidHome(view);
    expect(textOf(view, "home-portfolio")).toBe(title);
    const summary = textOf(view, "home-summary");
    expect(summary).toContain(counts);
    expect(summary).toContain(kind);
    expect(summary).toContain("2");
    expect(textOf(view, "home-verticals")).toContain("Banca: 6");
    const filters = byId(view, "home-filters");
    if (filters?.type !== "actions") throw new Error("no filters");
    expect(filters.elements.map((e) => ("action_id" in e ? e.action_id : null))).toEqual([
      HOME_FILTER_SEVERITY,
      HOME_FILTER_VERTICAL,
      HOME_FILTER_RESPONSABLE,
    ]);
    expect(JSON.stringify(filters.elements[0])).toContain(all);
    expect(view.blocks.filter((b) => /^home-finding-\d+$/.test(b.block_id ?? ""))).toHaveLength(
      PORTFOLIO_PAGE,
    );
    expect(JSON.stringify(byId(view, "home-paging"))).toContain(HOME_PAGE_NEXT);
    expect(JSON.stringify(byId(view, "home-paging"))).not.toContain(HOME_PAGE_PREVIOUS);
  });

  it("shows the chosen filters as the selects' initial options, even a vertical no longer listed", () => {
    const state: HomeState = {
      severity: "high",
      vertical: { kind: "is", value: "Minería" },
      responsable: { kind: "is", value: "9001" },
      page: 1,
    };
    const view = homeView(
      model({ state, mine: mine({ admin: true }), portfolio: portfolio(entries(3), state) }),
    );
    const filters = byId(view, "home-filters");
    if (filters?.type !== "actions") throw new Error("no filters");
    const initial = filters.elements.map((e) =>
      e.type === "static_select" ? e.initial_option?.value : null,
    );
    expect(initial).toEqual(["high", "is:Minería", "is:9001"]);
    for (const element of filters.elements) {
      if (element.type !== "static_select") continue;
      expect(element.options?.map((o) => o.value)).toContain(element.initial_option?.value);
    }
  });

  it("lists an admin's own findings briefly (the portfolio list has them all)", () => {
    const view = homeView(
      model({ mine: mine({ admin: true, findings: entries(12) }), portfolio: portfolio(entries(12)) }),
    );
    expect(view.blocks.filter((b) => /^home-mine-\d+$/.test(b.block_id ?? ""))).toHaveLength(
      MY_FINDINGS_FOR_ADMIN,
    );
    expect(textOf(view, "home-mine-more")).toContain("Y 7 más");
  });

  it("stays within 100 blocks and Slack's option limits at any size", () => {
    const all = entries(1_500);
    const big: Portfolio = {
      ...portfolio(all),
      verticals: Array.from({ length: 300 }, (_, i) => `Vertical ${i}`),
      responsables: Array.from({ length: 300 }, (_, i) => ({ key: String(9000 + i), name: `Persona ${i}` })),
      byVertical: Array.from({ length: 300 }, (_, i) => ({ vertical: `Vertical ${i}`, count: 300 - i })),
    };
    const view = homeView(
      model({
        notice: "aviso",
        mine: mine({ projects: 60, findings: entries(60), admin: true }),
        portfolio: big,
      }),
    );
    expectValidHome(view);
    const filters = byId(view, "home-filters");
    if (filters?.type !== "actions") throw new Error("no filters");
    for (const element of filters.elements)
      if (element.type === "static_select") expect(element.options?.length).toBeLessThanOrEqual(100);
    expect(textOf(view, "home-verticals")).toContain("Otras:");
  });

  it("escapes every name that came from Asana", () => {
    const hostile = HOSTILE_STRINGS;
    const all = hostile.map((name, i) => ({
      finding: aFinding({ projectGid: String(5000 + i) }),
      project: aProject({
        gid: String(5000 + i),
        name,
        businessVertical: name,
        responsable: name,
        pmoId: name,
      }),
    }));
    for (let page = 1; page <= Math.ceil(all.length / PORTFOLIO_PAGE); page++) {
      const state = { ...DEFAULT_HOME_STATE, page };
      const view = homeView(
        model({
          ctx: context("es", null),
          state,
          mine: mine({ findings: all }),
          portfolio: {
            ...portfolio(all, state),
            verticals: [...hostile],
            responsables: hostile.map((name, i) => ({ key: String(i), name })),
            byVertical: hostile.slice(0, 10).map((vertical) => ({ vertical, count: 1 })),
          },
        }),
      );
      expectValidHome(view);
      expect(JSON.stringify(view)).not.toMatch(/<!(channel|here|everyone)|<@U123>|<#C1>/);
    }
  });
});

describe("paging and ages", () => {
  it.each([
    [0, 1, { page: 1, pages: 1, first: 1, items: 0 }],
    [45, 1, { page: 1, pages: 3, first: 1, items: 20 }],
    [45, 3, { page: 3, pages: 3, first: 41, items: 5 }],
    [45, 9, { page: 3, pages: 3, first: 41, items: 5 }],
    [45, 0, { page: 1, pages: 3, first: 1, items: 20 }],
  ])("%i items, page %i", (count, page, expected) => {
    const result = pageOf(
      Array.from({ length: count }, (_, i) => i),
      page,
      20,
    );
    expect({
      page: result.page,
      pages: result.pages,
      first: result.first,
      items: result.items.length,
    }).toEqual(expected);
  });

  it.each([
    [0, "es", "1 min"],
    [59 * 60_000, "es", "59 min"],
    [3 * 3_600_000, "en", "3 h"],
    [50 * 3_600_000, "es", "2 días"],
    [26 * 3_600_000, "en", "26 h"],
    [24 * 3 * 3_600_000, "en", "3 days"],
  ] as const)("%i ms ago reads %s: %s", (ms, locale, text) => {
    expect(ageText(locale, new Date(NOW.getTime() - ms), NOW)).toBe(text);
  });
});

describe("the Home's web dashboard button", () => {
  const buttonOf = (view: BuiltHomeView) => {
    const block = byId(view, "home-web");
    return block?.type === "actions" ? block.elements.find((e) => e.type === "button") : undefined;
  };

  it.each([
    ["es", "Panel web"],
    ["en", "Web dashboard"],
  ] as const)("is shown under the title when the web is on (%s)", (locale, label) => {
    const view = homeView(model({ webPanel: true }, locale));
    expectValidHome(view);
    expect(ids(view).indexOf("home-web")).toBe(2);
    const button = buttonOf(view);
    expect(button?.action_id).toBe(HOME_WEB_PANEL);
    expect(JSON.stringify(button)).toContain(label);
  });

  it("is not shown when the web is off", () => {
    expect(ids(homeView(model()))).not.toContain("home-web");
    expect(ids(homeView(model({ webPanel: false })))).not.toContain("home-web");
  });

  it("leaves the largest admin Home whole, within 100 blocks", () => {
    const view = homeView(
      model({
        notice: "aviso",
        mine: mine({ projects: 60, findings: entries(60), admin: true }),
        portfolio: portfolio(entries(1_500)),
        webPanel: true,
      }),
    );
    expectValidHome(view);
    expect(ids(view)).toContain("home-web");
    // The last block is still the paging one: nothing was cut to fit.
    expect(ids(view).at(-1)).toBe("home-paging");
    const member = homeView(
      model({ notice: "aviso", mine: mine({ projects: 60, findings: entries(60) }), webPanel: true }),
    );
    expectValidHome(member);
    expect(ids(member).at(-1)).toBe("home-paging");
  });
});
