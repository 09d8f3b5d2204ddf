import type { KnownBlock } from "@slack/types";
import type { PmoCommand, PmoInputProblem } from "../../../commands/parse-pmo.ts";
import type { Freshness } from "../../../commands/pmo-service.ts";
import { type Locale, t } from "../../../i18n/index.ts";
import type { SlackMessage } from "../finding-parts.ts";
import { contextBlock, echo, finish, type PmoRenderContext, section } from "./common.ts";

const HELP_LINES = [
  "pmo.help.mine",
  "pmo.help.project",
  "pmo.help.search",
  "pmo.help.findings",
  "pmo.help.status",
  "pmo.help.sync",
  "pmo.help.update",
  "pmo.help.export",
  "pmo.help.help",
] as const;

/** Every subcommand with an example; when `notUnderstood` is given, a line saying so comes first. */
export function pmoHelpMessage(
  ctx: PmoRenderContext,
  input: { notUnderstood: string | null },
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const blocks: KnownBlock[] = [];
  if (input.notUnderstood !== null) {
    blocks.push(
      section(
        "pmo-not-understood",
        t(locale, "pmo.help.notUnderstood", { input: echo(input.notUnderstood) }),
      ),
    );
  }
  blocks.push(
    section("pmo-help", [t(locale, "pmo.help.title"), ...HELP_LINES.map((key) => t(locale, key))].join("\n")),
    contextBlock("pmo-help-aliases", t(locale, "pmo.help.aliases")),
  );
  return finish(ctx, blocks, t(locale, "pmo.help.fallback"), freshness);
}

type Invalid = Extract<PmoCommand, { kind: "invalid" }>;

function problemText(locale: Locale, problem: PmoInputProblem): string {
  switch (problem.code) {
    case "missing_query":
      return t(locale, "pmo.invalid.missingQuery");
    case "query_too_long":
      return t(locale, "pmo.invalid.queryTooLong", { max: problem.max });
    case "filter_too_long":
      return t(locale, "pmo.invalid.filterTooLong", { max: problem.max });
    case "repeated_filter":
      return t(locale, "pmo.invalid.repeatedFilter", { filter: t(locale, `pmo.filter.${problem.filter}`) });
    case "empty_filter":
      return t(locale, "pmo.invalid.emptyFilter", { filter: t(locale, `pmo.filter.${problem.filter}`) });
    case "unknown_filter":
      return t(locale, "pmo.invalid.unknownFilter", { input: echo(problem.excerpt) });
    case "unknown_sync_kind":
      return t(locale, "pmo.invalid.unknownSyncKind", { input: echo(problem.excerpt) });
  }
}

/** A subcommand with arguments it cannot use: what is wrong, and how it is written. */
export function pmoInvalidMessage(
  ctx: PmoRenderContext,
  invalid: Invalid,
  freshness: Freshness,
): SlackMessage {
  const { locale } = ctx;
  const blocks: KnownBlock[] = [
    section("pmo-invalid", problemText(locale, invalid.problem)),
    contextBlock("pmo-usage", t(locale, `pmo.usage.${invalid.subcommand}`)),
  ];
  return finish(ctx, blocks, t(locale, "pmo.invalid.fallback"), freshness);
}
