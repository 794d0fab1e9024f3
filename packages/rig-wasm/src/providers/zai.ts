/**
 * Z.AI (GLM): `import { Agent, CompletionModel } from "rig-wasm/zai"`.
 * OpenAI format by default, `api: "messages"` for its Anthropic-format endpoint.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type ChatOrMessages, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions & ChatOrMessages>("zai") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions & ChatOrMessages>("zai") {}
