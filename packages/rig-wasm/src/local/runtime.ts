/**
 * The local-model runtime: `rig_wasm_local.wasm` (candle) and the models
 * loaded into it. The same code runs in the page/process ("in process") and
 * inside the Web Worker / worker thread (`worker.ts`), which drives it by
 * messages.
 *
 * The module is separate from `rig_wasm.wasm` and loaded on first use, so
 * apps that only call cloud providers never download it.
 */
import type { BindError, ErrorCode } from "../contract.js";
import { bindErrorOf } from "../error-data.js";
import initLocal, * as glue from "../../wasm/rig_wasm_local.js";
import type { WasmEmbeddingModel, WasmFile, WasmLanguageModel } from "../../wasm/rig_wasm_local.js";

/** What `loadRuntime` accepts: the compiled module, its bytes, or where to fetch them. */
export type LocalWasmInput = WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>;

/** An error that crosses the worker boundary as plain data. */
/** A failure of the runtime: the same data every rig-wasm error carries. */
export type ErrorData = BindError;

/** One generated token, as the wasm side reports it. */
export interface StepData {
  text: string;
  token: number | null;
  finish: "stop" | "length" | null;
}

export interface GenerateOutcome {
  finish: "stop" | "length" | "abort";
  promptTokens: number;
  completionTokens: number;
  /** Milliseconds until the first token (the prompt's prefill). */
  promptMs: number;
  /** Milliseconds from the first token to the last. */
  generateMs: number;
}

const isNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

/** Node's modules, imported by a name bundlers do not follow. */
export function nodeImport<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name) as Promise<T>;
}

let loading: Promise<void> | undefined;
let generation = 0;

/** Load `rig_wasm_local.wasm` once (concurrent callers share the load). */
export function loadRuntime(input?: LocalWasmInput): Promise<void> {
  loading ??= (async () => {
    let source: LocalWasmInput | undefined = input;
    const url = new URL("../../wasm/rig_wasm_local_bg.wasm", import.meta.url);
    if (source === undefined && isNode && url.protocol === "file:") {
      const fs = await nodeImport<{ readFile(path: URL): Promise<Uint8Array> }>("node:fs/promises");
      source = await fs.readFile(url);
    }
    await initLocal({ module_or_path: source ?? url });
  })().catch((error: unknown) => {
    loading = undefined;
    throw runtimeError("internal", `could not load rig_wasm_local.wasm: ${describe(error)}`);
  });
  return loading;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function runtimeError(code: ErrorCode, message: string, field?: string): ErrorData {
  return { code, message, isRetryable: false, provider: "local", ...(field !== undefined && { field }) };
}

/** A thrown value from the wasm side, as `ErrorData`. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof WebAssembly.RuntimeError) {
    // A trap (a bug): the instance is unusable. Start a fresh one; models
    // loaded before are gone and say so when next used.
    let panic: string | undefined;
    try {
      panic = glue.takePanicMessage();
    } catch {
      // the instance may be too broken to ask
    }
    try {
      glue.__wbg_reset_state();
    } catch {
      loading = undefined;
    }
    generation += 1;
    return runtimeError("internal", `the local model crashed (${panic || error.message}); load it again`);
  }
  // The module's errors carry their data as rig_wasm.wasm's do; errors made
  // here already are that data.
  const data = bindErrorOf(error);
  if (data) return data;
  if (typeof error === "object" && error !== null && "code" in error && "isRetryable" in error) return error as ErrorData;
  return runtimeError("internal", describe(error));
}

/**
 * Yield to the event loop without timer clamping (lets cancel messages and
 * the page in): `setImmediate` in Node.js, a `MessageChannel` elsewhere.
 */
let channel: MessageChannel | undefined;
const waiting: Array<() => void> = [];
const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
export function yieldNow(): Promise<void> {
  if (typeof immediate === "function") return new Promise((resolve) => immediate(resolve));
  if (typeof MessageChannel === "undefined") return new Promise((resolve) => setTimeout(resolve, 0));
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(0);
  });
}

interface Entry<T> {
  model: T;
  generation: number;
}

/** The models of one runtime, by handle. Every method may throw `ErrorData`. */
export class Runtime {
  #languageModels = new Map<number, Entry<WasmLanguageModel>>();
  #embeddingModels = new Map<number, Entry<WasmEmbeddingModel>>();
  #files = new Map<number, Entry<WasmFile>>();
  #next = 1;

  async init(input?: LocalWasmInput): Promise<void> {
    await loadRuntime(input);
  }

  /** A loaded model by handle; a clear error once disposed or lost in a crash. */
  #entry<T>(models: Map<number, Entry<T>>, handle: number, what: string): T {
    const entry = models.get(handle);
    if (entry === undefined) throw runtimeError("invalid_argument", `model: this ${what} was released with free() and cannot be used any more`, "model");
    if (entry.generation !== generation) {
      throw runtimeError("internal", `this ${what} was lost when the local runtime crashed; load it again`);
    }
    return entry.model;
  }

  #language(handle: number): WasmLanguageModel {
    return this.#entry(this.#languageModels, handle, "LocalModel");
  }

  #embedding(handle: number): WasmEmbeddingModel {
    return this.#entry(this.#embeddingModels, handle, "LocalEmbeddingModel");
  }

  #guard<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw toErrorData(error);
    }
  }

  loadLanguageModel(bytes: Uint8Array, optionsJson: string): { handle: number; info: string; stops: string } {
    return this.#guard(() => {
      const model = new glue.WasmLanguageModel(bytes, optionsJson);
      const handle = this.#next++;
      this.#languageModels.set(handle, { model, generation });
      return { handle, info: model.info(), stops: model.templateStops() };
    });
  }

  /** Start receiving a model file in chunks (`size`: its length, 0 if unknown); a file handle. */
  openFile(size: number): number {
    return this.#guard(() => {
      const file = new glue.WasmFile(size);
      const handle = this.#next++;
      this.#files.set(handle, { model: file, generation });
      return handle;
    });
  }

  pushFile(handle: number, chunk: Uint8Array): void {
    this.#guard(() => this.#entry(this.#files, handle, "model file").push(chunk));
  }

  /** Build a language model from a received file; the file is freed either way. */
  loadLanguageModelFromFile(file: number, optionsJson: string): { handle: number; info: string; stops: string } {
    try {
      return this.#guard(() => {
        const model = glue.WasmLanguageModel.fromFile(this.#entry(this.#files, file, "model file"), optionsJson);
        const handle = this.#next++;
        this.#languageModels.set(handle, { model, generation });
        return { handle, info: model.info(), stops: model.templateStops() };
      });
    } finally {
      this.closeFile(file);
    }
  }

  /** Free a file that was not (or not successfully) loaded; no-op when already freed. */
  closeFile(handle: number): void {
    const entry = this.#files.get(handle);
    this.#files.delete(handle);
    try {
      if (entry?.generation === generation) entry.model.free();
    } catch {
      // freed with a crashed instance
    }
  }

  loadEmbeddingModel(weights: Uint8Array, tokenizer: Uint8Array, config: Uint8Array): { handle: number; dimensions: number } {
    return this.#guard(() => {
      const model = new glue.WasmEmbeddingModel(weights, tokenizer, config);
      const handle = this.#next++;
      this.#embeddingModels.set(handle, { model, generation });
      return { handle, dimensions: model.dimensions };
    });
  }

  setTemplate(handle: number, name: string): string {
    return this.#guard(() => {
      const model = this.#language(handle);
      model.setTemplate(name);
      return model.templateStops();
    });
  }

  render(handle: number, messagesJson: string): string {
    return this.#guard(() => this.#language(handle).render(messagesJson));
  }

  tokenize(handle: number, text: string, addBos: boolean, special: boolean): Uint32Array {
    return this.#guard(() => this.#language(handle).tokenize(text, addBos, special));
  }

  detokenize(handle: number, ids: Uint32Array, skipSpecial: boolean): string {
    return this.#guard(() => this.#language(handle).detokenize(ids, skipSpecial));
  }

  logits(handle: number, prompt: string): Float32Array {
    return this.#guard(() => this.#language(handle).logits(prompt));
  }

  logitsOfTokens(handle: number, tokens: Uint32Array): Float32Array {
    return this.#guard(() => this.#language(handle).logitsOfTokens(tokens));
  }

  embed(handle: number, textsJson: string): Float32Array {
    return this.#guard(() => this.#embedding(handle).embed(textsJson));
  }

  /** Check generation options without generating (a model's defaults, at load). */
  checkGenerateOptions(optionsJson: string): void {
    this.#guard(() => glue.checkGenerateOptions(optionsJson));
  }

  reset(handle: number): void {
    this.#guard(() => this.#language(handle).reset());
  }

  /**
   * Generate after `prompt`, reporting each step; yields to the event loop
   * between tokens so `cancelled()` (and the page) get a turn.
   */
  async generate(
    handle: number,
    prompt: string,
    optionsJson: string,
    onStep: (step: StepData) => void,
    cancelled: () => boolean,
  ): Promise<GenerateOutcome> {
    const model = this.#guard(() => this.#language(handle));
    const started = performance.now();
    this.#guard(() => model.startGeneration(prompt, optionsJson));
    let firstAt: number | undefined;
    let finish: GenerateOutcome["finish"] = "stop";
    for (;;) {
      if (cancelled()) {
        finish = "abort";
        break;
      }
      const json = this.#guard(() => model.step());
      firstAt ??= performance.now();
      if (json === undefined) break;
      const step = JSON.parse(json) as StepData;
      onStep(step);
      if (step.finish !== null) {
        finish = step.finish;
        break;
      }
      await yieldNow();
    }
    const ended = performance.now();
    const [promptTokens, completionTokens] = this.#guard(() => Array.from(model.usage()));
    return {
      finish,
      promptTokens: promptTokens ?? 0,
      completionTokens: completionTokens ?? 0,
      promptMs: (firstAt ?? ended) - started,
      generateMs: ended - (firstAt ?? ended),
    };
  }

  free(handle: number): void {
    const language = this.#languageModels.get(handle);
    const embedding = this.#embeddingModels.get(handle);
    this.#languageModels.delete(handle);
    this.#embeddingModels.delete(handle);
    try {
      if (language?.generation === generation) language.model.free();
      if (embedding?.generation === generation) embedding.model.free();
    } catch {
      // freed with a crashed instance
    }
  }
}

/** The runtime's methods a host calls by name (`generate` streams, so it has its own call). */
export type RuntimeMethod = {
  [K in keyof Runtime]: Runtime[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Runtime] extends infer M
  ? Exclude<M, "generate">
  : never;

/** The arguments of runtime method `M`. */
export type RuntimeArgs<M extends RuntimeMethod> = Parameters<Runtime[M]>;

/** What runtime method `M` resolves to. */
export type RuntimeResult<M extends RuntimeMethod> = Awaited<ReturnType<Runtime[M]>>;

/** A message to the worker: one method call by name, or `generate`, or a cancel. */
export type WorkerRequest =
  | { [M in RuntimeMethod]: { id: number; method: M; args: RuntimeArgs<M> } }[RuntimeMethod]
  | { id: number; method: "generate"; args: [handle: number, prompt: string, optionsJson: string] };

/** Run method `method` of `runtime` (a host in process, or the worker, dispatching by name). */
export function callRuntime<M extends RuntimeMethod>(runtime: Runtime, method: M, args: RuntimeArgs<M>): RuntimeResult<M> | Promise<RuntimeResult<M>> {
  const fn = runtime[method] as unknown as (...a: RuntimeArgs<M>) => RuntimeResult<M> | Promise<RuntimeResult<M>>;
  if (typeof fn !== "function") throw runtimeError("internal", `the local runtime has no method ${String(method)}`);
  return fn.apply(runtime, args);
}
