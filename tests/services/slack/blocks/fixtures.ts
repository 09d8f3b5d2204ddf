import {
  type ChangeEntry,
  changeEntrySchema,
  type Finding,
  findingSchema,
  type Project,
  type ProjectInput,
  projectSchema,
} from "../../../../services/model.ts";
import type { RenderContext } from "../../../../services/slack/blocks/finding-parts.ts";

export function aProject(overrides: Partial<ProjectInput> = {}): Project {
  return projectSchema.parse({
    gid: "1201",
    name: "Portal de clientes",
    pmoId: "PMO-12",
    responsable: "Ana Pérez",
    responsableKey: "9001",
    permalinkUrl: "https://app.asana.com/0/1201/list",
    ...overrides,
  });
}

export function aFinding(overrides: Partial<Finding> = {}): Finding {
  return findingSchema.parse({
    projectGid: "1201",
    ruleId: "schedule_risk",
    severity: "high",
    status: "open",
    details: { daysToDue: 5, progress: 40 },
    createdAt: "2026-03-05T14:30:00.000Z",
    updatedAt: "2026-03-05T14:30:00.000Z",
    version: 3,
    ...overrides,
  });
}

export function aChange(overrides: Partial<ChangeEntry> = {}): ChangeEntry {
  return changeEntrySchema.parse({
    projectGid: "1201",
    fieldName: "dueOn",
    oldValue: "2026-04-01",
    newValue: "2026-03-10",
    syncId: "s1",
    detectedAt: "2026-03-04T15:00:00.000Z",
    source: "asana",
    ...overrides,
  });
}

export const context = (locale: "es" | "en", slackUserId: string | null = "U0ANA"): RenderContext => ({
  locale,
  timeZone: "America/Bogota",
  slackUserIdFor: () => slackUserId,
});
