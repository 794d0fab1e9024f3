/**
 * Offline models in WebAssembly: `import { LocalModel, LocalEmbeddingModel, Agent } from "rig-wasm/local"`.
 *
 * No key, no server, no network: a small GGUF language model (SmolLM2,
 * Gemma 3) and a sentence embedding model (all-MiniLM-L6-v2) run in
 * `rig_wasm_local.wasm`, loaded on first use. `Agent` and `CompletionModel`
 * are Rig's, talking to the local model through an in-process OpenAI Chat
 * Completions endpoint (`model.fetch`), so prompts, chat history,
 * streaming, dynamic context and tools work as with any provider.
 */
import "#loader";
import { InvalidArgumentError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import { agentFor, completionModelFor, type AgentOptions, type CompletionModelOptions } from "../provider.js";
import type { CompatibleOptions } from "./compatible.js";
import { LocalModel } from "../local/language-model.js";

export { LocalModel } from "../local/language-model.js";
export { LocalEmbeddingModel, type EmbeddingModelFiles, type LocalEmbedding } from "../local/embedding-model.js";
export type {
  ChatMessage,
  GenerateOptions,
  GenerateResult,
  LoadProgress,
  LocalModelInfo,
  LocalModelOptions,
  RuntimeOptions,
  TextStream,
} from "../local/options.js";
export type { ModelSource } from "../local/source.js";
export type { LocalWasmInput } from "../local/runtime.js";

/** The base URL the agent's requests carry (they never leave the process). */
const LOCAL_BASE_URL = "http://local.rig-wasm.invalid/v1";

type Connection = "apiKey" | "baseURL" | "headers" | "fetch" | "model";

/** A local agent's options: a provider agent's, with `model` a loaded `LocalModel`. */
export type LocalAgentOptions = Omit<AgentOptions, Connection> & { model: LocalModel };
export type LocalCompletionModelOptions = Omit<CompletionModelOptions, Connection> & { model: LocalModel };

function compatible<O extends object>(options: unknown, what: string): CompatibleOptions<O> {
  if (!isPlainObject(options)) throw new InvalidArgumentError("options", `${what} takes an options object, got ${typeName(options)}`);
  const { model, ...rest } = options as Record<string, unknown>;
  if (!(model instanceof LocalModel)) {
    throw new InvalidArgumentError("model", `must be a LocalModel (await LocalModel.load(…)), got ${typeName(model)}`);
  }
  for (const key of ["apiKey", "baseURL", "headers", "fetch"]) {
    if (rest[key] !== undefined) throw new InvalidArgumentError(key, "does not apply to a local model (it makes no requests)");
  }
  return {
    maxRetries: 0,
    ...rest,
    model: model.id,
    baseURL: LOCAL_BASE_URL,
    name: "local",
    api: "chat",
    fetch: model.fetch,
  } as unknown as CompatibleOptions<O>;
}

const CompatibleAgent = agentFor<CompatibleOptions<AgentOptions>>("compatible");
const CompatibleCompletionModel = completionModelFor<CompatibleOptions<CompletionModelOptions>>("compatible");

/** Rig's agent on a local model: `new Agent({ model: await LocalModel.load(…), preamble, … })`. */
export class Agent extends CompatibleAgent {
  constructor(options: LocalAgentOptions) {
    super(compatible<AgentOptions>(options, "Agent"));
  }
}

/** Rig's completion model on a local model (one call, no agent loop). */
export class CompletionModel extends CompatibleCompletionModel {
  constructor(options: LocalCompletionModelOptions) {
    super(compatible<CompletionModelOptions>(options, "CompletionModel"));
  }
}
