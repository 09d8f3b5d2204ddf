import type { AnyBlock } from "@slack/types";
import { FINDING_STATUSES, type Finding, type FindingStatus } from "../../model.ts";
import { FINDING_ACTION_IDS } from "../action-ids.ts";
import { type FindingButtonRef, parseFindingRef } from "../finding-ref.ts";
import type { ReceivedBlock, ReceivedMessage } from "../message-blocks.ts";
import { actionsFor, contextLine, findingActions, type RenderContext, statusLine } from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

/**
 * A message that lists several findings, each with its own buttons (the digest, or any other
 * list), brought up to date line by line: each finding still offering buttons gets its status
 * line and buttons rendered again from the stored finding; every other block stays as Slack
 * gave it back. This is how a click in a digest updates "its" line without rebuilding the digest.
 */

export type RefreshedMessage = { text: string; blocks: AnyBlock[] };

export const findingKey = (f: Pick<Finding, "projectGid" | "ruleId">): string =>
  `${f.projectGid}#${f.ruleId}`;

const isFindingActionId = (id: string | undefined): boolean =>
  id !== undefined && (FINDING_ACTION_IDS as readonly string[]).includes(id);

/** The finding an actions block's buttons point at, or null for any other block. */
export function findingOfBlock(block: ReceivedBlock): FindingButtonRef | null {
  if (block.type !== "actions") return null;
  for (const element of block.elements ?? []) {
    if (element.type !== "button" || !isFindingActionId(element.action_id)) continue;
    const ref = parseFindingRef(element.value);
    if (ref !== null) return ref;
  }
  return null;
}

/** The finding action ids an actions block offers (what the message showed as possible). */
export function findingActionIdsOf(block: ReceivedBlock): string[] {
  if (block.type !== "actions") return [];
  return (block.elements ?? [])
    .filter((element) => element.type === "button" && isFindingActionId(element.action_id))
    .map((element) => element.action_id ?? "");
}

/**
 * The status a finding was in when its buttons were rendered, told by which buttons it offered
 * (see actionsFor); null when the set matches no status (a list that shows only some buttons).
 */
export function statusShownBy(actionIds: readonly string[]): FindingStatus | null {
  const offered = [...new Set(actionIds)].sort().join(",");
  if (offered === "") return null;
  return FINDING_STATUSES.find((status) => [...actionsFor({ status })].sort().join(",") === offered) ?? null;
}

/** The findings whose buttons a message carries, each once, in the message's order. */
export function findingsIn(blocks: readonly ReceivedBlock[]): FindingButtonRef[] {
  const seen = new Map<string, FindingButtonRef>();
  for (const block of blocks) {
    const ref = findingOfBlock(block);
    if (ref !== null && !seen.has(findingKey(ref))) seen.set(findingKey(ref), ref);
  }
  return [...seen.values()];
}

const ACTIONS_SUFFIX = "-actions";

function statusBlockId(actionsBlockId: string): string {
  return actionsBlockId.endsWith(ACTIONS_SUFFIX)
    ? `${actionsBlockId.slice(0, -ACTIONS_SUFFIX.length)}-status`
    : `${actionsBlockId}-status`;
}

type Line = { finding: Finding; actionsId: string; statusId: string };

/**
 * `message` with the lines of the findings in `stored` re-rendered; `focus` is the finding just
 * acted on, whose status line is the last to go if Block Kit's 50 blocks would be exceeded.
 */
export function refreshFindingLines(
  ctx: RenderContext,
  message: ReceivedMessage,
  stored: ReadonlyMap<string, Finding>,
  focus: Pick<Finding, "projectGid" | "ruleId">,
): RefreshedMessage {
  const lines = new Map<number, Line>();
  message.blocks.forEach((block, index) => {
    const ref = findingOfBlock(block);
    const finding = ref === null ? undefined : stored.get(findingKey(ref));
    if (finding === undefined) return;
    const actionsId = block.block_id ?? `finding-line-${index}-actions`;
    lines.set(index, { finding, actionsId, statusId: statusBlockId(actionsId) });
  });
  const replacedStatusIds = new Set([...lines.values()].map((line) => line.statusId));
  const existingIds = new Set(message.blocks.map((block) => block.block_id));

  const blocks: AnyBlock[] = [];
  /** Status lines that were not in the message before: what may give way to the block limit. */
  const addedStatusIds: string[] = [];
  let focusStatusId: string | null = null;
  message.blocks.forEach((block, index) => {
    if (block.block_id !== undefined && replacedStatusIds.has(block.block_id)) return;
    const line = lines.get(index);
    if (line === undefined) {
      blocks.push(block);
      return;
    }
    const status = statusLine(ctx, line.finding);
    if (status !== null) {
      blocks.push(contextLine(status, line.statusId));
      if (findingKey(line.finding) === findingKey(focus)) focusStatusId = line.statusId;
      else if (!existingIds.has(line.statusId)) addedStatusIds.push(line.statusId);
    }
    const actions = findingActions(ctx.locale, line.finding, line.actionsId);
    if (actions !== null) blocks.push(actions);
  });

  const droppable = [
    "digest-intro",
    ...addedStatusIds.reverse(),
    ...(focusStatusId === null ? [] : [focusStatusId]),
  ];
  for (const id of droppable) {
    if (blocks.length <= BLOCK_KIT.blocksPerMessage) break;
    const at = blocks.findIndex((block) => block.block_id === id);
    if (at >= 0) blocks.splice(at, 1);
  }
  return { text: message.text, blocks };
}
