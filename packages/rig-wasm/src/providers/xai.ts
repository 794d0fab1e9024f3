/**
 * xAI (Grok): `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/xai"`.
 * Responses API by default.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions, type ResponsesOrChat } from "../provider.js";

export class Agent extends agentFor<AgentOptions & ResponsesOrChat>("xai") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions & ResponsesOrChat>("xai") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("xai") {}
