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
text: string, usage: Usage, requestId: string | null, };

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
