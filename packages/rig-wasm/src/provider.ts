/**
 * The one generic mechanism behind every provider subpath: `Agent`,
 * `CompletionModel` and `EmbeddingModel` for a provider id. A subpath such as
 * `rig-wasm/openai` is `provider<OpenAIOptions>("openai")`; nothing here
 * knows which provider it serves.
 */
import { cacheFrom, type CacheLimits, type ResponseCache } from "./cache.js";
import { CallContext, type CallOptions } from "./call.js";
import type { AgentResponse, CompletionRequest, CompletionResponse, Document, Message } from "./completion.js";
import type {
  AgentCallInput,
  AgentInput,
  CompletionModelInput,
  ConnectionInput,
  DocumentInput,
  DynamicContextInput,
  EmbeddingModelInput,
} from "./contract.js";
import { InvalidArgumentError, type RigError } from "./errors.js";
import { callAsync, callSync, errorFromData, toRigError } from "./invoke.js";
import { describeThrown, isPlainObject, toJson, typeName } from "./json.js";
import { chunkStream, readBatch } from "./stream-source.js";
import type { RigStream, StreamPart } from "./streaming.js";
import { ToolBox, type Tool } from "./tools.js";
import { Transport, type FetchLike } from "./transport.js";
import { storeBridge, type SearchStore, type TextEmbedder, type VectorStore } from "./vector-store.js";
import { Handle } from "./wasm.js";
import type { WasmAgent, WasmCompletionModel, WasmEmbeddingModel } from "../wasm/rig_wasm.js";

/** How to reach a provider. */
export interface ConnectionOptions extends ConnectionInput {
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchLike;
  /**
   * Answer requests already made from a cache (opt-in): `{ maxEntries,
   * ttlMs? }` for a cache of this object's own, or a cache shared by several
   * (`MemoryResponseCache`, `IndexedDBResponseCache`, any `{ get, set }`).
   * Keyed by the provider and the complete request; streams bypass it.
   */
  cache?: ResponseCache | CacheLimits;
}

/** Where an agent finds documents for each prompt. */
export interface DynamicContext extends DynamicContextInput {
  /** The store: any object with `topN(request)` (or `search(query, topN)`). */
  store?: VectorStore | SearchStore;
  /** Another name for `store`. */
  dynamicTools?: VectorStore | SearchStore;
}

export interface AgentOptions extends Omit<AgentInput, "context" | "dynamicContext">, ConnectionOptions {
  /** JavaScript tools the model may call. */
  tools?: Tool[];
  /** Documents given with every prompt. */
  context?: Array<Document | DocumentInput>;
  /** Documents retrieved per prompt from a vector store. */
  dynamicContext?: DynamicContext;
}

export interface CompletionModelOptions extends CompletionModelInput, ConnectionOptions {}

export interface EmbeddingModelOptions extends EmbeddingModelInput, ConnectionOptions {}

/** One prompt's outcome in a batch: its answer, or its typed error. */
export type BatchResult = { ok: true; text: string } | { ok: false; error: RigError };

/** Options of one agent call. */
export interface AgentCallOptions extends AgentCallInput, CallOptions {}

/** An embedding: the text and its vector. */
export interface Embedding {
  document: string;
  /** The vector (the provider's numbers as they came). */
  vec: number[];
}

const JS_ONLY = ["tools", "fetch", "dynamicContext", "cache"] as const;

function checkOptions(options: unknown, what: string): Record<string, unknown> {
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError("options", `${what} takes an options object, got ${typeName(options)}`);
  }
  // A snapshot: getters run once, here, and a throwing one is an input error.
  let copy: Record<string, unknown>;
  try {
    copy = { ...options };
  } catch (error) {
    throw new InvalidArgumentError("options", `reading the options threw: ${describeThrown(error)}`, { cause: error });
  }
  if (copy.fetch !== undefined && typeof copy.fetch !== "function") {
    throw new InvalidArgumentError("fetch", `must be a function, got ${typeName(copy.fetch)}`);
  }
  return copy;
}

/** `work`, unless the call is aborted or times out first. */
function raceAbort<T>(work: Promise<T>, ctx: CallContext): Promise<T> {
  if (ctx.aborted === undefined) return work;
  if (ctx.isAborted) return Promise.reject(ctx.error());
  return Promise.race([work, ctx.aborted.then(() => Promise.reject(ctx.isAborted ? ctx.error() : new Error("settled")))]);
}

/** The options the wasm side validates (everything serialisable). */
function wasmOptions(options: Record<string, unknown>): string {
  const rest: Record<string, unknown> = { ...options };
  for (const key of JS_ONLY) delete rest[key];
  const dynamic = options.dynamicContext;
  if (dynamic !== undefined) {
    if (!isPlainObject(dynamic)) {
      throw new InvalidArgumentError("dynamicContext", `must be an object like { sample: 3, store }, got ${typeName(dynamic)}`);
    }
    const { store: _store, dynamicTools: _tools, ...plain } = dynamic;
    rest.dynamicContext = plain;
  }
  return toJson(rest, "options", true);
}

/** A call's options for the wasm side, which checks them (`signal` and `history` travel apart). */
function callJson(options: unknown): string | undefined {
  if (options === undefined) return undefined;
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError("options", `must be an object, got ${typeName(options)}`);
  }
  const { signal: _signal, history: _history, ...rest } = options;
  return toJson(rest, "options", true);
}

function transportFor(provider: string, options: Record<string, unknown>): Transport {
  return new Transport({
    provider,
    fetch: options.fetch as FetchLike | undefined,
    headers: options.headers as Record<string, string> | undefined,
    maxRetries: (options.maxRetries as number | undefined) ?? 2,
    streamIdleMs: options.streamIdleTimeoutMs as number | undefined,
    cache: cacheFrom(options.cache),
  });
}

function context(options: CallOptions | undefined, defaults: Record<string, unknown>): CallContext {
  const merged: CallOptions = {
    ...(defaults.timeoutMs !== undefined && { timeoutMs: defaults.timeoutMs as number }),
    ...options,
  };
  return new CallContext(merged, (defaults.maxRetries as number | undefined) ?? 2);
}

/** The base of every provider's `Agent`. */
export class BaseAgent {
  readonly #inner: Handle<WasmAgent>;
  readonly #tools: ToolBox;
  readonly #defaults: Record<string, unknown>;
  #ready: boolean;

  constructor(provider: string, options: AgentOptions) {
    const checked = checkOptions(options, "Agent");
    this.#tools = new ToolBox(checked.tools);
    const json = wasmOptions(checked);
    const initial = this.#tools.size > 0 ? this.#tools.initialDefinitions() : undefined;
    this.#ready = this.#tools.size === 0 || initial !== undefined;
    const transport = transportFor(provider, checked);
    const dynamic = checked.dynamicContext as DynamicContext | undefined;
    const store = dynamic === undefined ? undefined : storeBridge(dynamic.store ?? dynamic.dynamicTools, "dynamicContext.store");
    const invoker = this.#tools.size > 0 ? this.#tools.invoke : undefined;
    this.#inner = callSync(
      () =>
        new Handle(
          (glue) => new glue.WasmAgent(provider, json, transport, this.#tools.lastSent(), invoker, store),
        ),
    );
    this.#defaults = { timeoutMs: checked.timeoutMs, maxRetries: checked.maxRetries };
  }

  /** The provider this agent talks to (as errors report it). */
  get provider(): string {
    return callSync(() => this.#inner.get().provider);
  }

  /** Whether the tool definitions must be (re)computed for this prompt. */
  #needsPrepare(): boolean {
    return this.#tools.size > 0 && !(this.#ready && !this.#tools.dynamic);
  }

  async #prepare(inner: WasmAgent, prompt: unknown, ctx: CallContext): Promise<void> {
    const text = typeof prompt === "string" ? prompt : "";
    const changed = await raceAbort(this.#tools.changedDefinitions(text), ctx);
    if (changed !== undefined) callSync(() => inner.setTools(changed));
    this.#ready = true;
  }

  /**
   * Send many prompts, at most `concurrency` (default 4) at a time. Resolves
   * to one result per prompt, in the prompts' order: the answer, or the typed
   * error of that prompt alone. `signal` ends every prompt not yet answered.
   */
  async batchPrompt(prompts: string[], options?: AgentCallOptions & { concurrency?: number }): Promise<BatchResult[]> {
    if (!Array.isArray(prompts)) throw new InvalidArgumentError("prompts", `must be an array of strings, got ${typeName(prompts)}`);
    const { concurrency = 4, ...call } = options ?? {};
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError("concurrency", `must be a whole number of at least 1, got ${String(concurrency)}`);
    }
    const results: BatchResult[] = new Array(prompts.length);
    let next = 0;
    const worker = async () => {
      while (next < prompts.length) {
        const index = next++;
        try {
          results[index] = { ok: true, text: await this.prompt(prompts[index]!, call) };
        } catch (error) {
          results[index] = { ok: false, error: toRigError(error) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, prompts.length) }, worker));
    return results;
  }

  /**
   * Send `prompt`; the agent calls tools as the model asks until it answers.
   * Resolves to the answer text.
   */
  async prompt(prompt: string, options?: AgentCallOptions): Promise<string> {
    return (await this.#run(prompt, undefined, options)).text;
  }

  /** Like `prompt`, after the conversation in `history`. */
  async chat(prompt: string, history: Message[], options?: AgentCallOptions): Promise<string> {
    if (!Array.isArray(history)) {
      throw new InvalidArgumentError("history", `must be an array of messages, got ${typeName(history)}`);
    }
    return (await this.#run(prompt, history, options)).text;
  }

  /** `prompt` (or `chat` with `history`) with usage and the new messages. */
  async generate(prompt: string, options?: AgentCallOptions & { history?: Message[] }): Promise<AgentResponse> {
    return this.#run(prompt, options?.history, options);
  }

  async #run(prompt: unknown, history: Message[] | undefined, options: AgentCallOptions | undefined): Promise<AgentResponse> {
    const call = callJson(options);
    const historyJson = history === undefined ? undefined : toJson(history, "history");
    const ctx = context(options, this.#defaults);
    const inner = callSync(() => this.#inner.acquire());
    try {
      return await callAsync(async () => {
        if (this.#needsPrepare()) await this.#prepare(inner, prompt, ctx);
        const json = (await inner.prompt(prompt, historyJson, call, ctx.needed ? ctx : undefined)) as string;
        return JSON.parse(json) as AgentResponse;
      }, ctx);
    } finally {
      this.#inner.release();
    }
  }

  /**
   * Stream the run: text deltas, tool calls and results, then a `final`
   * chunk with the whole answer and usage. Resolves once the first chunk
   * (or the first error) arrives. Cancelling the stream aborts the request.
   */
  async promptStream(
    prompt: string,
    options?: AgentCallOptions & { history?: Message[] },
  ): Promise<RigStream<StreamPart>> {
    const call = callJson(options);
    const history = options?.history;
    const historyJson = history === undefined ? undefined : toJson(history, "history");
    const ctx = context(options, this.#defaults);
    const inner = callSync(() => this.#inner.acquire());
    let source: ReturnType<WasmAgent["stream"]> | undefined;
    try {
      if (this.#needsPrepare()) await this.#prepare(inner, prompt, ctx);
      source = callSync(() => inner.stream(prompt, historyJson, call, ctx));
      const first = await readBatch(source);
      // A run that fails before any part rejects here instead of returning a stream.
      const only = first.parts.length === 1 ? first.parts[0] : undefined;
      if (only?.type === "error") throw errorFromData(only.error, ctx);
      return chunkStream(source, ctx, first, () => this.#inner.release());
    } catch (error) {
      ctx.settle();
      try {
        source?.free();
      } catch {
        // already freed
      }
      this.#inner.release();
      throw toRigError(error, ctx);
    }
  }

  /** `promptStream`, by its snake_case name. */
  prompt_stream(prompt: string, options?: AgentCallOptions & { history?: Message[] }): Promise<RigStream<StreamPart>> {
    return this.promptStream(prompt, options);
  }

  /** Release the wasm memory now (the garbage collector also does it). Calls in flight finish. */
  free(): void {
    this.#inner.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** The base of every provider's `CompletionModel`. */
export class BaseCompletionModel {
  readonly #inner: Handle<WasmCompletionModel>;
  readonly #defaults: Record<string, unknown>;

  constructor(provider: string, options: CompletionModelOptions) {
    const checked = checkOptions(options, "CompletionModel");
    const json = wasmOptions(checked);
    const transport = transportFor(provider, checked);
    this.#inner = callSync(() => new Handle((glue) => new glue.WasmCompletionModel(provider, json, transport)));
    this.#defaults = { timeoutMs: checked.timeoutMs, maxRetries: checked.maxRetries };
  }

  get provider(): string {
    return callSync(() => this.#inner.get().provider);
  }

  /** One completion call (no agent loop): the assistant's content and usage. */
  async completion(request: CompletionRequest, options?: CallOptions): Promise<CompletionResponse> {
    if (!isPlainObject(request)) {
      throw new InvalidArgumentError("request", `must be a CompletionRequest object, got ${typeName(request)}`);
    }
    const json = toJson(request, "request");
    const call = callJson(options);
    const ctx = context(options, this.#defaults);
    const inner = callSync(() => this.#inner.acquire());
    try {
      return await callAsync(async () => JSON.parse((await inner.completion(json, call, ctx)) as string), ctx);
    } finally {
      this.#inner.release();
    }
  }

  free(): void {
    this.#inner.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** The base of every provider's `EmbeddingModel`. */
export class BaseEmbeddingModel implements TextEmbedder {
  readonly #inner: Handle<WasmEmbeddingModel>;
  readonly #defaults: Record<string, unknown>;

  constructor(provider: string, options: EmbeddingModelOptions) {
    const checked = checkOptions(options, "EmbeddingModel");
    const json = wasmOptions(checked);
    const transport = transportFor(provider, checked);
    this.#inner = callSync(() => new Handle((glue) => new glue.WasmEmbeddingModel(provider, json, transport)));
    this.#defaults = { timeoutMs: checked.timeoutMs, maxRetries: checked.maxRetries };
  }

  get provider(): string {
    return callSync(() => this.#inner.get().provider);
  }

  /** Embed one text. */
  async embedText(text: string, options?: CallOptions): Promise<Embedding> {
    if (typeof text !== "string") {
      throw new InvalidArgumentError("text", `must be a string, got ${typeName(text)}`);
    }
    const [embedding] = await this.#embed([text], options);
    return embedding!;
  }

  /** Embed many texts, in order, batched by the provider's per-request limit. */
  async embedTexts(texts: string[], options?: CallOptions): Promise<Embedding[]> {
    if (!Array.isArray(texts)) {
      throw new InvalidArgumentError("texts", `must be an array of strings, got ${typeName(texts)}`);
    }
    if (texts.length === 0) return [];
    return this.#embed(texts, options);
  }

  async #embed(texts: string[], options: CallOptions | undefined): Promise<Embedding[]> {
    const call = callJson(options);
    const ctx = context(options, this.#defaults);
    const inner = callSync(() => this.#inner.acquire());
    try {
      const raw = await callAsync(async () => (await inner.embed(texts, call, ctx)) as Array<{ document: string; vec: Float64Array }>, ctx);
      return raw.map(({ document, vec }) => ({ document, vec: Array.from(vec) }));
    } finally {
      this.#inner.release();
    }
  }

  free(): void {
    this.#inner.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** A constructor typed with a provider's own options. */
export interface AgentClass<O> {
  new (options: O): BaseAgent;
  readonly prototype: BaseAgent;
}
export interface CompletionModelClass<O> {
  new (options: O): BaseCompletionModel;
  readonly prototype: BaseCompletionModel;
}
export interface EmbeddingModelClass<O> {
  new (options: O): BaseEmbeddingModel;
  readonly prototype: BaseEmbeddingModel;
}

/** The `Agent` base class of provider `id` (a subpath extends it). */
export function agentFor<O extends object = AgentOptions>(id: string): AgentClass<O> {
  return class extends BaseAgent {
    constructor(options: O) {
      super(id, options as unknown as AgentOptions);
    }
  };
}

/** The `CompletionModel` base class of provider `id`. */
export function completionModelFor<O extends object = CompletionModelOptions>(id: string): CompletionModelClass<O> {
  return class extends BaseCompletionModel {
    constructor(options: O) {
      super(id, options as unknown as CompletionModelOptions);
    }
  };
}

/** The `EmbeddingModel` base class of provider `id`. */
export function embeddingModelFor<O extends object = EmbeddingModelOptions>(id: string): EmbeddingModelClass<O> {
  return class extends BaseEmbeddingModel {
    constructor(options: O) {
      super(id, options as unknown as EmbeddingModelOptions);
    }
  };
}

/** `api` for vendors that serve OpenAI's Chat Completions and an Anthropic-format Messages endpoint. */
export interface ChatOrMessages {
  /** `"chat"` (OpenAI format, default) or `"messages"` (the vendor's Anthropic-format endpoint). */
  api?: "chat" | "messages";
}

/** `api` for OpenAI-format providers that serve both endpoints. */
export interface ResponsesOrChat {
  /** `"responses"` (the Responses API) or `"chat"` (Chat Completions). */
  api?: "responses" | "chat";
}
