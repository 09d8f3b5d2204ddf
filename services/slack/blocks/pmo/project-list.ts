import type { KnownBlock } from "@slack/types";
import type { PageableCommand } from "../../../commands/parse-pmo.ts";
import type { Freshness, ProjectSummary, UnmappedReason } from "../../../commands/pmo-service.ts";
import { t } from "../../../i18n/index.ts";
import { escapeAndTruncate } from "../../mrkdwn.ts";
import type { SlackMessage } from "../finding-parts.ts";
import {
  echo,
  finish,
  moreButton,
  type PmoRenderContext,
  PROJECTS_PER_PAGE,
  pageOf,
  projectLine,
  rangeLine,
  section,
} from "./common.ts";

type ListInput = {
  title: string;
  empty: string;
  fallback: string;
  projects: readonly ProjectSummary[];
  command: PageableCommand;
  withResponsable: boolean;
};

/** A paged list of projects: title, one section per project, "more" button, freshness. */
function projectListMessage(
  ctx: PmoRenderContext,
  input: ListInput,
  offset: number,
  freshness: Freshness,
): SlackMessage {
  const page = pageOf(input.projects, offset, PROJECTS_PER_PAGE);
  const blocks: KnownBlock[] = [section("pmo-title", input.title)];
  if (input.projects.length === 0) blocks.push(section("pmo-empty", input.empty));
  const range = rangeLine(ctx, page);
  if (range !== null) blocks.push(range);
  page.items.forEach((summary, i) => {
    blocks.push(
      section(
        `pmo-project-${page.from + i}`,
        projectLine(ctx, summary, { withResponsable: input.withResponsable }),
      ),
    );
  });
  const more = moreButton(ctx, input.command, page.next);
  if (more !== null) blocks.push(more);
  return finish(ctx, blocks, input.fallback, freshness);
}

/** `/pmo mis-proyectos`: the caller's active projects. */
export function myProjectsMessage(
  ctx: PmoRenderContext,
  projects: readonly ProjectSummary[],
  offset: number,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  return projectListMessage(
    ctx,
    {
      title: t(locale, "pmo.mine.title", { count: projects.length }),
      empty: t(locale, "pmo.mine.empty"),
      fallback: t(locale, "pmo.mine.fallback", { count: projects.length }),
      projects,
      command: { kind: "mine" },
      withResponsable: false,
    },
    offset,
    freshness,
  );
}

/** `/pmo mis-proyectos` for someone PMO Pulse cannot map to an Asana user: why, and what to do. */
export function unmappedUserMessage(
  ctx: PmoRenderContext,
  input: { reason: UnmappedReason; email: string | null },
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const why =
    input.reason === "no_email"
      ? t(locale, "pmo.unmapped.noEmail")
      : input.reason === "no_asana_user"
        ? t(locale, "pmo.unmapped.noAsanaUser", { email: escapeAndTruncate(input.email ?? "", 200) })
        : t(locale, "pmo.unmapped.lookupFailed");
  return finish(
    ctx,
    [section("pmo-unmapped", `${t(locale, "pmo.unmapped.title")}\n${why}`)],
    t(locale, "pmo.unmapped.fallback"),
    freshness,
  );
}

/** `/pmo buscar`: the matches, best first. */
export function searchResultsMessage(
  ctx: PmoRenderContext,
  input: { query: string; matches: readonly ProjectSummary[] },
  offset: number,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const query = echo(input.query);
  return projectListMessage(
    ctx,
    {
      title: t(locale, "pmo.search.title", { query, count: input.matches.length }),
      empty: t(locale, "pmo.search.empty", { query }),
      fallback: t(locale, "pmo.search.fallback", { count: input.matches.length }),
      projects: input.matches,
      command: { kind: "search", query: input.query },
      withResponsable: true,
    },
    offset,
    freshness,
  );
}
