/**
 * Doubleword: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/doubleword"`.
 * OpenAI-compatible.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("doubleword") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("doubleword") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("doubleword") {}
