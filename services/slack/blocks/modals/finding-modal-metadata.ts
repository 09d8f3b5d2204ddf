import { z } from "zod";
import type { FindingOrigin, FindingRequest, MessageOrigin } from "../../../findings/finding-origin.ts";
import { FINDING_STATUSES } from "../../../model.ts";
import { parseCarriedJson } from "../../carried-json.ts";
import { homeStateFromJson, homeStateJson } from "../home/home-state.ts";

/**
 * What a finding modal carries in its private_metadata (at most 3,000 characters): the finding,
 * the status the clicked message showed, and where the click came from, so the submission can
 * check staleness again and update the same message or Home.
 */

export const PRIVATE_METADATA_MAX = 3_000;

const metadataSchema = z.object({
  p: z.string().min(1).max(200),
  r: z.string().min(1).max(200),
  s: z.enum(FINDING_STATUSES).nullable(),
  o: z.discriminatedUnion("k", [
    z.object({
      k: z.literal("m"),
      c: z.string().min(1).max(50),
      t: z.string().min(1).max(50),
      l: z.enum(["single", "lines"]),
      e: z.boolean(),
    }),
    z.object({ k: z.literal("h"), h: z.unknown() }),
  ]),
});

export function encodeFindingModalMetadata(request: Omit<FindingRequest, "userId">): string {
  const { origin } = request;
  return JSON.stringify({
    p: request.target.projectGid,
    r: request.target.ruleId,
    s: request.shownStatus,
    o:
      origin.kind === "home"
        ? { k: "h", h: homeStateJson(origin.home) }
        : { k: "m", c: origin.channel, t: origin.ts, l: origin.layout, e: origin.ephemeral },
  });
}

/** The request a submission continues, without its user; null when the metadata is not ours. */
export function parseFindingModalMetadata(metadata: unknown): Omit<FindingRequest, "userId"> | null {
  const parsed = parseCarriedJson(metadata, PRIVATE_METADATA_MAX, metadataSchema);
  if (parsed === null) return null;
  const { o } = parsed;
  const origin: FindingOrigin =
    o.k === "h"
      ? { kind: "home", home: homeStateFromJson(o.h) }
      : ({
          kind: "message",
          channel: o.c,
          ts: o.t,
          layout: o.l,
          ephemeral: o.e,
          current: null,
        } satisfies MessageOrigin);
  return {
    target: { projectGid: parsed.p, ruleId: parsed.r },
    shownStatus: parsed.s,
    origin,
  };
}
