import { t } from "../i18n/index.ts";
import type { Locale } from "../model.ts";
import { escapeAndTruncate } from "../slack/mrkdwn.ts";
import type { DigestFacts } from "./digest-facts.ts";
import type { DigestSummary } from "./summarizer.ts";

/**
 * Writes the digest's opening paragraph from the day's facts (a language model). Optional: the
 * deterministic summary is complete without it, and is what goes out when it writes nothing.
 */
export interface DigestSummaryWriter {
  /** Plain text in `locale`, or null when nothing was written (it never throws). */
  write(facts: DigestFacts, options: { locale: Locale; timeZone: string }): Promise<string | null>;
}

const MAX_PARAGRAPH_CHARACTERS = 1_200;

/** The summary with the paragraph as its first section, escaped like everything from outside. */
export function withOverview(summary: DigestSummary, paragraph: string, locale: Locale): DigestSummary {
  const text = paragraph.replace(/\s+/g, " ").trim();
  if (text === "") return summary;
  return {
    ...summary,
    sections: [
      {
        heading: t(locale, "daily.overview.heading"),
        lines: [escapeAndTruncate(text, MAX_PARAGRAPH_CHARACTERS)],
      },
      ...summary.sections,
    ],
  };
}
