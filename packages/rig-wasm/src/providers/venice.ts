/**
 * Venice: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/venice"`.
 * OpenAI-compatible.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("venice") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("venice") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("venice") {}
