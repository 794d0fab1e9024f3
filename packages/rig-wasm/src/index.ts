/**
 * rig-wasm: the Rig LLM framework compiled to WebAssembly.
 *
 * Provider classes live in subpaths (`rig-wasm/openai`, …); this entry has
 * what every runtime shares: `init`, the errors, and the data types.
 */
import "#loader";
import { bindings } from "./wasm.js";

export { init, isInitialized, type InitInput } from "./wasm.js";
export * from "./errors.js";
export { Document, Message } from "./completion.js";
export type {
  AgentResponse,
  AssistantContent,
  CompletionRequest,
  CompletionResponse,
  DocumentData,
  JsonSchema,
  TextContent,
  ToolCallContent,
  ToolDefinition,
  ToolResultContent,
  Usage,
  UserContent,
} from "./completion.js";
export { tool, type SimpleTool, type Tool, type ToolObject } from "./tools.js";
export { decodeReadableStream, type FinishReason, type RawStreamingChoice, type RigStream, type StreamPart } from "./streaming.js";
export type { CallOptions } from "./call.js";
export type {
  AgentCallOptions,
  AgentOptions,
  CompletionModelOptions,
  ConnectionOptions,
  DynamicContext,
  BatchResult,
  Embedding,
  EmbeddingModelOptions,
} from "./provider.js";
export type { FetchLike } from "./transport.js";
export {
  InMemoryVectorStore,
  type InMemoryVectorStoreOptions,
  type SearchIdResult,
  type SearchResult,
  type TextEmbedder,
  type TextEntry,
  type VectorEntry,
  type VectorSearchRequest,
  type VectorStore,
  type SearchStore,
} from "./vector-store.js";
export { IndexedDBVectorStore } from "./stores/indexeddb.js";
export { IndexedDBResponseCache, MemoryResponseCache, type CachedResponse, type CacheLimits, type ResponseCache } from "./cache.js";

/** The providers this build contains. */
export function providers(): Array<{ id: string; embeddings: boolean; keyRequired: boolean }> {
  return JSON.parse(bindings().providerTable());
}

/** The version of the Rust binding inside the `.wasm`. */
export function bindingVersion(): string {
  return bindings().bindingVersion();
}
