import type { KnownBlock } from "@slack/types";
import { t } from "../../i18n/index.ts";
import type { Locale, Project } from "../../model.ts";
import { escapeAndTruncate, link, truncate } from "../mrkdwn.ts";
import { UPDATE_OPEN } from "../reminder-ids.ts";
import type { SlackMessage } from "./finding-parts.ts";
import { BLOCK_KIT } from "./limits.ts";

export type ReminderProject = Pick<Project, "gid" | "name" | "pmoId" | "permalinkUrl" | "lastStatusUpdateAt">;

/** Projects listed in one DM; the rest are counted. Two blocks each, plus the header lines. */
export const MAX_PROJECTS_IN_REMINDER = 20;

function daysSince(iso: string | null, now: Date): number | null {
  return iso === null ? null : Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 86_400_000));
}

function projectLine(locale: Locale, project: ReminderProject, now: Date): string {
  const name = link(project.permalinkUrl, project.name.trim() === "" ? project.gid : project.name, 120);
  const id = project.pmoId === null ? "" : ` · ${escapeAndTruncate(project.pmoId, 30)}`;
  const days = daysSince(project.lastStatusUpdateAt, now);
  const age = days === null ? t(locale, "reminder.neverUpdated") : t(locale, "reminder.daysSince", { days });
  return `*${name}*${id}\n${age}`;
}

/**
 * A DM to a project's responsable: which projects need a status update, each with an
 * "Actualizar estado" button that opens the update modal for it.
 */
export function reminderMessage(
  locale: Locale,
  kind: "nudge" | "weekly",
  projects: readonly ReminderProject[],
  now: Date,
): SlackMessage {
  const intro = t(locale, kind === "nudge" ? "reminder.nudge.intro" : "reminder.weekly.intro", {
    count: projects.length,
  });
  const blocks: KnownBlock[] = [{ type: "section", text: { type: "mrkdwn", text: intro } }];
  for (const project of projects.slice(0, MAX_PROJECTS_IN_REMINDER)) {
    blocks.push({
      type: "section",
      block_id: `reminder-${project.gid}`.slice(0, BLOCK_KIT.blockId),
      text: { type: "mrkdwn", text: truncate(projectLine(locale, project, now), BLOCK_KIT.sectionText) },
      accessory: {
        type: "button",
        action_id: UPDATE_OPEN,
        text: { type: "plain_text", text: t(locale, "reminder.button"), emoji: true },
        value: project.gid,
      },
    });
  }
  if (projects.length > MAX_PROJECTS_IN_REMINDER) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: t(locale, "reminder.more", { count: projects.length - MAX_PROJECTS_IN_REMINDER }),
        },
      ],
    });
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: t(locale, "reminder.howTo") }] });
  return { text: intro, blocks };
}

/** To the PMO admins: owners whose projects need updates but who have no Slack user to remind. */
export function unmappedOwnersMessage(
  locale: Locale,
  owners: readonly { name: string; projects: readonly ReminderProject[] }[],
  now: Date,
): SlackMessage {
  const intro = t(locale, "reminder.unmapped.intro", { count: owners.length });
  const blocks: KnownBlock[] = [{ type: "section", text: { type: "mrkdwn", text: intro } }];
  for (const owner of owners.slice(0, BLOCK_KIT.blocksPerMessage - 3)) {
    const lines = owner.projects
      .slice(0, 10)
      .map((p) => `• ${projectLine(locale, p, now).replace("\n", " — ")}`);
    const text = `*${escapeAndTruncate(owner.name, 100)}*\n${lines.join("\n")}`;
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(text, BLOCK_KIT.sectionText) } });
  }
  blocks.push({
    type: "context",
    elements: [{ type: "mrkdwn", text: t(locale, "reminder.unmapped.howTo") }],
  });
  return { text: intro, blocks };
}
