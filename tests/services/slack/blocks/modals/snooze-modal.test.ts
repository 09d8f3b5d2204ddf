import { describe, expect, it } from "vitest";
import { MODAL_LABEL_MAX } from "../../../../../services/slack/blocks/modals/ack-modal.ts";
import { checkSnoozeDays, snoozeModal } from "../../../../../services/slack/blocks/modals/snooze-modal.ts";
import {
  FINDING_SNOOZE_MODAL,
  SNOOZE_DAYS_ACTION,
  SNOOZE_DAYS_BLOCK,
} from "../../../../../services/slack/finding-modal-ids.ts";
import { HOSTILE_STRINGS } from "../../../../fixtures/hostile-strings.ts";
import { aFinding, aProject } from "../fixtures.ts";
import { expectSafeTexts, expectTextsWithin, expectUniqueIds } from "../view-checks.ts";

describe("the snooze modal", () => {
  it.each([
    ["es", "Posponer hallazgo", "Posponer", ["1 día", "3 días", "7 días", "14 días"]],
    ["en", "Snooze finding", "Snooze", ["1 day", "3 days", "7 days", "14 days"]],
  ] as const)("offers 1, 3, 7 or 14 days, a week chosen (%s)", (locale, title, submit, labels) => {
    const modal = snoozeModal(locale, { finding: aFinding(), project: aProject(), metadata: "{}" });
    expect(modal.callback_id).toBe(FINDING_SNOOZE_MODAL);
    expect(modal.title.text).toBe(title);
    expect(modal.submit?.text).toBe(submit);
    for (const label of [modal.title, modal.submit, modal.close])
      expect(label?.text.length).toBeLessThanOrEqual(MODAL_LABEL_MAX);
    expect(modal.blocks.map((b) => b.type)).toEqual(["section", "input", "context"]);
    const input = modal.blocks[1];
    if (input?.type !== "input" || input.element.type !== "radio_buttons") throw new Error("no choice");
    expect(input.block_id).toBe(SNOOZE_DAYS_BLOCK);
    expect(input.element.action_id).toBe(SNOOZE_DAYS_ACTION);
    expect(input.element.options.map((o) => [o.value, o.text.text])).toEqual(
      ["1", "3", "7", "14"].map((value, i) => [value, labels[i]]),
    );
    expect(input.element.initial_option?.value).toBe("7");
    expectUniqueIds(modal.blocks);
    expectTextsWithin(modal, 3_000);
  });

  it("escapes whatever the project is called", () => {
    for (const name of HOSTILE_STRINGS)
      expectSafeTexts(
        snoozeModal("en", { finding: aFinding(), project: aProject({ name }), metadata: "{}" }),
      );
  });
});

describe("the chosen days", () => {
  it.each([
    ["1", 1],
    ["3", 3],
    ["7", 7],
    ["14", 14],
  ] as const)("%s is taken", (value, days) => {
    expect(checkSnoozeDays("es", value)).toEqual({ ok: true, days });
  });

  it.each([null, undefined, "", "2", "30", "-1", "7.5", "siete", "07x"])(
    "%j is refused under the choice",
    (value) => {
      expect(checkSnoozeDays("es", value)).toEqual({
        ok: false,
        errors: { [SNOOZE_DAYS_BLOCK]: "Elige por cuánto tiempo posponerlo." },
      });
    },
  );
});
