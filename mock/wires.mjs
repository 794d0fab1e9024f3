// Wire formats of the mock server, written from the providers' public API
// references. Each wire turns a request body into the brain's neutral
// conversation and the brain's turn back into the provider's JSON reply or
// its stream (SSE or NDJSON).

import { extractDocuments, withoutDocuments } from "./brain.mjs";
import { embedText } from "./embed.mjs";

let serial = 0;
const nextId = (prefix) => `${prefix}_${(++serial).toString(36).padStart(6, "0")}`;
const now = () => Math.floor(Date.now() / 1000);

function sse(data, event) {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}

/** A text in two pieces (none when there is no text), for deltas. */
function halves(text) {
  if (!text) return [];
  const cut = Math.ceil(text.length / 2);
  return [text.slice(0, cut), text.slice(cut)].filter(Boolean);
}

function argsText(args) {
  return typeof args === "string" ? args : JSON.stringify(args ?? {});
}

function parseArgs(text) {
  if (typeof text !== "string") return text ?? {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Text of OpenAI-style content: a string or an array of parts. */
function contentText(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part === "string" ? part : (part.text ?? part.input_text ?? "")))
    .join("");
}

/** Add a user text to a conversation, pulling out Rig's `<file>` documents. */
function pushUser(conversation, text) {
  conversation.documents.push(...extractDocuments(text));
  conversation.messages.push({ role: "user", text: withoutDocuments(text) });
}

function pushToolResult(conversation, result) {
  const last = conversation.messages[conversation.messages.length - 1];
  if (last && last.role === "tool") last.toolResults.push(result);
  else conversation.messages.push({ role: "tool", text: "", toolResults: [result] });
}

function emptyConversation() {
  return { system: "", messages: [], tools: [], documents: [] };
}

/** Name the tool of each result by its call, for readable answers. */
function nameResults(conversation) {
  const names = new Map();
  for (const message of conversation.messages) {
    for (const call of message.toolCalls ?? []) names.set(call.id, call.name);
  }
  for (const message of conversation.messages) {
    for (const result of message.toolResults ?? []) result.name ??= names.get(result.id);
  }
  return conversation;
}

function openaiError(status) {
  const table = {
    400: ["Invalid request: the request body is malformed.", "invalid_request_error", null],
    401: ["Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", "invalid_api_key"],
    403: ["You are not allowed to sample from this model", "invalid_request_error", null],
    404: ["The model `missing-model` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"],
    408: ["Request timed out.", "timeout", null],
    409: ["Conflict, please retry.", "conflict", null],
    429: ["Rate limit reached for requests. Please try again later.", "requests", "rate_limit_exceeded"],
    500: ["The server had an error while processing your request. Sorry about that!", "server_error", null],
    502: ["Bad gateway.", "server_error", null],
    503: ["The engine is currently overloaded, please try again later.", "server_error", null],
  };
  const [message, type, code] = table[status] ?? [`HTTP ${status}`, "error", null];
  return { error: { message, type, param: null, code } };
}

// ---------------------------------------------------------------------------
// OpenAI Chat Completions — POST {base}/chat/completions

/** The model: in the body, or in an Azure deployment URL. */
const modelOf = (body, url) => body.model ?? decodeURIComponent(url?.pathname.match(/\/deployments\/([^/]+)\//)?.[1] ?? "");

const openaiChat = {
  name: "openai-chat",
  kind: "completion",
  matches: (method, path) => method === "POST" && path.endsWith("/chat/completions"),
  model: modelOf,
  isStreaming: (body) => body.stream === true,
  errorBody: openaiError,
  streamError: () => sse({ error: { message: "The server had an error while processing your request.", type: "server_error" } }),
  conversation(body) {
    const c = emptyConversation();
    for (const message of body.messages ?? []) {
      if (message.role === "system" || message.role === "developer") c.system += contentText(message.content);
      else if (message.role === "user") pushUser(c, contentText(message.content));
      else if (message.role === "assistant") {
        c.messages.push({
          role: "assistant",
          text: contentText(message.content ?? ""),
          toolCalls: (message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function?.name, arguments: parseArgs(call.function?.arguments) })),
        });
      } else if (message.role === "tool") {
        pushToolResult(c, { id: message.tool_call_id, content: contentText(message.content) });
      }
    }
    c.tools = (body.tools ?? []).map((tool) => tool.function ?? tool);
    return nameResults(c);
  },
  whole({ model, turn, usage }) {
    const message = { role: "assistant", content: turn.toolCalls ? (turn.text ?? null) : turn.text, refusal: null };
    // Reasoning as DeepSeek-style servers return it.
    if (turn.reasoning) message.reasoning_content = turn.reasoning;
    if (turn.toolCalls) {
      message.tool_calls = turn.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: argsText(call.arguments) } }));
    }
    return {
      id: nextId("chatcmpl"),
      object: "chat.completion",
      created: now(),
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: turn.toolCalls ? "tool_calls" : "stop" }],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
      system_fingerprint: "fp_mock",
    };
  },
  stream({ model, turn, pieces, usage }) {
    const id = nextId("chatcmpl");
    const created = now();
    const chunk = (delta, finish = null) =>
      sse({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_mock", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const events = [{ text: chunk({ role: "assistant", content: "" }) }];
    for (const part of halves(turn.reasoning)) events.push({ text: chunk({ reasoning_content: part }) });
    if (turn.toolCalls) {
      turn.toolCalls.forEach((call, index) => {
        events.push({ text: chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }) });
        const args = argsText(call.arguments);
        const half = Math.ceil(args.length / 2);
        for (const part of [args.slice(0, half), args.slice(half)]) {
          if (part) events.push({ text: chunk({ tool_calls: [{ index, function: { arguments: part } }] }) });
        }
      });
    } else {
      for (const piece of pieces) events.push({ text: chunk({ content: piece }) });
    }
    events.push({ text: chunk({}, turn.toolCalls ? "tool_calls" : "stop") });
    events.push({
      text: sse({ id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }),
      terminal: true,
    });
    events.push({ text: sse("[DONE]"), terminal: true });
    return events;
  },
};

// ---------------------------------------------------------------------------
// OpenAI Responses — POST {base}/responses

function responsesOutput(turn) {
  const output = [];
  if (turn.reasoning) {
    output.push({
      type: "reasoning",
      id: nextId("rs"),
      summary: [{ type: "summary_text", text: turn.reasoning }],
      encrypted_content: `enc_${Buffer.from(turn.reasoning).toString("base64")}`,
    });
  }
  if (turn.text !== undefined && !turn.toolCalls) {
    output.push({ type: "message", id: nextId("msg"), status: "completed", role: "assistant", content: [{ type: "output_text", text: turn.text, annotations: [] }] });
  }
  for (const call of turn.toolCalls ?? []) {
    output.push({ type: "function_call", id: nextId("fc"), call_id: call.id, name: call.name, arguments: argsText(call.arguments), status: "completed" });
  }
  return output;
}

function responsesUsage(usage) {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.input + usage.output,
  };
}

const openaiResponses = {
  name: "openai-responses",
  kind: "completion",
  matches: (method, path) => method === "POST" && path.endsWith("/responses"),
  model: (body) => body.model,
  isStreaming: (body) => body.stream === true,
  errorBody: openaiError,
  streamError: () => sse({ type: "error", code: "server_error", message: "The server had an error while processing your request.", param: null, sequence_number: 1 }, "error"),
  conversation(body) {
    const c = emptyConversation();
    if (typeof body.instructions === "string") c.system += body.instructions;
    const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : (body.input ?? []);
    for (const item of input) {
      const type = item.type ?? "message";
      if (type === "message") {
        const text = contentText(item.content);
        if (item.role === "system" || item.role === "developer") c.system += text;
        else if (item.role === "user") pushUser(c, text);
        else c.messages.push({ role: "assistant", text, toolCalls: [] });
      } else if (type === "function_call") {
        const last = c.messages[c.messages.length - 1];
        const call = { id: item.call_id, name: item.name, arguments: parseArgs(item.arguments) };
        if (last && last.role === "assistant") last.toolCalls.push(call);
        else c.messages.push({ role: "assistant", text: "", toolCalls: [call] });
      } else if (type === "function_call_output") {
        pushToolResult(c, { id: item.call_id, content: typeof item.output === "string" ? item.output : contentText(item.output) });
      }
    }
    c.tools = (body.tools ?? []).filter((tool) => tool.type === "function" || tool.name).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }));
    return nameResults(c);
  },
  whole({ model, turn, usage }) {
    return {
      id: nextId("resp"),
      object: "response",
      created_at: now(),
      status: "completed",
      error: null,
      incomplete_details: null,
      model,
      output: responsesOutput(turn),
      parallel_tool_calls: true,
      usage: responsesUsage(usage),
    };
  },
  stream({ model, turn, pieces, usage }) {
    const id = nextId("resp");
    let seq = 0;
    const ev = (type, data) => sse({ type, sequence_number: seq++, ...data }, type);
    const base = { id, object: "response", created_at: now(), model, status: "in_progress", output: [] };
    const events = [{ text: ev("response.created", { response: base }) }, { text: ev("response.in_progress", { response: base }) }];
    const output = responsesOutput(turn);
    output.forEach((item, outputIndex) => {
      if (item.type === "reasoning") {
        events.push({ text: ev("response.output_item.added", { output_index: outputIndex, item: { ...item, summary: [] } }) });
        events.push({ text: ev("response.reasoning_summary_part.added", { item_id: item.id, output_index: outputIndex, summary_index: 0, part: { type: "summary_text", text: "" } }) });
        for (const part of halves(item.summary[0].text)) {
          events.push({ text: ev("response.reasoning_summary_text.delta", { item_id: item.id, output_index: outputIndex, summary_index: 0, delta: part }) });
        }
        events.push({ text: ev("response.reasoning_summary_text.done", { item_id: item.id, output_index: outputIndex, summary_index: 0, text: item.summary[0].text }) });
        events.push({ text: ev("response.output_item.done", { output_index: outputIndex, item }) });
      } else if (item.type === "message") {
        const itemId = item.id;
        events.push({ text: ev("response.output_item.added", { output_index: outputIndex, item: { ...item, status: "in_progress", content: [] } }) });
        events.push({ text: ev("response.content_part.added", { item_id: itemId, output_index: outputIndex, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }) });
        for (const piece of pieces) {
          events.push({ text: ev("response.output_text.delta", { item_id: itemId, output_index: outputIndex, content_index: 0, delta: piece }) });
        }
        events.push({ text: ev("response.output_text.done", { item_id: itemId, output_index: outputIndex, content_index: 0, text: turn.text }) });
        events.push({ text: ev("response.content_part.done", { item_id: itemId, output_index: outputIndex, content_index: 0, part: item.content[0] }) });
        events.push({ text: ev("response.output_item.done", { output_index: outputIndex, item }) });
      } else {
        events.push({ text: ev("response.output_item.added", { output_index: outputIndex, item: { ...item, arguments: "", status: "in_progress" } }) });
        const half = Math.ceil(item.arguments.length / 2);
        for (const part of [item.arguments.slice(0, half), item.arguments.slice(half)]) {
          if (part) events.push({ text: ev("response.function_call_arguments.delta", { item_id: item.id, output_index: outputIndex, delta: part }) });
        }
        events.push({ text: ev("response.function_call_arguments.done", { item_id: item.id, output_index: outputIndex, arguments: item.arguments }) });
        events.push({ text: ev("response.output_item.done", { output_index: outputIndex, item }) });
      }
    });
    events.push({
      text: ev("response.completed", { response: { ...base, status: "completed", output, usage: responsesUsage(usage) } }),
      terminal: true,
    });
    return events;
  },
};

// ---------------------------------------------------------------------------
// OpenAI Embeddings — POST {base}/embeddings

function floatsToBase64(values) {
  return Buffer.from(new Float32Array(values).buffer).toString("base64");
}

const openaiEmbeddings = {
  name: "openai-embeddings",
  kind: "embeddings",
  matches: (method, path) => method === "POST" && path.endsWith("/embeddings"),
  model: modelOf,
  errorBody: openaiError,
  embed(body) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const dims = body.dimensions ?? body.output_dimension ?? (/large/.test(body.model ?? "") ? 3072 : 1536);
    const base64 = body.encoding_format === "base64";
    return {
      object: "list",
      data: inputs.map((text, index) => {
        const vector = embedText(String(text), dims);
        return { object: "embedding", index, embedding: base64 ? floatsToBase64(vector) : vector };
      }),
      model: body.model,
      usage: { prompt_tokens: inputs.reduce((n, t) => n + Math.ceil(String(t).length / 4), 0), total_tokens: inputs.reduce((n, t) => n + Math.ceil(String(t).length / 4), 0) },
    };
  },
};

export const wires = [openaiChat, openaiResponses, openaiEmbeddings];
export { contentText, emptyConversation, halves, nameResults, nextId, now, parseArgs, pushToolResult, pushUser, sse, argsText };
