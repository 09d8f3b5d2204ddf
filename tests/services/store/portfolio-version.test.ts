import { describe, expect, it } from "vitest";
import type { VersionMark } from "../../../services/store/meta/version-counter.ts";
import { PORTFOLIO_VERSION, PortfolioVersion } from "../../../services/store/portfolio-version.ts";

/** A counter read showing `value`, bumped last by an unnamed process. */
const mark = (value: number) => ({ value, by: null });

/** A counter whose bumps finish only when the test says so, to see who waits for which bump. */
function heldCounter() {
  let value = 0;
  const pending: { name: string; by: string | undefined; finish: (fail?: boolean) => void }[] = [];
  return {
    pending,
    value: () => value,
    versions: {
      bump: (name: string, by?: string) =>
        new Promise<VersionMark>((ok, fail) => {
          pending.push({
            name,
            by,
            finish: (failed = false) => {
              if (failed) {
                fail(new Error("store down"));
                return;
              }
              value++;
              ok({ value, changedAt: "2026-11-22T12:00:00.000Z", by: by ?? null });
            },
          });
        }),
      get: async () => ({ value, changedAt: null, by: null }),
    },
  };
}

const settled = async <T>(promise: Promise<T>) => {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((ok) => setImmediate(ok));
  return done;
};

describe("PortfolioVersion", () => {
  it("a write waits for a bump sent after it; writes during a bump share the next one", async () => {
    const counter = heldCounter();
    const version = new PortfolioVersion(counter.versions);
    const first = version.afterWrite();
    expect(counter.pending).toHaveLength(1);
    expect(counter.pending[0]?.name).toBe(PORTFOLIO_VERSION);
    // Landed while the first bump is under way: that bump may not cover them.
    const second = version.afterWrite();
    const third = version.afterWrite();
    expect(counter.pending).toHaveLength(1);

    counter.pending[0]?.finish();
    expect(await settled(first)).toBe(true);
    expect(await settled(second)).toBe(false);
    expect(counter.pending).toHaveLength(2);

    counter.pending[1]?.finish();
    expect(await settled(second)).toBe(true);
    expect(await settled(third)).toBe(true);
    expect(counter.value()).toBe(2);
    expect(version.writesHere).toBe(3);
  });

  it("after a quiet spell the next write starts its own bump at once", async () => {
    const counter = heldCounter();
    const version = new PortfolioVersion(counter.versions);
    const first = version.afterWrite();
    counter.pending[0]?.finish();
    await first;
    void version.afterWrite();
    expect(counter.pending).toHaveLength(2);
  });

  it("a failed bump does not fail the write it follows; it is counted", async () => {
    const counter = heldCounter();
    const version = new PortfolioVersion(counter.versions);
    const write = version.afterWrite();
    counter.pending[0]?.finish(true);
    await expect(write).resolves.toBeUndefined();
    expect(version.failedBumps).toBe(1);
    expect(version.writesHere).toBe(1);
    // The next write bumps again.
    void version.afterWrite();
    expect(counter.pending).toHaveLength(2);
  });

  it("tells its own bumps from others', and its writes to listeners as they land", async () => {
    const counter = heldCounter();
    const version = new PortfolioVersion(counter.versions);
    const heard: unknown[] = [];
    const stop = version.onWrite((change) => heard.push(change));
    const change = { projects: [] };
    const first = version.afterWrite(change);
    expect(heard).toEqual([change]);
    counter.pending[0]?.finish();
    await first;
    // Another process bumps to 2; this one's next bump is 3.
    const foreign = counter.versions.bump("portfolio");
    counter.pending[1]?.finish();
    await foreign;
    const third = version.afterWrite();
    counter.pending[2]?.finish();
    await third;
    expect(counter.value()).toBe(3);
    expect(version.bumpedOnlyHere(0, mark(1))).toBe(true);
    expect(version.bumpedOnlyHere(1, mark(1))).toBe(true);
    expect(version.bumpedOnlyHere(0, mark(3))).toBe(false);
    expect(version.bumpedOnlyHere(2, mark(3))).toBe(true);
    expect(version.bumpedOnlyHere(3, mark(2))).toBe(false);
    stop();
    void version.afterWrite({ findings: [] });
    expect(heard).toHaveLength(2);
  });

  it("knows its bump by the counter's word before the bump's answer is back", async () => {
    const counter = heldCounter();
    const version = new PortfolioVersion(counter.versions);
    void version.afterWrite();
    expect(counter.pending[0]?.by).toBe(version.instanceId);
    // The counter moved to 1 but this process has not heard back yet.
    expect(version.bumpedOnlyHere(0, { value: 1, by: version.instanceId })).toBe(true);
    expect(version.bumpedOnlyHere(0, { value: 1, by: "another-instance" })).toBe(false);
    expect(version.bumpedOnlyHere(0, { value: 1, by: null })).toBe(false);
    // A value in between that nobody here bumped is still another process's.
    expect(version.bumpedOnlyHere(0, { value: 2, by: version.instanceId })).toBe(false);
  });
});
