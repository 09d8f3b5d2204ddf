import { describe, expect, it } from "vitest";
import {
  ackModal,
  checkAckComment,
  MODAL_LABEL_MAX,
} from "../../../../../services/slack/blocks/modals/ack-modal.ts";
import {
  encodeFindingModalMetadata,
  PRIVATE_METADATA_MAX,
  parseFindingModalMetadata,
} from "../../../../../services/slack/blocks/modals/finding-modal-metadata.ts";
import { findingSummary } from "../../../../../services/slack/blocks/modals/summary.ts";
import {
  ACK_COMMENT_ACTION,
  ACK_COMMENT_BLOCK,
  ACK_COMMENT_MAX,
  FINDING_ACK_MODAL,
} from "../../../../../services/slack/finding-modal-ids.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { aFinding, aProject } from "../fixtures.ts";
import { expectSafeTexts, expectTextsWithin, expectUniqueIds } from "../view-checks.ts";

const metadata = encodeFindingModalMetadata({
  target: { projectGid: "1201", ruleId: "schedule_risk" },
  shownStatus: "open",
  origin: { kind: "message", channel: "C1", ts: "1.2", layout: "single", ephemeral: false, current: null },
});

describe("the acknowledge modal", () => {
  it.each([
    ["es", "Reconocer hallazgo", "Reconocer", "Cancelar", "Comentario"],
    ["en", "Acknowledge finding", "Acknowledge", "Cancel", "Comment"],
  ] as const)("asks for a comment (%s)", (locale, title, submit, close, label) => {
    const modal = ackModal(locale, { finding: aFinding(), project: aProject(), metadata });
    expect(modal.callback_id).toBe(FINDING_ACK_MODAL);
    expect(modal.private_metadata).toBe(metadata);
    expect([modal.title.text, modal.submit?.text, modal.close?.text]).toEqual([title, submit, close]);
    for (const label of [modal.title, modal.submit, modal.close])
      expect(label?.text.length).toBeLessThanOrEqual(MODAL_LABEL_MAX);
    expect(modal.blocks.map((b) => b.type)).toEqual(["section", "input"]);
    const [summary, input] = modal.blocks;
    expect(JSON.stringify(summary)).toContain("<https://app.asana.com/0/1201/list|Portal de clientes>");
    expect(input).toMatchObject({
      type: "input",
      block_id: ACK_COMMENT_BLOCK,
      label: { text: label },
      element: {
        type: "plain_text_input",
        action_id: ACK_COMMENT_ACTION,
        multiline: true,
        max_length: ACK_COMMENT_MAX,
      },
    });
    expect(input?.type === "input" && input.optional).toBeFalsy();
    expectUniqueIds(modal.blocks);
    expectTextsWithin(modal, 3_000);
  });

  it("escapes whatever the project is called", () => {
    for (const name of HOSTILE_STRINGS) {
      const summary = findingSummary("es", aFinding(), aProject({ name, permalinkUrl: null }));
      expectSafeTexts(summary);
      expect(summary.text?.text ?? "").not.toMatch(/<!(channel|here|everyone)/);
    }
  });

  it("refuses metadata Slack would not carry", () => {
    expect(() =>
      ackModal("es", { finding: aFinding(), project: null, metadata: "x".repeat(PRIVATE_METADATA_MAX + 1) }),
    ).toThrow(RangeError);
  });
});

describe("the comment check", () => {
  it.each([
    ["es", "", "Escribe un comentario: qué se está haciendo al respecto."],
    ["es", "   \n\t ", "Escribe un comentario: qué se está haciendo al respecto."],
    ["en", "", "Write a comment: what is being done about it."],
    ["es", "a".repeat(501), "El comentario admite hasta 500 caracteres y tiene 501."],
    ["en", "a".repeat(501), "The comment takes at most 500 characters and has 501."],
  ] as const)("%s: %j is refused under the field", (locale, submitted, message) => {
    expect(checkAckComment(locale, submitted)).toEqual({
      ok: false,
      errors: { [ACK_COMMENT_BLOCK]: message },
    });
  });

  it("refuses a missing value like an empty one", () => {
    expect(checkAckComment("es", null).ok).toBe(false);
    expect(checkAckComment("es", undefined).ok).toBe(false);
  });

  it.each([
    ["exactly 500 characters", "a".repeat(500), "a".repeat(500)],
    ["500 emoji (one character each, as Slack counts)", "😀".repeat(500), "😀".repeat(500)],
    ["spaces around it", "  listo \n", "listo"],
    ["mrkdwn, kept as written (escaped when shown)", "<!channel> & co", "<!channel> & co"],
  ])("accepts %s, trimmed", (_what, submitted, comment) => {
    expect(checkAckComment("es", submitted)).toEqual({ ok: true, comment });
  });

  it("counts after trimming", () => {
    expect(checkAckComment("es", ` ${"a".repeat(500)} `).ok).toBe(true);
  });
});

describe("the modal's metadata", () => {
  it("comes back as it went, from a message or from the Home", () => {
    expect(parseFindingModalMetadata(metadata)).toEqual({
      target: { projectGid: "1201", ruleId: "schedule_risk" },
      shownStatus: "open",
      origin: {
        kind: "message",
        channel: "C1",
        ts: "1.2",
        layout: "single",
        ephemeral: false,
        current: null,
      },
    });
    const home = {
      severity: "high",
      vertical: { kind: "is", value: "Banca & Seguros" },
      responsable: { kind: "none" },
      page: 3,
    } as const;
    const fromHome = encodeFindingModalMetadata({
      target: { projectGid: "1201", ruleId: "no_activity" },
      shownStatus: null,
      origin: { kind: "home", home },
    });
    expect(parseFindingModalMetadata(fromHome)?.origin).toEqual({ kind: "home", home });
  });

  it("stays under Slack's 3,000 characters at its largest", () => {
    const largest = encodeFindingModalMetadata({
      target: { projectGid: "9".repeat(200), ruleId: "r".repeat(200) },
      shownStatus: "acknowledged",
      origin: {
        kind: "home",
        home: {
          severity: "medium",
          vertical: { kind: "is", value: "\u{1F600}".repeat(73) },
          responsable: { kind: "is", value: "9".repeat(147) },
          page: 10_000,
        },
      },
    });
    expect(largest.length).toBeLessThanOrEqual(PRIVATE_METADATA_MAX);
    expect(parseFindingModalMetadata(largest)).not.toBeNull();
  });

  it.each([
    undefined,
    "",
    "{",
    "[]",
    '{"p":"1"}',
    JSON.stringify({ p: "1", r: "x", s: "gone", o: { k: "h" } }),
  ])("is ignored when it is not ours: %j", (value) => {
    expect(parseFindingModalMetadata(value)).toBeNull();
  });
});
