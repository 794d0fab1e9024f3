// Wire formats of the providers that do not speak OpenAI's: Anthropic
// Messages, Gemini generateContent, Cohere v2 chat / v1 embed, Ollama's
// native /api/chat (NDJSON) and /api/embed. Written from each provider's API
// reference; the brain (brain.mjs) decides what the model says.

import { embedText } from "./embed.mjs";
import { contentText, emptyConversation, halves, nameResults, nextId, now, parseArgs, pushToolResult, pushUser, sse, argsText } from "./wires.mjs";

/** A provider signature for a reasoning text (base64, as Anthropic and Gemini send them). */
const signature = (text) => Buffer.from(`sig:${text}`).toString("base64");

// ---------------------------------------------------------------------------
// Anthropic Messages — POST {base}/v1/messages

function anthropicError(status) {
  const types = { 400: "invalid_request_error", 401: "authentication_error", 403: "permission_error", 404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error" };
  const messages = { 401: "invalid x-api-key", 404: "model: missing-model", 429: "Number of request tokens has exceeded your per-minute rate limit", 500: "Internal server error", 529: "Overloaded" };
  return { type: "error", error: { type: types[status] ?? "api_error", message: messages[status] ?? `HTTP ${status}` } };
}

function anthropicText(content) {
  if (typeof content === "string") return content;
  return (content ?? []).filter((b) => b.type === "text").map((b) => b.text).join("");
}

const anthropic = {
  name: "anthropic-messages",
  kind: "completion",
  matches: (method, path) => method === "POST" && path.endsWith("/v1/messages"),
  model: (body) => body.model,
  isStreaming: (body) => body.stream === true,
  errorBody: anthropicError,
  streamError: () => sse({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, "error"),
  conversation(body) {
    const c = emptyConversation();
    c.system = typeof body.system === "string" ? body.system : anthropicText(body.system);
    for (const message of body.messages ?? []) {
      const blocks = typeof message.content === "string" ? [{ type: "text", text: message.content }] : (message.content ?? []);
      if (message.role === "user") {
        const results = blocks.filter((b) => b.type === "tool_result");
        for (const result of results) {
          pushToolResult(c, { id: result.tool_use_id, content: anthropicText(result.content), isError: result.is_error === true });
        }
        const text = blocks.filter((b) => b.type === "text").map((b) => b.text).join("");
        if (text || results.length === 0) pushUser(c, text);
      } else {
        c.messages.push({
          role: "assistant",
          text: blocks.filter((b) => b.type === "text").map((b) => b.text).join(""),
          toolCalls: blocks.filter((b) => b.type === "tool_use").map((b) => ({ id: b.id, name: b.name, arguments: b.input })),
        });
      }
    }
    c.tools = (body.tools ?? []).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.input_schema }));
    return nameResults(c);
  },
  whole({ model, turn, usage }) {
    const content = [];
    if (turn.reasoning) content.push({ type: "thinking", thinking: turn.reasoning, signature: signature(turn.reasoning) });
    if (turn.text !== undefined) content.push({ type: "text", text: turn.text });
    for (const call of turn.toolCalls ?? []) content.push({ type: "tool_use", id: call.id, name: call.name, input: call.arguments ?? {} });
    return {
      id: nextId("msg"),
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: turn.toolCalls ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    };
  },
  stream({ model, turn, pieces, usage }) {
    const ev = (type, data) => ({ text: sse({ type, ...data }, type) });
    const events = [
      ev("message_start", { message: { id: nextId("msg"), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: usage.input, output_tokens: 1 } } }),
      ev("ping", {}),
    ];
    let index = 0;
    if (turn.reasoning) {
      events.push(ev("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } }));
      for (const part of halves(turn.reasoning)) events.push(ev("content_block_delta", { index, delta: { type: "thinking_delta", thinking: part } }));
      events.push(ev("content_block_delta", { index, delta: { type: "signature_delta", signature: signature(turn.reasoning) } }));
      events.push(ev("content_block_stop", { index }));
      index++;
    }
    if (turn.text !== undefined && !turn.toolCalls) {
      events.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
      for (const piece of pieces) events.push(ev("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
      events.push(ev("content_block_stop", { index }));
      index++;
    }
    for (const call of turn.toolCalls ?? []) {
      events.push(ev("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }));
      const json = argsText(call.arguments);
      const half = Math.ceil(json.length / 2);
      for (const part of [json.slice(0, half), json.slice(half)]) {
        if (part) events.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } }));
      }
      events.push(ev("content_block_stop", { index }));
      index++;
    }
    events.push(ev("message_delta", { delta: { stop_reason: turn.toolCalls ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: usage.output } }));
    events.push({ ...ev("message_stop", {}), terminal: true });
    return events;
  },
};

// ---------------------------------------------------------------------------
// Gemini — POST {base}/v1beta/models/{model}:generateContent?key=…
//          POST {base}/v1beta/models/{model}:streamGenerateContent?alt=sse&key=…
//          POST {base}/v1beta/models/{model}:batchEmbedContents?key=…

const GEMINI_STATUS = { 400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" };

function geminiError(status) {
  const messages = { 400: "API key not valid. Please pass a valid API key.", 401: "API key not valid. Please pass a valid API key.", 404: "models/missing-model is not found for API version v1beta", 429: "Resource has been exhausted (e.g. check quota).", 500: "An internal error has occurred." };
  return { error: { code: status, message: messages[status] ?? `HTTP ${status}`, status: GEMINI_STATUS[status] ?? "UNKNOWN" } };
}

const geminiModel = (url) => decodeURIComponent(url.pathname.match(/\/models\/([^/:]+):/)?.[1] ?? "");

function geminiParts(turn, pieces) {
  const parts = [];
  if (turn.reasoning) parts.push({ text: turn.reasoning, thought: true, thoughtSignature: signature(turn.reasoning) });
  if (pieces) for (const piece of pieces) parts.push({ text: piece });
  else if (turn.text !== undefined) parts.push({ text: turn.text });
  for (const call of turn.toolCalls ?? []) parts.push({ functionCall: { name: call.name, args: call.arguments ?? {} } });
  return parts;
}

const gemini = {
  name: "gemini-generate",
  kind: "completion",
  matches: (method, path) => method === "POST" && /\/models\/[^/]+:(generateContent|streamGenerateContent)$/.test(path),
  model: (_body, url) => geminiModel(url),
  isStreaming: (_body, url) => url.pathname.endsWith(":streamGenerateContent"),
  errorBody: geminiError,
  streamError: () => sse(geminiError(500)),
  conversation(body) {
    const c = emptyConversation();
    c.system = (body.systemInstruction?.parts ?? []).map((p) => p.text ?? "").join("");
    let callIndex = 0;
    for (const content of body.contents ?? []) {
      const parts = content.parts ?? [];
      if (content.role === "model") {
        c.messages.push({
          role: "assistant",
          text: parts.map((p) => p.text ?? "").join(""),
          toolCalls: parts.filter((p) => p.functionCall).map((p) => ({ id: p.functionCall.id ?? `gemini_${callIndex++}`, name: p.functionCall.name, arguments: p.functionCall.args })),
        });
      } else {
        const responses = parts.filter((p) => p.functionResponse);
        for (const part of responses) {
          const response = part.functionResponse.response;
          const content = typeof response?.result === "string" ? response.result : typeof response?.content === "string" ? response.content : JSON.stringify(response);
          pushToolResult(c, { id: part.functionResponse.id ?? part.functionResponse.name, name: part.functionResponse.name, content });
        }
        const text = parts.map((p) => p.text ?? "").join("");
        if (text || responses.length === 0) pushUser(c, text);
      }
    }
    c.tools = (body.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []).map((d) => ({ name: d.name, description: d.description, parameters: d.parameters ?? d.parametersJsonSchema }));
    return nameResults(c);
  },
  whole({ model, turn, usage }) {
    return {
      candidates: [{ content: { role: "model", parts: geminiParts(turn) }, finishReason: "STOP", index: 0 }],
      usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output },
      modelVersion: model,
      responseId: nextId("gem"),
    };
  },
  stream({ model, turn, pieces, usage }) {
    const responseId = nextId("gem");
    const events = [];
    if (turn.toolCalls) {
      events.push({ text: sse({ candidates: [{ content: { role: "model", parts: geminiParts(turn, []) }, index: 0 }], modelVersion: model, responseId }) });
    } else {
      if (turn.reasoning) {
        const thought = { text: turn.reasoning, thought: true, thoughtSignature: signature(turn.reasoning) };
        events.push({ text: sse({ candidates: [{ content: { role: "model", parts: [thought] }, index: 0 }], modelVersion: model, responseId }) });
      }
      for (const piece of pieces) {
        events.push({ text: sse({ candidates: [{ content: { role: "model", parts: [{ text: piece }] }, index: 0 }], modelVersion: model, responseId }) });
      }
    }
    events.push({
      text: sse({
        candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output },
        modelVersion: model,
        responseId,
      }),
      terminal: true,
    });
    return events;
  },
};

const geminiEmbeddings = {
  name: "gemini-embeddings",
  kind: "embeddings",
  matches: (method, path) => method === "POST" && /\/models\/[^/]+:(batchEmbedContents|embedContent)$/.test(path),
  model: (_body, url) => geminiModel(url),
  errorBody: geminiError,
  embed(body, url) {
    const requests = body.requests ?? [body];
    const embeddings = requests.map((request) => {
      const text = (request.content?.parts ?? []).map((p) => p.text ?? "").join("");
      return { values: embedText(text, request.outputDimensionality ?? 768) };
    });
    return url.pathname.endsWith(":embedContent") ? { embedding: embeddings[0] } : { embeddings };
  },
};

// ---------------------------------------------------------------------------
// Cohere — POST {base}/v2/chat (JSON or SSE), POST {base}/v1/embed

function cohereError(status) {
  const messages = { 400: "invalid request", 401: "invalid api token", 404: "model 'missing-model' not found, make sure the correct model ID was used and that you have access to the model.", 429: "You are using a Trial key, which is limited to 10 API calls / minute.", 500: "internal server error, this has been reported to our developers" };
  return { id: nextId("err"), message: messages[status] ?? `HTTP ${status}` };
}

function cohereMessage(turn) {
  const message = { role: "assistant" };
  const thinking = turn.reasoning ? [{ type: "thinking", thinking: turn.reasoning }] : [];
  if (turn.toolCalls) {
    if (thinking.length) message.content = thinking;
    message.tool_plan = "I will use the tools.";
    message.tool_calls = turn.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: argsText(call.arguments) } }));
  } else {
    message.content = [...thinking, { type: "text", text: turn.text }];
  }
  return message;
}

function cohereUsage(usage) {
  return { billed_units: { input_tokens: usage.input, output_tokens: usage.output }, tokens: { input_tokens: usage.input, output_tokens: usage.output } };
}

const cohere = {
  name: "cohere-chat",
  kind: "completion",
  matches: (method, path) => method === "POST" && path.endsWith("/v2/chat"),
  model: (body) => body.model,
  isStreaming: (body) => body.stream === true,
  errorBody: cohereError,
  streamError: () => sse({ type: "message-end", delta: { finish_reason: "ERROR", error: "internal server error" } }, "message-end"),
  conversation(body) {
    const c = emptyConversation();
    for (const message of body.messages ?? []) {
      const text = contentText(message.content ?? "");
      if (message.role === "system") c.system += text;
      else if (message.role === "user") pushUser(c, text);
      else if (message.role === "assistant") {
        c.messages.push({ role: "assistant", text, toolCalls: (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function?.name, arguments: parseArgs(call.function?.arguments) })) });
      } else if (message.role === "tool") {
        const content = Array.isArray(message.content) ? message.content.map((part) => (part.type === "document" ? JSON.stringify(part.document?.data ?? part.document) : (part.text ?? ""))).join("") : contentText(message.content);
        pushToolResult(c, { id: message.tool_call_id, content });
      }
    }
    // Cohere v2 also takes retrieved documents in `documents`.
    for (const doc of body.documents ?? []) {
      c.documents.push({ id: doc.id ?? "", text: typeof doc === "string" ? doc : JSON.stringify(doc.data ?? doc) });
    }
    c.tools = (body.tools ?? []).map((tool) => tool.function ?? tool);
    return nameResults(c);
  },
  whole({ turn, usage }) {
    return { id: nextId("co"), finish_reason: turn.toolCalls ? "TOOL_CALL" : "COMPLETE", message: cohereMessage(turn), usage: cohereUsage(usage) };
  },
  stream({ turn, pieces, usage }) {
    const id = nextId("co");
    const ev = (type, data) => ({ text: sse({ type, ...data }, type) });
    const events = [ev("message-start", { id, delta: { message: { role: "assistant", content: [], tool_plan: "", tool_calls: [], citations: [] } } })];
    let index = 0;
    if (turn.reasoning) {
      events.push(ev("content-start", { index, delta: { message: { content: { type: "thinking", thinking: "" } } } }));
      for (const part of halves(turn.reasoning)) events.push(ev("content-delta", { index, delta: { message: { content: { thinking: part } } } }));
      events.push(ev("content-end", { index }));
      index++;
    }
    if (turn.toolCalls) {
      events.push(ev("tool-plan-delta", { delta: { message: { tool_plan: "I will use the tools." } } }));
      turn.toolCalls.forEach((call, index) => {
        events.push(ev("tool-call-start", { index, delta: { message: { tool_calls: { id: call.id, type: "function", function: { name: call.name, arguments: "" } } } } }));
        events.push(ev("tool-call-delta", { index, delta: { message: { tool_calls: { function: { arguments: argsText(call.arguments) } } } } }));
        events.push(ev("tool-call-end", { index }));
      });
    } else {
      events.push(ev("content-start", { index, delta: { message: { content: { type: "text", text: "" } } } }));
      for (const piece of pieces) events.push(ev("content-delta", { index, delta: { message: { content: { text: piece } } } }));
      events.push(ev("content-end", { index }));
    }
    events.push({ ...ev("message-end", { delta: { finish_reason: turn.toolCalls ? "TOOL_CALL" : "COMPLETE", usage: cohereUsage(usage) } }), terminal: true });
    return events;
  },
};

const cohereEmbeddings = {
  name: "cohere-embed",
  kind: "embeddings",
  matches: (method, path) => method === "POST" && /\/v[12]\/embed$/.test(path),
  model: (body) => body.model,
  errorBody: cohereError,
  embed(body) {
    const texts = body.texts ?? [];
    const dims = body.output_dimension ?? 1024;
    const vectors = texts.map((text) => embedText(String(text), dims));
    const typed = Array.isArray(body.embedding_types) && body.embedding_types.length > 0;
    return { id: nextId("emb"), embeddings: typed ? { float: vectors } : vectors, texts, meta: { api_version: { version: "1" }, billed_units: { input_tokens: texts.join(" ").length } } };
  },
};

// ---------------------------------------------------------------------------
// Ollama native — POST {host}/api/chat (JSON or NDJSON), POST {host}/api/embed

const ollamaError = (status) => ({ error: status === 404 ? "model 'missing-model' not found" : status === 401 ? "unauthorized" : `HTTP ${status}` });

function ollamaMessage(turn, content) {
  const message = { role: "assistant", content };
  if (turn.reasoning) message.thinking = turn.reasoning;
  if (turn.toolCalls) message.tool_calls = turn.toolCalls.map((call) => ({ function: { name: call.name, arguments: call.arguments ?? {} } }));
  return message;
}

const ollama = {
  name: "ollama-chat",
  kind: "completion",
  streamContentType: "application/x-ndjson",
  matches: (method, path) => method === "POST" && path.endsWith("/api/chat"),
  model: (body) => body.model,
  // Ollama streams unless told not to.
  isStreaming: (body) => body.stream !== false,
  errorBody: ollamaError,
  streamError: () => `${JSON.stringify({ error: "an error was encountered while running the model" })}\n`,
  conversation(body) {
    const c = emptyConversation();
    let toolIndex = 0;
    for (const message of body.messages ?? []) {
      const text = typeof message.content === "string" ? message.content : contentText(message.content);
      if (message.role === "system") c.system += text;
      else if (message.role === "user") pushUser(c, text);
      else if (message.role === "assistant") {
        c.messages.push({ role: "assistant", text, toolCalls: (message.tool_calls ?? []).map((call) => ({ id: call.id ?? `ollama_${toolIndex++}`, name: call.function?.name, arguments: call.function?.arguments })) });
      } else if (message.role === "tool") {
        pushToolResult(c, { id: message.tool_call_id ?? message.tool_name ?? "", name: message.tool_name, content: text });
      }
    }
    c.tools = (body.tools ?? []).map((tool) => tool.function ?? tool);
    return nameResults(c);
  },
  whole({ model, turn, usage }) {
    return {
      model,
      created_at: new Date().toISOString(),
      message: ollamaMessage(turn, turn.toolCalls ? "" : turn.text),
      done: true,
      done_reason: "stop",
      total_duration: 1000000,
      load_duration: 1000,
      prompt_eval_count: usage.input,
      prompt_eval_duration: 1000,
      eval_count: usage.output,
      eval_duration: 1000,
    };
  },
  stream({ model, turn, pieces, usage }) {
    const line = (value) => ({ text: `${JSON.stringify(value)}\n` });
    const created = () => new Date().toISOString();
    const events = [];
    for (const part of halves(turn.reasoning)) events.push(line({ model, created_at: created(), message: { role: "assistant", content: "", thinking: part }, done: false }));
    if (turn.toolCalls) {
      events.push(line({ model, created_at: created(), message: ollamaMessage({ ...turn, reasoning: undefined }, ""), done: false }));
    } else {
      for (const piece of pieces) events.push(line({ model, created_at: created(), message: { role: "assistant", content: piece }, done: false }));
    }
    events.push({
      ...line({ model, created_at: created(), message: { role: "assistant", content: "" }, done: true, done_reason: "stop", total_duration: 1000000, load_duration: 1000, prompt_eval_count: usage.input, prompt_eval_duration: 1000, eval_count: usage.output, eval_duration: 1000 }),
      terminal: true,
    });
    return events;
  },
};

const ollamaEmbeddings = {
  name: "ollama-embed",
  kind: "embeddings",
  matches: (method, path) => method === "POST" && path.endsWith("/api/embed"),
  model: (body) => body.model,
  errorBody: ollamaError,
  embed(body) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    return { model: body.model, embeddings: inputs.map((text) => embedText(String(text), body.dimensions ?? 768)), total_duration: 1000, load_duration: 100, prompt_eval_count: inputs.length };
  },
};

export const nativeWires = [anthropic, gemini, geminiEmbeddings, cohere, cohereEmbeddings, ollama, ollamaEmbeddings];
