import { formatCalendarDate, formatDateTime, t } from "../i18n/index.ts";
import type { ChangeValue, Locale } from "../model.ts";
import { escapeAndTruncate, link, mentionUser } from "../slack/mrkdwn.ts";
import type { DigestFacts, ProjectRef } from "./digest-facts.ts";

/** The digest in words: a title and sections of mrkdwn lines, everything from outside escaped. */
export type DigestSummary = { title: string; sections: { heading: string; lines: string[] }[] };

/**
 * Turns the facts into the text people read. The deterministic one ships; a summarizer that
 * writes prose (a language model) can take its place behind this interface.
 */
export interface DigestSummarizer {
  summarize(facts: DigestFacts, options: { locale: Locale; timeZone: string }): DigestSummary;
}

const MAX_LINES = 10;

export class DeterministicSummarizer implements DigestSummarizer {
  summarize(facts: DigestFacts, { locale, timeZone }: { locale: Locale; timeZone: string }): DigestSummary {
    const project = (p: ProjectRef) =>
      `${link(p.permalinkUrl, p.name.trim() === "" ? p.gid : p.name, 80)}${p.pmoId ? ` (${escapeAndTruncate(p.pmoId, 30)})` : ""}`;
    const value = (field: "status" | "dueOn", v: ChangeValue) =>
      v === null
        ? "—"
        : field === "dueOn" && typeof v === "string"
          ? formatCalendarDate(locale, v)
          : escapeAndTruncate(String(v), 40);
    const more = (total: number) =>
      total > MAX_LINES ? [t(locale, "daily.more", { count: total - MAX_LINES })] : [];
    const open = facts.openBySeverity;
    const sections: DigestSummary["sections"] = [
      {
        heading: t(locale, "daily.open.heading"),
        lines: [
          t(locale, "daily.open.bySeverity", { high: open.high, medium: open.medium, low: open.low }),
          ...facts.openByVertical.slice(0, MAX_LINES).map((v) =>
            t(locale, "daily.open.vertical", {
              vertical:
                v.vertical === null ? t(locale, "daily.noVertical") : escapeAndTruncate(v.vertical, 60),
              count: v.count,
            }),
          ),
          t(locale, "daily.open.movement", { opened: facts.openedSince, resolved: facts.resolvedSince }),
        ],
      },
      {
        heading: t(locale, "daily.changes.heading"),
        lines:
          facts.notableChanges.length === 0
            ? [t(locale, "daily.changes.none")]
            : [
                ...facts.notableChanges.slice(0, MAX_LINES).map((c) =>
                  t(locale, c.field === "status" ? "daily.changes.status" : "daily.changes.dueOn", {
                    project: project(c.project),
                    before: value(c.field, c.oldValue),
                    after: value(c.field, c.newValue),
                  }),
                ),
                ...more(facts.notableChanges.length),
              ],
      },
      {
        heading: t(locale, "daily.updates.heading"),
        lines:
          facts.updatesReceived.length === 0
            ? [t(locale, "daily.updates.none")]
            : [
                ...facts.updatesReceived.slice(0, MAX_LINES).map((u) =>
                  t(locale, "daily.updates.line", {
                    project: project(u.project),
                    author: mentionUser(u.slackUserId) ?? "—",
                  }),
                ),
                ...more(facts.updatesReceived.length),
              ],
      },
      {
        heading: t(locale, "daily.stale.heading", { count: facts.noFreshUpdate.count }),
        lines: facts.noFreshUpdate.worst
          .map((p) => `• ${project(p)}`)
          .concat(more(facts.noFreshUpdate.count)),
      },
      {
        heading: t(locale, "daily.sync.heading"),
        lines: [
          facts.sync.lastRun === null
            ? t(locale, "daily.sync.none")
            : t(locale, "daily.sync.last", {
                kind: facts.sync.lastRun.kind,
                status: facts.sync.lastRun.status,
                when: formatDateTime(
                  locale,
                  timeZone,
                  facts.sync.lastRun.completedAt ?? facts.sync.lastRun.startedAt,
                ),
              }),
          t(locale, "daily.sync.failures", {
            count: facts.sync.failedSince,
            stale: facts.sync.staleProjects,
          }),
        ],
      },
    ];
    const { givenUp } = facts;
    if (givenUp.messages + givenUp.writeBacks > 0) {
      sections.push({
        heading: t(locale, "daily.givenUp.heading", { count: givenUp.messages + givenUp.writeBacks }),
        lines: [
          ...(givenUp.messages > 0 ? [t(locale, "daily.givenUp.messages", { count: givenUp.messages })] : []),
          ...(givenUp.writeBacks > 0
            ? [t(locale, "daily.givenUp.writeBacks", { count: givenUp.writeBacks })]
            : []),
          ...givenUp.projects
            .slice(0, MAX_LINES)
            .map((p) => t(locale, "daily.givenUp.project", { project: project(p) })),
          ...more(givenUp.projects.length),
        ],
      });
    }
    if (facts.unmappedOwners.length > 0) {
      sections.push({
        heading: t(locale, "daily.unmapped.heading", { count: facts.unmappedOwners.length }),
        lines: facts.unmappedOwners
          .slice(0, MAX_LINES)
          .map((o) =>
            t(locale, "daily.unmapped.line", { name: escapeAndTruncate(o.name, 80), count: o.projects }),
          )
          .concat(more(facts.unmappedOwners.length)),
      });
    }
    return { title: t(locale, "daily.title", { day: formatCalendarDate(locale, facts.day) }), sections };
  }
}
