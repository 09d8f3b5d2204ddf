/**
 * Slack mrkdwn safety (DESIGN.md section 6): everything that came from Asana or a user is escaped
 * before it goes into a message, so a project named `<!channel>` never pings anyone.
 */

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Escapes `&`, `<` and `>`: the three characters Slack gives meaning to in mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c);
}

/** Reads escaped text back (for plain-text renderings of a message). */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_m, name: string) =>
    name === "amp" ? "&" : name === "lt" ? "<" : ">",
  );
}

export const ELLIPSIS = "…";
const ENTITY = /^&(?:amp|lt|gt);/;
const LONGEST_ENTITY = "&amp;".length;

/**
 * Shortens `text` to at most `max` UTF-16 units, ending with "…" when it cut. It never cuts an
 * escape (`&amp;`, `&lt;`, `&gt;`), a surrogate pair, or one of our own `<…>` tokens (a link or a
 * mention) in half: such a piece is left out whole.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max < ELLIPSIS.length) return "";
  let end = max - ELLIPSIS.length;
  const entityStart = text.lastIndexOf("&", end - 1);
  if (entityStart >= 0 && entityStart > end - LONGEST_ENTITY && ENTITY.test(text.slice(entityStart))) {
    const entityEnd = text.indexOf(";", entityStart) + 1;
    if (entityEnd > end) end = entityStart;
  }
  const tokenStart = text.lastIndexOf("<", end - 1);
  if (tokenStart >= 0 && text.lastIndexOf(">", end - 1) < tokenStart) end = tokenStart;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

/** Escapes, then truncates without breaking an escape. */
export function escapeAndTruncate(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
}

const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;

export function isSlackUserId(value: string): boolean {
  return SLACK_USER_ID.test(value);
}

/** `<@U123>` for a real Slack user ID; null for anything else, so no input becomes a ping. */
export function mentionUser(userId: string | null | undefined): string | null {
  return typeof userId === "string" && isSlackUserId(userId) ? `<@${userId}>` : null;
}

/** A mention when the ID is a Slack user ID, otherwise the escaped name (or `fallback`, already safe). */
export function mentionOrName(
  userId: string | null | undefined,
  name: string | null,
  fallback: string,
): string {
  return mentionUser(userId) ?? (name !== null && name.trim() !== "" ? escapeMrkdwn(name) : fallback);
}

/**
 * The URL as it may sit inside `<url|label>`: http(s) only, parseable, and free of the characters
 * that would end the link early. Null when it is not safe to link.
 */
export function safeLinkUrl(url: string | null | undefined): string | null {
  if (typeof url !== "string" || url.length === 0 || url.length > 2_000) return null;
  if (/[|<>\s\p{Cc}]/u.test(url)) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  return url.replace(/&/g, "&amp;");
}

/**
 * `<url|label>` with the label escaped (and truncated to `maxLabel`); just the escaped label when
 * the URL is not safe to link.
 */
export function link(url: string | null | undefined, label: string, maxLabel = 200): string {
  const safeLabel = escapeAndTruncate(label, maxLabel);
  const safeUrl = safeLinkUrl(url);
  return safeUrl === null || safeLabel === "" ? safeLabel : `<${safeUrl}|${safeLabel}>`;
}
