/**
 * Anthropic: `import { Agent, CompletionModel } from "rig-wasm/anthropic"`.
 * The Messages API. `maxTokens` defaults to Rig's per-model value (4096 for models Rig does not know), since the API requires it.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("anthropic") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("anthropic") {}
