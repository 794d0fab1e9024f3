/**
 * Hugging Face (inference router): `import { Agent, CompletionModel } from "rig-wasm/huggingface"`.
 * The router's OpenAI-compatible Chat Completions.
 */
import "#loader";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";

export class Agent extends agentFor<AgentOptions>("huggingface") {}
export class CompletionModel extends completionModelFor<CompletionModelOptions>("huggingface") {}
