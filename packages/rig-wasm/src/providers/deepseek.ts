/**
 * DeepSeek: `import { Agent, CompletionModel } from "rig-wasm/deepseek"`.
 * OpenAI-compatible Chat Completions.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("deepseek") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("deepseek") {}
