import type {
  SandboxEvent,
  SandboxPortfolio,
  SandboxProject,
  SandboxResourceRef,
  SandboxStatusUpdate,
  SandboxTask,
  SandboxUser,
  SandboxWorkspace,
} from "./workspace.ts";

/**
 * How the sandbox shows its workspace as Asana JSON: the full record of each resource, the field
 * shapes opt_fields are checked against, and the projection that keeps only the asked fields.
 * Field names follow Asana's OpenAPI spec; tests/services/asana/spec.test.ts checks the shapes
 * and real responses against it.
 */

export type FieldShape = { readonly [field: string]: FieldShape | true };
export type JsonRecord = { [key: string]: unknown };

const WORKSPACE_SHAPE: FieldShape = { name: true };
const TEAM_SHAPE: FieldShape = { name: true };
export const USER_SHAPE: FieldShape = { name: true, email: true, photo: true, workspaces: WORKSPACE_SHAPE };
const ENUM_OPTION_SHAPE: FieldShape = { name: true, color: true, enabled: true };
const CUSTOM_FIELD_SHAPE: FieldShape = {
  name: true,
  type: true,
  enabled: true,
  display_value: true,
  text_value: true,
  number_value: true,
  enum_value: ENUM_OPTION_SHAPE,
  enum_options: ENUM_OPTION_SHAPE,
  is_formula_field: true,
  representation_type: true,
};
export const STATUS_UPDATE_SHAPE: FieldShape = {
  resource_subtype: true,
  title: true,
  text: true,
  status_type: true,
  created_at: true,
  modified_at: true,
  author: USER_SHAPE,
  created_by: USER_SHAPE,
  parent: { name: true },
};
export const PROJECT_SHAPE: FieldShape = {
  name: true,
  archived: true,
  color: true,
  completed: true,
  completed_at: true,
  created_at: true,
  modified_at: true,
  due_on: true,
  due_date: true,
  start_on: true,
  notes: true,
  permalink_url: true,
  privacy_setting: true,
  default_view: true,
  owner: USER_SHAPE,
  team: TEAM_SHAPE,
  workspace: WORKSPACE_SHAPE,
  current_status_update: STATUS_UPDATE_SHAPE,
  custom_fields: CUSTOM_FIELD_SHAPE,
};
export const PORTFOLIO_SHAPE: FieldShape = {
  name: true,
  color: true,
  created_at: true,
  owner: USER_SHAPE,
  workspace: WORKSPACE_SHAPE,
  permalink_url: true,
};
export const TASK_SHAPE: FieldShape = {
  name: true,
  resource_subtype: true,
  completed: true,
  completed_at: true,
  created_at: true,
  modified_at: true,
};
export const TASK_COUNTS_SHAPE: FieldShape = {
  num_tasks: true,
  num_completed_tasks: true,
  num_incomplete_tasks: true,
  num_milestones: true,
  num_completed_milestones: true,
  num_incomplete_milestones: true,
};
export const TEAM_RECORD_SHAPE: FieldShape = {
  name: true,
  organization: WORKSPACE_SHAPE,
  permalink_url: true,
};

/** Every resource shape the sandbox serves, by the name of the spec schema it follows. */
export const SANDBOX_SHAPES: Readonly<Record<string, FieldShape>> = {
  ProjectResponse: PROJECT_SHAPE,
  PortfolioResponse: PORTFOLIO_SHAPE,
  UserResponse: USER_SHAPE,
  StatusUpdateResponse: STATUS_UPDATE_SHAPE,
  TaskResponse: TASK_SHAPE,
  TaskCountResponse: TASK_COUNTS_SHAPE,
  TeamResponse: TEAM_RECORD_SHAPE,
};

export type FieldTree = Map<string, FieldTree>;

/** Parses opt_fields against a shape; an unknown field is an error message, as Asana answers 400. */
export function parseOptFields(raw: string | null, shape: FieldShape): FieldTree | string {
  const tree: FieldTree = new Map();
  if (raw === null || raw.trim() === "") return tree;
  for (const field of raw.split(",").map((f) => f.trim())) {
    if (field === "") continue;
    let node = tree;
    let at: FieldShape | true = shape;
    for (const segment of field.split(".")) {
      const known = segment === "gid" || segment === "resource_type";
      const next: FieldShape | true | undefined = at === true ? undefined : at[segment];
      if (next === undefined && !known) return `opt_fields: unknown field "${field}"`;
      at = next ?? true;
      const child = node.get(segment) ?? new Map();
      node.set(segment, child);
      node = child;
    }
  }
  return tree;
}

/** Only the asked fields, plus gid and resource_type of every resource met on the way. */
export function projectFields(value: unknown, tree: FieldTree): unknown {
  if (Array.isArray(value)) return value.map((entry) => projectFields(entry, tree));
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  if ("gid" in value) out.gid = value.gid;
  if ("resource_type" in value) out.resource_type = value.resource_type;
  for (const [field, subtree] of tree) {
    if (!(field in value)) continue;
    out[field] = subtree.size === 0 ? reference(value[field], false) : projectFields(value[field], subtree);
  }
  return out;
}

/** A record as Asana shows it without opt_fields: its own fields, the resources inside it compact. */
export function defaultView(record: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [field, value] of Object.entries(record)) out[field] = reference(value, true);
  return out;
}

/** A nested resource asked for without sub-fields is shown as its identity. */
function reference(value: unknown, withName: boolean): unknown {
  if (Array.isArray(value)) return value.map((entry) => reference(entry, withName));
  if (!isRecord(value) || !("gid" in value)) return value;
  const out: JsonRecord = { gid: value.gid, resource_type: value.resource_type };
  if (withName && "name" in value) out.name = value.name;
  return out;
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function compact(record: JsonRecord): JsonRecord {
  return { gid: record.gid, resource_type: record.resource_type, name: record.name };
}

export function workspaceRecord(ws: SandboxWorkspace): JsonRecord {
  return { gid: ws.gid, resource_type: "workspace", name: ws.name };
}

export function userRecord(ws: SandboxWorkspace, user: SandboxUser): JsonRecord {
  return {
    gid: user.gid,
    resource_type: "user",
    name: user.name,
    email: user.email,
    photo: null,
    workspaces: [workspaceRecord(ws)],
  };
}

function userOrNull(ws: SandboxWorkspace, gid: string | null): JsonRecord | null {
  const user = gid === null ? undefined : ws.user(gid);
  return user === undefined ? null : userRecord(ws, user);
}

export function teamRecord(ws: SandboxWorkspace, gid: string): JsonRecord {
  const team = ws.team(gid);
  return {
    gid,
    resource_type: "team",
    name: team?.name ?? "",
    organization: workspaceRecord(ws),
    permalink_url: `https://app.asana.com/0/team/${gid}`,
  };
}

export function statusUpdateRecord(
  ws: SandboxWorkspace,
  project: SandboxProject,
  update: SandboxStatusUpdate,
): JsonRecord {
  const author = userOrNull(ws, update.authorGid);
  return {
    gid: update.gid,
    resource_type: "status_update",
    resource_subtype: "project_status_update",
    title: update.title,
    text: update.text,
    status_type: update.statusType,
    created_at: update.createdAt,
    modified_at: update.createdAt,
    author,
    created_by: author,
    parent: { gid: project.gid, resource_type: "project", name: project.name },
  };
}

function customFieldRecords(ws: SandboxWorkspace, project: SandboxProject): JsonRecord[] {
  const fields: JsonRecord[] = [];
  const { pmoId, vertical } = ws.customFields;
  if (project.hasPmoIdField) {
    fields.push({
      gid: pmoId.gid,
      resource_type: "custom_field",
      name: pmoId.name,
      type: "text",
      enabled: true,
      display_value: project.pmoId,
      text_value: project.pmoId,
      number_value: null,
      enum_value: null,
      enum_options: [],
      is_formula_field: false,
      representation_type: "text",
    });
  }
  if (project.hasVerticalField) {
    const options = vertical.options.map((o) => ({
      gid: o.gid,
      resource_type: "enum_option",
      name: o.name,
      color: o.color,
      enabled: true,
    }));
    fields.push({
      gid: vertical.gid,
      resource_type: "custom_field",
      name: vertical.name,
      type: "enum",
      enabled: true,
      display_value: project.vertical,
      text_value: null,
      number_value: null,
      enum_value: options.find((o) => o.name === project.vertical) ?? null,
      enum_options: options,
      is_formula_field: false,
      representation_type: "enum",
    });
  }
  return fields;
}

export function projectRecord(ws: SandboxWorkspace, project: SandboxProject): JsonRecord {
  const latest = project.statusUpdates[project.statusUpdates.length - 1];
  return {
    gid: project.gid,
    resource_type: "project",
    name: project.name,
    archived: project.archived,
    color: project.color,
    completed: project.completed,
    completed_at: project.completedAt,
    created_at: project.createdAt,
    modified_at: project.modifiedAt,
    due_on: project.dueOn,
    due_date: project.dueOn,
    start_on: project.startOn,
    notes: project.notes,
    permalink_url: `https://app.asana.com/1/${ws.gid}/project/${project.gid}`,
    privacy_setting: "public_to_workspace",
    default_view: "list",
    owner: userOrNull(ws, project.ownerGid),
    team: teamRecord(ws, project.teamGid),
    workspace: workspaceRecord(ws),
    current_status_update: latest === undefined ? null : statusUpdateRecord(ws, project, latest),
    custom_fields: customFieldRecords(ws, project),
  };
}

export function portfolioRecord(ws: SandboxWorkspace, portfolio: SandboxPortfolio): JsonRecord {
  return {
    gid: portfolio.gid,
    resource_type: "portfolio",
    name: portfolio.name,
    color: "light-blue",
    created_at: "2024-01-15T12:00:00.000Z",
    owner: userOrNull(ws, portfolio.ownerGid),
    workspace: workspaceRecord(ws),
    permalink_url: `https://app.asana.com/0/portfolio/${portfolio.gid}/list`,
  };
}

export function taskRecord(task: SandboxTask): JsonRecord {
  return {
    gid: task.gid,
    resource_type: "task",
    name: task.name,
    resource_subtype: "default_task",
    completed: task.completed,
    completed_at: task.completedAt,
    created_at: task.createdAt,
    modified_at: task.modifiedAt,
  };
}

export function taskCountsRecord(project: SandboxProject): JsonRecord {
  const completed = project.tasks.filter((t) => t.completed).length;
  return {
    num_tasks: project.tasks.length,
    num_completed_tasks: completed,
    num_incomplete_tasks: project.tasks.length - completed,
    num_milestones: 0,
    num_completed_milestones: 0,
    num_incomplete_milestones: 0,
  };
}

function refRecord(ref: SandboxResourceRef): JsonRecord {
  return { gid: ref.gid, resource_type: ref.resourceType, name: ref.name };
}

export function eventRecord(ws: SandboxWorkspace, event: SandboxEvent): JsonRecord {
  const user = event.userGid === null ? undefined : ws.user(event.userGid);
  const record: JsonRecord = {
    user: user === undefined ? null : { gid: user.gid, resource_type: "user", name: user.name },
    resource: refRecord(event.resource),
    type: event.resource.resourceType,
    action: event.action,
    parent: event.parent === null ? null : refRecord(event.parent),
    created_at: event.createdAt,
  };
  if (event.change !== null) record.change = { field: event.change.field, action: event.change.action };
  return record;
}
