import { afterEach, describe, expect, it } from "vitest";
import type {
  InterpretedUpdate,
  ParsedUpdate,
  StatusUpdate,
  StatusUpdateInput,
} from "../../../services/model.ts";
import type { Store } from "../../../services/store/client.ts";
import type { Repositories } from "../../../services/store/repositories.ts";
import {
  describeInterpreterReport,
  emptyTally,
  interpreterReport,
  reportOf,
  tallyUpdate,
} from "../../../services/updates/interpreter-report.ts";
import { memoryStore } from "../../fixtures/memory-store.ts";

const parsed = (overrides: Partial<ParsedUpdate> = {}): ParsedUpdate => ({
  progress: 70,
  health: "at_risk",
  risks: ["el proveedor"],
  blockers: [],
  nextSteps: ["pruebas de carga"],
  eta: "2026-07-17",
  ...overrides,
});

let sequence = 0;
const update = (
  confirmed: ParsedUpdate,
  interpreted: InterpretedUpdate | null,
  projectGid = "101",
): StatusUpdate => ({
  projectGid,
  slackUserId: "U1",
  submittedAt: `2026-07-0${1 + (sequence++ % 9)}T15:00:00.000Z`,
  text: "…",
  parsed: confirmed,
  asanaStatusUpdateGid: null,
  slackEventId: null,
  interpreted,
});
const read = (overrides: Partial<InterpretedUpdate> = {}): InterpretedUpdate => ({
  ...parsed(),
  projectGid: "101",
  ...overrides,
});

describe("the interpreter report", () => {
  it("counts, per field, the readings kept unchanged over the updates that carry one", () => {
    const report = reportOf([
      update(parsed(), read()),
      update(parsed({ progress: 75 }), read()),
      update(parsed(), read({ projectGid: null })),
      update(parsed(), null),
    ]);
    expect(report.stored).toBe(4);
    expect(report.considered).toBe(3);
    expect(report.fields.progress).toEqual({
      kept: 2,
      added: 0,
      removed: 0,
      corrected: 1,
      percentKept: 66.7,
    });
    expect(report.fields.project).toEqual({ kept: 2, added: 1, removed: 0, corrected: 0, percentKept: 66.7 });
    expect(report.fields.health).toMatchObject({ kept: 3, percentKept: 100 });
    expect(report.allFields).toEqual({ kept: 1, percentKept: 33.3 });
  });

  it("tells a miss (added), a false reading (removed) and a wrong one (corrected) apart", () => {
    const report = reportOf([
      update(parsed({ blockers: ["el proveedor"] }), read({ blockers: [] })),
      update(parsed({ risks: [] }), read({ risks: ["retraso es bajo"] })),
      update(parsed({ eta: "2026-07-24" }), read({ eta: "2026-07-17" })),
      update(parsed({ health: null }), read({ health: "on_track" })),
      update(parsed(), read({ projectGid: "102" })),
    ]);
    expect(report.fields.blockers).toMatchObject({ kept: 4, added: 1 });
    expect(report.fields.risks).toMatchObject({ kept: 4, removed: 1 });
    expect(report.fields.eta).toMatchObject({ kept: 4, corrected: 1 });
    expect(report.fields.health).toMatchObject({ kept: 4, removed: 1 });
    expect(report.fields.project).toMatchObject({ kept: 4, corrected: 1 });
  });

  it("compares lists as the form gives them back: order, case, bullets and end punctuation aside", () => {
    const report = reportOf([
      update(
        parsed({ risks: ["- La API de pagos.", "el  proveedor"], nextSteps: ["Pruebas de carga"] }),
        read({ risks: ["el proveedor", "la API de pagos"] }),
      ),
      update(parsed({ risks: ["el proveedor", "otro"] }), read()),
    ]);
    expect(report.fields.risks).toMatchObject({ kept: 1, corrected: 1 });
    expect(report.fields.nextSteps).toMatchObject({ kept: 2 });
  });

  it("with nothing to measure says so, with no percentages", () => {
    const report = reportOf([update(parsed(), null)]);
    expect(report.considered).toBe(0);
    expect(report.fields.eta.percentKept).toBeNull();
    expect(describeInterpreterReport(report, null)).toBe(
      "Interpreter report: 0 of 1 stored updates carry the interpreter's reading\n" +
        "  nothing to measure yet: readings are kept for updates confirmed from a DM",
    );
  });

  it("prints one line per field with the count and share kept, and what changed", () => {
    const text = describeInterpreterReport(
      reportOf([update(parsed(), read()), update(parsed({ progress: null }), read())]),
      "2026-07-01",
    );
    expect(text.split("\n")).toEqual([
      "Interpreter report since 2026-07-01: 2 of 2 stored updates carry the interpreter's reading",
      "  field       kept unchanged      added  removed  corrected",
      "  project     2 (100.0 %)         0      0        0",
      "  progress    1 (50.0 %)          0      1        0",
      "  health      2 (100.0 %)         0      0        0",
      "  risks       2 (100.0 %)         0      0        0",
      "  blockers    2 (100.0 %)         0      0        0",
      "  next steps  2 (100.0 %)         0      0        0",
      "  ETA         2 (100.0 %)         0      0        0",
      "  all fields  1 (50.0 %)",
    ]);
  });
});

describe("the interpreter report over the updates stored on dynalite", () => {
  let store: Store;
  let repos: Repositories;
  afterEach(async () => {
    await store?.close();
  });

  it("reads every stored update page by page, those stored before readings were kept included", async () => {
    ({ store, repos } = await memoryStore());
    const add = (input: Partial<StatusUpdateInput> & { submittedAt: string }) =>
      repos.updates.add({
        projectGid: "101",
        slackUserId: "U1",
        text: "t",
        parsed: parsed(),
        slackEventId: null,
        ...input,
      });
    await add({ submittedAt: "2026-07-01T10:00:00.000Z", interpreted: read() });
    await add({ submittedAt: "2026-07-02T10:00:00.000Z", interpreted: read({ progress: 40 }) });
    await add({
      submittedAt: "2026-07-03T10:00:00.000Z",
      projectGid: "102",
      interpreted: read({ projectGid: null }),
    });
    await add({ submittedAt: "2026-07-04T10:00:00.000Z" });
    const tally = emptyTally();
    let pages = 0;
    for await (const page of repos.updates.iterateAll(2)) {
      pages++;
      for (const stored of page) tallyUpdate(tally, stored);
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    const report = interpreterReport(tally);
    expect(report).toMatchObject({ stored: 4, considered: 3, allFields: { kept: 1 } });
    expect(report.fields.progress).toMatchObject({ kept: 2, corrected: 1 });
    expect(report.fields.project).toMatchObject({ kept: 2, added: 1 });
  });
});
