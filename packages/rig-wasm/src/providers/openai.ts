/** OpenAI: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/openai"`. */
import "#loader";
import { provider, type BaseAgent, type BaseCompletionModel, type BaseEmbeddingModel } from "../provider.js";

export interface OpenAIOptions {
  /** Which endpoint: `"responses"` (default) or `"chat"` (Chat Completions). */
  api?: "responses" | "chat";
}

const openai = provider<OpenAIOptions, object>("openai");
export const Agent = openai.Agent;
export type Agent = BaseAgent;
export const CompletionModel = openai.CompletionModel;
export type CompletionModel = BaseCompletionModel;
export const EmbeddingModel = openai.EmbeddingModel;
export type EmbeddingModel = BaseEmbeddingModel;
