/**
 * Groq: `import { Agent, CompletionModel } from "rig-wasm/groq"`.
 * OpenAI-compatible Chat Completions.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("groq") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("groq") {}
