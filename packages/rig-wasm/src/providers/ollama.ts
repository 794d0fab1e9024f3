/**
 * Ollama: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/ollama"`.
 * The native API (`/api/chat`, NDJSON streaming; `/api/embed`). `host` (or `baseURL`) defaults to http://localhost:11434; no key needed.
 */
import "#loader";
import type { OllamaInput } from "../contract.js";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

/** Ollama options: the daemon's address (`host`, default http://localhost:11434); a key only for a secured daemon. */
export type OllamaOptions<O> = O & OllamaInput;

export class Agent extends agentFor<OllamaOptions<AgentOptions>>("ollama") {}
export class CompletionModel extends completionModelFor<OllamaOptions<CompletionModelOptions>>("ollama") {}
export class EmbeddingModel extends embeddingModelFor<OllamaOptions<EmbeddingModelOptions>>("ollama") {}
