import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type AttributeValue, ScanCommand } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { parseConfig } from "../app/config.ts";
import { type DynamoDbCall, watchDynamoDb } from "../app/metrics.ts";
import { type RunningApp, startApp } from "../app/start.ts";
import { type SandboxMessage, type SandboxSlack, startSandboxSlack } from "../sandbox/slack/server.ts";
import type { Project } from "../services/model.ts";
import { isActiveProject } from "../services/rules/rules.ts";
import { UPDATE_CONFIRM } from "../services/slack/update-ids.ts";
import type { Store } from "../services/store/client.ts";
import { TABLE_SPECS, type TableName, type TableSpec } from "../services/store/tables.ts";
import { asanaSandboxMutated, asanaSandboxReady, nextMessage } from "./child-process.ts";

/**
 * `npm run bench -- cost [--projects 1400] [--json]`: what a day of PMO Pulse costs on DynamoDB
 * on-demand, projected to a month.
 *
 * The app runs in this process as `npm start` runs it (embedded engine under a temporary
 * DATA_DIR, Bolt over socket mode) against the sandbox Slack (this process) and the sandbox Asana
 * (a process of its own). A first full sync fills the store (not counted: it happens once). Then
 * the counted day: 1 full and 47 partial syncs, each followed by the rules and the alerts, with 5 %
 * of the projects changed in Asana before each partial; 50 status updates sent by DM and confirmed,
 * 200 App Home openings and 100 `/pmo` lookups spread over the day; and what runs in the
 * background: the pending-updates job every 5 minutes (288), one daily digest, a `/metrics` scrape
 * a minute (1,440).
 *
 * Capacity: every request carries ReturnConsumedCapacity TOTAL (app/metrics.ts) and dynalite
 * answers it (it computes units from item sizes as DynamoDB does: 1 KB per write unit, 4 KB per
 * read unit, half for an eventually consistent read). Two charges dynalite does not report are
 * estimated: writes to global secondary indexes (each index holding the item is written too) and
 * conditional writes that fail (DynamoDB still charges them). Storage is measured at the end by
 * reading every item and sizing it as DynamoDB does (plus 100 bytes an item, and again per index).
 */

/**
 * The only prices in the code: DynamoDB on-demand in us-east-1 (Standard table class), as listed
 * since the on-demand price cut of 2024-11-01, checked 2026-12-03; and, for the README's
 * comparison, a small managed PostgreSQL (RDS db.t4g.micro, Single-AZ, 20 GB gp3).
 */
export const PRICES = {
  checkedOn: "2026-12-03",
  region: "us-east-1",
  dynamodb: {
    usdPerMillionWriteRequestUnits: 0.625,
    usdPerMillionReadRequestUnits: 0.125,
    /** The account's first 25 GB a month are free; not deducted here. */
    storageUsdPerGbMonth: 0.25,
    pointInTimeRecoveryUsdPerGbMonth: 0.2,
  },
  rdsPostgres: { instance: "db.t4g.micro", usdPerHour: 0.016, storageGb: 20, storageUsdPerGbMonth: 0.115 },
} as const;

const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 30;
/** DynamoDB bills this much per item on top of its attributes, in the table and in each index. */
const ITEM_OVERHEAD_BYTES = 100;

export function rdsPostgresUsdPerMonth(): number {
  const rds = PRICES.rdsPostgres;
  return round(rds.usdPerHour * HOURS_PER_MONTH + rds.storageGb * rds.storageUsdPerGbMonth, 2);
}

export type DayUsage = { rru: number; wru: number; storageMbAfterMonth: number };

/** A month of on-demand DynamoDB for a day's usage: reads, writes, storage and point-in-time recovery. */
export function monthlyCost(day: DayUsage): {
  reads: number;
  writes: number;
  storage: number;
  pointInTimeRecovery: number;
  total: number;
} {
  const p = PRICES.dynamodb;
  const gb = day.storageMbAfterMonth / 1024;
  const reads = (day.rru * DAYS_PER_MONTH * p.usdPerMillionReadRequestUnits) / 1e6;
  const writes = (day.wru * DAYS_PER_MONTH * p.usdPerMillionWriteRequestUnits) / 1e6;
  const storage = gb * p.storageUsdPerGbMonth;
  const pointInTimeRecovery = gb * p.pointInTimeRecoveryUsdPerGbMonth;
  return {
    reads: round(reads, 4),
    writes: round(writes, 4),
    storage: round(storage, 4),
    pointInTimeRecovery: round(pointInTimeRecovery, 4),
    total: round(reads + writes + storage + pointInTimeRecovery, 4),
  };
}

// ---- Sizes, as DynamoDB counts them ---------------------------------------------------------------

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** A number takes about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text
    .replace(/^-/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "")
    .replace(/^0+|0+$/g, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeSize(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeSize(value), 0);
}

function inIndex(item: Record<string, AttributeValue>, index: TableSpec["indexes"][number]): boolean {
  return (
    item[index.partitionKey.name] !== undefined && (!index.sortKey || item[index.sortKey.name] !== undefined)
  );
}

type TableStorage = { items: number; bytes: number; indexBytes: number; indexShare: number };

/** Every item of every table read and sized (a Scan per table: only here, never in the app). */
async function measureStorage(store: Store): Promise<Map<TableName, TableStorage>> {
  const out = new Map<TableName, TableStorage>();
  for (const spec of TABLE_SPECS) {
    const found: TableStorage = { items: 0, bytes: 0, indexBytes: 0, indexShare: 0 };
    let indexed = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await store.client.send(
        new ScanCommand({ TableName: store.tables[spec.name], ExclusiveStartKey: start }),
      );
      for (const item of page.Items ?? []) {
        const size = itemSize(item) + ITEM_OVERHEAD_BYTES;
        found.items++;
        found.bytes += size;
        for (const index of spec.indexes) {
          if (!inIndex(item, index)) continue;
          indexed++;
          found.indexBytes += size;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    found.indexShare = found.items === 0 ? 0 : indexed / found.items;
    out.set(spec.name, found);
  }
  return out;
}

const totalMb = (storage: Map<TableName, TableStorage>) =>
  [...storage.values()].reduce((sum, t) => sum + t.bytes + t.indexBytes, 0) / 1024 / 1024;

// ---- Capacity, as the app's requests report it -----------------------------------------------------

type TableUsage = { rru: number; wru: number; conditionalFailures: number };

class CapacityTally {
  counting = false;
  readonly byTable = new Map<string, TableUsage>();
  /** By table and operation: where the units go. */
  readonly byOperation = new Map<
    string,
    { table: string; operation: string; calls: number; units: number }
  >();

  private of(table: string): TableUsage {
    let usage = this.byTable.get(table);
    if (usage === undefined) {
      usage = { rru: 0, wru: 0, conditionalFailures: 0 };
      this.byTable.set(table, usage);
    }
    return usage;
  }

  add(call: DynamoDbCall): void {
    if (!this.counting) return;
    for (const used of call.capacity) {
      if (call.kind === "read") this.of(used.table).rru += used.units;
      else if (call.kind === "write") this.of(used.table).wru += used.units;
      const key = `${used.table} ${call.operation}`;
      const entry = this.byOperation.get(key) ?? {
        table: used.table,
        operation: call.operation,
        calls: 0,
        units: 0,
      };
      entry.calls++;
      entry.units += used.units;
      this.byOperation.set(key, entry);
    }
    if (call.kind === "write" && call.error === "ConditionalCheckFailedException" && call.table !== null)
      this.of(call.table).conditionalFailures++;
  }
}

// ---- The simulated day -------------------------------------------------------------------------------

const ADMIN = "U0SBXADM01";

export type CostResult = {
  rruPerDay: number;
  wruPerDay: number;
  storageMb: number;
  usdPerMonth: number;
  details: {
    projects: number;
    day: {
      fullSyncs: number;
      partialSyncs: number;
      changedShare: number;
      dms: number;
      homes: number;
      lookups: number;
    };
    reported: { rru: number; wru: number };
    estimated: { indexWru: number; conditionalWru: number };
    byTable: Record<string, { rru: number; wru: number; indexWru: number; storageMb: number }>;
    /** The costliest table operations of the day, most units first (index writes not included). */
    largest: { table: string; operation: string; calls: number; units: number }[];
    storageMbAfterMonth: number;
    usd: ReturnType<typeof monthlyCost>;
    rdsPostgresUsdPerMonth: number;
    capacitySource: string;
    wallS: number;
    /** Where the counted day's time went. */
    phaseS: Record<string, number>;
  };
};

/** n events spread over `slots` intervals as evenly as whole numbers allow. */
export function spread(n: number, slots: number, slot: number): number {
  return Math.floor(((slot + 1) * n) / slots) - Math.floor((slot * n) / slots);
}

export async function benchCost(args: string[]): Promise<CostResult> {
  const { values } = parseArgs({
    args,
    options: {
      projects: { type: "string", default: "1400" },
      partials: { type: "string", default: "47" },
      changed: { type: "string", default: "0.05" },
      dms: { type: "string", default: "50" },
      homes: { type: "string", default: "200" },
      lookups: { type: "string", default: "100" },
      seed: { type: "string", default: "5" },
    },
    strict: true,
  });
  const projects = z.coerce.number().int().min(1).parse(values.projects);
  const partials = z.coerce.number().int().min(1).parse(values.partials);
  const share = z.coerce.number().min(0).max(1).parse(values.changed);
  const dms = z.coerce.number().int().min(0).parse(values.dms);
  const homes = z.coerce.number().int().min(0).parse(values.homes);
  const lookups = z.coerce.number().int().min(0).parse(values.lookups);
  const started = performance.now();

  const child = fork(
    join(import.meta.dirname, "asana-sandbox-child.ts"),
    [
      JSON.stringify({
        projects,
        seed: values.seed,
        latencyMs: 0,
        plan: "paid",
        requestsPerMinute: 1_000_000,
      }),
    ],
    { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const cleanups: (() => Promise<void> | void)[] = [() => void child.send({ type: "stop" })];
  try {
    const asana = await nextMessage(child, asanaSandboxReady);
    const pms = asana.ownerEmails.map((email, i) => ({
      id: `U0SBXPM${String(i + 1).padStart(3, "0")}`,
      name: `pm${i + 1}`,
      realName: `PM ${i + 1}`,
      email,
      locale: "es-LA",
      tz: "America/Bogota",
      isAdmin: false,
    }));
    const slack = await startSandboxSlack({
      users: [
        {
          id: ADMIN,
          name: "ana",
          realName: "Ana Torres",
          email: "ana.torres@empresa.example",
          locale: "es-LA",
          tz: "America/Bogota",
          isAdmin: true,
        },
        ...pms,
      ],
    });
    cleanups.push(() => slack.stop());
    const dataDir = mkdtempSync(join(tmpdir(), "pmo-bench-cost-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const config = parseConfig(
      {
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        PMO_CHANNEL_ID: "C0SBXPMO01",
        PMO_ADMIN_USER_IDS: ADMIN,
        ASANA_TOKEN: asana.token,
        ASANA_BASE_URL: asana.baseUrl,
        ASANA_WORKSPACE_GID: asana.workspaceGid,
        // The costlier setting: every confirmed update is also queued and written back to Asana.
        ASANA_WRITE_BACK: "true",
        // Several updates a minute from one PM here are a day's worth squeezed together.
        DM_RATE_LIMIT_PER_MINUTE: "10000",
        DATA_DIR: dataDir,
        HEALTH_PORT: "0",
        WEB_PORT: "0",
        LOG_LEVEL: "error",
      },
      "app",
    );
    const app = await startApp(config, {
      schedules: false,
      asanaRequestsPerMinute: 1_000_000,
      // stdout carries the figures (JSON with --json).
      logDestination: process.stderr,
    });
    cleanups.push(() => app.stop());
    await slack.waitForConnections(1, 60_000);
    const { store } = app.container;
    const tally = new CapacityTally();
    watchDynamoDb(store.client, { name: "benchCost", call: (call) => tally.add(call) });

    // Once in the app's life: the first full sync on an empty store, and its first alerts.
    await completed(app, "full");
    const pmProjects = await projectsOfPms(app, pms);
    const before = await measureStorage(store);

    const act = userActions(app, slack, pms, pmProjects);
    const totals = { dms: 0, homes: 0, lookups: 0 };
    const seconds = { syncs: 0, dms: 0, homes: 0, lookups: 0, background: 0 };
    const timed = async (phase: keyof typeof seconds, work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      seconds[phase] += (performance.now() - t) / 1000;
    };
    // Several people at once, each waiting for their own answer.
    const together = async (count: number, work: () => Promise<void>) => {
      for (let left = count; left > 0; left -= PEOPLE_AT_ONCE)
        await Promise.all(Array.from({ length: Math.min(PEOPLE_AT_ONCE, left) }, work));
    };
    // Each sync opens a half hour of the day (the full one, then a partial every 30 minutes).
    const slots = partials + 1;
    tally.counting = true;
    for (let slot = 0; slot < slots; slot++) {
      if (slot === 0) await timed("syncs", () => completed(app, "full"));
      else {
        child.send({ type: "mutate", share });
        await nextMessage(child, asanaSandboxMutated);
        await timed("syncs", () => completed(app, "partial"));
      }
      for (let i = spread(dms, slots, slot); i > 0; i--)
        await timed("dms", () => act.statusUpdate(totals.dms++));
      await timed("homes", () => together(spread(homes, slots, slot), () => act.openHome(totals.homes++)));
      await timed("lookups", () =>
        together(spread(lookups, slots, slot), () => act.lookup(totals.lookups++)),
      );
      for (let i = 0; i < PENDING_RUNS_PER_SLOT; i++)
        await timed("background", () => app.services.updates.retryPending());
      await timed("background", () => together(SCRAPES_PER_SLOT, () => act.scrape()));
    }
    await timed("background", () => app.services.digest.send());
    tally.counting = false;
    const after = await measureStorage(store);

    const byTable: CostResult["details"]["byTable"] = {};
    let reportedRru = 0;
    let reportedWru = 0;
    let indexWru = 0;
    let conditionalWru = 0;
    for (const spec of TABLE_SPECS) {
      const usage = tally.byTable.get(store.tables[spec.name]) ?? { rru: 0, wru: 0, conditionalFailures: 0 };
      const storage = after.get(spec.name);
      // Each index holding an item is written with it, about as much again (projection ALL).
      const tableIndexWru = usage.wru * (storage?.indexShare ?? 0);
      reportedRru += usage.rru;
      reportedWru += usage.wru;
      indexWru += tableIndexWru;
      // A failed conditional write is charged at least one write unit.
      conditionalWru += usage.conditionalFailures;
      byTable[spec.name] = {
        rru: round(usage.rru, 1),
        wru: round(usage.wru, 1),
        indexWru: round(tableIndexWru, 1),
        storageMb: round(((storage?.bytes ?? 0) + (storage?.indexBytes ?? 0)) / 1024 / 1024, 3),
      };
    }
    const storageMb = totalMb(after);
    // What a day adds (changelog, updates, sync runs, findings) piles up for the rest of the month.
    const storageMbAfterMonth = storageMb + Math.max(0, storageMb - totalMb(before)) * (DAYS_PER_MONTH - 1);
    const rru = reportedRru;
    const wru = reportedWru + indexWru + conditionalWru;
    const usd = monthlyCost({ rru, wru, storageMbAfterMonth });
    return {
      rruPerDay: Math.round(rru),
      wruPerDay: Math.round(wru),
      storageMb: round(storageMb, 2),
      usdPerMonth: round(usd.total, 2),
      details: {
        projects: asana.projects,
        day: {
          fullSyncs: 1,
          partialSyncs: partials,
          changedShare: share,
          dms: totals.dms,
          homes: totals.homes,
          lookups: totals.lookups,
        },
        reported: { rru: round(reportedRru, 1), wru: round(reportedWru, 1) },
        estimated: { indexWru: round(indexWru, 1), conditionalWru },
        byTable,
        largest: [...tally.byOperation.values()]
          .sort((a, b) => b.units - a.units)
          .slice(0, 8)
          .map((entry) => ({
            ...entry,
            table: TABLE_SPECS.find((spec) => store.tables[spec.name] === entry.table)?.name ?? entry.table,
            units: round(entry.units, 1),
          })),
        storageMbAfterMonth: round(storageMbAfterMonth, 2),
        usd,
        rdsPostgresUsdPerMonth: rdsPostgresUsdPerMonth(),
        capacitySource:
          "dynalite's ConsumedCapacity (ReturnConsumedCapacity TOTAL on every request); index writes and failed conditional writes estimated",
        wallS: round((performance.now() - started) / 1000, 1),
        phaseS: Object.fromEntries(Object.entries(seconds).map(([phase, s]) => [phase, round(s, 1)])),
      },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function completed(app: RunningApp, kind: "full" | "partial"): Promise<void> {
  const run = await app.runPipeline(kind);
  if (run.sync.status !== "completed")
    throw new Error(`the ${kind} sync ${run.sync.status}: ${run.sync.reason}`);
}

/** Each PM's active projects that have a PMO ID, by Slack user id. */
async function projectsOfPms(
  app: RunningApp,
  pms: readonly { id: string; email: string }[],
): Promise<Map<string, Project[]>> {
  const byEmail = new Map<string, Project[]>();
  for await (const page of app.container.repos.projects.iterateAll()) {
    for (const project of page) {
      if (project.ownerEmail === null || project.pmoId === null || !isActiveProject(project)) continue;
      byEmail.set(project.ownerEmail, [...(byEmail.get(project.ownerEmail) ?? []), project]);
    }
  }
  return new Map(pms.map((pm) => [pm.id, byEmail.get(pm.email) ?? []]));
}

const WAIT_MS = 60_000;
/** The pending-updates job runs every 5 minutes, Prometheus scrapes every minute: per half hour. */
const PENDING_RUNS_PER_SLOT = 6;
const SCRAPES_PER_SLOT = 30;
/** How many of the benchmark's people act at the same moment (each one thing at a time). */
const PEOPLE_AT_ONCE = 6;
const UPDATE_TEXTS = [
  "avance 60%, bloqueado por el proveedor, entrega el viernes",
  "avance 75%, en curso. Próximos pasos: pruebas con usuarios",
  "progress 40%, at risk because of the vendor",
  "avance 90%, todo en orden, cierre la próxima semana",
];
const hasConfirm = (message: SandboxMessage) => JSON.stringify(message.blocks).includes(UPDATE_CONFIRM);

/** What people do, each step waiting for the app's answer as Slack would show it (no store reads). */
function userActions(
  app: RunningApp,
  slack: SandboxSlack,
  pms: readonly { id: string }[],
  pmProjects: ReadonlyMap<string, Project[]>,
) {
  const people = [ADMIN, ...pms.map((pm) => pm.id)];
  const pmsWithProjects = pms.filter((pm) => (pmProjects.get(pm.id) ?? []).length > 0);
  const botMessages = (user: string) => slack.messages(user).filter((m) => m.botId !== null);
  return {
    statusUpdate: async (n: number) => {
      const pm = pmsWithProjects[n % Math.max(1, pmsWithProjects.length)];
      const own = pm === undefined ? [] : (pmProjects.get(pm.id) ?? []);
      const project = own[Math.floor(n / Math.max(1, pmsWithProjects.length)) % Math.max(1, own.length)];
      if (pm === undefined || project === undefined) return;
      const seen = new Set(botMessages(pm.id).map((m) => m.ts));
      await slack.sendDm(pm.id, `${project.pmoId} ${UPDATE_TEXTS[n % UPDATE_TEXTS.length]}`);
      const card = await slack.waitFor(
        () => botMessages(pm.id).find((m) => !seen.has(m.ts) && hasConfirm(m)),
        WAIT_MS,
        "the update's card",
      );
      await slack.clickButton(pm.id, { channel: pm.id, ts: card.ts }, UPDATE_CONFIRM);
      await slack.waitFor(
        () => botMessages(pm.id).find((m) => m.ts === card.ts && !hasConfirm(m)),
        WAIT_MS,
        "the card turned into the saved update",
      );
    },
    openHome: async (n: number) => {
      const user = people[n % people.length] ?? ADMIN;
      // Each publish gives the Home a new hash (reading the recorded calls would copy them all).
      const homeHash = () => slack.views(user).find((v) => v.type === "home")?.view.hash ?? null;
      const before = homeHash();
      await slack.openHome(user);
      await slack.waitFor(() => homeHash() !== before, WAIT_MS, "views.publish");
    },
    lookup: async (n: number) => {
      const user = people[n % people.length] ?? ADMIN;
      const own = pmProjects.get(user) ?? [...pmProjects.values()].flat();
      const project = own[n % Math.max(1, own.length)];
      const word = project?.name.split(/\s+/).find((w) => w.length > 4) ?? "proyecto";
      const texts = [
        "mis-proyectos",
        project?.pmoId ?? "PMO-1",
        `buscar ${word}`,
        "hallazgos alta",
        "estado",
      ];
      const answered = () => slack.responseCount(user);
      const before = answered();
      await slack.sendCommand(user, "/pmo", texts[n % texts.length]);
      await slack.waitFor(() => answered() > before, WAIT_MS, "the /pmo answer");
    },
    scrape: async () => {
      const answer = await fetch(`http://127.0.0.1:${app.healthPort}/metrics`);
      await answer.text();
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function describeCostBench(result: CostResult): string {
  const d = result.details;
  const rows = Object.entries(d.byTable).map(
    ([table, t]) =>
      `  ${table.padEnd(14)} ${t.rru.toFixed(0).padStart(9)} ${t.wru.toFixed(0).padStart(9)} ${t.indexWru.toFixed(0).padStart(9)} ${t.storageMb.toFixed(2).padStart(9)}`,
  );
  return [
    `cost benchmark: ${d.projects} projects, a day of ${d.day.fullSyncs} full + ${d.day.partialSyncs} partial syncs (${d.day.changedShare * 100} % changed before each), ${d.day.dms} DM updates, ${d.day.homes} Home openings, ${d.day.lookups} /pmo lookups`,
    `  ${"table".padEnd(14)} ${"rru/day".padStart(9)} ${"wru/day".padStart(9)} ${"index wru".padStart(9)} ${"MB".padStart(9)}`,
    ...rows,
    `costliest: ${d.largest.map((l) => `${l.table} ${l.operation} ${l.units} units in ${l.calls} calls`).join("; ")}`,
    `read units a day ${result.rruPerDay}, write units a day ${result.wruPerDay} (reported ${d.reported.wru}, index writes ${d.estimated.indexWru} and failed conditional writes ${d.estimated.conditionalWru} estimated)`,
    `storage ${result.storageMb} MB after the day, ${d.storageMbAfterMonth} MB after a month`,
    `a month on-demand (${PRICES.region}, prices of ${PRICES.checkedOn}): reads ${d.usd.reads} + writes ${d.usd.writes} + storage ${d.usd.storage} + point-in-time recovery ${d.usd.pointInTimeRecovery} = ${result.usdPerMonth} USD (an RDS ${PRICES.rdsPostgres.instance} PostgreSQL: ${d.rdsPostgresUsdPerMonth} USD)`,
    `capacity: ${d.capacitySource}; ${d.wallS} s`,
  ].join("\n");
}
