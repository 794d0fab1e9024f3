/**
 * llama.cpp server: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/llamacpp"`.
 * A local `llama-server`; no key needed (`baseURL` defaults to http://localhost:8080/v1).
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("llamacpp") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("llamacpp") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("llamacpp") {}
