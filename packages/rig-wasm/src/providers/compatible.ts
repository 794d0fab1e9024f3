/**
import "#loader";
 * Any OpenAI-compatible endpoint (vLLM, LM Studio, llama-server, a gateway):
 * `new Agent({ baseURL, model, name?, apiKey? })`. Chat Completions by default.
 */
import { provider, type BaseAgent, type BaseCompletionModel, type BaseEmbeddingModel } from "../provider.js";

export interface CompatibleOptions {
  /** The server's OpenAI-style base URL, e.g. `http://localhost:8000/v1`. */
  baseURL: string;
  /** The provider name errors report (default `"compatible"`). */
  name?: string;
  /** Which endpoint: `"chat"` (default) or `"responses"`. */
  api?: "responses" | "chat";
}

const compatible = provider<CompatibleOptions, Omit<CompatibleOptions, "api">>("compatible");
export const Agent = compatible.Agent;
export type Agent = BaseAgent;
export const CompletionModel = compatible.CompletionModel;
export type CompletionModel = BaseCompletionModel;
export const EmbeddingModel = compatible.EmbeddingModel;
export type EmbeddingModel = BaseEmbeddingModel;
