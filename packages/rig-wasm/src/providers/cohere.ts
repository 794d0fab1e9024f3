/**
 * Cohere: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/cohere"`.
 * Chat v2 (`/v2/chat`) and embeddings (`/v1/embed`).
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("cohere") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("cohere") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("cohere") {}
