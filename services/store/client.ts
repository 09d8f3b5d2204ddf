import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { StoreError } from "../errors.ts";
import { closeIteratorsOnReturn } from "./embedded-engine.ts";
import { type TableNames, tableNames } from "./tables.ts";

export type StoreEngine = "endpoint" | "aws" | "embedded";

/** An open store: the document client every repository is given, and the table names. */
export type Store = {
  engine: StoreEngine;
  endpoint: string | null;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tables: TableNames;
  close(): Promise<void>;
};

export type StoreSettings = {
  engine: StoreEngine;
  endpoint: string | null;
  region: string | null;
  tablePrefix: string;
  env: string;
  dataDir: string;
  /** Each attempt's time limit (DYNAMODB_TIMEOUT_MS); 10 s when absent. */
  timeoutMs?: number;
  /** Attempts per call, the first included (DYNAMODB_MAX_ATTEMPTS); 3 when absent. */
  maxAttempts?: number;
};

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * Without these the SDK waits forever for an endpoint that accepted the connection and never
 * answers. `throwOnRequestTimeout`: the SDK otherwise only warns when requestTimeout passes.
 */
function transport(settings: StoreSettings) {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    maxAttempts: settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: Math.min(timeoutMs, 3_000),
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

/** Local engines accept any credentials; giving fixed ones keeps the SDK from searching for some. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const LOCK_FILE = "pmo-pulse.lock";

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

/**
 * Opens the engine DESIGN.md section 3 names: DYNAMODB_ENDPOINT if set, AWS when PMO_STORE=aws,
 * otherwise dynalite in-process on 127.0.0.1, persisted under DATA_DIR (or in memory when
 * `inMemory` is asked for, as tests do).
 */
export async function openStore(
  settings: StoreSettings,
  options: { inMemory?: boolean } = {},
): Promise<Store> {
  const tables = tableNames(settings);
  if (settings.engine === "embedded") return openEmbedded(settings, tables, options.inMemory ?? false);
  const client =
    settings.engine === "endpoint" && settings.endpoint !== null
      ? new DynamoDBClient({
          endpoint: settings.endpoint,
          region: settings.region ?? "local",
          credentials: LOCAL_CREDENTIALS,
          ...transport(settings),
        })
      : new DynamoDBClient({
          ...(settings.region !== null ? { region: settings.region } : {}),
          ...transport(settings),
        });
  return {
    engine: settings.engine,
    endpoint: settings.endpoint,
    client,
    doc: documentClient(client),
    tables,
    close: async () => client.destroy(),
  };
}

async function openEmbedded(settings: StoreSettings, tables: TableNames, inMemory: boolean): Promise<Store> {
  // Loaded only here: a process on DynamoDB proper does not carry the embedded engine (about 14 MB).
  const { default: dynalite } = await import("dynalite");
  closeIteratorsOnReturn();
  let releaseLock = () => {};
  let path: string | undefined;
  if (!inMemory) {
    const dir = resolve(settings.dataDir);
    mkdirSync(dir, { recursive: true });
    releaseLock = lockDataDir(dir);
    path = join(dir, "dynalite");
  }
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(0, "127.0.0.1", () => ok());
    });
  } catch (cause) {
    releaseLock();
    throw new StoreError("store_unreachable", "the embedded DynamoDB engine could not start", { cause });
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: LOCAL_CREDENTIALS,
    ...transport(settings),
  });
  return {
    engine: "embedded",
    endpoint,
    client,
    doc: documentClient(client),
    tables,
    close: async () => {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      releaseLock();
    },
  };
}

/**
 * dynalite's LevelDB store belongs to one process; a second one on the same folder dies inside
 * dynalite with "Database is closed". A lock file holding the owner's pid turns that into a
 * clear message; a lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
      const owner = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isInteger(owner) && isRunning(owner)) {
        throw new StoreError(
          "store_locked",
          `another PMO Pulse process (pid ${owner}) is using the embedded store in ${dir}; stop it, or give this one another DATA_DIR`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StoreError("store_locked", `could not lock the embedded store in ${dir}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM";
  }
}

/**
 * Resolves when the engine answers for the projects table (what /readyz asks), within
 * `timeoutMs` when given: a probe waits less than a job's call would.
 */
export async function pingStore(store: Pick<Store, "client" | "tables">, timeoutMs?: number): Promise<void> {
  await store.client.send(
    new DescribeTableCommand({ TableName: store.tables.projects }),
    timeoutMs === undefined ? {} : { abortSignal: AbortSignal.timeout(timeoutMs) },
  );
}
