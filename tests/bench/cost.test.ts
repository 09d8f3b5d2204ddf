import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  attributeSize,
  itemSize,
  monthlyCost,
  PRICES,
  rdsPostgresUsdPerMonth,
  spread,
} from "../../bench/cost.ts";
import { runScript } from "../fixtures/node-script.ts";

describe("the month's projection", () => {
  it("prices a day's units, 30 times, and the month's storage with point-in-time recovery", () => {
    const cost = monthlyCost({ rru: 1_000_000, wru: 1_000_000, storageMbAfterMonth: 1024 });
    expect(cost.reads).toBeCloseTo(30 * PRICES.dynamodb.usdPerMillionReadRequestUnits, 6);
    expect(cost.writes).toBeCloseTo(30 * PRICES.dynamodb.usdPerMillionWriteRequestUnits, 6);
    expect(cost.storage).toBeCloseTo(PRICES.dynamodb.storageUsdPerGbMonth, 6);
    expect(cost.pointInTimeRecovery).toBeCloseTo(PRICES.dynamodb.pointInTimeRecoveryUsdPerGbMonth, 6);
    expect(cost.total).toBeCloseTo(cost.reads + cost.writes + cost.storage + cost.pointInTimeRecovery, 4);
  });

  it("compares with an RDS db.t4g.micro PostgreSQL: instance hours and its storage", () => {
    expect(rdsPostgresUsdPerMonth()).toBeCloseTo(0.016 * 730 + 20 * 0.115, 2);
  });

  it("spreads n events over the slots without losing or adding one", () => {
    for (const [n, slots] of [
      [50, 48],
      [200, 48],
      [3, 4],
      [0, 5],
    ] as const) {
      const parts = Array.from({ length: slots }, (_, slot) => spread(n, slots, slot));
      expect(parts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
    }
  });
});

describe("item sizes, as DynamoDB counts them", () => {
  it("counts names and values in UTF-8 bytes, numbers by their digits, containers with their overhead", () => {
    expect(attributeSize({ S: "año" })).toBe(4);
    expect(attributeSize({ N: "12345" })).toBe(4);
    expect(attributeSize({ BOOL: true })).toBe(1);
    expect(attributeSize({ L: [{ S: "ab" }, { NULL: true }] })).toBe(3 + (1 + 2) + (1 + 1));
    expect(attributeSize({ M: { a: { S: "xy" } } })).toBe(3 + 1 + (1 + 2));
    expect(itemSize({ pk: { S: "PROJECT#1" }, sk: { S: "META" } })).toBe(2 + 9 + 2 + 4);
  });
});

const resultSchema = z.object({
  rruPerDay: z.number().positive(),
  wruPerDay: z.number().positive(),
  storageMb: z.number().positive(),
  usdPerMonth: z.number().min(0),
  details: z.object({
    projects: z.number().int(),
    day: z.object({ partialSyncs: z.number(), dms: z.number(), homes: z.number(), lookups: z.number() }),
    reported: z.object({ rru: z.number(), wru: z.number() }),
    estimated: z.object({ indexWru: z.number(), conditionalWru: z.number() }),
    byTable: z.record(z.string(), z.object({ rru: z.number(), wru: z.number(), storageMb: z.number() })),
    storageMbAfterMonth: z.number(),
    usd: z.object({ total: z.number() }),
  }),
});

describe("npm run bench -- cost --json", () => {
  it("runs a short day on 20 projects and prints one JSON line with the four figures", async () => {
    const run = runScript(
      "bench/cli.ts",
      [
        "cost",
        "--projects",
        "20",
        "--partials",
        "2",
        "--dms",
        "2",
        "--homes",
        "3",
        "--lookups",
        "3",
        "--json",
      ],
      { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    );
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines, "stdout holds the JSON and nothing else").toHaveLength(1);
    const result = resultSchema.parse(JSON.parse(lines[0] ?? ""));
    expect(Object.keys(result).slice(0, 4)).toEqual(["rruPerDay", "wruPerDay", "storageMb", "usdPerMonth"]);
    expect(result.details.projects).toBe(20);
    expect(result.details.day).toMatchObject({ partialSyncs: 2, dms: 2, homes: 3, lookups: 3 });
    // Every status update wrote to the updates table; the syncs read and wrote projects.
    expect(result.details.byTable.updates?.wru).toBeGreaterThan(0);
    expect(result.details.byTable.projects?.rru).toBeGreaterThan(0);
    const wru =
      result.details.reported.wru +
      result.details.estimated.indexWru +
      result.details.estimated.conditionalWru;
    expect(result.wruPerDay).toBe(Math.round(wru));
    expect(result.rruPerDay).toBe(Math.round(result.details.reported.rru));
    expect(result.usdPerMonth).toBeCloseTo(
      monthlyCost({
        rru: result.details.reported.rru,
        wru,
        storageMbAfterMonth: result.details.storageMbAfterMonth,
      }).total,
      1,
    );
  }, 240_000);
});
