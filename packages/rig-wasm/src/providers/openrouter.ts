/**
 * OpenRouter: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/openrouter"`.
 * Chat Completions by default.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions, type ResponsesOrChat } from "../provider.js";

export class Agent extends agentFor<AgentOptions & ResponsesOrChat>("openrouter") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions & ResponsesOrChat>("openrouter") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("openrouter") {}
