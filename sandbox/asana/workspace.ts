/**
 * A deterministic Asana workspace for the sandbox: the same seed (and the same `now`) always gives
 * the same people, teams, portfolios, projects, status updates and tasks. Mutators change it
 * between syncs the way people change Asana, and record the events Asana's Events API would report.
 */

export type SandboxUser = { gid: string; name: string; email: string };
export type SandboxTeam = { gid: string; name: string };

export type SandboxTask = {
  gid: string;
  name: string;
  completed: boolean;
  completedAt: string | null;
  createdAt: string;
  modifiedAt: string;
};

/** Asana's project status types (goals add achieved, partial and missed). */
export const SANDBOX_STATUS_TYPES = [
  "on_track",
  "at_risk",
  "off_track",
  "on_hold",
  "complete",
  "dropped",
] as const;
export type SandboxStatusType = (typeof SANDBOX_STATUS_TYPES)[number];

export type SandboxStatusUpdate = {
  gid: string;
  statusType: SandboxStatusType;
  title: string;
  text: string;
  createdAt: string;
  authorGid: string | null;
};

export type SandboxResourceRef = { gid: string; resourceType: string; name: string };

export type SandboxEvent = {
  createdAt: string;
  userGid: string | null;
  resource: SandboxResourceRef;
  action: "changed" | "added" | "removed" | "deleted" | "undeleted";
  parent: SandboxResourceRef | null;
  change: { field: string; action: "changed" | "added" | "removed" } | null;
};

export type SandboxProject = {
  gid: string;
  name: string;
  notes: string;
  color: string;
  archived: boolean;
  completed: boolean;
  completedAt: string | null;
  createdAt: string;
  modifiedAt: string;
  dueOn: string | null;
  startOn: string | null;
  ownerGid: string | null;
  teamGid: string;
  /** Whether the custom field is attached to the project at all. */
  hasPmoIdField: boolean;
  pmoId: string | null;
  hasVerticalField: boolean;
  vertical: string | null;
  /** Oldest first; the last one is the project's current_status_update. */
  statusUpdates: SandboxStatusUpdate[];
  tasks: SandboxTask[];
  /** Everything the Events API reports for this project, oldest first. */
  events: SandboxEvent[];
};

export type SandboxPortfolio = { gid: string; name: string; ownerGid: string; itemGids: string[] };

export type SandboxCustomFields = {
  pmoId: { gid: string; name: string };
  vertical: { gid: string; name: string; options: { gid: string; name: string; color: string }[] };
};

export type WorkspaceOptions = {
  seed?: number;
  projects?: number;
  now?: () => Date;
  pmoIdFieldName?: string;
  verticalFieldName?: string;
};

export const VERTICALS = ["Banca", "Seguros", "Retail", "Salud", "Gobierno", "Telecomunicaciones", "Energía"];
export const HOSTILE_NAMES = ["<!channel> urgente", "<@U123> & <b>"];

const DAY_MS = 86_400_000;
const GID_BASE = {
  workspace: 1_200_000_000_000_001,
  user: 1_201_000_000_000_000,
  team: 1_202_000_000_000_000,
  project: 1_203_000_000_000_000,
  task: 1_204_000_000_000_000,
  customField: 1_205_000_000_000_000,
  statusUpdate: 1_206_000_000_000_000,
  portfolio: 1_207_000_000_000_000,
  enumOption: 1_208_000_000_000_000,
};
const TASKS_PER_PROJECT_GID_SPACE = 100_000;

/** Whitespace-separated words, for long lists of one-word names. */
function words(text: string): string[] {
  return text.trim().split(/\s+/);
}

const FIRST_NAMES = words(`
  María José Ana Luis Carmen Jorge Lucía Andrés Sofía Diego Valentina Camilo Isabel Javier Paula
  Sebastián Daniela Alejandro Natalia Fernando Mónica Ricardo Claudia Tomás Gabriela Raúl Verónica
  Héctor Adriana Iván
`);
const LAST_NAMES = words(`
  García Rodríguez Martínez López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz
  Cruz Morales Reyes Gutiérrez Ortiz Castaño Muñoz Jiménez Vargas Romero Herrera Medina Núñez Ríos
  Mendoza Aguilar Peña
`);
const PROJECT_ACTIONS = words(`
  Migración Implementación Modernización Automatización Renovación Despliegue Integración
  Optimización Rediseño Consolidación Digitalización Actualización
`);
const PROJECT_OBJECTS = [
  "del core bancario",
  "de la app móvil",
  "del portal de clientes",
  "de facturación electrónica",
  "del data lake",
  "del onboarding digital",
  "de la red de sucursales",
  "del CRM comercial",
  "de pagos inmediatos",
  "del centro de contacto",
  "de la plataforma de reclamos",
  "del motor de riesgos",
  "de la historia clínica electrónica",
  "del e-commerce",
  "de la trazabilidad logística",
  "del sistema de nómina",
  "de la mesa de ayuda",
  "de ciberseguridad perimetral",
  "del tablero de indicadores",
  "de la pasarela de seguros",
];
const PROJECT_SUFFIXES = ["", " — Fase 2", " Colombia", " México", " Perú", " Chile", " 2025", " (piloto)"];
const TEAM_NAMES = ["PMO Transformación", "PMO Operaciones", "PMO Tecnología", "PMO Comercial"];
const TASK_NAMES = [
  "Levantar requerimientos",
  "Diseñar solución",
  "Configurar ambiente",
  "Pruebas unitarias",
  "Pruebas de integración",
  "Capacitación de usuarios",
  "Paso a producción",
  "Documentación",
  "Revisión con negocio",
  "Ajustes post go-live",
  "Migrar datos",
  "Aprobación de presupuesto",
];
const STATUS_TEXTS: Record<SandboxStatusType, readonly string[]> = {
  on_track: [
    "Avance según lo planeado. Próximo hito: pruebas de integración.",
    "Sin novedades; el equipo cumple el cronograma.",
  ],
  at_risk: [
    "Riesgo por demoras del proveedor; se evalúa un plan de mitigación.",
    "Dependencia con el equipo de infraestructura podría retrasar la entrega.",
  ],
  off_track: [
    "Retraso de tres semanas por cambios de alcance; se requiere decisión del comité.",
    "Bloqueado por falta de ambiente de pruebas.",
  ],
  on_hold: ["En pausa a la espera de aprobación de presupuesto."],
  complete: ["Proyecto cerrado; lecciones aprendidas documentadas."],
  dropped: ["Cancelado por cambio de prioridades del negocio."],
};
const STATUS_WEIGHTS: readonly (readonly [SandboxStatusType, number])[] = [
  ["on_track", 50],
  ["at_risk", 20],
  ["off_track", 12],
  ["on_hold", 8],
  ["complete", 5],
  ["dropped", 5],
];
const COLORS = ["light-green", "light-blue", "dark-teal", "light-orange", "dark-purple", "light-red"];
const VERTICAL_COLORS = ["blue", "green", "orange", "red", "purple", "yellow-green", "aqua"];

/** mulberry32: small, fast and good enough to make test data. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Dice {
  constructor(private readonly next: () => number) {}
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = entries[entries.length - 1];
    if (last === undefined) throw new Error("no weights");
    return last[0];
  }
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = copy[i];
      const b = copy[j];
      if (a === undefined || b === undefined) continue;
      copy[i] = b;
      copy[j] = a;
    }
    return copy;
  }
}

export function stripAccents(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "");
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoTime = (ms: number) => new Date(ms).toISOString();

export class SandboxWorkspace {
  readonly gid = String(GID_BASE.workspace);
  readonly name = "Empresa Demo";
  readonly users: SandboxUser[] = [];
  /** The user the sandbox token belongs to ("me"). */
  readonly me: SandboxUser;
  readonly teams: SandboxTeam[] = [];
  readonly portfolios: SandboxPortfolio[] = [];
  readonly customFields: SandboxCustomFields;
  readonly rootPortfolioGid: string;
  private readonly projectsByGid = new Map<string, SandboxProject>();
  private readonly deletedGids = new Set<string>();
  private readonly deniedGids = new Set<string>();
  private nextStatusUpdate = 0;
  readonly now: () => Date;

  constructor(options: WorkspaceOptions = {}) {
    const seed = options.seed ?? 1;
    const projectCount = options.projects ?? 60;
    this.now = options.now ?? (() => new Date());
    const dice = new Dice(seededRandom(seed));
    const nowMs = this.now().getTime();

    this.customFields = {
      pmoId: { gid: String(GID_BASE.customField + 1), name: options.pmoIdFieldName ?? "PMO ID" },
      vertical: {
        gid: String(GID_BASE.customField + 2),
        name: options.verticalFieldName ?? "Business Vertical",
        options: VERTICALS.map((name, i) => ({
          gid: String(GID_BASE.enumOption + i + 1),
          name,
          color: VERTICAL_COLORS[i % VERTICAL_COLORS.length] ?? "none",
        })),
      },
    };

    this.me = { gid: String(GID_BASE.user), name: "PMO Pulse (bot)", email: "pmo.pulse@empresa.example" };
    this.users.push(this.me);
    const ownerCount = Math.min(60, Math.max(20, Math.round(projectCount / 2.5)));
    const people = dice.shuffle(
      FIRST_NAMES.flatMap((first) => LAST_NAMES.map((last) => [first, last] as const)),
    );
    for (let i = 0; i < ownerCount; i++) {
      const [first, last] = people[i % people.length] ?? ["Ana", "Pérez"];
      const repeat = Math.floor(i / people.length);
      const local = stripAccents(`${first}.${last}`)
        .toLowerCase()
        .replace(/[^a-z.]/g, "");
      this.users.push({
        gid: String(GID_BASE.user + i + 1),
        name: `${first} ${last}`,
        email: `${local}${repeat > 0 ? repeat + 1 : ""}@empresa.example`,
      });
    }
    const owners = this.users.slice(1);

    TEAM_NAMES.forEach((name, i) => {
      this.teams.push({ gid: String(GID_BASE.team + i + 1), name });
    });

    const nameCombos = dice.shuffle(
      PROJECT_ACTIONS.flatMap((a) =>
        PROJECT_OBJECTS.flatMap((o) => PROJECT_SUFFIXES.map((s) => `${a} ${o}${s}`)),
      ),
    );
    const projects: SandboxProject[] = [];
    for (let i = 0; i < projectCount; i++) {
      projects.push(this.generateProject(i, dice, nowMs, owners, nameCombos));
    }
    for (const project of projects) this.projectsByGid.set(project.gid, project);

    this.rootPortfolioGid = String(GID_BASE.portfolio + 1);
    this.portfolios.push(...generatePortfolios(projects, owners, dice));
  }

  private generateProject(
    i: number,
    dice: Dice,
    nowMs: number,
    owners: readonly SandboxUser[],
    nameCombos: readonly string[],
  ): SandboxProject {
    const gid = String(GID_BASE.project + i + 1);
    const baseName = nameCombos[i % nameCombos.length] ?? `Proyecto ${i + 1}`;
    const round = Math.floor(i / nameCombos.length);
    const hostile = i === 2 ? HOSTILE_NAMES[0] : i === 5 ? HOSTILE_NAMES[1] : undefined;
    const name = hostile ?? (round > 0 ? `${baseName} ${round + 1}` : baseName);

    const number = 101 + i;
    const pmoId = i % 13 === 4 ? `pmo ${number}` : i % 19 === 7 ? String(number) : `PMO-${number}`;
    const hasPmoIdField = i % 17 !== 9;
    const pmoIdValue = i % 23 === 11 ? null : pmoId;
    const hasVerticalField = i % 29 !== 13;
    const vertical = i % 14 === 6 ? null : dice.pick(VERTICALS);

    const dueMs = nowMs + dice.int(-45, 120) * DAY_MS;
    const dueOn = i % 11 === 3 ? null : isoDay(dueMs);
    const startOn = dueOn !== null && dice.chance(0.8) ? isoDay(dueMs - dice.int(30, 180) * DAY_MS) : null;
    const createdMs = nowMs - dice.int(60, 400) * DAY_MS;
    const ownerGid = i % 16 === 10 ? null : dice.pick(owners).gid;
    const completed = i % 27 === 20;
    const archived = i % 25 === 24;

    const statusUpdates: SandboxStatusUpdate[] = [];
    if (completed || !dice.chance(0.12)) {
      const count = dice.int(1, 3);
      let ageDays = dice.int(0, 45);
      for (let u = 0; u < count; u++) {
        const statusType: SandboxStatusType =
          completed && u === 0 ? "complete" : dice.weighted(STATUS_WEIGHTS);
        const createdAt = nowMs - ageDays * DAY_MS - dice.int(0, 600) * 60_000;
        statusUpdates.unshift({
          gid: this.statusUpdateGid(),
          statusType,
          title: `Estado semanal — ${isoDay(createdAt)}`,
          text: dice.pick(STATUS_TEXTS[statusType]),
          createdAt: isoTime(createdAt),
          authorGid: ownerGid ?? dice.pick(owners).gid,
        });
        ageDays += dice.int(7, 14);
      }
    }

    const taskCount = dice.chance(0.1) ? dice.int(0, 3) : dice.int(5, 60);
    const completedShare = dice.float();
    const inactive = dice.chance(0.15);
    const tasks: SandboxTask[] = [];
    for (let t = 0; t < taskCount; t++) {
      const modifiedMs = nowMs - (inactive ? dice.int(10, 40) * DAY_MS : dice.int(0, 30 * 24 * 60) * 60_000);
      const done = t < Math.round(taskCount * completedShare);
      tasks.push({
        gid: String(GID_BASE.task + i * TASKS_PER_PROJECT_GID_SPACE + t + 1),
        name: `${dice.pick(TASK_NAMES)} ${t + 1}`,
        completed: done,
        completedAt: done ? isoTime(modifiedMs) : null,
        createdAt: isoTime(createdMs),
        modifiedAt: isoTime(modifiedMs),
      });
    }

    return {
      gid,
      name,
      notes: `Proyecto del portafolio ${vertical ?? "corporativo"}.`,
      color: dice.pick(COLORS),
      archived,
      completed,
      completedAt: completed ? isoTime(nowMs - dice.int(1, 30) * DAY_MS) : null,
      createdAt: isoTime(createdMs),
      modifiedAt: isoTime(nowMs - dice.int(0, 20) * DAY_MS),
      dueOn,
      startOn,
      ownerGid,
      teamGid: this.teams[i % this.teams.length]?.gid ?? String(GID_BASE.team + 1),
      hasPmoIdField,
      pmoId: pmoIdValue,
      hasVerticalField,
      vertical,
      statusUpdates,
      tasks,
      events: [],
    };
  }

  private statusUpdateGid(): string {
    this.nextStatusUpdate++;
    return String(GID_BASE.statusUpdate + this.nextStatusUpdate);
  }

  /** Every project that was not deleted, in creation order. */
  projects(): SandboxProject[] {
    return [...this.projectsByGid.values()];
  }

  project(gid: string): SandboxProject | undefined {
    return this.projectsByGid.get(gid);
  }

  isDeleted(gid: string): boolean {
    return this.deletedGids.has(gid);
  }

  /**
   * The sandbox token's user loses (or, with `denied` false, regains) access to the project, as
   * when it is made private in Asana: listings leave it out and reading it answers 403.
   */
  denyAccess(projectGid: string, denied = true): void {
    this.mustFind(projectGid);
    if (denied) this.deniedGids.add(projectGid);
    else this.deniedGids.delete(projectGid);
  }

  hasAccess(gid: string): boolean {
    return !this.deniedGids.has(gid);
  }

  portfolio(gid: string): SandboxPortfolio | undefined {
    return this.portfolios.find((p) => p.gid === gid);
  }

  team(gid: string): SandboxTeam | undefined {
    return this.teams.find((t) => t.gid === gid);
  }

  user(gid: string): SandboxUser | undefined {
    return this.users.find((u) => u.gid === gid);
  }

  /** Asana accepts "me", a gid or an email wherever it takes a user. */
  findUser(identifier: string): SandboxUser | undefined {
    if (identifier === "me") return this.me;
    const email = identifier.toLowerCase();
    return this.users.find((u) => u.gid === identifier || u.email.toLowerCase() === email);
  }

  private mustFind(gid: string): SandboxProject {
    const project = this.projectsByGid.get(gid);
    if (project === undefined) throw new Error(`sandbox: no project ${gid}`);
    return project;
  }

  private ref(project: SandboxProject): SandboxResourceRef {
    return { gid: project.gid, resourceType: "project", name: project.name };
  }

  private recordProjectChange(project: SandboxProject, field: string, actorGid: string | null): void {
    const at = isoTime(this.now().getTime());
    project.modifiedAt = at;
    project.events.push({
      createdAt: at,
      userGid: actorGid ?? this.me.gid,
      resource: this.ref(project),
      action: "changed",
      parent: null,
      change: { field, action: "changed" },
    });
  }

  /** Completes up to `count` open tasks; returns their gids. Task changes leave modified_at alone, as in Asana. */
  completeTasks(projectGid: string, count = 1): string[] {
    const project = this.mustFind(projectGid);
    const at = isoTime(this.now().getTime());
    const done: string[] = [];
    for (const task of project.tasks) {
      if (done.length >= count) break;
      if (task.completed) continue;
      task.completed = true;
      task.completedAt = at;
      task.modifiedAt = at;
      done.push(task.gid);
      project.events.push({
        createdAt: at,
        userGid: project.ownerGid ?? this.me.gid,
        resource: { gid: task.gid, resourceType: "task", name: task.name },
        action: "changed",
        parent: null,
        change: { field: "completed", action: "changed" },
      });
    }
    return done;
  }

  addTasks(projectGid: string, count = 1): string[] {
    const project = this.mustFind(projectGid);
    const index = Number(projectGid) - GID_BASE.project - 1;
    const at = isoTime(this.now().getTime());
    const added: string[] = [];
    for (let n = 0; n < count; n++) {
      const task: SandboxTask = {
        gid: String(GID_BASE.task + index * TASKS_PER_PROJECT_GID_SPACE + project.tasks.length + 1),
        name: `Nueva tarea ${project.tasks.length + 1}`,
        completed: false,
        completedAt: null,
        createdAt: at,
        modifiedAt: at,
      };
      project.tasks.push(task);
      added.push(task.gid);
      project.events.push({
        createdAt: at,
        userGid: project.ownerGid ?? this.me.gid,
        resource: { gid: task.gid, resourceType: "task", name: task.name },
        action: "added",
        parent: this.ref(project),
        change: null,
      });
    }
    return added;
  }

  setDueOn(projectGid: string, dueOn: string | null): void {
    const project = this.mustFind(projectGid);
    project.dueOn = dueOn;
    this.recordProjectChange(project, "due_on", project.ownerGid);
  }

  postStatusUpdate(
    projectGid: string,
    update: { statusType: SandboxStatusType; text: string; title?: string; authorGid?: string },
  ): SandboxStatusUpdate {
    const project = this.mustFind(projectGid);
    const nowMs = this.now().getTime();
    const created: SandboxStatusUpdate = {
      gid: this.statusUpdateGid(),
      statusType: update.statusType,
      title: update.title ?? `Estado — ${isoDay(nowMs)}`,
      text: update.text,
      createdAt: isoTime(nowMs),
      authorGid: update.authorGid ?? project.ownerGid ?? this.me.gid,
    };
    project.statusUpdates.push(created);
    project.events.push({
      createdAt: created.createdAt,
      userGid: created.authorGid,
      resource: { gid: created.gid, resourceType: "status_update", name: created.title },
      action: "added",
      parent: this.ref(project),
      change: null,
    });
    return created;
  }

  archiveProject(projectGid: string, archived = true): void {
    const project = this.mustFind(projectGid);
    project.archived = archived;
    this.recordProjectChange(project, "archived", project.ownerGid);
  }

  completeProject(projectGid: string, completed = true): void {
    const project = this.mustFind(projectGid);
    project.completed = completed;
    project.completedAt = completed ? isoTime(this.now().getTime()) : null;
    this.recordProjectChange(project, "completed", project.ownerGid);
  }

  renameProject(projectGid: string, name: string): void {
    const project = this.mustFind(projectGid);
    project.name = name;
    this.recordProjectChange(project, "name", project.ownerGid);
  }

  setOwner(projectGid: string, ownerGid: string | null): void {
    if (ownerGid !== null && this.user(ownerGid) === undefined)
      throw new Error(`sandbox: no user ${ownerGid}`);
    const project = this.mustFind(projectGid);
    project.ownerGid = ownerGid;
    this.recordProjectChange(project, "owner", ownerGid);
  }

  setPmoId(projectGid: string, pmoId: string | null): void {
    const project = this.mustFind(projectGid);
    project.hasPmoIdField = true;
    project.pmoId = pmoId;
    this.recordProjectChange(project, "custom_fields", project.ownerGid);
  }

  setVertical(projectGid: string, vertical: string | null): void {
    if (vertical !== null && !VERTICALS.includes(vertical))
      throw new Error(`sandbox: no vertical ${vertical}`);
    const project = this.mustFind(projectGid);
    project.hasVerticalField = true;
    project.vertical = vertical;
    this.recordProjectChange(project, "custom_fields", project.ownerGid);
  }

  deleteProject(projectGid: string): void {
    this.mustFind(projectGid);
    this.projectsByGid.delete(projectGid);
    this.deletedGids.add(projectGid);
    for (const portfolio of this.portfolios) {
      portfolio.itemGids = portfolio.itemGids.filter((gid) => gid !== projectGid);
    }
  }
}

/**
 * A root portfolio holding one portfolio per vertical (Banca with one more level inside), projects
 * without a vertical directly, a few projects in two portfolios, and every tenth project outside.
 */
function generatePortfolios(
  projects: readonly SandboxProject[],
  owners: readonly SandboxUser[],
  dice: Dice,
): SandboxPortfolio[] {
  const owner = () => dice.pick(owners).gid;
  const root: SandboxPortfolio = {
    gid: String(GID_BASE.portfolio + 1),
    name: "Portafolio PMO",
    ownerGid: owner(),
    itemGids: [],
  };
  const byVertical = new Map<string, SandboxPortfolio>();
  VERTICALS.forEach((vertical, i) => {
    const portfolio = {
      gid: String(GID_BASE.portfolio + 10 + i),
      name: `Portafolio ${vertical}`,
      ownerGid: owner(),
      itemGids: [],
    };
    byVertical.set(vertical, portfolio);
    root.itemGids.push(portfolio.gid);
  });
  const nested: SandboxPortfolio = {
    gid: String(GID_BASE.portfolio + 100),
    name: "Banca — Transformación digital",
    ownerGid: owner(),
    itemGids: [],
  };
  byVertical.get("Banca")?.itemGids.push(nested.gid);

  projects.forEach((project, i) => {
    if (i % 10 === 9) return;
    const home = project.vertical === null ? root : (byVertical.get(project.vertical) ?? root);
    const target = project.vertical === "Banca" && i % 2 === 0 ? nested : home;
    target.itemGids.push(project.gid);
    if (i % 20 === 0 && target !== root) root.itemGids.push(project.gid);
  });
  return [root, ...byVertical.values(), nested];
}

export function createWorkspace(options: WorkspaceOptions = {}): SandboxWorkspace {
  return new SandboxWorkspace(options);
}
