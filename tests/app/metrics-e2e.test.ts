import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countFindings } from "../../services/metrics.ts";
import { ADMIN_ID, type E2eWorld, startE2eWorld } from "../fixtures/e2e-world.ts";
import { type Exposition, parseExposition, sampleSum, sampleValue } from "../fixtures/prometheus-text.ts";

let world: E2eWorld;
beforeAll(async () => {
  world = await startE2eWorld({ projects: 30 });
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

async function scrape(): Promise<{ text: string; exposition: Exposition }> {
  const answer = await fetch(`http://127.0.0.1:${world.app.healthPort}/metrics`);
  expect(answer.status).toBe(200);
  const text = await answer.text();
  return { text, exposition: parseExposition(text) };
}

/** Scrapes until `probe` holds (the counts after a run land once its promise resolved). */
async function scrapeUntil(probe: (exposition: Exposition) => boolean): Promise<Exposition> {
  for (let i = 0; i < 100; i++) {
    const { exposition } = await scrape();
    if (probe(exposition)) return exposition;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  throw new Error("/metrics never showed what was expected");
}

describe("/metrics of the running app, scraped over HTTP", () => {
  it("counts a full sync's run, its Asana calls, DynamoDB capacity, Slack errors and the findings it left", async () => {
    // The opening summary of the first alerts run is refused once by Slack.
    world.slack.fail("chat.postMessage", "channel_not_found");
    const summary = await world.app.runPipeline("full");
    expect(summary.sync.status).toBe("completed");
    const expected = countFindings(await world.app.container.repos.findings.listOpen());
    const openHigh = expected.high.open;
    const exposition = await scrapeUntil(
      (e) => sampleValue(e, "pmo_findings", { severity: "high", status: "open" }) !== undefined,
    );

    expect(sampleValue(exposition, "pmo_sync_runs_total", { kind: "full", outcome: "completed" })).toBe(1);
    expect(sampleValue(exposition, "pmo_sync_duration_seconds_count", { kind: "full" })).toBe(1);
    const asanaCalls = sampleSum(exposition, "pmo_asana_requests_total");
    expect(asanaCalls).toBeGreaterThanOrEqual(summary.sync.stats.asanaCalls);
    expect(asanaCalls).toBe(world.asana.calls.length);
    expect(sampleValue(exposition, "pmo_asana_rate_limited_total")).toBe(0);

    const tables = world.app.container.store.tables;
    expect(
      sampleValue(exposition, "pmo_dynamodb_consumed_write_units_total", { table: tables.projects }),
    ).toBeGreaterThanOrEqual(summary.sync.stats.projectsWritten);
    expect(sampleSum(exposition, "pmo_dynamodb_consumed_read_units_total")).toBeGreaterThan(0);
    expect(sampleSum(exposition, "pmo_dynamodb_throttled_total")).toBe(0);

    expect(
      sampleValue(exposition, "pmo_slack_api_errors_total", {
        method: "chat.postMessage",
        error: "channel_not_found",
      }),
    ).toBe(1);
    expect(sampleValue(exposition, "pmo_findings", { severity: "high", status: "open" })).toBe(openHigh);
    expect(sampleSum(exposition, "pmo_findings")).toBe(
      Object.values(expected).reduce(
        (sum, byStatus) => sum + byStatus.open + byStatus.acknowledged + byStatus.snoozed,
        0,
      ),
    );
    expect(sampleValue(exposition, "pmo_slack_socket_connected")).toBe(1);
    expect(sampleValue(exposition, "pmo_pending_items", { queue: "inbound" })).toBe(0);
    expect(sampleValue(exposition, "pmo_pending_items", { queue: "write_backs" })).toBe(0);
    const age = sampleValue(exposition, "pmo_last_good_sync_age_seconds") ?? Number.NaN;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(120);
  });

  it("counts the retry a Slack 429 costs a listener's client", async () => {
    world.slack.rateLimit("views.publish", { retryAfterSeconds: 0 });
    const before = world.slack.calls("views.publish").filter((call) => call.ok === true).length;
    await world.slack.openHome(ADMIN_ID);
    await world.slack.waitFor(
      () => world.slack.calls("views.publish").filter((call) => call.ok === true).length > before,
      10_000,
      "the Home published after the 429",
    );
    const exposition = await scrapeUntil((e) => sampleValue(e, "pmo_slack_api_retries_total") === 1);
    expect(
      sampleValue(exposition, "pmo_slack_api_errors_total", {
        method: "views.publish",
        error: "ratelimited",
      }),
    ).toBe(1);
  });

  it("puts no token, URL or secret in what it exposes", async () => {
    const { text } = await scrape();
    for (const secret of [world.slack.botToken, world.slack.appToken, world.asana.token]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/xox[a-z]-|xapp-|https?:\/\/|127\.0\.0\.1/);
  });
});
