// Generated from crates/rig-wasm/src/contract.rs and error.rs by
// `UPDATE_CONTRACT=1 cargo test -p rig-wasm contract`. Do not edit.

/**
 * Stable error codes. The strings are part of the public API: never rename.
 */
export type ErrorCode = "invalid_argument" | "not_initialized" | "authentication" | "not_found" | "bad_request" | "rate_limited" | "server_error" | "http_error" | "connection_error" | "timeout" | "aborted" | "invalid_response" | "tool_error" | "max_turns" | "vector_store" | "unsupported" | "internal";

/**
 * A failure on its way to JavaScript (the data of every `RigError`).
 */
export type BindError = { code: ErrorCode, message: string, field?: string, statusCode?: number, provider?: string, isRetryable: boolean, responseBody?: string, requestId?: string, 
/**
 * How long a 429 asked the caller to wait, in milliseconds.
 */
retryAfterMs?: number, };

/**
 * Token counts of a call (an agent run sums its model calls).
 */
export type Usage = { inputTokens: number, outputTokens: number, totalTokens: number, };

/**
 * A part of a message's content, as rig-wasm returns it. The same parts are
 * accepted back in a history (`native` included), so a conversation can
 * continue from any response.
 */
export type ContentPart = { "type": "text", text: string, 
/**
 * The provider's own item for this block, sent back as it came.
 */
native?: unknown, }
  | { "type": "toolCall", 
/**
 * The provider's call id (or one Rig issued when it sent none).
 */
id: string, name: string, arguments: Record<string, unknown>, native?: unknown, }
  | { "type": "toolResult", 
/**
 * The id of the call this answers.
 */
id: string, name: string, content: string, isError: boolean, }
  | { "type": "reasoning", text: string, 
/**
 * Whether the provider withheld the text (`text` is then empty).
 */
redacted?: boolean, native?: unknown, };

/**
 * A message as rig-wasm returns it (`AgentResponse.messages`).
 */
export type ResponseMessage = { "role": "system", content: Array<ContentPart>, }
  | { "role": "user", content: Array<ContentPart>, }
  | { "role": "assistant", content: Array<ContentPart>, 
/**
 * Which provider, API and model produced the turn. Sent back with
 * the turn, it lets that provider take its own items (reasoning
 * signatures, item ids) again.
 */
origin?: unknown, };

/**
 * What an agent run resolves to.
 */
export type AgentResponse = { 
/**
 * The final answer.
 */
text: string, 
/**
 * Summed over every model call of the run.
 */
usage: Usage, 
/**
 * The messages the run added (tool calls and results included): pass
 * them back in a history to continue the conversation.
 */
messages: Array<ResponseMessage>, };

/**
 * What one low-level completion call resolves to.
 */
export type CompletionResponse = { 
/**
 * The assistant's content blocks, in order.
 */
choice: Array<ContentPart>, 
/**
 * The text blocks joined.
 */
text: string, usage: Usage, requestId?: string | null, };

/**
 * Why a model call stopped.
 */
export type FinishReason = "stop" | "length" | "toolCalls" | "contentFilter" | "other";

/**
 * One part of a streamed run. Parts of one text, reasoning or tool-call
 * block share an `id` (unique within the stream); `text` is the answer's
 * text on `textDelta` parts and `null` on every other, so printing every
 * non-null `text` prints exactly the model's answer.
 */
export type StreamPart = { "type": "textStart", id: string, text: null, }
  | { "type": "textDelta", id: string, text: string, }
  | { "type": "textEnd", id: string, text: null, }
  | { "type": "reasoningStart", id: string, text: null, }
  | { "type": "reasoningDelta", id: string, text: null, delta: string, }
  | { "type": "reasoningEnd", id: string, text: null, }
  | { "type": "toolCallStart", id: string, toolName: string, text: null, }
  | { "type": "toolCallDelta", id: string, toolName: string, text: null, delta: string, }
  | { "type": "toolCallEnd", id: string, toolName: string, callId: string, arguments: Record<string, unknown>, text: null, }
  | { "type": "toolResult", callId: string, toolName: string, result: string, isError: boolean, text: null, }
  | { "type": "stepFinish", 
/**
 * 0-based index of the model call in the run.
 */
step: number, usage: Usage, finishReason: FinishReason | null, text: null, }
  | { "type": "finish", output: string, usage: Usage, messages: Array<ResponseMessage>, text: null, }
  | { "type": "error", error: BindError, text: null, };

/**
 * What one read of a stream returns: the parts ready now, and whether the
 * stream has ended (after them).
 */
export type StreamBatch = { parts: Array<StreamPart>, done: boolean, };

/**
 * A provider of this build.
 */
export type ProviderInfo = { id: string, completion: boolean, embeddings: boolean, keyRequired: boolean, };

/**
 * How to reach a provider: every agent and model takes these.
 */
export type ConnectionInput = { 
/**
 * The provider's API key. Optional when `baseURL` points at a proxy.
 */
apiKey?: string, 
/**
 * Send requests here instead of the provider's default endpoint.
 */
baseURL?: string, 
/**
 * Extra headers on every request.
 */
headers?: { [key in string]: string }, 
/**
 * Retries on connection errors and retryable statuses (default 2; 0 disables).
 */
maxRetries?: number, 
/**
 * Default timeout of every call, in milliseconds.
 */
timeoutMs?: number, 
/**
 * How long a streamed reply may send nothing while it is being read
 * before the call fails with a `TimeoutError` (default 300 000).
 */
streamIdleTimeoutMs?: number, };

/**
 * Which endpoint a provider's models use.
 */
export type ApiName = "responses" | "chat" | "messages";

/**
 * A document given to the model as context.
 */
export type DocumentData = { id?: string, text: string, 
/**
 * Extra properties, rendered before the text.
 */
additionalProps?: { [key in string]: string }, };

/**
 * A document, or its text alone.
 */
export type DocumentInput = string | DocumentData;

/**
 * Where an agent finds documents for each prompt (the store itself stays
 * in JavaScript).
 */
export type DynamicContextInput = { 
/**
 * How many documents to retrieve per prompt (default 3).
 */
sample?: number, };

/**
 * `new Agent({...})`, the parts that cross to Rust.
 */
export type AgentInput = { 
/**
 * The model id, e.g. `"gpt-4o"`.
 */
model: string, api?: ApiName, 
/**
 * The system prompt.
 */
preamble?: string, 
/**
 * Sampling temperature, 0 to 2.
 */
temperature?: number, 
/**
 * The most tokens the model may produce per turn.
 */
maxTokens?: number, 
/**
 * Provider-specific request fields, merged into each request.
 */
additionalParams?: Record<string, unknown>, 
/**
 * Model calls per prompt, tool rounds included (default 10).
 */
maxTurns?: number, 
/**
 * Documents given with every prompt.
 */
context?: Array<DocumentInput>, dynamicContext?: DynamicContextInput, 
/**
 * The provider's API key. Optional when `baseURL` points at a proxy.
 */
apiKey?: string, 
/**
 * Send requests here instead of the provider's default endpoint.
 */
baseURL?: string, 
/**
 * Extra headers on every request.
 */
headers?: { [key in string]: string }, 
/**
 * Retries on connection errors and retryable statuses (default 2; 0 disables).
 */
maxRetries?: number, 
/**
 * Default timeout of every call, in milliseconds.
 */
timeoutMs?: number, 
/**
 * How long a streamed reply may send nothing while it is being read
 * before the call fails with a `TimeoutError` (default 300 000).
 */
streamIdleTimeoutMs?: number, };

/**
 * `new CompletionModel({...})`.
 */
export type CompletionModelInput = { model: string, api?: ApiName, 
/**
 * The provider's API key. Optional when `baseURL` points at a proxy.
 */
apiKey?: string, 
/**
 * Send requests here instead of the provider's default endpoint.
 */
baseURL?: string, 
/**
 * Extra headers on every request.
 */
headers?: { [key in string]: string }, 
/**
 * Retries on connection errors and retryable statuses (default 2; 0 disables).
 */
maxRetries?: number, 
/**
 * Default timeout of every call, in milliseconds.
 */
timeoutMs?: number, 
/**
 * How long a streamed reply may send nothing while it is being read
 * before the call fails with a `TimeoutError` (default 300 000).
 */
streamIdleTimeoutMs?: number, };

/**
 * `new EmbeddingModel({...})`.
 */
export type EmbeddingModelInput = { 
/**
 * The embedding model id, e.g. `"text-embedding-3-small"`.
 */
modelName: string, 
/**
 * Output dimensions, for models that can shorten their vectors.
 */
dimensions?: number, 
/**
 * The provider's API key. Optional when `baseURL` points at a proxy.
 */
apiKey?: string, 
/**
 * Send requests here instead of the provider's default endpoint.
 */
baseURL?: string, 
/**
 * Extra headers on every request.
 */
headers?: { [key in string]: string }, 
/**
 * Retries on connection errors and retryable statuses (default 2; 0 disables).
 */
maxRetries?: number, 
/**
 * Default timeout of every call, in milliseconds.
 */
timeoutMs?: number, 
/**
 * How long a streamed reply may send nothing while it is being read
 * before the call fails with a `TimeoutError` (default 300 000).
 */
streamIdleTimeoutMs?: number, };

/**
 * Options of one agent call (`prompt`, `chat`, `generate`, `promptStream`).
 */
export type AgentCallInput = { 
/**
 * Model calls for this prompt (overrides the agent's `maxTurns`).
 */
maxTurns?: number, temperature?: number, maxTokens?: number, 
/**
 * Retries for this call (default: the model's `maxRetries`).
 */
maxRetries?: number, 
/**
 * Fails the call with a `TimeoutError` after this many milliseconds.
 */
timeoutMs?: number, };

/**
 * Options of one model call (`completion`, `embedText`, `embedTexts`); an
 * agent call takes these too.
 */
export type ModelCallInput = { 
/**
 * Retries for this call (default: the model's `maxRetries`).
 */
maxRetries?: number, 
/**
 * Fails the call with a `TimeoutError` after this many milliseconds.
 */
timeoutMs?: number, };

/**
 * Azure's own options.
 */
export type AzureInput = { 
/**
 * Your resource endpoint, e.g. `https://my-resource.openai.azure.com`.
 */
endpoint?: string, 
/**
 * The deployment (Azure's name for the model).
 */
deployment?: string, 
/**
 * The `api-version` query parameter (default 2024-10-21).
 */
apiVersion?: string, };

/**
 * Ollama's own options.
 */
export type OllamaInput = { 
/**
 * The daemon's address (default http://localhost:11434).
 */
host?: string, };

/**
 * An OpenAI-compatible server's own options.
 */
export type CompatibleInput = { 
/**
 * The provider name errors report (default `"compatible"`).
 */
name?: string, };

/**
 * What the model is told about a tool.
 */
export type ToolDefinitionInput = { 
/**
 * 1–64 characters of a-z, A-Z, 0-9, `_` or `-`, unique among the tools.
 */
name: string, description: string, 
/**
 * JSON Schema of the arguments.
 */
parameters: Record<string, unknown>, };

/**
 *The tag `"text"`.
 */
export type TextTag = "text";

/**
 *The tag `"toolCall"`.
 */
export type ToolCallTag = "toolCall";

/**
 *The tag `"toolResult"`.
 */
export type ToolResultTag = "toolResult";

/**
 *The tag `"reasoning"`.
 */
export type ReasoningTag = "reasoning";

/**
 * A text part of a message.
 */
export type TextContent = { type: TextTag, text: string, 
/**
 * The provider's own item for this block, as rig-wasm returned it.
 */
native?: unknown, };

/**
 * A tool call the assistant made.
 */
export type ToolCallContent = { type: ToolCallTag, id: string, name: string, 
/**
 * The arguments object (or its JSON text).
 */
arguments: Record<string, unknown> | string, native?: unknown, };

/**
 * The result of a tool call, sent back on a user turn.
 */
export type ToolResultContent = { type: ToolResultTag, 
/**
 * The id of the call this answers.
 */
id: string, name?: string, content: string, isError?: boolean, };

/**
 * Reasoning the model showed; with `native`, the provider takes its own
 * reasoning item back.
 */
export type ReasoningContent = { type: ReasoningTag, text: string, redacted?: boolean, native?: unknown, };

/**
 * A part of a user message.
 */
export type UserContent = TextContent | ToolResultContent;

/**
 * A part of an assistant message.
 */
export type AssistantContent = TextContent | ToolCallContent | ReasoningContent;

/**
 * A message's content: its text alone, or its parts.
 */
export type UserMessageContent = string | Array<UserContent>;

export type AssistantMessageContent = string | Array<AssistantContent>;

export type SystemMessageContent = string | Array<TextContent>;

export type RoleMessage = { "role": "user", content: UserMessageContent, }
  | { "role": "assistant", content: AssistantMessageContent, 
/**
 * As rig-wasm returned it with the turn.
 */
origin?: unknown, }
  | { "role": "system", content: SystemMessageContent, };

/**
 * One message of a conversation. In a history a bare string is a text
 * message whose role alternates with the one before it (the first is the
 * user's): `["Hi", "Hello!"]`.
 */
export type MessageInput = string | RoleMessage;

/**
 * A single low-level completion call: no agent loop, no tool execution.
 */
export type CompletionRequestInput = { preamble?: string, 
/**
 * The conversation; the last message is the prompt.
 */
messages: Array<MessageInput>, documents?: Array<DocumentInput>, tools?: Array<ToolDefinitionInput>, temperature?: number, maxTokens?: number, additionalParams?: Record<string, unknown>, };

/**
 * What a JavaScript vector store is asked by an agent's dynamic context.
 */
export type StoreQuery = { 
/**
 * The prompt's text.
 */
query: string, 
/**
 * How many results.
 */
samples: number, 
/**
 * The lowest score a result may have.
 */
threshold?: number, };
