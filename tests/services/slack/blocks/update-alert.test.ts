import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { FINDING_ACK } from "../../../../services/slack/action-ids.ts";
import {
  MAX_ALERT_FINDINGS,
  UPDATE_ALERT_EVENT,
  updateAlertMessage,
} from "../../../../services/slack/blocks/update-alert.ts";
import { buttonsOf, expectSafeMrkdwn, expectWithinBlockKitLimits } from "./block-kit-checks.ts";
import { aFinding, aProject } from "./fixtures.ts";

const update = {
  slackUserId: "U0ANA",
  text: "PMO-12 avance 60%, bloqueado por <el proveedor>",
  parsed: {
    progress: 60,
    health: "off_track" as const,
    risks: [],
    blockers: ["<!channel> el proveedor"],
    nextSteps: [],
    eta: null,
  },
};
const ids = (blocks: readonly KnownBlock[]) => blocks.map((block) => block.block_id);

describe("the PMO channel's alert for a status update", () => {
  it("shows the project, who reported, what was said and the metadata key, escaped", () => {
    const message = updateAlertMessage("es", { project: aProject(), update, findings: [], key: "k-1" });
    expect(ids(message.blocks)).toEqual([
      "update-alert-title",
      "update-alert-fields",
      "update-alert-details",
      "update-alert-text",
    ]);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("<https://app.asana.com/0/1201/list|Portal de clientes>");
    expect(text).toContain("PMO-12");
    expect(text).toContain("<@U0ANA>");
    expect(text).toContain("&lt;!channel&gt; el proveedor");
    expect(message.metadata).toEqual({ event_type: UPDATE_ALERT_EVENT, event_payload: { key: "k-1" } });
    expectSafeMrkdwn(message);
    expectWithinBlockKitLimits(message);
  });

  it("renders whatever update it is given: deciding whether to alert is not its job", () => {
    const calm = {
      ...update,
      text: "todo bien",
      parsed: { ...update.parsed, health: "on_track" as const, blockers: [] },
    };
    const message = updateAlertMessage("en", { project: aProject(), update: calm, findings: [], key: "k-2" });
    expect(ids(message.blocks)).toContain("update-alert-title");
    expect(message.text).toContain("Portal de clientes");
  });

  it("carries the buttons of at most a few open findings, the most severe first", () => {
    const findings = [
      aFinding({ ruleId: "no_activity", severity: "low" }),
      ...["a", "b", "c", "d", "e"].map((suffix) =>
        aFinding({ ruleId: `rule_${suffix}`, severity: "medium" }),
      ),
      aFinding({ ruleId: "schedule_risk", severity: "high" }),
    ];
    const message = updateAlertMessage("es", { project: aProject(), update, findings, key: "k-3" });
    const actions = message.blocks.filter((block) => block.type === "actions");
    expect(actions).toHaveLength(MAX_ALERT_FINDINGS);
    expect(actions[0]?.block_id).toBe("update-alert-finding-0-actions");
    expect(JSON.stringify(message.blocks.find((b) => b.block_id === "update-alert-finding-0"))).toContain(
      "🔴",
    );
    expect(buttonsOf(message).filter((button) => button.action_id === FINDING_ACK)).toHaveLength(
      MAX_ALERT_FINDINGS,
    );
    expectWithinBlockKitLimits(message);
  });
});
