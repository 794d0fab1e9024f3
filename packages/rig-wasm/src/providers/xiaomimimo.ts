/**
 * Xiaomi MiMo: `import { Agent, CompletionModel } from "rig-wasm/xiaomimimo"`.
 * OpenAI format by default, `api: "messages"` for its Anthropic-format endpoint.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type ChatOrMessages, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions & ChatOrMessages>("xiaomimimo") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions & ChatOrMessages>("xiaomimimo") {}
