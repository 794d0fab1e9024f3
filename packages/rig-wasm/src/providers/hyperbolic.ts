/**
 * Hyperbolic: `import { Agent, CompletionModel } from "rig-wasm/hyperbolic"`.
 * OpenAI-compatible Chat Completions (no tool calling).
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("hyperbolic") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("hyperbolic") {}
