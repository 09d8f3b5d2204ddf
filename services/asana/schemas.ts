import { z } from "zod";

/**
 * Zod schemas for every Asana response PMO Pulse reads, and the opt_fields it asks for.
 * Field names are Asana's (snake_case). tests/services/asana/spec.test.ts checks every field
 * declared here, and every opt_fields entry, against Asana's OpenAPI spec through ASANA_CONTRACTS.
 *
 * Asana returns only the fields a request opts into, so almost every field is optional here;
 * `nullish` marks the fields the spec declares nullable.
 */

export const PROJECT_OPT_FIELDS = [
  "name",
  "archived",
  "completed",
  "completed_at",
  "created_at",
  "modified_at",
  "due_on",
  "start_on",
  "permalink_url",
  "owner.name",
  "owner.email",
  "team.name",
  "current_status_update.status_type",
  "current_status_update.title",
  "current_status_update.text",
  "current_status_update.created_at",
  "current_status_update.author.name",
  "custom_fields.name",
  "custom_fields.display_value",
] as const;

export const TASK_COUNT_OPT_FIELDS = ["num_tasks", "num_completed_tasks", "num_incomplete_tasks"] as const;

export const USER_OPT_FIELDS = ["name", "email"] as const;

export const STATUS_UPDATE_OPT_FIELDS = [
  "status_type",
  "title",
  "text",
  "created_at",
  "author.name",
  "parent.name",
] as const;

export const TASK_OPT_FIELDS = ["modified_at"] as const;

const gid = z.string().min(1);

export const nextPageSchema = z
  .object({
    offset: z.string().min(1),
    path: z.string().optional(),
    uri: z.string().optional(),
  })
  .nullable();
export type AsanaNextPage = z.output<typeof nextPageSchema>;

/** Asana's error body: `{ errors: [{ message, help, phrase }] }`. */
export const errorBodySchema = z.object({
  errors: z
    .array(
      z.object({
        message: z.string().optional(),
        help: z.string().optional(),
        phrase: z.string().optional(),
      }),
    )
    .optional(),
});
export type AsanaErrorBody = z.output<typeof errorBodySchema>;

/** The 412 of GET /events carries a fresh sync token beside the errors (which hold only a message). */
export const syncTokenExpiredBodySchema = z.object({
  errors: z.array(z.object({ message: z.string().optional() })).optional(),
  sync: z.string().min(1),
});

export const userSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string().nullish(),
  email: z.string().nullish(),
});
export type AsanaUser = z.output<typeof userSchema>;

export const teamSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string().optional(),
});

export const customFieldSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string().optional(),
  display_value: z.string().nullish(),
});
export type AsanaCustomField = z.output<typeof customFieldSchema>;

/**
 * Projects accept on_track, at_risk, off_track, on_hold, complete and dropped; goals also use
 * achieved, partial and missed. Any other string is accepted so that a value Asana adds later
 * does not make a project unreadable (the mapper reads it as "none").
 */
export const asanaStatusUpdateSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  resource_subtype: z.string().optional(),
  status_type: z.string().optional(),
  title: z.string().nullish(),
  text: z.string().nullish(),
  created_at: z.string().optional(),
  author: userSchema.nullish(),
  parent: z.object({ gid, resource_type: z.string().optional(), name: z.string().optional() }).nullish(),
});
export type AsanaStatusUpdate = z.output<typeof asanaStatusUpdateSchema>;

/** A project as the mapper reads it (PROJECT_OPT_FIELDS). */
export const asanaProjectSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string(),
  archived: z.boolean().optional(),
  completed: z.boolean().optional(),
  completed_at: z.string().nullish(),
  created_at: z.string().optional(),
  modified_at: z.string().optional(),
  due_on: z.string().nullish(),
  start_on: z.string().nullish(),
  permalink_url: z.string().optional(),
  owner: userSchema.nullish(),
  team: teamSchema.nullish(),
  current_status_update: asanaStatusUpdateSchema.nullish(),
  custom_fields: z.array(customFieldSchema).optional(),
});
export type AsanaProject = z.output<typeof asanaProjectSchema>;

/**
 * A project as a listing delivers it: only its gid is required and every other key is kept, so
 * that one unreadable project is reported by the mapper (and marked stale) instead of failing
 * the page it came in; `raw` keeps it as received.
 */
export const projectRecordSchema = z.looseObject({ gid, resource_type: z.string().optional() });
export type AsanaProjectRecord = z.output<typeof projectRecordSchema>;

/** GET /portfolios/{gid}/items answers projects and nested portfolios in one list. */
export const portfolioItemSchema = z.looseObject({ gid, resource_type: z.string() });
export type AsanaPortfolioItem = z.output<typeof portfolioItemSchema>;

const count = z.number().int().min(0);
export const taskCountsSchema = z.object({
  num_tasks: count.optional(),
  num_completed_tasks: count.optional(),
  num_incomplete_tasks: count.optional(),
});
export type AsanaTaskCounts = z.output<typeof taskCountsSchema>;

export const taskSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string().optional(),
  modified_at: z.string().optional(),
});
export type AsanaTask = z.output<typeof taskSchema>;

const namedResourceSchema = z.object({
  gid,
  resource_type: z.string().optional(),
  name: z.string().nullish(),
});

export const eventSchema = z.object({
  user: userSchema.nullish(),
  resource: namedResourceSchema,
  type: z.string().optional(),
  action: z.string(),
  parent: namedResourceSchema.nullish(),
  created_at: z.string(),
  change: z
    .object({
      field: z.string().optional(),
      action: z.string().optional(),
    })
    .nullish(),
});
export type AsanaEvent = z.output<typeof eventSchema>;

export const eventsResponseSchema = z.object({
  data: z.array(eventSchema),
  sync: z.string().min(1),
  has_more: z.boolean().optional(),
});

/** One page of any paginated list. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_page: nextPageSchema.optional() });
}

export function singleSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: item });
}

export const projectPageSchema = pageSchema(projectRecordSchema);
export const portfolioItemPageSchema = pageSchema(portfolioItemSchema);
export const projectResponseSchema = singleSchema(projectRecordSchema);
export const taskCountsResponseSchema = singleSchema(taskCountsSchema);
export const taskPageSchema = pageSchema(taskSchema);
export const userResponseSchema = singleSchema(userSchema);
export const userPageSchema = pageSchema(userSchema);
export const statusUpdateResponseSchema = singleSchema(asanaStatusUpdateSchema);

/** What POST /status_updates takes. */
export const STATUS_UPDATE_TYPES = [
  "on_track",
  "at_risk",
  "off_track",
  "on_hold",
  "complete",
  "dropped",
] as const;
export type StatusUpdateType = (typeof STATUS_UPDATE_TYPES)[number];

/**
 * Each response schema beside the operation of the OpenAPI spec it reads, and the opt_fields sent
 * to it. The client uses these same constants; the spec test walks this list.
 */
export type AsanaContract = {
  operation: string;
  method: "get" | "post";
  path: string;
  status: 200 | 201 | 412 | 400;
  schema: z.ZodType;
  optFields: readonly string[];
};

export const ASANA_CONTRACTS: readonly AsanaContract[] = [
  {
    operation: "team projects",
    method: "get",
    path: "/teams/{team_gid}/projects",
    status: 200,
    schema: pageSchema(asanaProjectSchema),
    optFields: PROJECT_OPT_FIELDS,
  },
  {
    operation: "workspace projects",
    method: "get",
    path: "/workspaces/{workspace_gid}/projects",
    status: 200,
    schema: pageSchema(asanaProjectSchema),
    optFields: PROJECT_OPT_FIELDS,
  },
  {
    operation: "portfolio items",
    method: "get",
    path: "/portfolios/{portfolio_gid}/items",
    status: 200,
    schema: pageSchema(asanaProjectSchema.extend({ resource_type: z.string() })),
    optFields: PROJECT_OPT_FIELDS,
  },
  {
    operation: "project",
    method: "get",
    path: "/projects/{project_gid}",
    status: 200,
    schema: singleSchema(asanaProjectSchema),
    optFields: PROJECT_OPT_FIELDS,
  },
  {
    operation: "task counts",
    method: "get",
    path: "/projects/{project_gid}/task_counts",
    status: 200,
    schema: taskCountsResponseSchema,
    optFields: TASK_COUNT_OPT_FIELDS,
  },
  {
    operation: "events",
    method: "get",
    path: "/events",
    status: 200,
    schema: eventsResponseSchema,
    optFields: [],
  },
  {
    operation: "events, sync token expired",
    method: "get",
    path: "/events",
    status: 412,
    schema: syncTokenExpiredBodySchema,
    optFields: [],
  },
  {
    operation: "tasks modified since",
    method: "get",
    path: "/tasks",
    status: 200,
    schema: taskPageSchema,
    optFields: TASK_OPT_FIELDS,
  },
  {
    operation: "user",
    method: "get",
    path: "/users/{user_gid}",
    status: 200,
    schema: userResponseSchema,
    optFields: USER_OPT_FIELDS,
  },
  {
    operation: "users",
    method: "get",
    path: "/users",
    status: 200,
    schema: userPageSchema,
    optFields: USER_OPT_FIELDS,
  },
  {
    operation: "create status update",
    method: "post",
    path: "/status_updates",
    status: 201,
    schema: statusUpdateResponseSchema,
    optFields: STATUS_UPDATE_OPT_FIELDS,
  },
  {
    operation: "error body",
    method: "get",
    path: "/projects/{project_gid}",
    status: 400,
    schema: errorBodySchema,
    optFields: [],
  },
];
