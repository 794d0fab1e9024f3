/**
 * Google Gemini: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/gemini"`.
 * `generateContent` / `streamGenerateContent`; safety settings and generation config go in `additionalParams` (`{ safetySettings, generationConfig }`).
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("gemini") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("gemini") {}
export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("gemini") {}
