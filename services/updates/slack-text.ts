/**
 * Turns a Slack message's text into plain text before it is read: mentions, links and channel
 * references become their visible label, broadcasts (`<!channel>`, `<!here>`) disappear, bold,
 * italics, strike and code markers go, and emoji shortcodes that say something about health become
 * the emoji itself. What comes out contains no `<` or `>` at all, so nothing read from it can form a
 * Slack control sequence, even in a renderer that forgot to escape.
 */

const SLACK_CONSTRUCT = /<([^<>\n]{1,500})>/g;
const URL_SCHEME = /^[a-z][a-z0-9+.-]{0,20}:/i;
const BROADCASTS = new Set(["!channel", "!here", "!everyone"]);

/** Shortcodes Slack sends instead of the emoji a user picked; only the ones that carry a health. */
const HEALTH_SHORTCODES: ReadonlyMap<string, string> = new Map([
  ["large_green_circle", "🟢"],
  ["green_circle", "🟢"],
  ["white_check_mark", "✅"],
  ["heavy_check_mark", "✔️"],
  ["large_yellow_circle", "🟡"],
  ["yellow_circle", "🟡"],
  ["large_orange_circle", "🟠"],
  ["orange_circle", "🟠"],
  ["warning", "⚠️"],
  ["red_circle", "🔴"],
  ["large_red_circle", "🔴"],
  ["double_vertical_bar", "⏸️"],
  ["pause_button", "⏸️"],
]);
const SHORTCODE = /:([a-z][a-z0-9_+'-]{1,60}|\+1|-1|100):/g;

function readConstruct(inner: string): string {
  const bar = inner.indexOf("|");
  const target = bar >= 0 ? inner.slice(0, bar) : inner;
  const label = bar >= 0 ? inner.slice(bar + 1) : null;
  if (BROADCASTS.has(target)) return " ";
  if (target.startsWith("@")) return label ? `@${label.replace(/^@/, "")}` : target;
  if (target.startsWith("#")) return label ? `#${label}` : target;
  if (target.startsWith("!")) return label ?? " ";
  if (URL_SCHEME.test(target)) return label ?? target.replace(/^mailto:/i, "");
  return label ?? inner;
}

export function stripSlackFormatting(text: string): string {
  let plain = text.normalize("NFC").replace(/\r\n?/g, "\n");
  plain = plain.replace(SLACK_CONSTRUCT, (_whole, inner: string) => readConstruct(inner));
  // Slack escapes what the user typed; decoding can reveal look-alikes of the constructs above,
  // which are read the same way, and any bracket left over is dropped.
  plain = plain.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  plain = plain.replace(SLACK_CONSTRUCT, (_whole, inner: string) => readConstruct(inner));
  plain = plain.replace(/[<>]/g, " ");
  plain = plain.replace(SHORTCODE, (_whole, name: string) => HEALTH_SHORTCODES.get(name) ?? " ");
  plain = plain.replace(/^([^\S\n]*)[*-](?= )/gm, "$1•");
  plain = plain.replace(/[*~`]/g, "");
  plain = plain.replace(/(^|[^\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/gu, "$1");
  plain = plain.replace(/[\u200B\u200C\u2060\uFEFF]/g, "");
  plain = plain.replace(/[\u00A0\u2007\u202F\t\f\v]/g, " ");
  plain = plain.replace(/[’‘´]/g, "'").replace(/[“”«»]/g, '"');
  return plain;
}

/** Lower case, no accents: "Migración" and "migracion" read the same. Keeps the length of most text. */
export function foldWord(word: string): string {
  return word.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}
