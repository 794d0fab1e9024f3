/**
 * `LocalModel` and `LocalEmbeddingModel`: small models running inside
 * WebAssembly, offline, no key. Load from bytes, a URL (with progress) or a
 * file path (Node.js); generate text token by token; embed sentences.
 */
import { CallContext, type CallOptions } from "../call.js";
import { AbortError, InternalError, InvalidArgumentError, RigError } from "../errors.js";
import type { Embedding } from "../provider.js";
import type { TextEmbedder } from "../vector-store.js";
import { describeThrown, isPlainObject, toJson, typeName } from "../json.js";
import { asyncIterable } from "../stream-source.js";
import type { RigStream } from "../streaming.js";
import type { FetchLike } from "../transport.js";
import { InProcessHost, WorkerHost, type Host } from "./host.js";
import { chatCompletionsHandler } from "./openai-handler.js";
import { nodeImport, type LocalWasmInput, type StepData } from "./runtime.js";

/** More token ids than any context this runtime serves (4,096) by far; a bound so an absurd length fails clearly. */
const MAX_TOKEN_IDS = 1 << 20;

/** Where model files come from: bytes, a `Blob`, a `Response`, a URL, or (Node.js) a file path. */
export type ModelSource = Uint8Array | ArrayBuffer | Blob | Response | URL | string;

/** Download or read progress: bytes so far and, when known, in all. */
export interface LoadProgress {
  loaded: number;
  total: number | undefined;
}

/** Where the model runs and how its files are read. */
export interface RuntimeOptions {
  /** Called as the files are read (several files: summed). */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Run in a worker (a Web Worker in browsers, a worker thread in Node.js)
   * so the page or server stays responsive; or pass your own `Worker`
   * started from `rig-wasm/local/worker`. Default: true in a browser page,
   * false elsewhere (Node.js, inside a worker, edge runtimes).
   */
  worker?: boolean | Worker;
  /** Where `rig_wasm_local_bg.wasm` is (default: next to the package's files). */
  wasm?: LocalWasmInput;
  /** Aborts reading the files. */
  signal?: AbortSignal;
}

/** Sampling and length of one generation. */
export interface GenerateOptions {
  /** The most tokens to produce (default 256). */
  maxTokens?: number;
  /** 0 is greedy (always the likeliest token); default 0.7. */
  temperature?: number;
  /** Sample among the k likeliest tokens (default 40; 0 = all). */
  topK?: number;
  /** Sample among the likeliest tokens whose probabilities sum to p (default 0.9). */
  topP?: number;
  /** Seed of the sampler: the same seed, prompt and options give the same text (default: random). */
  seed?: number;
  /** Divides the logits of recently produced tokens (default 1.1; 1 = off). */
  repeatPenalty?: number;
  /** How many recent tokens the penalty looks at (default 64). */
  repeatLastN?: number;
  /** Texts that end the answer (not included). */
  stop?: string[];
  /** Stops the generation. */
  signal?: AbortSignal;
}

export interface LocalModelOptions extends RuntimeOptions {
  /** The chat format (default: from the GGUF file; base models: `"plain"`). */
  template?: "chatml" | "gemma" | "plain";
  /**
   * Requantize Q5_0/Q5_1 weights to Q8_0 at load (default true): those
   * formats have no WebAssembly SIMD kernel, Q8_0 does (several times faster
   * decoding, more memory, logits within quantisation noise). Q4_1, Q4_0,
   * Q8_0 and the K-quants always run as stored.
   */
  requantize?: boolean;
  /** Defaults for every generation of this model (including the agent's). */
  defaults?: Omit<GenerateOptions, "signal">;
}

/** A message of a conversation. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

/** What the GGUF file says about the model. */
export interface LocalModelInfo {
  name: string;
  architecture: string;
  template: string;
  /** The context this runtime serves, in tokens. */
  contextLength: number;
  /** The model's own context length. */
  modelContextLength: number;
  vocabSize: number;
  layers: number;
  embeddingLength: number;
  bos: number | null;
  eos: number | null;
  addBos: boolean;
  stopTokens: number[];
}

export interface GenerateResult {
  text: string;
  /** `"stop"`: the model ended its turn or a stop text appeared; `"length"`: `maxTokens` reached. */
  finishReason: "stop" | "length";
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  timings: {
    /** Until the first token (reading the prompt). */
    promptMs: number;
    /** From the first token to the last. */
    generateMs: number;
    /** Tokens per second after the first. */
    tokensPerSecond: number;
  };
}

/** A stream of text pieces; `result` settles when it ends. */
export type TextStream = RigStream<string> & { result: Promise<GenerateResult> };

const isNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InvalidArgumentError(field, `must be an object, got ${typeName(value)}`);
  return value;
}

function checkSignal(signal: unknown, field = "signal"): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== "object" || signal === null || typeof (signal as AbortSignal).aborted !== "boolean") {
    throw new InvalidArgumentError(field, `must be an AbortSignal, got ${typeName(signal)}`);
  }
  return signal as AbortSignal;
}

/**
 * Generation options as JSON for the wasm side, which checks them (names,
 * types, ranges) and picks a random seed when none is given; `signal` stays
 * here. `defaults` (the model's own options) fill what the call leaves out.
 */
export function generationJson(options: unknown, defaults: Record<string, unknown> = {}): { json: string; signal: AbortSignal | undefined } {
  const given = checkObject(options, "options");
  const { signal, ...rest } = { ...defaults, ...given };
  return { json: toJson(rest, "options", true), signal: checkSignal(given.signal === undefined ? undefined : signal) };
}

async function chooseHost(options: RuntimeOptions): Promise<Host> {
  const inPage = typeof window !== "undefined" && typeof document !== "undefined";
  const worker = options.worker ?? inPage;
  if (worker === false) return InProcessHost.create(options.wasm);
  if (worker === true) return WorkerHost.create(options.wasm);
  if (typeof worker === "object" && worker !== null && typeof (worker as Worker).postMessage === "function") {
    return WorkerHost.create(options.wasm, worker as Worker);
  }
  throw new InvalidArgumentError("worker", `must be a boolean or a Worker, got ${typeName(worker)}`);
}

type Report = (delta: number, total: number | undefined) => void;
/** Chunks of a source go to the sink `open(total)` returns (`total`: its length when known). */
type Open = (total: number | undefined) => Promise<(chunk: Uint8Array) => Promise<unknown> | void>;

/** Chunks handed on at once: large enough that a worker gets few messages. */
const CHUNK = 8 * 1024 * 1024;

/** The parts in one new buffer (always a copy: the parts may be a caller's, and the result may be transferred). */
function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Pass a response body on in chunks of about `CHUNK` bytes, reporting progress as it arrives. */
async function pipeBody(response: Response, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  if (!response.ok) {
    throw new InvalidArgumentError(what, `could not be downloaded: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const header = response.headers.get("content-length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  const sink = await open(total);
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.byteLength, bytes.byteLength);
    await sink(bytes);
    return;
  }
  const reader = response.body.getReader();
  let staged: Uint8Array[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const chunk = concat(staged, size);
    staged = [];
    size = 0;
    await sink(chunk);
  };
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        if (signal?.aborted) throw signal.reason;
        next = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: error });
        throw new InvalidArgumentError(what, `could not be downloaded: ${describeThrown(error)}`, { cause: error });
      }
      const { done, value } = next;
      if (done) break;
      staged.push(value);
      size += value.byteLength;
      report(value.byteLength, total);
      if (size >= CHUNK) await flush();
    }
    await flush();
    finished = true;
  } finally {
    // Any failure (the read, the abort, or the sink): stop the download.
    if (!finished) void reader.cancel().catch(() => undefined);
  }
}

interface NodeFs {
  open(path: string | URL, flags: string): Promise<{
    stat(): Promise<{ size: number }>;
    read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
    close(): Promise<void>;
  }>;
}

/** Pass a file (Node.js) on in chunks of `CHUNK` bytes, reporting progress. */
async function pipeFile(path: string | URL, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  const fs = await nodeImport<NodeFs>("node:fs/promises");
  let file: Awaited<ReturnType<NodeFs["open"]>>;
  try {
    file = await fs.open(path, "r");
  } catch (error) {
    throw new InvalidArgumentError(what, `could not be read: ${describeThrown(error)}`, { cause: error });
  }
  try {
    const { size } = await file.stat();
    const sink = await open(size);
    for (let at = 0; at < size; ) {
      if (signal?.aborted) throw new AbortError("Loading the model was aborted.");
      const chunk = new Uint8Array(Math.min(CHUNK, size - at));
      const { bytesRead } = await file.read(chunk, 0, chunk.byteLength, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      report(bytesRead, size);
      await sink(bytesRead === chunk.byteLength ? chunk : chunk.slice(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** A source that already is bytes (the caller's, never transferred); `undefined` for ones to read or fetch. */
function heldBytes(source: ModelSource, report: Report): Uint8Array | undefined {
  const bytes = source instanceof Uint8Array ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : undefined;
  if (bytes !== undefined) report(bytes.byteLength, bytes.byteLength);
  return bytes;
}

/** Read or fetch a source that is not bytes (a Response, Blob, URL or path), passing it on in chunks. */
async function pipeSource(source: ModelSource, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  if (typeof Response !== "undefined" && source instanceof Response) return pipeBody(source, report, signal, what, open);
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    return pipeBody(new Response(source, { headers: { "content-length": String(source.size) } }), report, signal, what, open);
  }
  let url: URL | undefined;
  if (source instanceof URL) url = source;
  else if (typeof source === "string") {
    if (/^(https?|blob|data|file):/i.test(source)) url = new URL(source);
    else if (isNode) return pipeFile(source, report, signal, what, open);
    else url = new URL(source, globalThis.location?.href);
  } else {
    throw new InvalidArgumentError(what, `must be bytes, a Blob, a Response, a URL or a file path, got ${typeName(source)}`);
  }
  if (url.protocol === "file:" && isNode) return pipeFile(url, report, signal, what, open);
  let response: Response;
  try {
    response = await fetch(url, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: error });
    throw new InvalidArgumentError(what, `could not be fetched from ${url.href}: ${describeThrown(error)}`, { cause: error });
  }
  return pipeBody(response, report, signal, what, open);
}

/** The bytes of a source, whole; `owned` when they may be transferred to a worker. */
async function readSource(source: ModelSource, report: Report, signal: AbortSignal | undefined, what: string): Promise<{ bytes: Uint8Array; owned: boolean }> {
  const held = heldBytes(source, report);
  if (held !== undefined) return { bytes: held, owned: false };
  // Into one buffer of the announced size when there is one (no final copy).
  let whole: Uint8Array | undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  await pipeSource(source, report, signal, what, async (total) => {
    if (total !== undefined) whole = new Uint8Array(total);
    return (chunk) => {
      if (whole !== undefined && size + chunk.byteLength <= whole.byteLength) whole.set(chunk, size);
      else {
        if (whole !== undefined) parts.push(whole.subarray(0, size));
        whole = undefined;
        parts.push(chunk);
      }
      size += chunk.byteLength;
    };
  });
  if (whole !== undefined) return { bytes: size === whole.byteLength ? whole : whole.subarray(0, size), owned: true };
  return { bytes: concat(parts, size), owned: true };
}

/** A chunk's buffer when it can be transferred to a worker (the chunk spans all of it). */
function transferable(chunk: Uint8Array): Transferable[] {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? [chunk.buffer as ArrayBuffer] : [];
}

function progressReporter(options: RuntimeOptions, files: number): (delta: number, total: number | undefined) => void {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return () => undefined;
  if (typeof onProgress !== "function") throw new InvalidArgumentError("onProgress", `must be a function, got ${typeName(onProgress)}`);
  let loaded = 0;
  const totals: Array<number | undefined> = [];
  let current = -1;
  let lastTotal: number | undefined = -1;
  return (delta, total) => {
    if (total !== lastTotal || current < 0) {
      current += 1;
      totals[current] = total;
      lastTotal = total;
    }
    loaded += delta;
    const known = totals.length === files && totals.every((t) => t !== undefined);
    try {
      onProgress({ loaded, total: known ? totals.reduce<number>((a, t) => a + (t ?? 0), 0) : files === 1 ? total : undefined });
    } catch {
      // a throwing progress callback does not stop the load
    }
  };
}

function checkRuntimeOptions(options: unknown, known: readonly string[]): RuntimeOptions & Record<string, unknown> {
  const o = checkObject(options, "options");
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new InvalidArgumentError(key, `is not an option here (${known.join(", ")})`);
  }
  checkSignal(o.signal);
  return o as RuntimeOptions & Record<string, unknown>;
}

const RUNTIME_KEYS = ["onProgress", "worker", "wasm", "signal"] as const;

/** Free a model in its host, then stop the host (a worker: terminated). */
function release(host: Host, handle: number): void {
  void host
    .call("free", [handle])
    .catch(() => undefined)
    .finally(() => host.terminate());
}

/**
 * A small language model from a GGUF file, running in WebAssembly (Llama
 * family, such as SmolLM2, and Gemma 3). Use it directly (`generate`,
 * `stream`) or behind an agent: `new Agent({ model })` from `rig-wasm/local`.
 */
export class LocalModel {
  readonly info: LocalModelInfo;
  readonly #host: Host;
  readonly #handle: number;
  readonly #defaults: Record<string, unknown>;
  #stops: string[];
  #queue: Promise<unknown> = Promise.resolve();
  #freed = false;
  /** A `fetch` that answers OpenAI Chat Completions requests with this model (what the agent uses). */
  readonly fetch: FetchLike;

  private constructor(host: Host, handle: number, info: LocalModelInfo, stops: string[], defaults: Record<string, unknown>) {
    this.#host = host;
    this.#handle = handle;
    this.info = info;
    this.#stops = stops;
    this.#defaults = defaults;
    this.fetch = chatCompletionsHandler(this);
  }

  /** Load a GGUF model (`source`: bytes, a `Blob`, a `Response`, a URL, or a file path in Node.js). */
  static async load(source: ModelSource, options?: LocalModelOptions): Promise<LocalModel> {
    const o = checkRuntimeOptions(options, [...RUNTIME_KEYS, "template", "requantize", "defaults"]);
    if (o.template !== undefined && !["chatml", "gemma", "plain"].includes(o.template as string)) {
      throw new InvalidArgumentError("template", `must be "chatml", "gemma" or "plain", got ${JSON.stringify(o.template)}`);
    }
    if (o.requantize !== undefined && typeof o.requantize !== "boolean") {
      throw new InvalidArgumentError("requantize", `must be a boolean, got ${typeName(o.requantize)}`);
    }
    const defaults = checkObject(o.defaults, "defaults");
    const defaultsJson = generationJson(defaults).json;
    if (source === undefined || source === null) throw new InvalidArgumentError("source", "is required: the GGUF file's bytes, URL or path");
    const report = progressReporter(o, 1);
    const held = heldBytes(source, report);
    // The host (a worker, or the runtime in process) starts while the file is opened or the download begins.
    const starting = chooseHost(o);
    starting.catch(() => undefined);
    // The defaults are checked by the runtime (as every call's options are) while the file loads.
    const checked = starting.then((h) => h.call("checkGenerateOptions", [defaultsJson]));
    checked.catch(() => undefined);
    let host: Host | undefined;
    try {
      const loadOptions = JSON.stringify(o.requantize === undefined ? {} : { requantize: o.requantize });
      type Loaded = { handle: number; info: string; stops: string };
      let loaded: Loaded | undefined;
      if (held !== undefined) {
        host = await starting;
        loaded = await host.call<Loaded>("loadLanguageModel", [held, loadOptions]);
      } else {
        // A file or download goes to the model's memory chunk by chunk, so
        // the whole file is never held in JavaScript as well. Without a
        // known length, the chunks wait here and go in once the size is
        // known (a buffer grown in wasm would peak at up to twice the file).
        let file: number | undefined;
        const waiting: Uint8Array[] = [];
        let waitingBytes = 0;
        try {
          let sized = false;
          await pipeSource(source, report, o.signal, "source", async (total) => {
            host = await starting;
            const h = host;
            if (total === undefined) {
              return (chunk) => {
                waiting.push(chunk);
                waitingBytes += chunk.byteLength;
              };
            }
            sized = true;
            const opened = await h.call<number>("openFile", [total]);
            file = opened;
            return (chunk) => h.call("pushFile", [opened, chunk], transferable(chunk));
          });
          host ??= await starting;
          if (!sized) {
            const opened = await host.call<number>("openFile", [waitingBytes]);
            file = opened;
            for (const chunk of waiting.splice(0)) await host.call("pushFile", [opened, chunk], transferable(chunk));
          }
          if (file === undefined) throw new InternalError("the model file was never opened");
          if (o.signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: o.signal.reason });
          loaded = await host.call<Loaded>("loadLanguageModelFromFile", [file, loadOptions]);
        } finally {
          if (host !== undefined && file !== undefined && loaded === undefined) void host.call("closeFile", [file]).catch(() => undefined);
        }
      }
      const ready = host ?? (await starting);
      await checked.catch((error: unknown) => {
        void ready.call("free", [loaded!.handle]).catch(() => undefined);
        throw error;
      });
      let stops = JSON.parse(loaded.stops) as string[];
      if (o.template !== undefined) stops = JSON.parse(await ready.call<string>("setTemplate", [loaded.handle, o.template])) as string[];
      const info = JSON.parse(loaded.info) as LocalModelInfo;
      if (o.template !== undefined) info.template = o.template as string;
      return new LocalModel(ready, loaded.handle, info, stops, defaults);
    } catch (error) {
      void starting.then((h) => h.terminate(), () => undefined);
      throw error;
    }
  }

  /** The model id agents report. */
  get id(): string {
    return this.info.name;
  }

  #check(): void {
    if (this.#freed) throw new InvalidArgumentError("model", "this LocalModel was released with free() and cannot be used any more");
  }

  /** Run `work` after every earlier generation (one at a time per model). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The prompt text for a conversation, in this model's chat format. */
  async render(messages: ChatMessage[]): Promise<string> {
    this.#check();
    if (!Array.isArray(messages)) throw new InvalidArgumentError("messages", `must be an array of { role, content }, got ${typeName(messages)}`);
    messages.forEach((m, i) => {
      if (!isPlainObject(m) || typeof m.role !== "string" || typeof m.content !== "string") {
        throw new InvalidArgumentError(`messages[${i}]`, "must be { role, content } with string values");
      }
    });
    return this.#host.call<string>("render", [this.#handle, JSON.stringify(messages.map(({ role, content }) => ({ role, content })))]);
  }

  /** Texts that end an answer in this model's chat format (the plain transcript's `\nUser:`). */
  get templateStops(): readonly string[] {
    return this.#stops;
  }

  async #prompt(input: string | ChatMessage[]): Promise<{ prompt: string; stops: string[] }> {
    if (typeof input === "string") {
      if (input === "") throw new InvalidArgumentError("prompt", "must not be empty");
      return { prompt: input, stops: [] };
    }
    if (Array.isArray(input)) return { prompt: await this.render(input), stops: this.#stops };
    throw new InvalidArgumentError("prompt", `must be a string or an array of messages, got ${typeName(input)}`);
  }

  /** Token ids of `text` (`addBos`: the model's BOS first; `special`: chat control tokens in the text are parsed). */
  async tokenize(text: string, options: { addBos?: boolean; special?: boolean } = {}): Promise<Uint32Array> {
    this.#check();
    if (typeof text !== "string") throw new InvalidArgumentError("text", `must be a string, got ${typeName(text)}`);
    return this.#host.call<Uint32Array>("tokenize", [this.#handle, text, options.addBos ?? false, options.special ?? true]);
  }

  /** The text of token ids (`skipSpecial`: leave out control tokens). */
  async detokenize(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): Promise<string> {
    this.#check();
    return this.#host.call<string>("detokenize", [this.#handle, this.#tokenIds(ids ?? [], "ids"), options.skipSpecial ?? false]);
  }

  /** Token ids checked against this model's vocabulary. */
  #tokenIds(ids: ArrayLike<number>, field: string): Uint32Array {
    return Uint32Array.from(Array.from(ids, (id) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.info.vocabSize) throw new InvalidArgumentError(field, `${id} is not a token id of this model`);
      return id;
    }));
  }

  /**
   * The next-token logits after `prompt`: a raw prompt (BOS added when the
   * model wants one), or token ids taken as given (to score a sequence, or
   * follow another engine's tokens step by step; a shared prefix is reused).
   */
  async logits(prompt: string | ArrayLike<number>): Promise<Float32Array> {
    this.#check();
    if (typeof prompt === "string") {
      if (prompt === "") throw new InvalidArgumentError("prompt", "must be a non-empty string");
      return this.#serial(() => this.#host.call<Float32Array>("logits", [this.#handle, prompt]));
    }
    if (prompt == null || typeof prompt !== "object" || typeof prompt.length !== "number") {
      throw new InvalidArgumentError("prompt", `must be a non-empty string or token ids, got ${typeName(prompt)}`);
    }
    if (!Number.isSafeInteger(prompt.length) || prompt.length < 0 || prompt.length > MAX_TOKEN_IDS) {
      throw new InvalidArgumentError("prompt", `must hold at most ${MAX_TOKEN_IDS} token ids, got a length of ${String(prompt.length)}`);
    }
    const ids = this.#tokenIds(prompt, "prompt");
    if (ids.length === 0) throw new InvalidArgumentError("prompt", "must not be empty");
    return this.#serial(() => this.#host.call<Float32Array>("logitsOfTokens", [this.#handle, ids]));
  }

  /** Generate the answer to a conversation, or continue a raw prompt (a string). */
  async generate(input: string | ChatMessage[], options?: GenerateOptions): Promise<GenerateResult> {
    let text = "";
    return this.#run(input, options, (piece) => {
      text += piece;
    }).then((r) => ({ ...r, text }));
  }

  /** Like `generate`, as a stream of text pieces (cancel it to stop). */
  stream(input: string | ChatMessage[], options?: GenerateOptions): TextStream {
    this.#check();
    const { signal } = generationJson(options, this.#defaults);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    let text = "";
    let push: ReadableStreamDefaultController<string> | undefined;
    const stream = new ReadableStream<string>({
      start(c) {
        push = c;
      },
      cancel() {
        controller.abort();
      },
    });
    const result = this.#run(input, { ...options, signal: controller.signal }, (piece) => {
      text += piece;
      if (piece !== "") push?.enqueue(piece);
    })
      .then((r) => {
        push?.close();
        return { ...r, text };
      })
      .catch((error: unknown) => {
        try {
          push?.error(error);
        } catch {
          // already cancelled
        }
        throw error;
      })
      .finally(() => signal?.removeEventListener("abort", onAbort));
    result.catch(() => undefined);
    return Object.assign(asyncIterable(stream), { result });
  }

  /** Generation for the chat-completions handler: pieces via `onText`. */
  async run(input: string | ChatMessage[], options: GenerateOptions | undefined, onText: (text: string) => void, extraStops: string[] = []): Promise<Omit<GenerateResult, "text">> {
    return this.#run(input, options, onText, extraStops);
  }

  async #run(
    input: string | ChatMessage[],
    options: GenerateOptions | undefined,
    onText: (text: string) => void,
    extraStops: string[] = [],
  ): Promise<Omit<GenerateResult, "text">> {
    this.#check();
    const { json, signal } = generationJson(options, this.#defaults);
    const { prompt, stops } = await this.#prompt(input);
    const all = [...stops, ...extraStops];
    const parsed = JSON.parse(json) as Record<string, unknown>;
    if (all.length > 0) parsed.stop = [...((parsed.stop as string[] | undefined) ?? []), ...all];
    return this.#serial(async () => {
      if (signal?.aborted) throw new AbortError("The generation was aborted.", { provider: "local", cause: signal.reason });
      // A worker may have produced a token or two before it saw the abort: drop them.
      const onStep = (step: StepData) => {
        if (signal?.aborted !== true) onText(step.text);
      };
      const outcome = await this.#host.generate([this.#handle, prompt, JSON.stringify(parsed)], onStep, signal);
      if (outcome.finish === "abort") throw new AbortError("The generation was aborted.", { provider: "local", cause: signal?.reason });
      const perToken = outcome.completionTokens > 1 ? outcome.generateMs / (outcome.completionTokens - 1) : 0;
      return {
        finishReason: outcome.finish,
        usage: {
          promptTokens: outcome.promptTokens,
          completionTokens: outcome.completionTokens,
          totalTokens: outcome.promptTokens + outcome.completionTokens,
        },
        timings: { promptMs: outcome.promptMs, generateMs: outcome.generateMs, tokensPerSecond: perToken > 0 ? 1000 / perToken : 0 },
      };
    });
  }

  /** Forget the cached conversation (the next prompt is read from scratch). */
  async reset(): Promise<void> {
    this.#check();
    await this.#serial(() => this.#host.call("reset", [this.#handle]));
  }

  /** Release the model's memory now (and stop its worker); calls after this fail. `using` calls it too. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    release(this.#host, this.#handle);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** Files of a sentence-transformers BERT model. */
export interface EmbeddingModelFiles {
  /** `model.safetensors`. */
  weights: ModelSource;
  /** `tokenizer.json`. */
  tokenizer: ModelSource;
  /** `config.json`. */
  config: ModelSource;
}

/** An embedding: the text and its unit-length vector (the same shape as every embedding model's). */
export type LocalEmbedding = Embedding;

/**
 * A sentence embedding model (BERT, such as all-MiniLM-L6-v2) in
 * WebAssembly: mean pooling and unit length, as sentence-transformers.
 * Works wherever an embedding model does (`InMemoryVectorStore`, agents'
 * dynamic context).
 */
export class LocalEmbeddingModel implements TextEmbedder {
  readonly dimensions: number;
  readonly #host: Host;
  readonly #handle: number;
  #freed = false;

  private constructor(host: Host, handle: number, dimensions: number) {
    this.#host = host;
    this.#handle = handle;
    this.dimensions = dimensions;
  }

  /**
   * Load from the three files, or from a folder/base URL holding
   * `model.safetensors`, `tokenizer.json` and `config.json`.
   */
  static async load(files: EmbeddingModelFiles | string | URL, options?: RuntimeOptions): Promise<LocalEmbeddingModel> {
    const o = checkRuntimeOptions(options, RUNTIME_KEYS);
    let spec: EmbeddingModelFiles;
    if (typeof files === "string" || files instanceof URL) {
      const base = String(files).endsWith("/") ? String(files) : `${String(files)}/`;
      spec = { weights: `${base}model.safetensors`, tokenizer: `${base}tokenizer.json`, config: `${base}config.json` };
    } else if (isPlainObject(files)) {
      spec = files as unknown as EmbeddingModelFiles;
      for (const key of ["weights", "tokenizer", "config"] as const) {
        if (spec[key] === undefined) throw new InvalidArgumentError(key, "is required (model.safetensors, tokenizer.json, config.json)");
      }
    } else {
      throw new InvalidArgumentError("files", `must be { weights, tokenizer, config } or a folder, got ${typeName(files)}`);
    }
    const report = progressReporter(o, 3);
    const [host, weights, tokenizer, config] = await Promise.all([
      chooseHost(o),
      readSource(spec.weights, report, o.signal, "weights"),
      readSource(spec.tokenizer, report, o.signal, "tokenizer"),
      readSource(spec.config, report, o.signal, "config"),
    ]);
    try {
      const transfer = [weights, tokenizer, config].filter((f) => f.owned).map((f) => f.bytes.buffer as ArrayBuffer);
      const loaded = await host.call<{ handle: number; dimensions: number }>(
        "loadEmbeddingModel",
        [weights.bytes, tokenizer.bytes, config.bytes],
        transfer,
      );
      return new LocalEmbeddingModel(host, loaded.handle, loaded.dimensions);
    } catch (error) {
      host.terminate();
      throw error;
    }
  }

  /** Embed one text. */
  async embedText(text: string, options?: CallOptions): Promise<LocalEmbedding> {
    if (typeof text !== "string") throw new InvalidArgumentError("text", `must be a string, got ${typeName(text)}`);
    const [embedding] = await this.embedTexts([text], options);
    return embedding!;
  }

  /** Embed many texts, in order. `signal` and `timeoutMs` end the wait (a batch already running finishes in the runtime). */
  async embedTexts(texts: string[], options?: CallOptions): Promise<LocalEmbedding[]> {
    if (this.#freed) throw new InvalidArgumentError("model", "this LocalEmbeddingModel was released with free() and cannot be used any more");
    if (!Array.isArray(texts)) throw new InvalidArgumentError("texts", `must be an array of strings, got ${typeName(texts)}`);
    texts.forEach((t, i) => {
      if (typeof t !== "string") throw new InvalidArgumentError(`texts[${i}]`, `must be a string, got ${typeName(t)}`);
    });
    if (texts.length === 0) return [];
    const ctx = new CallContext(options, 0);
    let flat: Float32Array;
    try {
      if (ctx.isAborted) throw ctx.error();
      const work = this.#host.call<Float32Array>("embed", [this.#handle, JSON.stringify(texts)]);
      flat = ctx.aborted === undefined ? await work : await Promise.race([work, ctx.aborted.then((): never => { throw ctx.error(); })]);
      // An in-process runtime blocks the thread: its timer may not have had a turn.
      if (ctx.overdue()) throw ctx.error();
    } finally {
      ctx.settle();
    }
    const d = this.dimensions;
    return texts.map((document, i) => ({ document, vec: flat.slice(i * d, (i + 1) * d) }));
  }

  /** Release the model's memory now (and stop its worker); calls after this fail. `using` calls it too. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    release(this.#host, this.#handle);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

export { RigError };
