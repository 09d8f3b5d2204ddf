import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseDocument, visit } from "yaml";
import { z } from "zod";
import { ALARMED_OPERATIONS } from "../../infra/alarms.ts";
import { DYNAMODB_ACTIONS } from "../../infra/iam-actions.ts";
import { buildTemplate } from "../../infra/template.ts";
import { type KeyAttribute, TABLE_SPECS, type TableSpec } from "../../services/store/tables.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TEMPLATE_FILE = join(ROOT, "infra", "template.yaml");

const keyElement = z.strictObject({ AttributeName: z.string(), KeyType: z.enum(["HASH", "RANGE"]) });
const sub = z.strictObject({ "Fn::Sub": z.string() });
const getAtt = z.strictObject({ "Fn::GetAtt": z.tuple([z.string(), z.string()]) });
const ref = z.strictObject({ Ref: z.string() });

const tableSchema = z.strictObject({
  Type: z.literal("AWS::DynamoDB::Table"),
  DeletionPolicy: z.string(),
  UpdateReplacePolicy: z.string(),
  Properties: z.strictObject({
    TableName: sub,
    BillingMode: z.string(),
    AttributeDefinitions: z.array(z.strictObject({ AttributeName: z.string(), AttributeType: z.string() })),
    KeySchema: z.array(keyElement),
    GlobalSecondaryIndexes: z
      .array(
        z.strictObject({
          IndexName: z.string(),
          KeySchema: z.array(keyElement),
          Projection: z.strictObject({ ProjectionType: z.string() }),
        }),
      )
      .optional(),
    TimeToLiveSpecification: z.strictObject({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
    PointInTimeRecoverySpecification: z.strictObject({ PointInTimeRecoveryEnabled: z.boolean() }),
    SSESpecification: z.strictObject({ SSEEnabled: z.boolean() }),
  }),
});

const policyResource = z.union([z.string(), sub, getAtt]);
const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z.union([schema, z.array(schema)]).transform((value) => (Array.isArray(value) ? value : [value]));
const statementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.literal("Allow"),
  Action: oneOrMany(z.string()),
  Resource: oneOrMany(policyResource),
});
const policySchema = z.strictObject({
  Type: z.literal("AWS::IAM::ManagedPolicy"),
  Properties: z.looseObject({
    PolicyDocument: z.strictObject({ Version: z.literal("2012-10-17"), Statement: z.array(statementSchema) }),
  }),
});

const actionsIf = z.strictObject({
  "Fn::If": z.tuple([
    z.literal("AlarmsNotify"),
    z.tuple([ref]),
    z.strictObject({ Ref: z.literal("AWS::NoValue") }),
  ]),
});
const alarmMetricStat = z.strictObject({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/),
  MetricStat: z.strictObject({
    Metric: z.strictObject({
      Namespace: z.literal("AWS/DynamoDB"),
      MetricName: z.enum(["ThrottledRequests", "SystemErrors"]),
      Dimensions: z.tuple([
        z.strictObject({ Name: z.literal("TableName"), Value: ref }),
        z.strictObject({ Name: z.literal("Operation"), Value: z.string() }),
      ]),
    }),
    Period: z.number().int().positive(),
    Stat: z.literal("Sum"),
  }),
  ReturnData: z.literal(false),
});
const alarmExpression = z.strictObject({
  Id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/),
  Label: z.string(),
  Expression: z.string(),
  ReturnData: z.literal(true),
});
const alarmSchema = z.strictObject({
  Type: z.literal("AWS::CloudWatch::Alarm"),
  Condition: z.literal("AlarmsOn"),
  Properties: z.strictObject({
    AlarmName: sub,
    AlarmDescription: z.string().max(1024),
    ComparisonOperator: z.literal("GreaterThanThreshold"),
    Threshold: z.literal(0),
    EvaluationPeriods: z.number().int().positive(),
    DatapointsToAlarm: z.number().int().positive(),
    TreatMissingData: z.literal("notBreaching"),
    AlarmActions: actionsIf,
    OKActions: actionsIf,
    Metrics: z.array(z.union([alarmExpression, alarmMetricStat])).max(10),
  }),
});

const templateSchema = z.looseObject({
  Parameters: z.record(z.string(), z.looseObject({ Type: z.literal("String"), Default: z.string() })),
  Resources: z.record(z.string(), z.looseObject({ Type: z.string() })),
  Outputs: z.record(z.string(), z.looseObject({ Value: ref })),
});

function loadTemplate() {
  const document: unknown = parse(readFileSync(TEMPLATE_FILE, "utf8"));
  const template = templateSchema.parse(document);
  const tables = new Map<string, z.infer<typeof tableSchema>>();
  const policies = new Map<string, z.infer<typeof policySchema>>();
  const alarms = new Map<string, z.infer<typeof alarmSchema>>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === "AWS::DynamoDB::Table") tables.set(id, tableSchema.parse(resource));
    else if (resource.Type === "AWS::IAM::ManagedPolicy") policies.set(id, policySchema.parse(resource));
    else if (resource.Type === "AWS::CloudWatch::Alarm") alarms.set(id, alarmSchema.parse(resource));
    else throw new Error(`unexpected resource ${id} of type ${resource.Type}`);
  }
  return { template, tables, policies, alarms };
}

const LOGICAL_IDS: Record<string, string> = {
  projects: "ProjectsTable",
  changelog: "ChangelogTable",
  findings: "FindingsTable",
  "sync-log": "SyncLogTable",
  users: "UsersTable",
  updates: "UpdatesTable",
  conversations: "ConversationsTable",
  meta: "MetaTable",
};

function logicalId(spec: TableSpec): string {
  const id = LOGICAL_IDS[spec.name];
  if (id === undefined) throw new Error(`no logical id expected for table ${spec.name}`);
  return id;
}

const keys = (partition: KeyAttribute, sort?: KeyAttribute) => [
  { AttributeName: partition.name, KeyType: "HASH" },
  ...(sort ? [{ AttributeName: sort.name, KeyType: "RANGE" }] : []),
];

function keyAttributes(spec: TableSpec): { AttributeName: string; AttributeType: string }[] {
  const all = [spec.partitionKey, spec.sortKey];
  for (const index of spec.indexes) {
    all.push(index.partitionKey);
    if (index.sortKey) all.push(index.sortKey);
  }
  const unique = new Map(all.map((a) => [a.name, a.type]));
  return [...unique].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })).sort(byName);
}

const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
  a.AttributeName.localeCompare(b.AttributeName);

function statements() {
  const { policies } = loadTemplate();
  expect(policies.size).toBe(1);
  const [policy] = [...policies.values()];
  if (policy === undefined) throw new Error("no AWS::IAM::ManagedPolicy in the template");
  return policy.Properties.PolicyDocument.Statement;
}

/** Resource (as JSON) -> the actions the policy grants on it. */
function grants(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const statement of statements()) {
    for (const resource of statement.Resource) {
      const key = JSON.stringify(resource);
      const actions = out.get(key) ?? new Set<string>();
      for (const action of statement.Action) actions.add(action);
      out.set(key, actions);
    }
  }
  return out;
}

const tableArn = (spec: TableSpec) => JSON.stringify({ "Fn::GetAtt": [logicalId(spec), "Arn"] });
const indexArn = (spec: TableSpec) => JSON.stringify({ "Fn::Sub": `\${${logicalId(spec)}.Arn}/index/*` });

describe("infra/template.yaml", () => {
  it("is what buildTemplate() generates from services/store/tables.ts", () => {
    const committed = readFileSync(TEMPLATE_FILE, "utf8");
    expect(committed, "infra/template.yaml is stale: run `npm run infra -- --write`").toBe(buildTemplate());
  });

  it("takes the environment and table prefix as parameters with the app's defaults", () => {
    const { template } = loadTemplate();
    expect(Object.keys(template.Parameters).sort()).toEqual([
      "AlarmTopicArn",
      "AlarmsEnabled",
      "Environment",
      "TablePrefix",
    ]);
    expect(template.Parameters.Environment?.Default).toBe("dev");
    expect(template.Parameters.TablePrefix?.Default).toBe("pmo-bot");
  });

  it("defines exactly the 8 tables of TABLE_SPECS, with their keys, indexes and TTL", () => {
    const { tables } = loadTemplate();
    expect(tables.size).toBe(8);
    expect([...tables.keys()].sort()).toEqual(TABLE_SPECS.map(logicalId).sort());
    for (const spec of TABLE_SPECS) {
      const table = tables.get(logicalId(spec));
      if (table === undefined) throw new Error(`no resource for table ${spec.name}`);
      const p = table.Properties;
      expect(p.TableName["Fn::Sub"], spec.name).toBe(`\${TablePrefix}-${spec.name}-\${Environment}`);
      expect(p.BillingMode, spec.name).toBe("PAY_PER_REQUEST");
      expect(p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, spec.name).toBe(true);
      expect(p.SSESpecification.SSEEnabled, spec.name).toBe(true);
      expect(table.DeletionPolicy, spec.name).toBe("Retain");
      expect(table.UpdateReplacePolicy, spec.name).toBe("Retain");
      expect(p.KeySchema, spec.name).toEqual(keys(spec.partitionKey, spec.sortKey));
      expect([...p.AttributeDefinitions].sort(byName), spec.name).toEqual(keyAttributes(spec));
      expect(p.GlobalSecondaryIndexes, spec.name).toEqual(
        spec.indexes.length === 0
          ? undefined
          : spec.indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: keys(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: "ALL" },
            })),
      );
      expect(p.TimeToLiveSpecification, spec.name).toEqual(
        spec.ttlAttribute === undefined ? undefined : { AttributeName: spec.ttlAttribute, Enabled: true },
      );
    }
  });

  it("outputs every table name and the policy ARN", () => {
    const { template, policies } = loadTemplate();
    const referenced = Object.values(template.Outputs).map((output) => output.Value.Ref);
    expect(referenced.sort()).toEqual([...TABLE_SPECS.map(logicalId), ...policies.keys()].sort());
  });
});

describe("the CloudWatch alarms", () => {
  it("are off unless AlarmsEnabled is true, and notify AlarmTopicArn only when one is given", () => {
    const { template, alarms } = loadTemplate();
    expect(template.Parameters.AlarmsEnabled).toMatchObject({
      Default: "false",
      AllowedValues: ["true", "false"],
    });
    expect(template.Parameters.AlarmTopicArn?.Default).toBe("");
    expect(template.Conditions).toEqual({
      AlarmsOn: { "Fn::Equals": [{ Ref: "AlarmsEnabled" }, "true"] },
      AlarmsNotify: {
        "Fn::And": [
          { Condition: "AlarmsOn" },
          { "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmTopicArn" }, ""] }] },
        ],
      },
    });
    expect(alarms.size).toBeGreaterThan(0);
    for (const [id, alarm] of alarms) {
      expect(alarm.Condition, id).toBe("AlarmsOn");
      expect(alarm.Properties.AlarmActions["Fn::If"][1][0].Ref, id).toBe("AlarmTopicArn");
    }
  });

  it("watch every table's throttled requests and system errors, summed over every operation the app sends", () => {
    const { alarms } = loadTemplate();
    expect(alarms.size).toBe(2 * TABLE_SPECS.length);
    const operations = DYNAMODB_ACTIONS.map((a) => a.replace("dynamodb:", "")).filter(
      (a) => !a.startsWith("Describe"),
    );
    expect([...ALARMED_OPERATIONS].sort()).toEqual(operations.sort());
    for (const spec of TABLE_SPECS) {
      for (const metricName of ["ThrottledRequests", "SystemErrors"]) {
        const found = [...alarms.entries()].filter(([, alarm]) =>
          alarm.Properties.Metrics.some(
            (m) =>
              "MetricStat" in m &&
              m.MetricStat.Metric.MetricName === metricName &&
              m.MetricStat.Metric.Dimensions[0].Value.Ref === logicalId(spec),
          ),
        );
        expect(found, `${spec.name} ${metricName}`).toHaveLength(1);
        const [id, alarm] = found[0] ?? [];
        if (alarm === undefined) continue;
        const metrics = alarm.Properties.Metrics;
        const stats = metrics.flatMap((m) => ("MetricStat" in m ? [m] : []));
        const expressions = metrics.flatMap((m) => ("Expression" in m ? [m] : []));
        expect(stats.map((m) => m.MetricStat.Metric.Dimensions[1].Value).sort(), id).toEqual(
          operations.sort(),
        );
        for (const m of stats) {
          expect(m.MetricStat.Metric.MetricName, id).toBe(metricName);
          expect(m.MetricStat.Metric.Dimensions[0].Value.Ref, id).toBe(logicalId(spec));
        }
        expect(expressions, id).toHaveLength(1);
        const summed = /^SUM\(\[(.*)\]\)$/.exec(expressions[0]?.Expression ?? "")?.[1]?.split(/,\s*/);
        expect(summed?.sort(), id).toEqual(stats.map((m) => m.Id).sort());
        expect(new Set(metrics.map((m) => m.Id)).size, id).toBe(metrics.length);
        expect(alarm.Properties.AlarmName["Fn::Sub"], id).toBe(
          `\${TablePrefix}-${spec.name}-\${Environment}-${metricName === "ThrottledRequests" ? "throttled-requests" : "system-errors"}`,
        );
      }
    }
  });

  it("refers only to parameters, resources and conditions the template has, and uses no YAML alias", () => {
    const text = readFileSync(TEMPLATE_FILE, "utf8");
    let aliases = 0;
    visit(parseDocument(text), {
      Alias: () => {
        aliases++;
      },
    });
    expect(aliases, "CloudFormation refuses YAML aliases").toBe(0);
    const { template } = loadTemplate();
    const known = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources)]);
    const conditions = new Set(Object.keys(template.Conditions ?? {}));
    const missing: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const item of node) walk(item);
        return;
      }
      if (node === null || typeof node !== "object") return;
      for (const [key, value] of Object.entries(node)) {
        if (key === "Ref" && typeof value === "string" && !value.startsWith("AWS::") && !known.has(value))
          missing.push(`Ref ${value}`);
        if (key === "Condition" && typeof value === "string" && !conditions.has(value))
          missing.push(`Condition ${value}`);
        if (key === "Fn::If" && Array.isArray(value) && !conditions.has(String(value[0])))
          missing.push(`Fn::If ${String(value[0])}`);
        walk(value);
      }
    };
    walk(template);
    expect(missing).toEqual([]);
  });
});

describe("the IAM policy", () => {
  it("allows exactly the DynamoDB operations the app performs", () => {
    expect([...DYNAMODB_ACTIONS].sort()).toEqual(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:DescribeTable",
        "dynamodb:DescribeTimeToLive",
      ].sort(),
    );
    const granted = new Set(statements().flatMap((s) => s.Action));
    expect([...granted].sort()).toEqual([...DYNAMODB_ACTIONS].sort());
  });

  it("has no wildcard action and no wildcard or literal resource", () => {
    for (const statement of statements()) {
      for (const action of statement.Action) expect(action).not.toContain("*");
      for (const resource of statement.Resource)
        expect(typeof resource, JSON.stringify(resource)).toBe("object");
    }
  });

  it("covers every table with every action and every index with Query and Scan, nothing else", () => {
    const expected = new Map<string, string[]>();
    for (const spec of TABLE_SPECS) {
      expected.set(tableArn(spec), [...DYNAMODB_ACTIONS].sort());
      if (spec.indexes.length > 0) expected.set(indexArn(spec), ["dynamodb:Query", "dynamodb:Scan"]);
    }
    const actual = new Map([...grants()].map(([key, actions]) => [key, [...actions].sort()]));
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });
});

describe("the commands the app sends", () => {
  const SOURCE_DIRS = ["app", "listeners", "services", "jobs"];
  const PACKAGE = /^@aws-sdk\/(client|lib)-dynamodb$/;

  const LIB_ACTIONS: Record<string, string> = {
    GetCommand: "GetItem",
    PutCommand: "PutItem",
    UpdateCommand: "UpdateItem",
    DeleteCommand: "DeleteItem",
    QueryCommand: "Query",
    ScanCommand: "Scan",
    BatchGetCommand: "BatchGetItem",
    BatchWriteCommand: "BatchWriteItem",
    TransactGetCommand: "TransactGetItems",
    TransactWriteCommand: "TransactWriteItems",
  };

  // ensureTables creates tables, adds missing indexes and switches TTL on only on the local engines
  // (dynalite, DynamoDB Local); on AWS it only describes them, because infra/template.yaml owns them.
  const LOCAL_ONLY: Record<string, string[]> = {
    "services/store/ensure-tables.ts": ["dynamodb:CreateTable", "dynamodb:UpdateTimeToLive"],
    "services/store/table-upgrade.ts": [
      "dynamodb:CreateTable",
      "dynamodb:DeleteTable",
      "dynamodb:UpdateTable",
    ],
  };

  function action(pkg: string, exported: string): string {
    const paginated = /^paginate(\w+)$/.exec(exported)?.[1];
    if (paginated !== undefined) return `dynamodb:${paginated}`;
    if (pkg === "lib")
      return `dynamodb:${LIB_ACTIONS[exported] ?? `<${exported} of lib-dynamodb: map it in this test>`}`;
    return `dynamodb:${exported.replace(/Command$/, "")}`;
  }

  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  /** Each `new XxxCommand(` or `paginateXxx(` whose name comes from an AWS SDK DynamoDB package. */
  function usedActions(source: string): string[] {
    const found = new Set<string>();
    for (const m of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
      const pkg = PACKAGE.exec(m[3] ?? "")?.[1];
      if (pkg === undefined || m[1] !== undefined) continue;
      for (const specifier of (m[2] ?? "").split(",")) {
        const parts = specifier.trim().split(/\s+as\s+/);
        const exported = parts[0]?.trim() ?? "";
        const local = (parts[1] ?? exported).trim();
        if (exported === "" || exported.startsWith("type ")) continue;
        const call = exported.endsWith("Command")
          ? new RegExp(`new\\s+${escapeRegExp(local)}\\s*\\(`)
          : exported.startsWith("paginate")
            ? new RegExp(`\\b${escapeRegExp(local)}\\s*\\(`)
            : null;
        if (call?.test(source)) found.add(action(pkg, exported));
      }
    }
    for (const m of source.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s*["']([^"']+)["']/g)) {
      const pkg = PACKAGE.exec(m[2] ?? "")?.[1];
      if (pkg === undefined || m[1] === undefined) continue;
      const ns = escapeRegExp(m[1]);
      for (const use of source.matchAll(
        new RegExp(`(?:new\\s+${ns}\\.(\\w+Command)|\\b${ns}\\.(paginate\\w+))\\s*\\(`, "g"),
      )) {
        const exported = use[1] ?? use[2];
        if (exported !== undefined) found.add(action(pkg, exported));
      }
    }
    return [...found];
  }

  function sourceFiles(): string[] {
    return SOURCE_DIRS.map((dir) => join(ROOT, dir))
      .filter((dir) => existsSync(dir))
      .flatMap((dir) => readdirSync(dir, { recursive: true }).map((name) => join(dir, String(name))))
      .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
  }

  it("are all allowed by the IAM policy", () => {
    const granted = grants();
    const onEveryTable = (action: string) =>
      TABLE_SPECS.every((spec) => granted.get(tableArn(spec))?.has(action) === true);
    const uses: string[] = [];
    const denied: string[] = [];
    for (const file of sourceFiles()) {
      const path = relative(ROOT, file).split(sep).join("/");
      for (const used of usedActions(readFileSync(file, "utf8"))) {
        uses.push(`${path}: ${used}`);
        if (!onEveryTable(used) && !LOCAL_ONLY[path]?.includes(used)) denied.push(`${path}: ${used}`);
      }
    }
    expect(uses, "the scan found nothing: is usedActions still right?").toContain(
      "services/store/table-upgrade.ts: dynamodb:DescribeTable",
    );
    expect(denied, "add the action to infra/iam-actions.ts, then `npm run infra -- --write`").toEqual([]);
  });
});
