/** What an action did, carried back in the URL (`?notice=`) and shown on top of the page. */
export const NOTICES = [
  "done.acknowledge",
  "done.resolve",
  "done.snooze",
  "denied",
  "stale",
  "not_found",
  "busy",
  "failed",
  "invalid",
] as const;
export type Notice = (typeof NOTICES)[number];

export function noticeFrom(value: string | null): Notice | null {
  return NOTICES.find((n) => n === value) ?? null;
}
