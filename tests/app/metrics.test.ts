import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { WebClient } from "@slack/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { SLACK_RETRY_CONFIG } from "../../app/bolt.ts";
import { createMetrics, slackMethodOf } from "../../app/metrics.ts";
import { startSandboxSlack } from "../../sandbox/slack/server.ts";
import { createAsanaClient } from "../../services/asana/client.ts";
import { countFindings } from "../../services/metrics.ts";
import { documentClient } from "../../services/store/client.ts";
import { memoryStore } from "../fixtures/memory-store.ts";
import { parseExposition, sampleSum, sampleValue } from "../fixtures/prometheus-text.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A local HTTP server answering with `handler`; its URL. */
async function standIn(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => handler(req, body, res));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  cleanups.push(
    () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function scrape(metrics: ReturnType<typeof createMetrics>) {
  const { body, contentType } = await metrics.render();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return { text: body, exposition: parseExposition(body) };
}

describe("Asana requests", () => {
  it("counts every request by method and answer, 429s apart", async () => {
    let calls = 0;
    const url = await standIn((_req, _body, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { "retry-after": "0", "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: "slow down" }] }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: { gid: "42", name: "Ana", email: "ana@empresa.example" } }));
    });
    const metrics = createMetrics({ processMetrics: false });
    const asana = createAsanaClient({
      baseUrl: url,
      token: "asana-secret-token",
      metrics,
      sleep: async () => {},
    });
    await asana.getUser("42");
    const { text, exposition } = await scrape(metrics);
    expect(sampleValue(exposition, "pmo_asana_requests_total", { method: "GET", status: "429" })).toBe(1);
    expect(sampleValue(exposition, "pmo_asana_requests_total", { method: "GET", status: "2xx" })).toBe(1);
    expect(sampleValue(exposition, "pmo_asana_rate_limited_total")).toBe(1);
    expect(sampleSum(exposition, "pmo_asana_requests_total")).toBe(asana.stats.calls);
    expect(text).not.toContain("asana-secret-token");
  });

  it("counts a request that got no answer as network", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const asana = createAsanaClient({
      baseUrl: "http://127.0.0.1:1",
      token: "t",
      metrics,
      maxRetries: 1,
      sleep: async () => {},
    });
    await expect(asana.getUser("42")).rejects.toMatchObject({ code: "asana_unavailable" });
    const { exposition } = await scrape(metrics);
    expect(sampleValue(exposition, "pmo_asana_requests_total", { method: "GET", status: "network" })).toBe(2);
  });
});

describe("DynamoDB", () => {
  it("asks for and sums the consumed capacity by table on dynalite", async () => {
    const { store } = await memoryStore();
    cleanups.push(() => store.close());
    const metrics = createMetrics({ processMetrics: false });
    metrics.watchStore(store.client);
    const table = store.tables.projects;
    await store.doc.send(
      new PutCommand({ TableName: table, Item: { pk: "PROJECT#1", sk: "META", name: "x".repeat(2500) } }),
    );
    await store.doc.send(new GetCommand({ TableName: table, Key: { pk: "PROJECT#1", sk: "META" } }));
    await store.client.send(new DescribeTableCommand({ TableName: table }));
    const { exposition } = await scrape(metrics);
    // 2.5 KB: 3 write units (1 KB each); an eventually consistent read of up to 4 KB: 0.5.
    expect(sampleValue(exposition, "pmo_dynamodb_consumed_write_units_total", { table })).toBe(3);
    expect(sampleValue(exposition, "pmo_dynamodb_consumed_read_units_total", { table })).toBe(0.5);
    expect(sampleValue(exposition, "pmo_dynamodb_requests_total", { operation: "PutItem" })).toBe(1);
    expect(sampleValue(exposition, "pmo_dynamodb_requests_total", { operation: "GetItem" })).toBe(1);
    expect(sampleValue(exposition, "pmo_dynamodb_requests_total", { operation: "DescribeTable" })).toBe(1);
  });

  it("counts each throttled and each failed attempt, inside the SDK's retries", async () => {
    const answers = [
      [400, "ProvisionedThroughputExceededException"],
      [400, "ThrottlingException"],
      [500, "InternalServerError"],
    ] as const;
    const bodies: unknown[] = [];
    const url = await standIn((req, body, res) => {
      bodies.push({ target: req.headers["x-amz-target"], body: JSON.parse(body) });
      const next = answers[bodies.length - 1];
      res.setHeader("content-type", "application/x-amz-json-1.0");
      if (next !== undefined) {
        res.writeHead(next[0]);
        res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${next[1]}`, message: "no" }));
        return;
      }
      res.writeHead(200);
      res.end(
        JSON.stringify({
          Item: { pk: { S: "a" } },
          ConsumedCapacity: { TableName: "t-x", CapacityUnits: 0.5 },
        }),
      );
    });
    const client = new DynamoDBClient({
      endpoint: url,
      region: "local",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 4,
    });
    cleanups.push(async () => client.destroy());
    const metrics = createMetrics({ processMetrics: false });
    metrics.watchStore(client);
    await documentClient(client).send(new GetCommand({ TableName: "t-x", Key: { pk: "a" } }));
    const { exposition } = await scrape(metrics);
    expect(bodies).toHaveLength(4);
    for (const sent of bodies) expect(sent).toMatchObject({ body: { ReturnConsumedCapacity: "TOTAL" } });
    expect(sampleValue(exposition, "pmo_dynamodb_throttled_total", { operation: "GetItem" })).toBe(2);
    expect(sampleValue(exposition, "pmo_dynamodb_server_errors_total", { operation: "GetItem" })).toBe(1);
    expect(sampleValue(exposition, "pmo_dynamodb_requests_total", { operation: "GetItem" })).toBe(1);
    expect(sampleValue(exposition, "pmo_dynamodb_consumed_read_units_total", { table: "t-x" })).toBe(0.5);
  }, 30_000);
});

describe("Slack Web API", () => {
  it("counts calls, Slack's error codes, 429s and the retries they cost, with no token or URL in a label", async () => {
    const slack = await startSandboxSlack();
    cleanups.push(() => slack.stop());
    const metrics = createMetrics({ processMetrics: false });
    const client = new WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: metrics.countSlackRetries(SLACK_RETRY_CONFIG),
      fetch: metrics.slackFetch(slack.apiUrl),
    });
    const channel = slack.channels[0]?.id ?? "";
    slack.rateLimit("chat.postMessage", { retryAfterSeconds: 0 });
    await client.chat.postMessage({ channel, text: "hola" });
    slack.fail("chat.postMessage", "channel_not_found");
    await expect(client.chat.postMessage({ channel, text: "hola" })).rejects.toThrow(/channel_not_found/);
    const { text, exposition } = await scrape(metrics);
    const post = { method: "chat.postMessage" };
    expect(sampleValue(exposition, "pmo_slack_api_requests_total", post)).toBe(3);
    expect(sampleValue(exposition, "pmo_slack_api_errors_total", { ...post, error: "ratelimited" })).toBe(1);
    expect(
      sampleValue(exposition, "pmo_slack_api_errors_total", { ...post, error: "channel_not_found" }),
    ).toBe(1);
    expect(sampleValue(exposition, "pmo_slack_api_retries_total")).toBe(1);
    expect(text).not.toContain(slack.botToken);
    expect(text).not.toContain("127.0.0.1");
  });

  it("names the method from the API's URL only", () => {
    const api = "https://slack.com/api/";
    expect(slackMethodOf("https://slack.com/api/chat.postMessage", api)).toBe("chat.postMessage");
    expect(slackMethodOf("https://hooks.slack.com/actions/T1/123/secret", api)).toBe("response_url");
    expect(slackMethodOf("https://slack.com/api/../x?token=xoxb-1", api)).toBe("other");
  });
});

describe("scrape-time values and the port's gauges", () => {
  it("reads the socket, the sync log and the queues when scraped, and keeps the last value when a read fails", async () => {
    const metrics = createMetrics({ processMetrics: false });
    let storeUp = true;
    let connected = true;
    const failures: string[] = [];
    metrics.observe({
      socketConnected: () => connected,
      lastSuccessfulSyncAt: async () => {
        if (!storeUp) throw new Error("store down");
        return "2026-11-22T11:30:00.000Z";
      },
      pending: async () => {
        if (!storeUp) throw new Error("store down");
        return { inbound: 2, writeBacks: 1 };
      },
      now: () => new Date("2026-11-22T12:00:00.000Z"),
      onCollectFailed: (what) => failures.push(what),
    });
    let { exposition } = await scrape(metrics);
    expect(sampleValue(exposition, "pmo_slack_socket_connected")).toBe(1);
    expect(sampleValue(exposition, "pmo_last_good_sync_age_seconds")).toBe(1800);
    expect(sampleValue(exposition, "pmo_last_good_sync_timestamp_seconds")).toBe(
      Date.parse("2026-11-22T11:30:00.000Z") / 1000,
    );
    expect(sampleValue(exposition, "pmo_pending_items", { queue: "inbound" })).toBe(2);
    expect(sampleValue(exposition, "pmo_pending_items", { queue: "write_backs" })).toBe(1);
    storeUp = false;
    connected = false;
    ({ exposition } = await scrape(metrics));
    expect(sampleValue(exposition, "pmo_slack_socket_connected")).toBe(0);
    expect(sampleValue(exposition, "pmo_last_good_sync_age_seconds")).toBe(1800);
    expect(sampleValue(exposition, "pmo_pending_items", { queue: "inbound" })).toBe(2);
    expect(failures.sort()).toEqual(["last_sync", "pending"]);
  });

  it("reports an infinite age before any sync completed", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.observe({
      socketConnected: () => true,
      lastSuccessfulSyncAt: async () => null,
      pending: async () => ({ inbound: 0, writeBacks: 0 }),
      now: () => new Date(),
    });
    const { text, exposition } = await scrape(metrics);
    expect(text).toMatch(/^pmo_last_good_sync_age_seconds \+Inf$/m);
    expect(sampleValue(exposition, "pmo_last_good_sync_timestamp_seconds")).toBe(0);
  });

  it("counts sync runs by kind and outcome, their durations, and findings by severity and status", async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.syncRun("full", "completed", 42);
    metrics.syncRun("partial", "skipped", null);
    metrics.syncRun("partial", "failed", 3);
    metrics.findings(
      countFindings([
        { severity: "high", status: "open" },
        { severity: "high", status: "open" },
        { severity: "low", status: "snoozed" },
        { severity: "low", status: "resolved" },
      ]),
    );
    const { exposition } = await scrape(metrics);
    expect(sampleValue(exposition, "pmo_sync_runs_total", { kind: "full", outcome: "completed" })).toBe(1);
    expect(sampleValue(exposition, "pmo_sync_runs_total", { kind: "partial", outcome: "skipped" })).toBe(1);
    expect(sampleValue(exposition, "pmo_sync_runs_total", { kind: "full", outcome: "failed" })).toBe(0);
    expect(sampleValue(exposition, "pmo_sync_duration_seconds_count", { kind: "partial" })).toBe(1);
    expect(sampleValue(exposition, "pmo_sync_duration_seconds_sum", { kind: "full" })).toBe(42);
    expect(sampleValue(exposition, "pmo_sync_duration_seconds_bucket", { kind: "full", le: "30" })).toBe(0);
    expect(sampleValue(exposition, "pmo_sync_duration_seconds_bucket", { kind: "full", le: "60" })).toBe(1);
    expect(sampleValue(exposition, "pmo_findings", { severity: "high", status: "open" })).toBe(2);
    expect(sampleValue(exposition, "pmo_findings", { severity: "low", status: "snoozed" })).toBe(1);
    expect(sampleValue(exposition, "pmo_findings", { severity: "low", status: "open" })).toBe(0);
    expect(exposition.types.get("pmo_sync_duration_seconds")).toBe("histogram");
    expect(exposition.types.get("pmo_findings")).toBe("gauge");
  });

  it("keeps the process's own metrics in its registry, not prom-client's global one", async () => {
    const withProcess = createMetrics();
    const { exposition } = await scrape(withProcess);
    expect(sampleValue(exposition, "process_resident_memory_bytes")).toBeGreaterThan(0);
    const { register } = await import("prom-client");
    expect(await register.getMetricsAsJSON()).toEqual([]);
  });
});
