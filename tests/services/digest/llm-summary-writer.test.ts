import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { DigestFacts } from "../../../services/digest/digest-facts.ts";
import { createLlmSummaryWriter, digestPrompt } from "../../../services/digest/llm-summary-writer.ts";
import { DeterministicSummarizer } from "../../../services/digest/summarizer.ts";
import { withOverview } from "../../../services/digest/summary-writer.ts";
import type { LlmSettings } from "../../../services/llm/structured-chat.ts";
import { chatCompletion, jsonAnswer, type LlmReply, useLlmEndpoint } from "../../fixtures/llm-endpoint.ts";

const API_KEY = "sk-digest-0a1b2c3d4e";
const portal = {
  gid: "101",
  name: "Portal Clientes",
  pmoId: "PMO-101",
  permalinkUrl: "https://app.asana.com/0/101",
  responsable: "Ana Pérez",
};
const facts: DigestFacts = {
  day: "2026-11-23",
  since: "2026-11-22T13:30:00.000Z",
  generatedAt: "2026-11-23T13:30:00.000Z",
  openBySeverity: { high: 2, medium: 5, low: 1 },
  openByVertical: [{ vertical: "Banca", count: 6 }],
  openedSince: 3,
  resolvedSince: 1,
  notableChanges: [{ project: portal, field: "dueOn", oldValue: "2026-12-01", newValue: "2027-01-15" }],
  updatesReceived: [{ project: portal, slackUserId: "UANA123", submittedAt: "2026-11-23T09:00:00.000Z" }],
  noFreshUpdate: { count: 4, worst: [] },
  sync: { lastRun: null, failedSince: 0, staleProjects: 0 },
  unmappedOwners: [{ name: "Sin Slack", projects: 1 }],
  givenUp: { messages: 0, writeBacks: 0, projects: [] },
};
const options = { locale: "es" as const, timeZone: "America/Bogota" };

const standin = useLlmEndpoint(API_KEY);

function writer(overrides: Partial<LlmSettings> = {}) {
  return createLlmSummaryWriter(standin.settings(overrides), standin.logger());
}

const userMessage = () =>
  z.object({ messages: z.array(z.object({ content: z.string() })) }).parse(standin.endpoint.requests[0]?.body)
    .messages[1]?.content ?? "";

describe("the digest's paragraph by a language model", () => {
  it("is the model's paragraph, asked with the day's facts and nobody's Slack ID", async () => {
    standin.endpoint.reply(
      jsonAnswer({ paragraph: "Dos hallazgos altos; Portal Clientes movió su entrega a enero." }),
    );
    const paragraph = await writer().write(facts, options);

    expect(paragraph).toBe("Dos hallazgos altos; Portal Clientes movió su entrega a enero.");
    const prompt = userMessage();
    expect(prompt).toBe(digestPrompt(facts, "es"));
    const sent = z
      .object({
        language: z.string(),
        day: z.string(),
        openFindings: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
        notableChanges: z.array(z.object({ project: z.string(), field: z.string(), to: z.unknown() })),
        projectsUpdated: z.array(z.string()),
      })
      .parse(JSON.parse(prompt));
    expect(sent).toMatchObject({
      language: "Spanish",
      day: "2026-11-23",
      openFindings: { high: 2, medium: 5, low: 1 },
      notableChanges: [{ project: "Portal Clientes (PMO-101)", field: "due date", to: "2027-01-15" }],
      projectsUpdated: ["Portal Clientes (PMO-101)"],
    });
    expect(prompt).not.toContain("UANA123");
    expect(prompt).not.toContain("Ana Pérez");
    expect(standin.endpoint.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(standin.logLines).toEqual([]);
  });

  it.each<[string, LlmReply, string]>([
    ["a 500", { status: 500, body: { error: { message: "boom" } } }, "server_error"],
    ["a 429", { status: 429, body: { error: { message: "slow down" } } }, "rate_limited"],
    ["an answer that is not JSON", { status: 200, body: chatCompletion("Hoy todo bien") }, "invalid_json"],
    ["an answer that breaks the schema", jsonAnswer({ paragraph: "" }), "invalid_answer"],
    ["no answer in time", { kind: "never" }, "timeout"],
  ])("writes nothing on %s, logged as a reason code only", async (_name, reply, reason) => {
    standin.endpoint.reply(reply);
    expect(await writer({ timeoutMs: 300 }).write(facts, options)).toBeNull();
    const [line, ...rest] = standin.logLines;
    expect(rest).toEqual([]);
    expect(JSON.parse(line ?? "{}")).toMatchObject({ level: 40, llm: { purpose: "digest_summary", reason } });
    expect(line).not.toContain("Portal Clientes");
    expect(line).not.toContain(API_KEY);
  });
});

describe("withOverview", () => {
  const summary = new DeterministicSummarizer().summarize(facts, options);

  it("opens the deterministic summary with the paragraph, escaped, in the PMO's language", () => {
    const withParagraph = withOverview(summary, "Atención <!channel> & equipo", "es");
    expect(withParagraph.sections[0]).toEqual({
      heading: "*En pocas palabras*",
      lines: ["Atención &lt;!channel&gt; &amp; equipo"],
    });
    expect(withParagraph.sections.slice(1)).toEqual(summary.sections);
    expect(withOverview(summary, "All good", "en").sections[0]?.heading).toBe("*In short*");
  });

  it("leaves the summary as it is for an empty paragraph", () => {
    expect(withOverview(summary, "  \n ", "es")).toEqual(summary);
  });
});
