import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { type FieldShape, SANDBOX_SHAPES } from "../../../sandbox/asana/resources.ts";
import { type SandboxAsana, startSandboxAsana } from "../../../sandbox/asana/server.ts";
import {
  ASANA_CONTRACTS,
  PROJECT_OPT_FIELDS,
  TASK_COUNT_OPT_FIELDS,
} from "../../../services/asana/schemas.ts";

/**
 * Everything PMO Pulse reads from Asana, and everything the sandbox serves, checked against
 * Asana's own OpenAPI spec (../shared/asana/asana_oas.yaml).
 *
 * The spec types a nested resource by its compact schema (a project's `owner` is a UserCompact),
 * while opt_fields reach any field of that resource's full record (`owner.email`). So a reference
 * to `XCompact` is read here as `XCompact` plus `XResponse`; nothing else is assumed.
 */

const SPEC_PATH = new URL("../../../../shared/asana/asana_oas.yaml", import.meta.url);

type Node = { [key: string]: unknown };
const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);

let spec: Node;
let schemas: Node;

beforeAll(() => {
  const parsed: unknown = parse(readFileSync(SPEC_PATH, "utf8"));
  if (!isNode(parsed) || !isNode(parsed.components) || !isNode(parsed.components.schemas)) {
    throw new Error("the Asana spec has no components.schemas");
  }
  spec = parsed;
  schemas = parsed.components.schemas;
});

function component(ref: string): { name: string; schema: Node } {
  const name = ref.replace("#/components/schemas/", "");
  const schema = schemas[name];
  if (!isNode(schema)) throw new Error(`the spec has no schema ${ref}`);
  return { name, schema };
}

/** The schemas a value of `schema` may follow, $ref and allOf resolved, Compact widened to Response. */
function parts(schema: unknown, seen: Set<string> = new Set()): Node[] {
  if (!isNode(schema)) return [];
  if (typeof schema.$ref === "string") {
    const { name, schema: target } = component(schema.$ref);
    if (seen.has(name)) return [];
    const nextSeen = new Set(seen).add(name);
    const out = parts(target, nextSeen);
    const full = name.replace(/Compact$/, "Response");
    if (full !== name && isNode(schemas[full]))
      out.push(...parts({ $ref: `#/components/schemas/${full}` }, nextSeen));
    return out;
  }
  const out: Node[] = [schema];
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    const members = schema[key];
    if (Array.isArray(members)) for (const member of members) out.push(...parts(member, seen));
  }
  return out;
}

/** The property schemas a field may have, arrays looked through. */
function fieldCandidates(schema: unknown, field: string): Node[] {
  const out: Node[] = [];
  for (const part of parts(schema)) {
    if (part.type === "array") out.push(...fieldCandidates(part.items, field));
    const properties = part.properties;
    if (isNode(properties) && isNode(properties[field])) out.push(properties[field]);
  }
  return out;
}

function hasPath(schema: unknown, path: readonly string[]): boolean {
  const [field, ...rest] = path;
  if (field === undefined) return true;
  return fieldCandidates(schema, field).some((candidate) => hasPath(candidate, rest));
}

function operation(path: string, method: string): Node {
  const paths = spec.paths;
  const item = isNode(paths) ? paths[path] : undefined;
  const op = isNode(item) ? item[method] : undefined;
  if (!isNode(op)) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);
  return op;
}

function responseSchema(path: string, method: string, status: number): unknown {
  const responses = operation(path, method).responses;
  let response = isNode(responses) ? responses[status] : undefined;
  if (isNode(response) && typeof response.$ref === "string") {
    const name = response.$ref.replace("#/components/responses/", "");
    const shared =
      isNode(spec.components) && isNode(spec.components.responses) ? spec.components.responses : {};
    response = shared[name];
  }
  const content = isNode(response) ? response.content : undefined;
  const json = isNode(content) ? content["application/json"] : undefined;
  if (!isNode(json))
    throw new Error(`the spec has no JSON ${status} answer for ${method.toUpperCase()} ${path}`);
  return json.schema;
}

function parameterNames(path: string, method: string): string[] {
  const paths = spec.paths;
  const item = isNode(paths) ? paths[path] : undefined;
  const lists = [isNode(item) ? item.parameters : undefined, operation(path, method).parameters];
  const names: string[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const parameter of list) {
      if (!isNode(parameter)) continue;
      if (typeof parameter.name === "string") names.push(parameter.name);
      if (typeof parameter.$ref === "string") {
        const shared =
          isNode(spec.components) && isNode(spec.components.parameters) ? spec.components.parameters : {};
        const resolved = shared[parameter.$ref.replace("#/components/parameters/", "")];
        if (isNode(resolved) && typeof resolved.name === "string") names.push(resolved.name);
      }
    }
  }
  return names;
}

/** Every field path a zod schema reads. */
function zodPaths(schema: unknown, prefix: readonly string[] = []): string[][] {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable)
    return zodPaths(schema.unwrap(), prefix);
  if (schema instanceof z.ZodDefault) return zodPaths(schema.removeDefault(), prefix);
  if (schema instanceof z.ZodPipe) return zodPaths(schema.in, prefix);
  if (schema instanceof z.ZodArray) return zodPaths(schema.element, prefix);
  if (schema instanceof z.ZodUnion) return schema.options.flatMap((option) => zodPaths(option, prefix));
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape).flatMap(([key, value]) => [
      [...prefix, key],
      ...zodPaths(value, [...prefix, key]),
    ]);
  }
  return [];
}

function shapePaths(shape: FieldShape, prefix = ""): string[] {
  return Object.entries(shape).flatMap(([field, sub]) => {
    const path = `${prefix}${field}`;
    return sub === true ? [path] : [path, ...shapePaths(sub, `${path}.`)];
  });
}

describe("our zod schemas and opt_fields against the spec", () => {
  it.each(
    ASANA_CONTRACTS.map((c) => [`${c.method.toUpperCase()} ${c.path} ${c.status} (${c.operation})`, c]),
  )("%s", (_name, contract) => {
    const schema = responseSchema(contract.path, contract.method, contract.status);
    const unknownFields = zodPaths(contract.schema)
      .filter((path) => !hasPath(schema, path))
      .map((path) => path.join("."));
    expect(unknownFields, "fields our zod schema reads that the spec does not define").toEqual([]);
    const unknownOptFields = contract.optFields.filter(
      (field) => !hasPath(schema, ["data", ...field.split(".")]),
    );
    expect(unknownOptFields, "opt_fields the spec does not define for this resource").toEqual([]);
    if (contract.optFields.length > 0) {
      expect(parameterNames(contract.path, contract.method)).toContain("opt_fields");
    }
  });

  it("has the query parameters the client sends on each endpoint", () => {
    const sent: [string, string, string[]][] = [
      ["/teams/{team_gid}/projects", "get", ["limit", "offset", "archived", "opt_fields"]],
      ["/workspaces/{workspace_gid}/projects", "get", ["limit", "offset", "archived", "opt_fields"]],
      ["/portfolios/{portfolio_gid}/items", "get", ["limit", "offset", "opt_fields"]],
      ["/projects/{project_gid}", "get", ["opt_fields"]],
      ["/projects/{project_gid}/task_counts", "get", ["opt_fields"]],
      ["/events", "get", ["resource", "sync"]],
      ["/tasks", "get", ["project", "modified_since", "limit", "offset", "opt_fields"]],
      ["/users/{user_gid}", "get", ["workspace", "opt_fields"]],
      ["/status_updates", "post", ["opt_fields"]],
    ];
    for (const [path, method, params] of sent) {
      const known = parameterNames(path, method);
      expect(
        params.filter((p) => !known.includes(p)),
        `${method.toUpperCase()} ${path}`,
      ).toEqual([]);
    }
    // The portfolio items endpoint has no archived filter: the client filters on the field itself.
    expect(parameterNames("/portfolios/{portfolio_gid}/items", "get")).not.toContain("archived");
  });

  it("accepts an email where a user gid goes", () => {
    const parameters =
      isNode(spec.components) && isNode(spec.components.parameters) ? spec.components.parameters : {};
    const userGid = parameters.user_path_gid;
    expect(isNode(userGid) && String(userGid.description)).toContain("an email");
  });

  it("lists the task count fields we opt into", () => {
    const parameters = operation("/projects/{project_gid}/task_counts", "get").parameters;
    const optFields = Array.isArray(parameters)
      ? parameters.find((p): p is Node => isNode(p) && p.name === "opt_fields")
      : undefined;
    const items = isNode(optFields) && isNode(optFields.schema) ? optFields.schema.items : undefined;
    const allowed = isNode(items) && Array.isArray(items.enum) ? items.enum : [];
    expect(allowed).toEqual(expect.arrayContaining([...TASK_COUNT_OPT_FIELDS]));
  });

  it("would catch a field the spec lacks", () => {
    const schema = responseSchema("/teams/{team_gid}/projects", "get", 200);
    expect(hasPath(schema, ["data", "owner", "email"])).toBe(true);
    expect(hasPath(schema, ["data", "owner", "emial"])).toBe(false);
    expect(hasPath(schema, ["data", "pmo_id"])).toBe(false);
  });
});

describe("the sandbox's resources against the spec", () => {
  it.each(Object.entries(SANDBOX_SHAPES))("%s: every field the sandbox serves exists", (name, shape) => {
    const schema = { $ref: `#/components/schemas/${name}` };
    expect(shapePaths(shape).filter((path) => !hasPath(schema, path.split(".")))).toEqual([]);
  });
});

/** A small validator for the subset of OpenAPI 3.0 Asana's answers use. */
function violations(value: unknown, schema: unknown, at: string): string[] {
  const members = parts(schema);
  if (members.length === 0) return [];
  if (value === null) {
    // Some fields are documented as null only in prose, e.g. an event's parent: "The parent will
    // be `null` for other event types."
    const nullable = members.some(
      (m) => m.nullable === true || (typeof m.description === "string" && m.description.includes("`null`")),
    );
    return nullable ? [] : [`${at}: null where the spec does not allow it`];
  }
  const problems: string[] = [];
  for (const member of members) {
    const type = member.type;
    if (type === "string" && typeof value !== "string") problems.push(`${at}: expected a string`);
    if (type === "boolean" && typeof value !== "boolean") problems.push(`${at}: expected a boolean`);
    if (type === "integer" && !Number.isInteger(value)) problems.push(`${at}: expected an integer`);
    if (type === "number" && typeof value !== "number") problems.push(`${at}: expected a number`);
    if (type === "array" && !Array.isArray(value)) problems.push(`${at}: expected an array`);
    if (type === "object" && !isNode(value)) problems.push(`${at}: expected an object`);
    if (Array.isArray(member.enum) && !member.enum.includes(value)) {
      problems.push(`${at}: ${JSON.stringify(value)} is not one of ${member.enum.join(", ")}`);
    }
    if (typeof value === "string" && member.format === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      problems.push(`${at}: ${value} is not a date`);
    }
    if (typeof value === "string" && member.format === "date-time" && Number.isNaN(Date.parse(value))) {
      problems.push(`${at}: ${value} is not a date-time`);
    }
    if (Array.isArray(value) && member.type === "array") {
      value.forEach((entry, i) => {
        problems.push(...violations(entry, member.items, `${at}[${i}]`));
      });
    }
  }
  if (isNode(value)) {
    for (const [field, fieldValue] of Object.entries(value)) {
      const candidates = fieldCandidates(schema, field);
      if (candidates.length === 0) {
        problems.push(`${at}.${field}: not defined by the spec`);
        continue;
      }
      const best = candidates
        .map((candidate) => violations(fieldValue, candidate, `${at}.${field}`))
        .sort((a, b) => a.length - b.length)[0];
      problems.push(...(best ?? []));
    }
  }
  return [...new Set(problems)];
}

describe("the sandbox's answers against the spec", () => {
  let sandbox: SandboxAsana;
  const everyProjectField = shapePaths(SANDBOX_SHAPES.ProjectResponse ?? {}).join(",");

  beforeAll(async () => {
    sandbox = await startSandboxAsana({ projects: 40, seed: 5 });
    const [first, second] = sandbox.workspace.projects();
    if (first === undefined || second === undefined) throw new Error("no projects");
    sandbox.workspace.completeTasks(first.gid, 2);
    sandbox.workspace.addTasks(first.gid, 1);
    sandbox.workspace.renameProject(first.gid, "Renombrado");
    sandbox.workspace.postStatusUpdate(first.gid, { statusType: "at_risk", text: "Riesgo" });
    sandbox.workspace.setOwner(second.gid, null);
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  async function call(
    method: "GET" | "POST",
    path: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${sandbox.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token ?? sandbox.token}`,
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, body: await response.json() };
  }

  const gidOf = (index: number) => sandbox.workspace.projects()[index]?.gid ?? "missing";

  it.each<[string, () => string, string, number]>([
    [
      "workspace projects with every field",
      () => `/workspaces/${sandbox.workspaceGid}/projects?limit=100&opt_fields=${everyProjectField}`,
      "/workspaces/{workspace_gid}/projects",
      200,
    ],
    [
      "team projects with our opt_fields",
      () =>
        `/teams/${sandbox.teamGids[0]}/projects?limit=5&archived=false&opt_fields=${PROJECT_OPT_FIELDS.join(",")}`,
      "/teams/{team_gid}/projects",
      200,
    ],
    [
      "compact team projects",
      () => `/teams/${sandbox.teamGids[1]}/projects?limit=3`,
      "/teams/{team_gid}/projects",
      200,
    ],
    [
      "portfolio items",
      () => `/portfolios/${sandbox.portfolioGid}/items?limit=100&opt_fields=${PROJECT_OPT_FIELDS.join(",")}`,
      "/portfolios/{portfolio_gid}/items",
      200,
    ],
    ["a project, default fields", () => `/projects/${gidOf(0)}`, "/projects/{project_gid}", 200],
    [
      "a project, every field",
      () => `/projects/${gidOf(1)}?opt_fields=${everyProjectField}`,
      "/projects/{project_gid}",
      200,
    ],
    [
      "task counts",
      () =>
        `/projects/${gidOf(0)}/task_counts?opt_fields=num_tasks,num_completed_tasks,num_incomplete_tasks,num_milestones`,
      "/projects/{project_gid}/task_counts",
      200,
    ],
    [
      "tasks modified since",
      () =>
        `/tasks?project=${gidOf(0)}&modified_since=2000-01-01T00:00:00.000Z&limit=10&opt_fields=name,completed,completed_at,modified_at,created_at,resource_subtype`,
      "/tasks",
      200,
    ],
    ["events without a token", () => `/events?resource=${gidOf(0)}`, "/events", 412],
    [
      "a user by email",
      () => "/users/pmo.pulse@empresa.example?opt_fields=name,email,photo,workspaces.name",
      "/users/{user_gid}",
      200,
    ],
    ["a user, default fields", () => "/users/me", "/users/{user_gid}", 200],
    ["users", () => `/users?workspace=${sandbox.workspaceGid}&limit=10&opt_fields=name,email`, "/users", 200],
    [
      "workspace users",
      () => `/workspaces/${sandbox.workspaceGid}/users`,
      "/workspaces/{workspace_gid}/users",
      200,
    ],
    [
      "workspace teams",
      () => `/workspaces/${sandbox.workspaceGid}/teams?limit=10`,
      "/workspaces/{workspace_gid}/teams",
      200,
    ],
    ["a portfolio", () => `/portfolios/${sandbox.portfolioGid}`, "/portfolios/{portfolio_gid}", 200],
    ["a missing project", () => "/projects/1", "/projects/{project_gid}", 404],
    ["a bad opt_field", () => `/projects/${gidOf(0)}?opt_fields=nope`, "/projects/{project_gid}", 400],
  ])("GET %s", async (_name, url, specPath, status) => {
    const answer = await call("GET", url());
    expect(answer.status).toBe(status);
    expect(violations(answer.body, responseSchema(specPath, "get", status), "body")).toEqual([]);
  });

  it("GET events after changes", async () => {
    const first = await call("GET", `/events?resource=${gidOf(2)}`);
    const syncToken = isNode(first.body) ? String(first.body.sync) : "";
    sandbox.workspace.completeTasks(gidOf(2), 1);
    sandbox.workspace.setDueOn(gidOf(2), "2030-01-31");
    sandbox.workspace.postStatusUpdate(gidOf(2), { statusType: "on_track", text: "Bien" });
    const answer = await call("GET", `/events?resource=${gidOf(2)}&sync=${syncToken}`);
    expect(answer.status).toBe(200);
    expect(isNode(answer.body) && Array.isArray(answer.body.data) && answer.body.data.length).toBe(3);
    expect(violations(answer.body, responseSchema("/events", "get", 200), "body")).toEqual([]);
  });

  it("POST /status_updates", async () => {
    const answer = await call("POST", "/status_updates", {
      body: { data: { parent: gidOf(3), status_type: "off_track", title: "Semana 12", text: "Retraso" } },
    });
    expect(answer.status).toBe(201);
    expect(violations(answer.body, responseSchema("/status_updates", "post", 201), "body")).toEqual([]);
  });

  it("401 without the token", async () => {
    const answer = await call("GET", `/projects/${gidOf(0)}`, { token: "wrong" });
    expect(answer.status).toBe(401);
    expect(violations(answer.body, responseSchema("/projects/{project_gid}", "get", 401), "body")).toEqual(
      [],
    );
  });

  it("the validator itself catches a field or a type the spec does not allow", () => {
    const schema = responseSchema("/projects/{project_gid}", "get", 200);
    expect(violations({ data: { gid: "1", pmo: "x" } }, schema, "body")).toEqual([
      "body.data.pmo: not defined by the spec",
    ]);
    expect(violations({ data: { gid: "1", archived: "no" } }, schema, "body")).toEqual([
      "body.data.archived: expected a boolean",
    ]);
    expect(violations({ data: { gid: "1", due_on: "31/01/2030" } }, schema, "body")).toEqual([
      "body.data.due_on: 31/01/2030 is not a date",
    ]);
  });
});
