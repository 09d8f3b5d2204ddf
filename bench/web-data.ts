import { mapLimit } from "../services/concurrency.ts";
import { type ChangeEntryInput, type ProjectInput, SEVERITIES, type Severity } from "../services/model.ts";
import { encodeFindingState, findingStateField } from "../services/rules/finding-state-codec.ts";
import type { Store } from "../services/store/client.ts";
import { createRepositories } from "../services/store/repositories.ts";

/**
 * A portfolio for the web dashboard's benchmark, browser tests and screenshots: projects with
 * Spanish names, owners and verticals, open findings, their history in the changelog (so the
 * charts have a past), status updates and sync runs. Deterministic for a seed.
 */

export type DashboardData = { projects: number; findings: number; seed?: number; now: Date };

const WORDS = [
  "Portal",
  "Migración",
  "Plataforma",
  "Integración",
  "Rediseño",
  "Automatización",
  "Analítica",
  "Canal",
  "Gestión",
  "Modernización",
];
const THINGS = [
  "clientes",
  "pagos",
  "nómina",
  "inventario",
  "créditos",
  "seguros",
  "logística",
  "facturación",
  "onboarding",
  "riesgos",
  "tesorería",
  "CRM",
];
const OWNERS = [
  "Ana Pérez",
  "Bruno Díaz",
  "Carla Gómez",
  "Diego Ruiz",
  "Elena Torres",
  "Fabián Rojas",
  "Gabriela Núñez",
  "Héctor Salas",
  "Inés Vargas",
  "Julián Castro",
  "Karen Mejía",
  "Luis Herrera",
];
const VERTICALS = ["Banca", "Seguros", "Retail", "Salud", "Energía", "Telecomunicaciones"];
const STATUSES = ["on_track", "on_track", "at_risk", "off_track", "on_hold", "none"] as const;
const RULES = [
  "no_status_update",
  "no_activity",
  "schedule_risk",
  "overdue",
  "amount_of_tasks",
  "progress_mismatch",
  "missing_pmo_id",
  "missing_due_date",
];
const DAY_MS = 86_400_000;

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const projectGidOf = (i: number): string => String(1_300_000_000_000_000 + i);

export async function seedDashboard(
  store: Pick<Store, "doc" | "tables">,
  data: DashboardData,
): Promise<void> {
  const rand = random(data.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const clock = { now: data.now };
  const repos = createRepositories(store, {
    changelogRetentionDays: 365,
    findingsRetentionDays: 365,
    clock: () => clock.now,
  });
  const iso = (msAgo: number) => new Date(data.now.getTime() - msAgo).toISOString();
  const projects: ProjectInput[] = Array.from({ length: data.projects }, (_, i) => {
    const owner = OWNERS[i % OWNERS.length] ?? "Ana Pérez";
    const due = new Date(data.now.getTime() + (Math.floor(rand() * 200) - 30) * DAY_MS)
      .toISOString()
      .slice(0, 10);
    const updated = rand() < 0.85 ? iso(Math.floor(rand() * 20 * DAY_MS)) : null;
    return {
      gid: projectGidOf(i),
      name: `${pick(WORDS)} de ${pick(THINGS)} ${i + 1}`,
      pmoId: `PMO-${i + 1}`,
      responsable: owner,
      responsableKey: String(9000 + OWNERS.indexOf(owner)),
      businessVertical: pick(VERTICALS),
      status: pick(STATUSES),
      statusText: "Avance según plan; pendiente validación con el proveedor.",
      progressPercent: Math.floor(rand() * 101),
      totalTasks: 40,
      completedTasks: 20,
      pendingTasks: 20,
      dueOn: due,
      startOn: iso(120 * DAY_MS).slice(0, 10),
      lastStatusUpdateAt: updated,
      lastActivityAt: iso(Math.floor(rand() * 10 * DAY_MS)),
      permalinkUrl: `https://app.asana.com/0/${projectGidOf(i)}/list`,
      lastSyncedAt: data.now.toISOString(),
    };
  });
  for (let i = 0; i < projects.length; i += 100) await repos.projects.insertMany(projects.slice(i, i + 100));

  const wanted = Math.min(data.findings, data.projects * RULES.length);
  const keys = new Set<string>();
  const findings: { gid: string; ruleId: string; severity: Severity; ageMs: number }[] = [];
  while (findings.length < wanted) {
    const gid = projectGidOf(Math.floor(rand() * data.projects));
    const ruleId = pick(RULES);
    if (keys.has(`${gid}#${ruleId}`)) continue;
    keys.add(`${gid}#${ruleId}`);
    findings.push({ gid, ruleId, severity: pick(SEVERITIES), ageMs: Math.floor(rand() * 85 * DAY_MS) });
  }
  await mapLimit(findings, 20, async (f) => {
    await repos.findings.open({
      projectGid: f.gid,
      ruleId: f.ruleId,
      severity: f.severity,
      details: { days: 9, daysToDue: 5, progress: 40, count: 2 },
    });
  });
  // The history the charts replay: each finding opened some days ago; some past ones opened and resolved.
  const entries: ChangeEntryInput[] = [];
  for (const f of findings) {
    entries.push({
      projectGid: f.gid,
      fieldName: findingStateField(f.ruleId),
      oldValue: null,
      newValue: encodeFindingState({ status: "open", severity: f.severity }),
      syncId: null,
      detectedAt: iso(f.ageMs),
      source: "rules",
      actor: null,
    });
  }
  for (let i = 0; i < Math.floor(wanted / 3); i++) {
    const gid = projectGidOf(Math.floor(rand() * data.projects));
    const severity = pick(SEVERITIES);
    const opened = Math.floor(30 * DAY_MS + rand() * 55 * DAY_MS);
    const state = { status: "open" as const, severity };
    entries.push(
      {
        projectGid: gid,
        fieldName: findingStateField("past_rule"),
        oldValue: null,
        newValue: encodeFindingState(state),
        syncId: null,
        detectedAt: iso(opened),
        source: "rules",
        actor: null,
      },
      {
        projectGid: gid,
        fieldName: findingStateField("past_rule"),
        oldValue: encodeFindingState(state),
        newValue: encodeFindingState({ status: "resolved", severity }),
        syncId: null,
        detectedAt: iso(opened - 20 * DAY_MS),
        source: "rules",
        actor: null,
      },
    );
  }
  for (const p of projects.slice(0, Math.min(projects.length, 200))) {
    entries.push({
      projectGid: p.gid,
      fieldName: "dueOn",
      oldValue: iso(200 * DAY_MS).slice(0, 10),
      newValue: p.dueOn ?? null,
      syncId: "seed",
      detectedAt: iso(Math.floor(rand() * 60 * DAY_MS)),
      source: "asana",
      actor: null,
    });
    entries.push({
      projectGid: p.gid,
      fieldName: "progressPercent",
      oldValue: 10,
      newValue: p.progressPercent ?? null,
      syncId: "seed",
      detectedAt: iso(Math.floor(rand() * 30 * DAY_MS)),
      source: "asana",
      actor: null,
    });
  }
  for (let i = 0; i < entries.length; i += 500) await repos.changelog.append(entries.slice(i, i + 500));

  for (const p of projects.slice(0, Math.min(projects.length, 40))) {
    await repos.updates.add({
      projectGid: p.gid,
      slackUserId: "UPM0000001",
      submittedAt: p.lastStatusUpdateAt ?? iso(3 * DAY_MS),
      text: `${p.pmoId} avance ${p.progressPercent ?? 0}%, en riesgo por el proveedor, entrega el viernes`,
      parsed: {
        progress: p.progressPercent ?? null,
        health: "at_risk",
        risks: ["el proveedor"],
        blockers: [],
        nextSteps: ["validar con el proveedor"],
        eta: p.dueOn ?? null,
      },
    });
  }
  for (let day = 30; day >= 1; day--) {
    clock.now = new Date(data.now.getTime() - day * DAY_MS);
    const syncId = `seed-${day}`;
    await repos.syncLog.createRunning({ syncId, kind: day % 7 === 0 ? "full" : "partial", owner: "seed" });
    await repos.syncLog.complete(syncId, {
      projectsSynced: data.projects,
      changesDetected: Math.floor(rand() * 40),
      asanaCalls: Math.floor(data.projects / 100) + Math.floor(rand() * 200),
      throttled: rand() < 0.1 ? 2 : 0,
      durationMs: Math.floor(20_000 + rand() * 60_000),
    });
  }
  clock.now = data.now;
}
