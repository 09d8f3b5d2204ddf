import { z } from "zod";
import { createStructuredChat, type LlmSettings, warnFallback } from "../llm/structured-chat.ts";
import type { Logger } from "../logger.ts";
import type { Locale } from "../model.ts";
import type { DigestFacts, ProjectRef } from "./digest-facts.ts";
import type { DigestSummaryWriter } from "./summary-writer.ts";

/**
 * The digest's opening paragraph written by the optional language model, from the facts the
 * digest shows (counts, project names and PMO IDs, changes): no DM text, no people. On any
 * failure it writes nothing and the deterministic digest goes out alone.
 */

const MAX_LISTED = 20;
const LANGUAGE_NAMES: Record<Locale, string> = { es: "Spanish", en: "English" };

const SYSTEM_PROMPT = `You write the opening paragraph of a PMO's daily digest, posted in a Slack channel, from the facts given as JSON. Two to four plain sentences for the PMO team about what stands out today: risks first, then movement. Use only the facts given, never invent a number or a project; name projects as given. Plain text: no Markdown, no links, no mentions, no emoji. Write in the language named in the input. Return JSON in the given schema.`;

const ANSWER_JSON_SCHEMA = {
  type: "object",
  properties: { paragraph: { type: "string" } },
  required: ["paragraph"],
  additionalProperties: false,
};
const answerSchema = z.object({ paragraph: z.string().trim().min(1).max(2_000) });

export function createLlmSummaryWriter(settings: LlmSettings, logger: Logger): DigestSummaryWriter {
  const chat = createStructuredChat(settings);
  return {
    write: async (facts, { locale }) => {
      const answer = await chat.ask({
        system: SYSTEM_PROMPT,
        user: digestPrompt(facts, locale),
        schemaName: "digest_paragraph",
        jsonSchema: ANSWER_JSON_SCHEMA,
        schema: answerSchema,
      });
      if (answer.ok) return answer.value.paragraph;
      warnFallback(logger, "digest_summary", chat.model, answer);
      return null;
    },
  };
}

/** The facts as the model reads them: what the digest itself shows, Slack users left out. */
export function digestPrompt(facts: DigestFacts, locale: Locale): string {
  const name = (project: ProjectRef) =>
    project.pmoId === null ? project.name : `${project.name} (${project.pmoId})`;
  const updated = [...new Set(facts.updatesReceived.map((update) => name(update.project)))];
  return JSON.stringify(
    {
      language: LANGUAGE_NAMES[locale],
      day: facts.day,
      openFindings: facts.openBySeverity,
      openFindingsByVertical: facts.openByVertical.slice(0, MAX_LISTED),
      findingsOpenedSinceLastDigest: facts.openedSince,
      findingsResolvedSinceLastDigest: facts.resolvedSince,
      notableChanges: facts.notableChanges.slice(0, MAX_LISTED).map((change) => ({
        project: name(change.project),
        field: change.field === "dueOn" ? "due date" : "status",
        from: change.oldValue,
        to: change.newValue,
      })),
      notableChangesCount: facts.notableChanges.length,
      statusUpdatesReceived: facts.updatesReceived.length,
      projectsUpdated: updated.slice(0, MAX_LISTED),
      projectsWithoutRecentUpdate: facts.noFreshUpdate.count,
      sync: {
        lastRun: facts.sync.lastRun === null ? null : facts.sync.lastRun.status,
        failedRunsSinceLastDigest: facts.sync.failedSince,
        projectsWithStaleData: facts.sync.staleProjects,
      },
      ownersWithoutSlackUser: facts.unmappedOwners.length,
      notProcessedInTime: facts.givenUp.messages + facts.givenUp.writeBacks,
    },
    null,
    1,
  );
}
