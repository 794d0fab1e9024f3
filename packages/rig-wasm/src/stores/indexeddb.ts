/**
 * `IndexedDBVectorStore`: documents and their vectors kept in the browser's
 * IndexedDB (pages and Web Workers), searched by the same wasm index as
 * `InMemoryVectorStore`. Opening loads the entries into the index; every
 * change is written through, so the store is there again after a reload.
 */
import { InvalidArgumentError } from "../errors.js";
import { committed, indexedDBFor, openDatabase, settled } from "../idb.js";
import { typeName } from "../json.js";
import {
  embedEntries,
  InMemoryVectorStore,
  type InMemoryVectorStoreOptions,
  type SearchIdResult,
  type SearchResult,
  type TextEntry,
  type VectorEntry,
  type VectorSearchRequest,
  type VectorStore,
} from "../vector-store.js";

interface StoredEntry {
  id: string;
  document: unknown;
  vector: Float32Array;
}

const ENTRIES = "entries";

export class IndexedDBVectorStore<Document = unknown> implements VectorStore<Document> {
  readonly name: string;
  readonly #db: IDBDatabase;
  readonly #index: InMemoryVectorStore<Document>;

  private constructor(name: string, db: IDBDatabase, index: InMemoryVectorStore<Document>) {
    this.name = name;
    this.#db = db;
    this.#index = index;
  }

  /** Open (or create) the store `name`, with its entries loaded. `model` embeds texts (`addDocuments`, text queries). */
  static async open<D = unknown>(name: string, options: InMemoryVectorStoreOptions = {}): Promise<IndexedDBVectorStore<D>> {
    if (typeof name !== "string" || name === "") throw new InvalidArgumentError("name", `must be a database name, got ${typeName(name)}`);
    const factory = indexedDBFor("IndexedDBVectorStore");
    const index = new InMemoryVectorStore<D>(options);
    const db = await openDatabase(factory, name, (db) => db.createObjectStore(ENTRIES, { keyPath: "id" }));
    const entries = (await settled(db.transaction(ENTRIES).objectStore(ENTRIES).getAll())) as StoredEntry[];
    if (entries.length > 0) index.addMany(entries.map((e) => ({ id: e.id, document: e.document as D, vector: e.vector })));
    return new IndexedDBVectorStore(name, db, index);
  }

  async #write(work: (store: IDBObjectStore) => void): Promise<void> {
    const tx = this.#db.transaction(ENTRIES, "readwrite");
    work(tx.objectStore(ENTRIES));
    await committed(tx);
  }

  /** How many entries the store holds. */
  get count(): number {
    return this.#index.count;
  }

  get dimensions(): number {
    return this.#index.dimensions;
  }

  /** Add or replace one entry. */
  async add(id: string, document: Document, vector: Float32Array | number[]): Promise<void> {
    await this.addMany([{ id, document, vector }]);
  }

  /** Add or replace many entries (checked by the index before anything is stored). */
  async addMany(entries: Array<VectorEntry<Document>>): Promise<void> {
    this.#index.addMany(entries);
    await this.#write((store) => {
      for (const entry of entries) store.put({ id: entry.id, document: entry.document, vector: Float32Array.from(entry.vector) } satisfies StoredEntry);
    });
  }

  /** Embed texts with the store's model and add them (ids `doc_<n>` where none is given). */
  async addDocuments(entries: Array<TextEntry<Document> | string>): Promise<void> {
    const model = this.#index.model;
    if (model === undefined) throw new InvalidArgumentError("model", "addDocuments needs an embedding model: IndexedDBVectorStore.open(name, { model })");
    await this.addMany(await embedEntries(entries, model, this.count));
  }

  /** Remove an entry; whether it was there. */
  async remove(id: string): Promise<boolean> {
    const removed = this.#index.remove(id);
    await this.#write((store) => store.delete(id));
    return removed;
  }

  /** Remove every entry. */
  async clear(): Promise<void> {
    for (const id of this.#index.ids()) this.#index.remove(id);
    await this.#write((store) => store.clear());
  }

  /** The document stored for `id`. */
  get(id: string): Document | undefined {
    return this.#index.get(id);
  }

  ids(): string[] {
    return this.#index.ids();
  }

  topN(request: VectorSearchRequest): Promise<SearchResult<Document>[]> {
    return this.#index.topN(request);
  }

  topNIds(request: VectorSearchRequest): Promise<SearchIdResult[]> {
    return this.#index.topNIds(request);
  }

  /** Close the database and release the index's memory (the data stays in IndexedDB). */
  close(): void {
    this.#db.close();
    this.#index.free();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
