import type { Authorization } from "../authorization/authorization.ts";
import { compareSpanishNumeric } from "../collation.ts";
import type { FindingFilters } from "../commands/parse-pmo.ts";
import { mapLimit } from "../concurrency.ts";
import { t } from "../i18n/index.ts";
import type { ChangeEntry, Clock, Locale, Project, Severity } from "../model.ts";
import { explainFinding, noAccessSince, severityName } from "../slack/blocks/finding-parts.ts";
import { unescapeMrkdwn } from "../slack/mrkdwn.ts";
import type { Repositories } from "../store/repositories.ts";
import type { UserDirectory } from "../users/directory.ts";
import type { ExportData } from "./workbook.ts";

/** The filters of `/pmo exportar`, as `hallazgos` takes them, already resolved to what to match. */
export type ExportFilters = {
  severities: readonly Severity[];
  vertical: string | null;
  /**
   * The Asana user of a mentioned Slack user (null: the person has no Asana user, so owns
   * nothing and nothing matches), or a name matched word by word.
   */
  responsable: { asanaUserGid: string | null; label: string } | { name: string } | null;
};

/**
 * A view chosen elsewhere (the web portfolio's filters, applied by the page's own rules): only
 * these projects, with lines saying how they were chosen, after those of the filters.
 */
export type ExportSelection = { projectGids: ReadonlySet<string>; filterLines: readonly string[] };

export const CHANGES_DAYS = 30;
const QUERY_CONCURRENCY = 20;

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

function matchesProject(project: Project, filters: ExportFilters): boolean {
  if (filters.vertical !== null && fold(project.businessVertical ?? "") !== fold(filters.vertical))
    return false;
  const wanted = filters.responsable;
  if (wanted === null) return true;
  if ("asanaUserGid" in wanted)
    return wanted.asanaUserGid !== null && project.responsableKey === wanted.asanaUserGid;
  const name = fold(project.responsable ?? "");
  return fold(wanted.name)
    .split(" ")
    .every((word) => name.includes(word));
}

export function describeFilters(locale: Locale, filters: ExportFilters): string[] {
  const lines: string[] = [];
  if (filters.severities.length > 0) {
    lines.push(
      `${t(locale, "export.col.severity")}: ${filters.severities.map((s) => severityName(locale, s)).join(", ")}`,
    );
  }
  if (filters.vertical !== null) lines.push(`${t(locale, "export.col.vertical")}: ${filters.vertical}`);
  if (filters.responsable !== null) {
    const label = "name" in filters.responsable ? filters.responsable.name : filters.responsable.label;
    lines.push(`${t(locale, "export.col.responsable")}: ${label}`);
  }
  return lines;
}

export type ExportResult = {
  file: Buffer;
  filename: string;
  counts: { projects: number; findings: number; changes: number };
};

/**
 * Builds the export: the matching active projects (and those Asana refuses to show, whose findings
 * stay open), their open findings, their last 30 days of changes.
 */
export async function buildExport(
  repos: Pick<Repositories, "projects" | "findings" | "changelog">,
  options: { filters: ExportFilters; locale: Locale; now: Date; selection?: ExportSelection },
): Promise<ExportResult> {
  const { filters, locale, now, selection } = options;
  const projects: Project[] = [];
  for await (const page of repos.projects.iterateAll()) {
    for (const project of page) {
      const listed = project.removedAt === null || project.removedReason === "no_access";
      const selected = selection === undefined || selection.projectGids.has(project.gid);
      if (listed && selected && matchesProject(project, filters)) projects.push(project);
    }
  }
  projects.sort((a, b) => compareSpanishNumeric(a.pmoId ?? "\uffff", b.pmoId ?? "\uffff"));
  const byGid = new Map(projects.map((p) => [p.gid, p]));
  const findings = (await repos.findings.listOpen())
    .filter(
      (f) =>
        byGid.has(f.projectGid) &&
        (filters.severities.length === 0 || filters.severities.includes(f.severity)),
    )
    .map((finding) => ({
      finding,
      project: byGid.get(finding.projectGid) ?? null,
      explanation: unescapeMrkdwn(explainFinding(locale, finding)),
      access: noAccessSince(finding) === null ? null : t(locale, "export.noAccess"),
    }));
  const since = new Date(now.getTime() - CHANGES_DAYS * 86_400_000).toISOString();
  const perProject = await mapLimit(projects, QUERY_CONCURRENCY, (p) =>
    repos.changelog.listForProject(p.gid, 200),
  );
  const changes: { entry: ChangeEntry; project: Project | null }[] = perProject
    .flat()
    .filter((entry) => entry.detectedAt >= since)
    .sort((a, b) => b.detectedAt.localeCompare(a.detectedAt))
    .map((entry) => ({ entry, project: byGid.get(entry.projectGid) ?? null }));
  const data: ExportData = {
    locale,
    generatedAt: now,
    filters: [...describeFilters(locale, filters), ...(selection?.filterLines ?? [])],
    projects,
    findings,
    changes,
  };
  return {
    // exceljs weighs about 20 MB once loaded: only a process that exports pays for it.
    file: await (await import("./workbook.ts")).buildExportWorkbook(data),
    filename: `pmo-pulse-${now.toISOString().slice(0, 10)}.xlsx`,
    counts: { projects: projects.length, findings: findings.length, changes: changes.length },
  };
}

export type ExportServiceDeps = {
  repos: Pick<Repositories, "projects" | "findings" | "changelog">;
  users: Pick<UserDirectory, "profile" | "localeOf">;
  authorization: Pick<Authorization, "may">;
  clock: Clock;
};

export type ExportAnswer =
  | { kind: "denied"; locale: Locale }
  | { kind: "built"; locale: Locale; export: ExportResult };

/** The export for a person, Slack or web alike: who may, what the filters mean, the workbook. */
export class ExportService {
  constructor(private readonly deps: ExportServiceDeps) {}

  localeOf(slackUserId: string): Promise<Locale> {
    return this.deps.users.localeOf(slackUserId);
  }

  /**
   * The workbook for these filters (and, from the web, only the projects of its view), or `denied`
   * for someone who may not export. `selection` is computed only for someone who may.
   */
  async exportFor(
    slackUserId: string,
    filters: FindingFilters,
    selection?: () => Promise<ExportSelection>,
  ): Promise<ExportAnswer> {
    const locale = await this.deps.users.localeOf(slackUserId);
    if (!(await this.deps.authorization.may(slackUserId, "export"))) return { kind: "denied", locale };
    const built = await buildExport(this.deps.repos, {
      filters: await this.resolveFilters(filters),
      locale,
      now: this.deps.clock(),
      ...(selection === undefined ? {} : { selection: await selection() }),
    });
    return { kind: "built", locale, export: built };
  }

  /** `hallazgos`-style filters resolved to what to match: a mention becomes its Asana user. */
  async resolveFilters(filters: FindingFilters): Promise<ExportFilters> {
    const wanted = filters.responsable;
    let responsable: ExportFilters["responsable"] = null;
    if (wanted?.kind === "name") responsable = { name: wanted.name };
    if (wanted?.kind === "slack_user") {
      const profile = await this.deps.users.profile(wanted.slackUserId);
      responsable = {
        asanaUserGid: profile.asanaUserGid,
        label: wanted.label ?? profile.name ?? wanted.slackUserId,
      };
    }
    return { severities: filters.severities, vertical: filters.vertical, responsable };
  }
}
