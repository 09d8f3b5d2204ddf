import type OpenAI from "openai";
import { z } from "zod";
import type { Logger } from "../logger.ts";

/**
 * One question to an OpenAI-compatible chat completions endpoint (OpenAI, Azure OpenAI's v1 API,
 * Amazon Bedrock's OpenAI-compatible endpoint, vLLM, Ollama), answered as JSON in a given schema.
 * Never throws and never waits past `timeoutMs`: any failure comes back as a reason code, which
 * is all that may be logged (an error's message can quote the request, and so the DM).
 */

export type LlmSettings = {
  /** The API's base URL, ".../v1" (LLM_BASE_URL). */
  baseUrl: string;
  /** The model, or the deployment name on Azure (LLM_MODEL). */
  model: string;
  /** Sent as a bearer token; null for a local server that needs none (LLM_API_KEY). */
  apiKey: string | null;
  /** The longest a question may take, answer read in full (LLM_TIMEOUT_MS). */
  timeoutMs: number;
};

export type LlmFailureReason =
  | "timeout"
  | "rate_limited"
  | "server_error"
  | "http_error"
  | "connection_error"
  | "no_answer"
  | "invalid_json"
  | "invalid_answer"
  | "unknown_project"
  | "error";

export type LlmFailure = { reason: LlmFailureReason; status: number | null };
export type LlmAnswer<T> = { ok: true; value: T } | ({ ok: false } & LlmFailure);

export type StructuredQuestion<T> = {
  system: string;
  user: string;
  /** The response format's name (letters, digits, "_" and "-"). */
  schemaName: string;
  /** The JSON Schema the model is held to (strict structured output). */
  jsonSchema: Record<string, unknown>;
  /** The same shape, checked again here: a provider may not enforce the schema. */
  schema: z.ZodType<T>;
};

export type StructuredChat = {
  readonly model: string;
  ask<T>(question: StructuredQuestion<T>): Promise<LlmAnswer<T>>;
};

/** A local server without keys still gets an Authorization header; this one means nothing. */
const NO_KEY = "not-needed";

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }).nullish() })).min(1),
});

type Sdk = typeof import("openai");

/** The package (about 6 MB resident) is loaded on the first question: nothing while the model is off. */
let sdkLoading: Promise<Sdk> | null = null;

function loadSdk(): Promise<Sdk> {
  sdkLoading ??= import("openai");
  return sdkLoading;
}

export function createStructuredChat(settings: LlmSettings): StructuredChat {
  let connecting: Promise<{ sdk: Sdk; client: OpenAI }> | null = null;
  const connect = () => {
    connecting ??= loadSdk().then((sdk) => ({
      sdk,
      client: new sdk.OpenAI({
        baseURL: settings.baseUrl,
        apiKey: settings.apiKey ?? NO_KEY,
        organization: null,
        project: null,
        webhookSecret: null,
        timeout: settings.timeoutMs,
        maxRetries: 0,
        logLevel: "off",
      }),
    }));
    return connecting;
  };
  return {
    model: settings.model,
    ask: async <T>(question: StructuredQuestion<T>): Promise<LlmAnswer<T>> => {
      let connection: { sdk: Sdk; client: OpenAI };
      try {
        connection = await connect();
      } catch {
        return { ok: false, reason: "error", status: null };
      }
      const { sdk, client } = connection;
      // The client's own timeout ends at the response headers; this one covers the body too.
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), settings.timeoutMs);
      try {
        const completion: unknown = await client.chat.completions.create(
          {
            model: settings.model,
            messages: [
              { role: "system", content: question.system },
              { role: "user", content: question.user },
            ],
            response_format: {
              type: "json_schema",
              json_schema: { name: question.schemaName, strict: true, schema: question.jsonSchema },
            },
          },
          { signal: deadline.signal },
        );
        return readAnswer(completion, question.schema);
      } catch (error) {
        return { ok: false, ...failureOf(sdk, error, deadline.signal.aborted) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function readAnswer<T>(completion: unknown, schema: z.ZodType<T>): LlmAnswer<T> {
  const parsed = completionSchema.safeParse(completion);
  if (!parsed.success) return { ok: false, reason: "invalid_answer", status: null };
  const content = parsed.data.choices[0]?.message?.content?.trim() ?? "";
  if (content === "") return { ok: false, reason: "no_answer", status: null };
  let json: unknown;
  try {
    json = JSON.parse(withoutCodeFence(content));
  } catch {
    return { ok: false, reason: "invalid_json", status: null };
  }
  const answer = schema.safeParse(json);
  return answer.success
    ? { ok: true, value: answer.data }
    : { ok: false, reason: "invalid_answer", status: null };
}

/** Some local models wrap their JSON in a Markdown code fence even under a schema. */
function withoutCodeFence(content: string): string {
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/u.exec(content);
  return fenced?.[1] ?? content;
}

function failureOf(sdk: Sdk, error: unknown, pastDeadline: boolean): LlmFailure {
  if (pastDeadline || error instanceof sdk.APIConnectionTimeoutError)
    return { reason: "timeout", status: null };
  if (error instanceof sdk.APIUserAbortError) return { reason: "timeout", status: null };
  if (error instanceof sdk.APIConnectionError) return { reason: "connection_error", status: null };
  if (error instanceof sdk.APIError) {
    const status = typeof error.status === "number" ? error.status : null;
    if (status === 429) return { reason: "rate_limited", status };
    if (status !== null && status >= 500) return { reason: "server_error", status };
    return { reason: "http_error", status };
  }
  // The SDK reads the body as JSON itself: a body that is not JSON fails there.
  if (error instanceof SyntaxError) return { reason: "invalid_json", status: null };
  return { reason: "error", status: null };
}

/**
 * The one log line of a question that fell back: the reason code, the HTTP status and the
 * model, never the question, the answer or the error's message.
 */
export function warnFallback(
  logger: Logger,
  purpose: "interpret" | "digest_summary",
  model: string,
  failure: LlmFailure,
): void {
  logger.warn(
    { llm: { purpose, model, reason: failure.reason, status: failure.status } },
    "language model not used: fell back to the rule-based result",
  );
}
