import { z } from "zod";
import { HEALTHS, type Health, type StatusUpdateInput, type UserProfileInput } from "../model.ts";

/**
 * BOTPMO's items -> PMO Pulse's (issue 15, `npm run migrate -- botpmo`), pure: no I/O, no clock.
 *
 * BOTPMO's shapes are a documented guess (README "Taking over from BOTPMO and ControlTower"),
 * from the consolidation plan and the bot's public source (pulse-bot-mvp, src/services/dynamo.js):
 *
 * - `<prefix>-users-<env>`, key `pk` = `USER#{slackUserId}`: slackUserId, asanaEmail, asanaName (the
 *   name the PM typed at onboarding), timezone, onboarded, createdAt, updatedAt, cachedProjects,
 *   projectsCachedAt.
 * - `<prefix>-updates-<env>`, key `pk` = `PROJECT#{gid}`, `sk` = `UPDATE#{timestamp}`: projectGid,
 *   projectName, pmSlackId, status (on_track | at_risk | off_track), advances (the PM's text),
 *   hasBlockers, blockerDescription, timestamp.
 * - `<prefix>-projects-<env>`, key `PROJECT#{gid}` / `META`: name, responsable, responsableKey,
 *   dueOn, dueAt, status, pmoId, progressPercent, totalTasks, pendingTasks, lastUpdateAt. Read only
 *   to resolve references: the first full sync rebuilds projects from Asana.
 *
 * Real items vary, so every item is validated: the attributes a PMO Pulse item is built from must
 * have the right type, or the item is skipped with its key and the reason; every other attribute
 * is kept as it was under `legacy` on the written item.
 */

export const BOTPMO_TABLES = ["users", "updates", "projects"] as const;
export type BotpmoTable = (typeof BOTPMO_TABLES)[number];

export type BotpmoSource = { prefix: string; env: string };

/** BOTPMO's own naming, which PMO Pulse's default TABLE_PREFIX repeats (DESIGN.md section 3). */
export function botpmoTableName(table: BotpmoTable, source: BotpmoSource): string {
  return `${source.prefix}-${table}-${source.env}`;
}

/** An item as read from a BOTPMO table: anything at all. */
export type SourceItem = Readonly<Record<string, unknown>>;

export const SKIP_REASONS = [
  /** The key is not the BOTPMO key of that table (`USER#…`, `PROJECT#…`/`UPDATE#…`). */
  "invalid_key",
  /** An attribute the item is built from has the wrong type. */
  "malformed",
  /** No Slack user ID (U…/W…) for the profile or for the update's author. */
  "no_slack_user",
  /** No Asana project gid in the key, in `projectGid`, or through `pmoId`. */
  "no_project",
  /** No ISO 8601 instant for the update (`timestamp`, or the sort key). */
  "no_timestamp",
  /** An update with no text, no status and no blocker: nothing to keep. */
  "empty_update",
  /** The PMO Pulse item would pass DynamoDB's 400 KB item limit. */
  "too_large",
  /** The same key already holds a different update. */
  "conflicts_with_existing",
  /** DynamoDB refused the write (ValidationException). */
  "rejected",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type Skip = { table: BotpmoTable; key: string; reason: SkipReason; detail: string };
export type Verdict<T> = ({ ok: true } & T) | { ok: false; reason: SkipReason; detail: string };

/** What BOTPMO's projects say, for the users and updates that refer to them. */
export type ProjectRefs = {
  gids: Set<string>;
  /** `PMO-123` (upper case) -> project gid. */
  gidByPmoId: Map<string, string>;
  /** Owner name as BOTPMO normalizes it -> that owner's Asana user gid, where a project carries one. */
  asanaUserByName: Map<string, string>;
};

export const emptyProjectRefs = (): ProjectRefs => ({
  gids: new Set(),
  gidByPmoId: new Map(),
  asanaUserByName: new Map(),
});

const GID = /^\d+$/;
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const isoInstant = z.iso.datetime({ offset: true });
/** DynamoDB's item limit (400 KB, attribute names included). */
export const MAX_ITEM_BYTES = 400 * 1024;

/** BOTPMO's name normalization (lower case, accents removed), so "José" matches "jose". */
export function normalizeName(text: string): string {
  return text
    .toLowerCase()
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .trim();
}

const text = z.string().nullable().optional();

const projectShape = z.looseObject({
  pk: z.string().regex(/^PROJECT#\d+$/, { error: "expected PROJECT#{gid}" }),
  pmoId: text,
  responsable: text,
  responsableKey: text,
  responsableGid: text,
  ownerGid: text,
});

/** Adds one BOTPMO project to the references; null when used, the reason when it cannot be. */
export function addProjectRef(
  refs: ProjectRefs,
  item: SourceItem,
): { reason: SkipReason; detail: string } | null {
  const parsed = projectShape.safeParse(item);
  if (!parsed.success)
    return { reason: invalidReason(parsed.error, ["pk"]), detail: issueText(parsed.error) };
  const project = parsed.data;
  const gid = project.pk.slice("PROJECT#".length);
  refs.gids.add(gid);
  const pmoId = project.pmoId?.trim().toUpperCase();
  if (pmoId) refs.gidByPmoId.set(pmoId, gid);
  // BOTPMO's responsableKey is `RESPONSABLE#{name}`; an Asana gid shows up only in later variants.
  const ownerGid = [project.responsableGid, project.ownerGid, project.responsableKey].find(
    (value) => typeof value === "string" && GID.test(value),
  );
  if (ownerGid && project.responsable) refs.asanaUserByName.set(normalizeName(project.responsable), ownerGid);
  return null;
}

const userShape = z.looseObject({
  pk: z.string().regex(/^USER#/, { error: "expected USER#{slackUserId}" }),
  slackUserId: z.string().optional(),
  asanaEmail: text,
  email: text,
  asanaName: text,
  name: text,
  asanaUserGid: text,
  locale: text,
});

export type MappedUser = { profile: UserProfileInput; legacy: Record<string, unknown> };

/** Instant of a profile nobody refreshed: PMO Pulse asks Slack and Asana again at first use. */
export const NEVER_REFRESHED = "1970-01-01T00:00:00.000Z";

/**
 * A BOTPMO user -> a PMO Pulse profile. The profile counts as never refreshed, so the app maps
 * the person again (Slack email -> Asana user) at first use; until then the old mapping serves,
 * mentions included when the Asana user is known (from the item or from a project it owns).
 */
export function mapUser(item: SourceItem, refs: ProjectRefs): Verdict<MappedUser> {
  const parsed = userShape.safeParse(item);
  if (!parsed.success)
    return { ok: false, reason: invalidReason(parsed.error, ["pk"]), detail: issueText(parsed.error) };
  const user = parsed.data;
  const consumed = new Set(["pk"]);
  const keyId = user.pk.slice("USER#".length);
  if (user.slackUserId !== undefined && user.slackUserId !== keyId)
    return { ok: false, reason: "invalid_key", detail: "slackUserId differs from the key's" };
  if (!SLACK_USER.test(keyId))
    return { ok: false, reason: "no_slack_user", detail: "the key holds no Slack user ID" };
  consumed.add("slackUserId");

  const email = firstOf(user, ["asanaEmail", "email"], (v) => /^[^@\s]+@[^@\s]+$/.test(v));
  const name = firstOf(user, ["asanaName", "name"], (v) => v.trim().length > 0);
  const ownGid = firstOf(user, ["asanaUserGid"], (v) => GID.test(v));
  const locale = firstOf(user, ["locale"], (v) => localeOf(v) !== null);
  for (const found of [email, name, ownGid, locale]) if (found !== null) consumed.add(found.attribute);
  const asanaUserGid =
    ownGid?.value ?? (name === null ? null : (refs.asanaUserByName.get(normalizeName(name.value)) ?? null));

  const profile: UserProfileInput = {
    slackUserId: keyId,
    email: email?.value ?? null,
    name: name?.value.trim() ?? null,
    asanaUserGid,
    locale: locale === null ? null : localeOf(locale.value),
    // PMO Pulse never asked Slack about this person; BOTPMO's createdAt and updatedAt stay in legacy.
    refreshedAt: NEVER_REFRESHED,
  };
  const legacy = legacyOf(item, consumed);
  const size = itemBytes({ pk: `USER#${keyId}`, sk: "PROFILE", ...profile, legacy });
  if (size > MAX_ITEM_BYTES) return { ok: false, reason: "too_large", detail: `${size} bytes` };
  return { ok: true, profile, legacy };
}

const updateShape = z.looseObject({
  pk: z.string().regex(/^PROJECT#/, { error: "expected PROJECT#{gid}" }),
  sk: z.string().regex(/^UPDATE#/, { error: "expected UPDATE#{timestamp}" }),
  projectGid: text,
  pmoId: text,
  pmSlackId: text,
  slackUserId: text,
  timestamp: text,
  advances: text,
  status: text,
  blockerDescription: text,
});

export type MappedUpdate = { update: StatusUpdateInput; legacy: Record<string, unknown> };

/** A BOTPMO status update -> a PMO Pulse one: the PM's text byte for byte, status as health. */
export function mapUpdate(item: SourceItem, refs: ProjectRefs): Verdict<MappedUpdate> {
  const parsed = updateShape.safeParse(item);
  if (!parsed.success)
    return { ok: false, reason: invalidReason(parsed.error, ["pk", "sk"]), detail: issueText(parsed.error) };
  const source = parsed.data;
  const consumed = new Set(["pk", "sk"]);

  const keyGid = source.pk.slice("PROJECT#".length);
  const attributeGid = source.projectGid ?? null;
  if (attributeGid !== null && GID.test(keyGid) && attributeGid !== keyGid)
    return { ok: false, reason: "invalid_key", detail: "projectGid differs from the key's" };
  const byPmoId = source.pmoId ? refs.gidByPmoId.get(source.pmoId.trim().toUpperCase()) : undefined;
  const projectGid = [keyGid, attributeGid, byPmoId].find(
    (v): v is string => typeof v === "string" && GID.test(v),
  );
  if (projectGid === undefined)
    return {
      ok: false,
      reason: "no_project",
      detail: "no Asana project gid in the key, projectGid or pmoId",
    };
  if (attributeGid === projectGid) consumed.add("projectGid");

  const author = firstOf(source, ["pmSlackId", "slackUserId"], (v) => SLACK_USER.test(v));
  if (author === null) return { ok: false, reason: "no_slack_user", detail: "no Slack user ID in pmSlackId" };
  consumed.add(author.attribute);

  const fromKey = source.sk.slice("UPDATE#".length);
  const submittedAt = [source.timestamp, fromKey].find(
    (v): v is string => typeof v === "string" && isoInstant.safeParse(v).success,
  );
  if (submittedAt === undefined)
    return {
      ok: false,
      reason: "no_timestamp",
      detail: "neither timestamp nor the sort key is an ISO 8601 instant",
    };
  if (source.timestamp === submittedAt) consumed.add("timestamp");

  const written = source.advances ?? "";
  if (source.advances !== undefined) consumed.add("advances");
  const health = isHealth(source.status) ? source.status : null;
  if (health !== null) consumed.add("status");
  // hasBlockers is read only as a boolean; any other value stays in legacy as it came.
  const hasBlockers = typeof item.hasBlockers === "boolean" ? item.hasBlockers : null;
  const description = source.blockerDescription?.trim() ?? "";
  const blockers = hasBlockers !== false && description !== "" ? [source.blockerDescription ?? ""] : [];
  if (blockers.length > 0 || (source.blockerDescription ?? "") === "") consumed.add("blockerDescription");
  if ((hasBlockers === true && blockers.length > 0) || (hasBlockers === false && description === ""))
    consumed.add("hasBlockers");
  if (written === "" && health === null && blockers.length === 0 && hasBlockers !== true)
    return { ok: false, reason: "empty_update", detail: "no text, status or blocker" };

  const update: StatusUpdateInput = {
    projectGid,
    slackUserId: author.value,
    submittedAt,
    text: written,
    parsed: { progress: null, health, risks: [], blockers, nextSteps: [], eta: null },
    asanaStatusUpdateGid: null,
    slackEventId: null,
  };
  const legacy = legacyOf(item, consumed);
  const size = itemBytes({
    pk: `PROJECT#${projectGid}`,
    sk: `UPDATE#${submittedAt}#${author.value}`,
    ...update,
    legacy,
  });
  if (size > MAX_ITEM_BYTES) return { ok: false, reason: "too_large", detail: `${size} bytes` };
  return { ok: true, update, legacy };
}

function isHealth(value: string | null | undefined): value is Health {
  return HEALTHS.some((health) => health === value);
}

function localeOf(value: string): "es" | "en" | null {
  const language = value.slice(0, 2).toLowerCase();
  return language === "es" ? "es" : language === "en" ? "en" : null;
}

/** The first of `attributes` holding a string that `accept`s; null when none does. */
function firstOf(
  item: Readonly<Record<string, unknown>>,
  attributes: readonly string[],
  accept: (value: string) => boolean,
): { attribute: string; value: string } | null {
  for (const attribute of attributes) {
    const value = item[attribute];
    if (typeof value === "string" && accept(value)) return { attribute, value };
  }
  return null;
}

/** Every attribute the PMO Pulse item was not built from, exactly as it came. */
function legacyOf(item: SourceItem, consumed: ReadonlySet<string>): Record<string, unknown> {
  const legacy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item))
    if (!consumed.has(name) && value !== undefined) legacy[name] = value;
  return legacy;
}

function invalidReason(error: z.ZodError, keyAttributes: readonly string[]): SkipReason {
  return error.issues.some((issue) => keyAttributes.includes(String(issue.path[0])))
    ? "invalid_key"
    : "malformed";
}

/** Which attribute is wrong and how; never its value (an update's text is a DM). */
function issueText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join(".") || "item"}: ${issue.message}`)
    .join("; ");
}

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

/**
 * The size DynamoDB counts for an item, rounded up: names and strings in UTF-8, a number at its
 * largest (21 bytes), 3 bytes for a list or map plus 1 a member.
 */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item))
    if (value !== undefined) total += utf8(name) + valueBytes(value);
  return total;
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return utf8(value);
  if (typeof value === "number" || typeof value === "bigint") return 21;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce<number>((sum, member) => sum + valueBytes(member), 0);
  if (Array.isArray(value)) return 3 + value.reduce<number>((sum, member) => sum + 1 + valueBytes(member), 0);
  if (typeof value === "object") {
    // A NumberValue (a number too precise for JavaScript, kept as its digits) counts as a number.
    if (!isPlainRecord(value)) return 21;
    return (
      3 + Object.entries(value).reduce((sum, [name, member]) => sum + 1 + utf8(name) + valueBytes(member), 0)
    );
  }
  return 0;
}

function isPlainRecord(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** How a skipped item is named in the report: its key's values, shortened. */
export function describeKey(item: SourceItem, keyAttributes: readonly string[]): string {
  const parts = keyAttributes.map((name) => {
    const value = item[name];
    const shown =
      typeof value === "string"
        ? value
        : value instanceof Uint8Array
          ? Buffer.from(value).toString("base64")
          : value === undefined
            ? "(missing)"
            : String(value);
    return shown.length > 120 ? `${shown.slice(0, 117)}…` : shown;
  });
  return parts.join(" / ");
}

/** Read, written, merged into a profile PMO Pulse had, already there, skipped by reason. */
export type TableCounts = {
  read: number;
  written: number;
  merged: number;
  alreadyPresent: number;
  skipped: Partial<Record<SkipReason, number>>;
};

export const emptyCounts = (): TableCounts => ({
  read: 0,
  written: 0,
  merged: 0,
  alreadyPresent: 0,
  skipped: {},
});

export function skippedTotal(counts: TableCounts): number {
  return Object.values(counts.skipped).reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** Items read but neither written, merged, found present nor skipped with a reason. */
export function unaccounted(counts: TableCounts): number {
  return counts.read - counts.written - counts.merged - counts.alreadyPresent - skippedTotal(counts);
}

export const countsSchema = z.object({
  read: z.number().int().min(0),
  written: z.number().int().min(0),
  merged: z.number().int().min(0),
  alreadyPresent: z.number().int().min(0),
  skipped: z.partialRecord(z.enum(SKIP_REASONS), z.number().int().min(0)),
});

export const skipSchema = z.object({
  table: z.enum(BOTPMO_TABLES),
  key: z.string(),
  reason: z.enum(SKIP_REASONS),
  detail: z.string(),
});
