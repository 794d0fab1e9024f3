/**
 * Mistral: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/mistral"`.
 * Chat Completions and embeddings.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("mistral") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("mistral") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("mistral") {}
