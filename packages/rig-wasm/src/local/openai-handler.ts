/**
 * An in-process OpenAI Chat Completions endpoint backed by a local model (a `ChatBackend`):
 * the `fetch` that `rig-wasm/local`'s `Agent` hands to Rig's
 * OpenAI-compatible client. So the agent loop, chat history, streaming,
 * dynamic context and tools run in Rig exactly as with a cloud provider;
 * only the transport differs (no network: a function call).
 *
 * Served: `POST …/chat/completions`, JSON and SSE (`stream: true`), with
 * `messages`, `max_tokens`/`max_completion_tokens`, `temperature`, `top_p`,
 * `seed`, `stop`, `tools`, and the extras `top_k`, `repeat_penalty`.
 *
 * Tools: the definitions go into the system message with an instruction to
 * answer `<tool_call>{"name": …, "arguments": {…}}</tool_call>`; such an
 * answer becomes `tool_calls`. Models this small rarely manage it; the
 * format is the one instruction-tuned models with tool training use.
 */
import { AbortError, RigError } from "../errors.js";
import type { FetchLike } from "../transport.js";
import type { ChatMessage, GenerateOptions, GenerateResult } from "./options.js";

/** What the endpoint needs of a model: its name, and a generation that reports text as it comes. */
export interface ChatBackend {
  readonly id: string;
  run(input: string | ChatMessage[], options: GenerateOptions | undefined, onText: (text: string) => void, extraStops?: string[]): Promise<Omit<GenerateResult, "text">>;
}

interface OpenAIMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: string } }>;
  tool_call_id?: string;
}

interface OpenAITool {
  type?: string;
  function?: { name?: string; description?: string; parameters?: unknown };
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

function text(content: unknown): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === "string") return part;
        if (typeof part === "object" && part !== null && typeof (part as { text?: unknown }).text === "string") return (part as { text: string }).text;
        throw new BadRequest("the local model reads text content only (no images, audio or files)", "messages");
      })
      .join("");
  }
  throw new BadRequest("message content must be a string or an array of text parts", "messages");
}

function toolCallText(call: { function?: { name?: string; arguments?: string } }): string {
  let args: unknown = {};
  try {
    args = JSON.parse(call.function?.arguments ?? "{}");
  } catch {
    args = call.function?.arguments ?? {};
  }
  return `<tool_call>\n${JSON.stringify({ name: call.function?.name, arguments: args })}\n</tool_call>`;
}

function conversation(body: Record<string, unknown>): { messages: ChatMessage[]; tools: OpenAITool[] } {
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new BadRequest("messages must be a non-empty array", "messages");
  const tools = Array.isArray(body.tools) ? (body.tools as OpenAITool[]) : [];
  const messages: ChatMessage[] = [];
  for (const m of body.messages as OpenAIMessage[]) {
    const role = m.role === "developer" ? "system" : m.role;
    if (role === "assistant") {
      const calls = (m.tool_calls ?? []).map(toolCallText);
      messages.push({ role, content: [text(m.content), ...calls].filter((s) => s !== "").join("\n") });
    } else if (role === "system" || role === "user" || role === "tool") {
      messages.push({ role, content: text(m.content) });
    } else {
      throw new BadRequest(`unknown message role ${JSON.stringify(m.role)}`, "messages");
    }
  }
  if (tools.length > 0) {
    const lines = tools.map((t) => JSON.stringify({ name: t.function?.name, description: t.function?.description, parameters: t.function?.parameters }));
    const instruction =
      "You can call these functions:\n<tools>\n" +
      lines.join("\n") +
      '\n</tools>\nTo call one, answer only with <tool_call>{"name": "<function name>", "arguments": {<arguments>}}</tool_call>. ' +
      "When you have a function's result, answer the user.";
    const system = messages.findIndex((m) => m.role === "system");
    if (system >= 0) messages[system] = { role: "system", content: `${messages[system]!.content}\n\n${instruction}` };
    else messages.unshift({ role: "system", content: instruction });
  }
  return { messages, tools };
}

function options(body: Record<string, unknown>, signal: AbortSignal | undefined): GenerateOptions {
  const out: GenerateOptions = {};
  const num = (key: string): number | undefined => {
    const v = body[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new BadRequest(`${key} must be a number`, key);
    return v;
  };
  const max = num("max_completion_tokens") ?? num("max_tokens");
  if (max !== undefined) out.maxTokens = max;
  const temperature = num("temperature");
  if (temperature !== undefined) out.temperature = temperature;
  const topP = num("top_p");
  if (topP !== undefined) out.topP = topP;
  const topK = num("top_k");
  if (topK !== undefined) out.topK = topK;
  const seed = num("seed");
  if (seed !== undefined) out.seed = seed;
  const penalty = num("repeat_penalty");
  if (penalty !== undefined) out.repeatPenalty = penalty;
  if (typeof body.stop === "string") out.stop = [body.stop];
  else if (Array.isArray(body.stop)) out.stop = body.stop as string[];
  if (signal !== undefined) out.signal = signal;
  return out;
}

/** A `<tool_call>` answer as OpenAI tool calls (only for tools that exist). */
function parseToolCalls(answer: string, tools: OpenAITool[]): Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> | undefined {
  if (tools.length === 0) return undefined;
  const names = new Set(tools.map((t) => t.function?.name));
  const calls = [];
  const pattern = /<tool_call>\s*([\s\S]*?)\s*(?:<\/tool_call>|$)/g;
  for (const match of answer.matchAll(pattern)) {
    try {
      const parsed = JSON.parse(match[1]!) as { name?: unknown; arguments?: unknown };
      if (typeof parsed.name === "string" && names.has(parsed.name)) {
        const args = typeof parsed.arguments === "string" ? parsed.arguments : JSON.stringify(parsed.arguments ?? {});
        calls.push({ id: `call_${Math.random().toString(36).slice(2, 12)}`, type: "function" as const, function: { name: parsed.name, arguments: args } });
      }
    } catch {
      // not JSON: plain text
    }
  }
  return calls.length > 0 ? calls : undefined;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function errorResponse(error: unknown): Response {
  if (error instanceof BadRequest) {
    return json(400, { error: { message: error.message, type: "invalid_request_error", param: error.param ?? null, code: null } });
  }
  if (RigError.isInstance(error) && error.code === "invalid_argument") {
    return json(400, { error: { message: error.message, type: "invalid_request_error", param: error.field ?? null, code: null } });
  }
  const message = error instanceof Error ? error.message : String(error);
  return json(500, { error: { message, type: "server_error", param: null, code: null } });
}

function abortError(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return typeof DOMException !== "undefined" ? new DOMException("The operation was aborted.", "AbortError") : new AbortError();
}

/** The handler for `model`: a `fetch`. */
export function chatCompletionsHandler(model: ChatBackend): FetchLike {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = typeof Request !== "undefined" && input instanceof Request ? input : undefined;
    const url = new URL(request?.url ?? String(input));
    const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
    const signal = init?.signal ?? request?.signal ?? undefined;
    if (signal?.aborted) throw abortError(signal);
    if (method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
      return json(404, { error: { message: `${method} ${url.pathname}: the local model serves POST /chat/completions`, type: "invalid_request_error", param: null, code: "not_found" } });
    }
    let body: Record<string, unknown>;
    try {
      const raw = init?.body ?? (request !== undefined ? await request.text() : undefined);
      const source = typeof raw === "string" ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : undefined;
      if (source === undefined) throw new BadRequest("the request body must be JSON text");
      body = JSON.parse(source) as Record<string, unknown>;
    } catch (error) {
      return errorResponse(error instanceof BadRequest ? error : new BadRequest(`the request body is not JSON: ${(error as Error).message}`));
    }
    const created = Math.floor(Date.now() / 1000);
    const id = `chatcmpl-local-${Math.random().toString(36).slice(2, 12)}`;
    const name = model.id;
    let messages: ChatMessage[];
    let tools: OpenAITool[];
    let generation: GenerateOptions;
    try {
      ({ messages, tools } = conversation(body));
      generation = options(body, signal ?? undefined);
    } catch (error) {
      return errorResponse(error);
    }
    const usageOf = (u: { promptTokens: number; completionTokens: number; totalTokens: number }) => ({
      prompt_tokens: u.promptTokens,
      completion_tokens: u.completionTokens,
      total_tokens: u.totalTokens,
    });

    if (body.stream !== true) {
      let answer = "";
      try {
        const result = await model.run(messages, generation, (piece) => {
          answer += piece;
        });
        const calls = parseToolCalls(answer, tools);
        const message = calls !== undefined ? { role: "assistant", content: null, tool_calls: calls } : { role: "assistant", content: answer };
        const finish = calls !== undefined ? "tool_calls" : result.finishReason;
        return json(200, { id, object: "chat.completion", created, model: name, choices: [{ index: 0, message, finish_reason: finish }], usage: usageOf(result.usage) });
      } catch (error) {
        if (RigError.isInstance(error) && error.code === "aborted") throw abortError(signal ?? undefined);
        return errorResponse(error);
      }
    }

    // Streaming: server-sent events, one per token. With tools the answer
    // is held until complete (it may be a tool call).
    const encoder = new TextEncoder();
    const event = (data: unknown) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => event({ id, object: "chat.completion.chunk", created, model: name, choices: [{ index: 0, delta, finish_reason: finish }] });
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let open = true;
    const push = (bytes: Uint8Array) => {
      if (open) controller.enqueue(bytes);
    };
    const body$ = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        open = false;
        stop.abort();
      },
    });
    push(chunk({ role: "assistant", content: "" }));
    let answer = "";
    const holding = tools.length > 0;
    // The response starts with the first token, so a request the model
    // refuses (a prompt longer than the context) is an HTTP error.
    let began!: () => void;
    const first = new Promise<void>((resolve) => {
      began = resolve;
    });
    const run = model.run(messages, { ...generation, signal: stop.signal }, (piece) => {
      began();
      answer += piece;
      if (!holding && piece !== "") push(chunk({ content: piece }));
    });
    let failure: { error: unknown } | undefined;
    run.then(
      () => began(),
      (error: unknown) => {
        failure = { error };
        began();
      },
    );
    await first;
    if (failure !== undefined && answer === "") {
      signal?.removeEventListener("abort", onAbort);
      if (RigError.isInstance(failure.error) && failure.error.code === "aborted") throw abortError(signal ?? undefined);
      return errorResponse(failure.error);
    }
    run
      .then((result) => {
        const calls = parseToolCalls(answer, tools);
        if (calls !== undefined) calls.forEach((call, index) => push(chunk({ tool_calls: [{ index, ...call }] })));
        else if (holding && answer !== "") push(chunk({ content: answer }));
        push(chunk({}, calls !== undefined ? "tool_calls" : result.finishReason));
        push(event({ id, object: "chat.completion.chunk", created, model: name, choices: [], usage: usageOf(result.usage) }));
        push(event("[DONE]"));
        if (open) controller.close();
      })
      .catch((error: unknown) => {
        if (!open) return;
        if (RigError.isInstance(error) && error.code === "aborted") {
          controller.error(abortError(signal ?? undefined));
          return;
        }
        push(event({ error: { message: error instanceof Error ? error.message : String(error), type: "server_error" } }));
        controller.close();
      })
      .finally(() => {
        open = false;
        signal?.removeEventListener("abort", onAbort);
      });
    return new Response(body$, { status: 200, headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
  };
}
