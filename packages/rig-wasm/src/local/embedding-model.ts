/**
 * `LocalEmbeddingModel`: a sentence embedding model (BERT) running in
 * WebAssembly, offline.
 */
import { CallContext, type CallOptions } from "../call.js";
import { InvalidArgumentError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import type { Embedding } from "../provider.js";
import type { TextEmbedder } from "../vector-store.js";
import { chooseHost, release, type Host } from "./host.js";
import { checkRuntimeOptions, RUNTIME_KEYS, type RuntimeOptions } from "./options.js";
import { progressReporter, readSource, type ModelSource } from "./source.js";

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
      const loaded = await host.call(
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
      const work = this.#host.call("embed", [this.#handle, JSON.stringify(texts)]);
      flat = ctx.aborted === undefined ? await work : await Promise.race([work, ctx.aborted.then((): never => { throw ctx.error(); })]);
      // An in-process runtime blocks the thread: its timer may not have had a turn.
      if (ctx.overdue()) throw ctx.error();
    } finally {
      ctx.settle();
    }
    const d = this.dimensions;
    return texts.map((document, i) => ({ document, vec: Array.from(flat.subarray(i * d, (i + 1) * d)) }));
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

