/**
 * Vector stores.
 *
 * The contract: any object with `topN(request)` returning
 * `[score, id, document]` tuples, best first (and optionally `topNIds`
 * returning `[score, id]`), sync or async. An agent's `dynamicContext.store`
 * can be any such object: a plain JavaScript store, `InMemoryVectorStore`,
 * or an adapter for a database.
 *
 * `InMemoryVectorStore` keeps its index in wasm memory (vectors normalised
 * once, f32, SIMD dot products) and embeds documents and text queries with
 * the embedding model you give it.
 */
import { InternalError, InvalidArgumentError, VectorStoreError } from "./errors.js";
import type { CallOptions } from "./call.js";
import type { StoreQuery } from "./contract.js";
import { callSync } from "./invoke.js";
import { describeThrown, describeValue, isPlainObject, toJson, typeName } from "./json.js";
import { bindings, Handle, survive, type Survivor } from "./wasm.js";
import type { WasmVectorStore } from "../wasm/rig_wasm.js";

/** What a store is asked: the query text (or vector), how many, and a score floor. */
export interface VectorSearchRequest {
  query: string | Float32Array | number[];
  samples?: number;
  threshold?: number;
}

/** One search result: `[score, id, document]`. */
export type SearchResult<Document = unknown> = [score: number, id: string, document: Document];
/** One id-only search result: `[score, id]`. */
export type SearchIdResult = [score: number, id: string];

/** Any vector store an agent can retrieve from. */
export interface VectorStore<Document = unknown> {
  topN(request: VectorSearchRequest): SearchResult<Document>[] | Promise<SearchResult<Document>[]>;
  topNIds?(request: VectorSearchRequest): SearchIdResult[] | Promise<SearchIdResult[]>;
}

/**
 * A store with `search(query, topN)` returning `[score, id, document]`
 * results: taken as an agent's dynamic context too (`topN(request)` is the
 * contract to implement).
 */
export interface SearchStore {
  search(query: string, topN: number): unknown;
}

/**
 * What embeds text: every provider's `EmbeddingModel` and the offline
 * `LocalEmbeddingModel` implement it (with `signal` and `timeoutMs` per
 * call), and any object of this shape (transformers.js, a service of your
 * own) can stand in for them.
 */
export interface TextEmbedder {
  embedText(text: string, options?: CallOptions): Promise<{ vec: Float32Array | number[] }>;
  embedTexts(texts: string[], options?: CallOptions): Promise<Array<{ vec: Float32Array | number[] }>>;
}

/** An entry with its vector. */
export interface VectorEntry<Document = unknown> {
  id: string;
  document: Document;
  vector: Float32Array | number[];
}

/** A text to embed and store (`document` defaults to `{ text }`). */
export interface TextEntry<Document = unknown> {
  id?: string;
  text: string;
  document?: Document;
}

export interface InMemoryVectorStoreOptions {
  /** Embeds `addDocuments` texts and text queries. */
  model?: TextEmbedder;
}

function toFloat32(vector: unknown, field: string): Float32Array {
  if (vector instanceof Float32Array) return vector;
  if (Array.isArray(vector) || ArrayBuffer.isView(vector)) {
    const out = Float32Array.from(vector as ArrayLike<number>);
    return out;
  }
  throw new InvalidArgumentError(field, `must be a Float32Array or an array of numbers, got ${typeName(vector)}`);
}

function checkId(id: unknown, field: string): string {
  if (typeof id !== "string" || id === "") {
    throw new InvalidArgumentError(field, `must be a non-empty string, got ${typeName(id)}`);
  }
  return id;
}

function checkSamples(request: VectorSearchRequest): { samples: number; threshold: number | undefined } {
  const samples = request.samples ?? 5;
  if (!Number.isInteger(samples) || samples < 0 || samples > 100_000) {
    throw new InvalidArgumentError("samples", `must be a whole number between 0 and 100000, got ${String(samples)}`);
  }
  const threshold = request.threshold ?? undefined;
  if (threshold !== undefined && (typeof threshold !== "number" || !Number.isFinite(threshold))) {
    throw new InvalidArgumentError("threshold", `must be a finite number, got ${typeName(threshold)}`);
  }
  return { samples, threshold };
}

/** A fast cosine-similarity store in wasm memory. */
export class InMemoryVectorStore<Document = unknown> implements VectorStore<Document> {
  readonly #handle: Handle<WasmVectorStore>;
  readonly #model: TextEmbedder | undefined;
  /** The instance holding the data was replaced after an internal error, and the data could not be saved. */
  #lost = false;
  /** The index, saved out of an instance about to be replaced. */
  #saved: Uint8Array | undefined;
  /** Whether the first index was made (later ones replace it after a reset). */
  #created = false;
  readonly #survivor: Survivor = {
    saveBeforeReset: () => {
      // Freed, or not rebuilt since an earlier reset (what was saved then still stands).
      const index = this.#handle.live();
      if (index === undefined) return;
      this.#saved = undefined;
      this.#saved = index.toBytes();
    },
  };

  constructor(options: InMemoryVectorStoreOptions = {}, index?: WasmVectorStore) {
    if (!isPlainObject(options)) {
      throw new InvalidArgumentError("options", `must be an object, got ${typeName(options)}`);
    }
    const model = options.model as TextEmbedder | undefined;
    if (model !== undefined && (typeof model?.embedText !== "function" || typeof model?.embedTexts !== "function")) {
      throw new InvalidArgumentError("model", "must have embedText(text) and embedTexts(texts), like an EmbeddingModel");
    }
    this.#model = model;
    let first: WasmVectorStore | undefined = index;
    this.#handle = callSync(
      () =>
        new Handle(
          (glue) => {
            const saved = this.#saved;
            this.#saved = undefined;
            const made = first ?? (saved === undefined ? new glue.WasmVectorStore() : glue.WasmVectorStore.fromBytes(saved));
            if (first === undefined && saved === undefined && this.#created) this.#lost = true;
            first = undefined;
            this.#created = true;
            return made;
          },
        ),
    );
    survive(this.#survivor);
  }

  /** The index, valid in the current instance. */
  get #index(): WasmVectorStore {
    const index = this.#handle.get();
    if (this.#lost) {
      this.#lost = false;
      throw new InternalError(
        "this InMemoryVectorStore's contents were lost when rig-wasm restarted after an internal error; it is empty now",
      );
    }
    return index;
  }

  /** A store read back from `toJson()`. */
  static fromJson<D = unknown>(json: string, options: InMemoryVectorStoreOptions = {}): InMemoryVectorStore<D> {
    if (typeof json !== "string") throw new InvalidArgumentError("json", `must be a string, got ${typeName(json)}`);
    return new InMemoryVectorStore<D>(options, callSync(() => bindings().WasmVectorStore.fromJson(json)));
  }

  /** A store read back from `toBytes()`. */
  static fromBytes<D = unknown>(bytes: Uint8Array, options: InMemoryVectorStoreOptions = {}): InMemoryVectorStore<D> {
    if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError("bytes", `must be a Uint8Array, got ${typeName(bytes)}`);
    return new InMemoryVectorStore<D>(options, callSync(() => bindings().WasmVectorStore.fromBytes(bytes)));
  }

  /** How many entries the store holds. */
  get count(): number {
    return callSync(() => this.#index.count);
  }

  /** The vector width (0 while empty). */
  get dimensions(): number {
    return callSync(() => this.#index.dimensions);
  }

  /** Add (or replace) one entry with its vector. */
  add(id: string, document: Document, vector: Float32Array | number[]): void {
    const checked = checkId(id, "id");
    const json = toJson(document, "document");
    const floats = toFloat32(vector, "vector");
    callSync(() => this.#index.insert(checked, json, floats));
  }

  /** Add (or replace) many entries at once; all are checked before any is added. */
  addMany(entries: Array<VectorEntry<Document>>): void {
    if (!Array.isArray(entries)) throw new InvalidArgumentError("entries", `must be an array, got ${typeName(entries)}`);
    if (entries.length === 0) return;
    const ids = entries.map((entry, i) => checkId(entry?.id, `entries[${i}].id`));
    const first = toFloat32(entries[0]!.vector, "entries[0].vector");
    const dims = first.length;
    const flat = new Float32Array(dims * entries.length);
    entries.forEach((entry, i) => {
      const vector = i === 0 ? first : toFloat32(entry.vector, `entries[${i}].vector`);
      if (vector.length !== dims) {
        throw new InvalidArgumentError(`entries[${i}].vector`, `has ${vector.length} dimensions, entries[0] has ${dims}`);
      }
      flat.set(vector, i * dims);
    });
    const documents = toJson(entries.map((entry) => entry.document), "documents");
    callSync(() => this.#index.insertMany(ids, documents, flat));
  }

  /**
   * Embed texts with the store's model and add them. Strings get ids
   * `doc_<n>`; each document is `{ text }` unless given.
   */
  async addDocuments(entries: Array<TextEntry<Document> | string>): Promise<void> {
    this.addMany(await embedEntries(entries, this.#requireModel("addDocuments"), this.count));
  }

  /** Remove an entry; whether it was there. */
  remove(id: string): boolean {
    return callSync(() => this.#index.remove(checkId(id, "id")));
  }

  /** The document stored for `id`. */
  get(id: string): Document | undefined {
    const json = callSync(() => this.#index.document(checkId(id, "id")));
    return json === undefined ? undefined : (JSON.parse(json) as Document);
  }

  /** Every id, in insertion order (removals move the last entry into the gap). */
  ids(): string[] {
    return callSync(() => this.#index.ids());
  }

  async #queryVector(query: unknown): Promise<Float32Array> {
    if (typeof query === "string") {
      const model = this.#requireModel("a text query");
      return toFloat32((await model.embedText(query)).vec, "query");
    }
    return toFloat32(query, "query");
  }

  /** The best matches for the query (text needs a model), best first. */
  async topN(request: VectorSearchRequest): Promise<SearchResult<Document>[]> {
    return JSON.parse(await this.#search(request, true)) as SearchResult<Document>[];
  }

  /** Like `topN`, without the documents. */
  async topNIds(request: VectorSearchRequest): Promise<SearchIdResult[]> {
    return JSON.parse(await this.#search(request, false)) as SearchIdResult[];
  }

  async #search(request: VectorSearchRequest, withDocuments: boolean): Promise<string> {
    if (!isPlainObject(request)) {
      throw new InvalidArgumentError("request", `must be an object like { query, samples }, got ${typeName(request)}`);
    }
    const { samples, threshold } = checkSamples(request);
    const vector = await this.#queryVector(request.query);
    return callSync(() => this.#index.search(vector, samples, threshold, withDocuments));
  }

  /** The store as JSON text (ids, documents and normalised vectors). */
  toJson(): string {
    return callSync(() => this.#index.toJson());
  }

  /** The store as compact bytes. */
  toBytes(): Uint8Array {
    return callSync(() => this.#index.toBytes());
  }

  /** The embedding model this store was given (for stores built on it). */
  get model(): TextEmbedder | undefined {
    return this.#model;
  }

  #requireModel(what: string): TextEmbedder {
    if (!this.#model) {
      throw new InvalidArgumentError("model", `${what} needs an embedding model: new InMemoryVectorStore({ model })`);
    }
    return this.#model;
  }

  free(): void {
    this.#handle.free();
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

/** The bridge the wasm side calls to search a JavaScript store. */
export type StoreBridge = (method: "topN" | "topNIds", requestJson: string) => Promise<string>;

/** Text entries embedded with `model`, as vector entries (ids `doc_<n>` from `start` where none is given). */
export async function embedEntries<Document>(entries: Array<TextEntry<Document> | string>, model: TextEmbedder, start: number): Promise<Array<VectorEntry<Document>>> {
  if (!Array.isArray(entries)) throw new InvalidArgumentError("entries", `must be an array, got ${typeName(entries)}`);
  const normalized = entries.map((entry, i) => {
    const value = typeof entry === "string" ? { text: entry } : entry;
    if (!value || typeof value.text !== "string") {
      throw new InvalidArgumentError(`entries[${i}].text`, "must be a string");
    }
    return {
      id: value.id ?? `doc_${start + i}`,
      text: value.text,
      document: (value.document ?? { text: value.text }) as Document,
    };
  });
  if (normalized.length === 0) return [];
  const embeddings = await model.embedTexts(normalized.map((entry) => entry.text));
  return normalized.map((entry, i) => ({ id: entry.id, document: entry.document, vector: embeddings[i]!.vec }));
}

/** Check `store` follows the contract and make its bridge. */
export function storeBridge(store: unknown, field: string): StoreBridge {
  const hasTopN = typeof store === "object" && store !== null && typeof (store as VectorStore).topN === "function";
  const hasSearch = typeof store === "object" && store !== null && typeof (store as SearchStore).search === "function";
  if (!hasTopN && !hasSearch) {
    throw new InvalidArgumentError(field, `must be a vector store: an object with a topN(request) method (or search(query, topN)), got ${typeName(store)}`);
  }
  return async (method, requestJson) => {
    const request = JSON.parse(requestJson) as StoreQuery;
    let result: unknown;
    try {
      if (!hasTopN) result = await (store as SearchStore).search(request.query, request.samples);
      else if (method === "topNIds" && typeof (store as VectorStore).topNIds === "function") result = await (store as VectorStore).topNIds!(request);
      else result = await (store as VectorStore).topN(request);
    } catch (error) {
      throw `the vector store's ${method} failed: ${describeThrown(error)}`;
    }
    const described = describeValue(result);
    if (!described.ok) throw `the vector store's ${method} returned a value that cannot be converted to JSON (${described.reason})`;
    return described.json;
  };
}

export { VectorStoreError };
