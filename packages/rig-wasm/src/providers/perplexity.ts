/**
 * Perplexity: `import { Agent, CompletionModel } from "rig-wasm/perplexity"`.
 * OpenAI-compatible Chat Completions (no tools).
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("perplexity") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("perplexity") {}
