/**
 * Mira: `import { Agent, CompletionModel } from "rig-wasm/mira"`.
 * OpenAI-compatible gateway (no tools).
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("mira") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("mira") {}
