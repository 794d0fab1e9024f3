/**
 * OpenAI: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/openai"`.
 * Responses API by default; `api: "chat"` for Chat Completions.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions, type ResponsesOrChat } from "../provider.js";

export class Agent extends agentFor<AgentOptions & ResponsesOrChat>("openai") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions & ResponsesOrChat>("openai") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("openai") {}
