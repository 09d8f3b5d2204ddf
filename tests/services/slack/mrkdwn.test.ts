import { describe, expect, it } from "vitest";
import {
  ELLIPSIS,
  escapeAndTruncate,
  escapeMrkdwn,
  link,
  mentionOrName,
  mentionUser,
  safeLinkUrl,
  truncate,
  unescapeMrkdwn,
} from "../../../services/slack/mrkdwn.ts";
import { HOSTILE_STRINGS, SLACK_SPECIALS } from "../../fixtures/hostile-strings.ts";

/** Every `&` is the start of one of the three escapes. */
const BROKEN_ESCAPE = /&(?!amp;|lt;|gt;)/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe("escapeMrkdwn", () => {
  it("escapes the three control characters and nothing else", () => {
    expect(escapeMrkdwn("a & b < c > d")).toBe("a &amp; b &lt; c &gt; d");
    expect(escapeMrkdwn("*bold* _it_ ~x~ `code` ñ 😀")).toBe("*bold* _it_ ~x~ `code` ñ 😀");
    expect(escapeMrkdwn("&amp;")).toBe("&amp;amp;");
  });

  it(`leaves no < or > in any of ${HOSTILE_STRINGS.length} hostile strings, and reads back byte for byte`, () => {
    expect(HOSTILE_STRINGS.length).toBeGreaterThan(400);
    for (const hostile of HOSTILE_STRINGS) {
      const escaped = escapeMrkdwn(hostile);
      expect(escaped).not.toMatch(/[<>]/);
      expect(escaped).not.toMatch(BROKEN_ESCAPE);
      expect(unescapeMrkdwn(escaped)).toBe(hostile);
    }
  });

  it.each(SLACK_SPECIALS)("turns %s into inert text", (special) => {
    expect(escapeMrkdwn(special)).not.toMatch(/<[!@#]/);
  });
});

describe("truncate", () => {
  it("keeps short text as it is", () => {
    expect(truncate("hola", 4)).toBe("hola");
    expect(truncate("", 0)).toBe("");
  });

  it("cuts to the limit, the ellipsis included", () => {
    expect(truncate("abcdefgh", 5)).toBe(`abcd${ELLIPSIS}`);
    expect(truncate("abcdefgh", 5)).toHaveLength(5);
    expect(truncate("abc", 0)).toBe("");
  });

  it.each([
    ["ab&amp;cd", 5, "ab…"],
    ["ab&amp;cd", 8, "ab&amp;…"],
    ["x&lt;y", 4, "x…"],
    ["x&gt;", 4, "x…"],
  ])("never cuts an escape in half: truncate(%j, %d)", (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it("never splits a surrogate pair", () => {
    expect(truncate("ab😀cd", 4)).toBe(`ab${ELLIPSIS}`);
    expect(truncate("ab😀cd", 5)).toBe(`ab😀${ELLIPSIS}`);
  });

  it("drops a link or mention it would cut, whole", () => {
    expect(truncate("hola <https://x.test/a|Proyecto> fin", 20)).toBe(`hola ${ELLIPSIS}`);
    expect(truncate("hola <@U123> fin", 9)).toBe(`hola ${ELLIPSIS}`);
    expect(truncate("hola <@U123> fin", 14)).toBe(`hola <@U123> ${ELLIPSIS}`);
  });

  it("at every length, over every hostile string escaped, leaves no broken escape or lone surrogate", () => {
    for (const hostile of HOSTILE_STRINGS) {
      const escaped = escapeMrkdwn(hostile.repeat(2));
      for (let max = 0; max <= escaped.length + 1; max++) {
        const cut = truncate(escaped, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(cut).not.toMatch(BROKEN_ESCAPE);
        if (!LONE_SURROGATE.test(escaped)) expect(cut).not.toMatch(LONE_SURROGATE);
      }
    }
  });

  it("escapeAndTruncate escapes first, then cuts", () => {
    expect(escapeAndTruncate("<<<<", 10)).toBe("&lt;&lt;…");
  });
});

describe("mentions", () => {
  it.each(["U123", "W0ABC9", "U0123456789"])("mentions %s", (id) => {
    expect(mentionUser(id)).toBe(`<@${id}>`);
  });

  it.each(["", "u123", "U", "C123", "U12 3", "U123>", "<@U123>", "U123|x", "!channel", "U1\n"])(
    "refuses %j",
    (id) => {
      expect(mentionUser(id)).toBeNull();
    },
  );

  it("falls back to the escaped name, then to the given text", () => {
    expect(mentionOrName("U1", "Ana", "nadie")).toBe("<@U1>");
    expect(mentionOrName("<!channel>", "<!channel> Ana", "nadie")).toBe("&lt;!channel&gt; Ana");
    expect(mentionOrName(null, null, "nadie")).toBe("nadie");
    expect(mentionOrName(null, "  ", "nadie")).toBe("nadie");
  });
});

describe("links", () => {
  it.each([
    ["https://app.asana.com/0/1/2", "https://app.asana.com/0/1/2"],
    ["http://x.test/a?b=1&c=2", "http://x.test/a?b=1&amp;c=2"],
  ])("accepts %s", (url, expected) => {
    expect(safeLinkUrl(url)).toBe(expected);
  });

  it.each([
    "javascript:alert(1)",
    "ftp://x.test/a",
    "https://x.test/a|b",
    "https://x.test/a>b",
    "https://x.test/<!channel>",
    "https://x.test/a b",
    "https://x.test/\n",
    "not a url",
    "",
  ])("refuses %j", (url) => {
    expect(safeLinkUrl(url)).toBeNull();
  });

  it("links an escaped label, or shows only the label", () => {
    expect(link("https://x.test/p", "A <b> & c")).toBe("<https://x.test/p|A &lt;b&gt; &amp; c>");
    expect(link("javascript:x", "<!here>")).toBe("&lt;!here&gt;");
    expect(link(null, "Nombre")).toBe("Nombre");
  });
});
