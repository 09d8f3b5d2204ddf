import ExcelJS from "exceljs";
import { t } from "../i18n/index.ts";
import type { ChangeEntry, Finding, Locale, Project } from "../model.ts";

/** What goes into the export: already filtered; the filters are written at the top of every sheet. */
export type ExportData = {
  locale: Locale;
  generatedAt: Date;
  /** One line per filter, in the reader's words ("Severidad: alta"); empty for none. */
  filters: string[];
  projects: Project[];
  /** `access`: "Sin acceso" / "No access" while Asana refuses the project, else null. */
  findings: { finding: Finding; project: Project | null; explanation: string; access: string | null }[];
  changes: { entry: ChangeEntry; project: Project | null }[];
};

export const EXPORT_HEADER_ROW = 4;

/** A calendar date "2026-03-05" as a Date at midnight UTC, so Excel shows that same day. */
function calendarDate(iso: string | null): Date | null {
  if (iso === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
}

const instant = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

type Column = { header: string; width: number; format?: string };

function addSheet(
  workbook: ExcelJS.Workbook,
  data: ExportData,
  name: string,
  columns: Column[],
  rows: (string | number | boolean | Date | null)[][],
): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: EXPORT_HEADER_ROW }] });
  sheet.getCell("A1").value = `PMO Pulse · ${name}`;
  sheet.getCell("A1").font = { bold: true, size: 14 };
  sheet.getCell("A2").value =
    data.filters.length === 0
      ? t(data.locale, "export.filters.none")
      : `${t(data.locale, "export.filters")} ${data.filters.join(" · ")}`;
  sheet.getCell("A3").value = t(data.locale, "export.generatedAt");
  sheet.getCell("B3").value = data.generatedAt;
  sheet.getCell("B3").numFmt = "yyyy-mm-dd hh:mm";
  const header = sheet.getRow(EXPORT_HEADER_ROW);
  columns.forEach((column, i) => {
    header.getCell(i + 1).value = column.header;
    sheet.getColumn(i + 1).width = column.width;
  });
  header.font = { bold: true };
  rows.forEach((values, r) => {
    const row = sheet.getRow(EXPORT_HEADER_ROW + 1 + r);
    values.forEach((value, i) => {
      const cell = row.getCell(i + 1);
      cell.value = value;
      const format = columns[i]?.format;
      if (format !== undefined && value !== null) cell.numFmt = format;
    });
  });
  sheet.autoFilter = {
    from: { row: EXPORT_HEADER_ROW, column: 1 },
    to: { row: EXPORT_HEADER_ROW, column: columns.length },
  };
}

/** The XLSX: sheets of projects, findings and changes, with typed cells (dates as dates, % as numbers). */
export async function buildExportWorkbook(data: ExportData): Promise<Buffer> {
  const l = data.locale;
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "PMO Pulse";
  workbook.created = data.generatedAt;
  addSheet(
    workbook,
    data,
    t(l, "export.sheet.projects"),
    [
      { header: t(l, "export.col.pmoId"), width: 12 },
      { header: t(l, "export.col.name"), width: 40 },
      { header: t(l, "export.col.responsable"), width: 24 },
      { header: t(l, "export.col.vertical"), width: 18 },
      { header: t(l, "export.col.status"), width: 12 },
      { header: t(l, "export.col.progress"), width: 10, format: "0" },
      { header: t(l, "export.col.tasks"), width: 10, format: "0" },
      { header: t(l, "export.col.pending"), width: 10, format: "0" },
      { header: t(l, "export.col.dueOn"), width: 14, format: "yyyy-mm-dd" },
      { header: t(l, "export.col.lastUpdate"), width: 18, format: "yyyy-mm-dd hh:mm" },
      { header: t(l, "export.col.link"), width: 40 },
      { header: t(l, "export.col.access"), width: 14 },
    ],
    data.projects.map((p) => [
      p.pmoId,
      p.name,
      p.responsable,
      p.businessVertical,
      p.status,
      p.progressPercent,
      p.totalTasks,
      p.pendingTasks,
      calendarDate(p.dueOn),
      instant(p.lastStatusUpdateAt),
      p.permalinkUrl,
      p.removedAt !== null && p.removedReason === "no_access" ? t(l, "export.noAccess") : null,
    ]),
  );
  addSheet(
    workbook,
    data,
    t(l, "export.sheet.findings"),
    [
      { header: t(l, "export.col.pmoId"), width: 12 },
      { header: t(l, "export.col.project"), width: 40 },
      { header: t(l, "export.col.rule"), width: 20 },
      { header: t(l, "export.col.severity"), width: 10 },
      { header: t(l, "export.col.findingStatus"), width: 14 },
      { header: t(l, "export.col.openedAt"), width: 18, format: "yyyy-mm-dd hh:mm" },
      { header: t(l, "export.col.detail"), width: 50 },
      { header: t(l, "export.col.acknowledgedBy"), width: 16 },
      { header: t(l, "export.col.comment"), width: 40 },
      { header: t(l, "export.col.access"), width: 14 },
    ],
    data.findings.map(({ finding, project, explanation, access }) => [
      project?.pmoId ?? null,
      project?.name ?? finding.projectGid,
      finding.ruleId,
      finding.severity,
      finding.status,
      instant(finding.createdAt),
      explanation,
      finding.acknowledgedBy,
      finding.ackComment,
      access,
    ]),
  );
  addSheet(
    workbook,
    data,
    t(l, "export.sheet.changes"),
    [
      { header: t(l, "export.col.pmoId"), width: 12 },
      { header: t(l, "export.col.project"), width: 40 },
      { header: t(l, "export.col.field"), width: 18 },
      { header: t(l, "export.col.before"), width: 20 },
      { header: t(l, "export.col.after"), width: 20 },
      { header: t(l, "export.col.source"), width: 10 },
      { header: t(l, "export.col.detectedAt"), width: 18, format: "yyyy-mm-dd hh:mm" },
    ],
    data.changes.map(({ entry, project }) => [
      project?.pmoId ?? null,
      project?.name ?? entry.projectGid,
      entry.fieldName,
      entry.oldValue === null ? null : String(entry.oldValue),
      entry.newValue === null ? null : String(entry.newValue),
      entry.source,
      instant(entry.detectedAt),
    ]),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
