/** Block Kit limits (Slack's reference for blocks, elements and chat.postMessage). */
export const BLOCK_KIT = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  sectionFieldText: 2_000,
  sectionFields: 10,
  contextElements: 10,
  contextText: 2_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  headerText: 150,
  blockId: 255,
  actionId: 255,
  messageText: 40_000,
} as const;
