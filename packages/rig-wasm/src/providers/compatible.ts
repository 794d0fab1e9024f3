/**
 * Any OpenAI-compatible server: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/compatible"`.
 * vLLM, LM Studio, a gateway: `baseURL` is required, the key is optional, `name` is what errors report. Chat Completions by default.
 */
import "#loader";
import type { CompatibleInput } from "../contract.js";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

/** An OpenAI-compatible server: its base URL, the name errors report, and the endpoint. */
export type CompatibleOptions<O> = O &
  CompatibleInput & {
    /** The server's OpenAI-style base URL, e.g. `http://localhost:8000/v1`. */
    baseURL: string;
    api?: "responses" | "chat";
  };

export class Agent extends agentFor<CompatibleOptions<AgentOptions>>("compatible") {}
export class CompletionModel extends completionModelFor<CompatibleOptions<CompletionModelOptions>>("compatible") {}
export class EmbeddingModel extends embeddingModelFor<CompatibleOptions<EmbeddingModelOptions>>("compatible") {}
