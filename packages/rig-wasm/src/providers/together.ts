/**
 * Together AI: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/together"`.
 * OpenAI-compatible.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("together") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("together") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("together") {}
