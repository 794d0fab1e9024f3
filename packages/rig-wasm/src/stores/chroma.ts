/**
 * `rig-wasm/chroma`: a Chroma collection as a vector store, over Chroma's v2
 * REST API through the package's `fetch` (cosine space; Node.js, browsers
 * and edge runtimes, with `signal` and `timeoutMs` per call). It follows the
 * store contract (`topN`, `topNIds`), so it serves as an agent's
 * `dynamicContext`.
 */
import "#loader";
import type { CallOptions } from "../call.js";
import { InvalidArgumentError, InvalidResponseError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import type { SearchIdResult, SearchResult, TextEmbedder, VectorStore } from "../vector-store.js";
import { JsonClient, type HttpStoreOptions } from "./http.js";
import { prepareItems, queryVector, searchBounds, type FilteredSearchRequest, type StoreItem } from "./items.js";

export type { FilteredSearchRequest, HttpStoreOptions, StoreItem };
export type { CallOptions } from "../call.js";
export type { SearchIdResult, SearchResult, TextEmbedder, VectorSearchRequest } from "../vector-store.js";

/** A Chroma `where` filter on the items' metadata (their payload's plain values). */
export type ChromaWhere = Record<string, unknown>;

export interface ChromaOptions extends HttpStoreOptions {
  /** Default `default_tenant`. */
  tenant?: string;
  /** Default `default_database`. */
  database?: string;
  /** Sent as `x-chroma-token` (a server with token authentication). */
  apiKey?: string;
}

type Metadata = Record<string, string | number | boolean>;

interface QueryReply {
  ids?: string[][];
  distances?: Array<Array<number | null>>;
  documents?: Array<Array<string | null>>;
  metadatas?: Array<Array<Metadata | null>>;
}

/** The metadata key holding an item's document as JSON. */
const DOCUMENT_KEY = "rig:document";

/**
 * What Chroma keeps of an item as metadata: the payload's plain values (what
 * `where` filters see) and the document as JSON.
 */
function metadata(payload: Record<string, unknown>, document: unknown): Metadata {
  const out: Metadata = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key === "document") continue;
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) out[key] = value;
  }
  out[DOCUMENT_KEY] = JSON.stringify(document);
  return out;
}

/** Chroma's document text for an item: its text, else its document as JSON. */
function documentText(document: unknown): string {
  if (typeof document === "string") return document;
  if (isPlainObject(document) && typeof document.text === "string") return document.text;
  return JSON.stringify(document);
}

/** An item's document: ours from the metadata, or (written by another client) Chroma's text as `{ text }`. */
function readDocument(meta: Metadata | null | undefined, text: string | null | undefined): unknown {
  const json = meta?.[DOCUMENT_KEY];
  if (typeof json === "string") {
    try {
      return JSON.parse(json);
    } catch {
      // not ours after all
    }
  }
  return text === null || text === undefined ? null : { text };
}

export class ChromaAdapter<Document = unknown> implements VectorStore<Document> {
  readonly collection: string;
  readonly #model: TextEmbedder | undefined;
  readonly #client: JsonClient;
  readonly #base: string;
  #id: string | undefined;

  /** `model` embeds texts (items without a vector, text queries); `undefined` if you only pass vectors. */
  constructor(collection: string, model: TextEmbedder | undefined, options: ChromaOptions) {
    if (typeof collection !== "string" || collection.trim().length < 3) throw new InvalidArgumentError("collection", `must be a name of at least 3 characters (Chroma's rule), got ${JSON.stringify(collection)}`);
    if (model !== undefined && (typeof model !== "object" || model === null || typeof model.embedTexts !== "function")) {
      throw new InvalidArgumentError("model", "must be an embedding model (embedText and embedTexts)");
    }
    this.collection = collection;
    this.#model = model;
    this.#client = new JsonClient("chroma", options, options?.apiKey === undefined ? {} : { "x-chroma-token": options.apiKey });
    this.#base = `/api/v2/tenants/${encodeURIComponent(options.tenant ?? "default_tenant")}/databases/${encodeURIComponent(options.database ?? "default_database")}/collections`;
  }

  /**
   * Create the collection (cosine space) unless it exists. Chroma fixes the
   * dimensions at the first insert; given `dimensions`, an existing
   * collection of another size is refused.
   */
  async init(dimensions?: number, options?: CallOptions): Promise<void> {
    if (dimensions !== undefined && (!Number.isInteger(dimensions) || dimensions < 1)) {
      throw new InvalidArgumentError("dimensions", `must be a whole number of at least 1, got ${dimensions}`);
    }
    const reply = await this.#client.request<{ id?: string; dimension?: number | null }>(
      "POST",
      this.#base,
      { name: this.collection, configuration: { hnsw: { space: "cosine" } }, get_or_create: true },
      options,
    );
    this.#id = collectionId(reply);
    const size = reply?.dimension;
    if (dimensions !== undefined && typeof size === "number" && size !== dimensions) {
      throw new InvalidArgumentError("dimensions", `the collection "${this.collection}" holds ${size}-dimensional vectors, not ${dimensions}`);
    }
  }

  /** The collection's path (looked up by name once; `init()` creates it). */
  async #collection(options: CallOptions | undefined): Promise<string> {
    if (this.#id === undefined) {
      const reply = await this.#client.request<{ id?: string }>("GET", `${this.#base}/${encodeURIComponent(this.collection)}`, undefined, options);
      this.#id = collectionId(reply);
    }
    return `${this.#base}/${this.#id}`;
  }

  /** Store items (embedding those without a vector), replacing items with the same ids. */
  async insertDocuments(items: StoreItem<Document>[], options?: CallOptions): Promise<void> {
    const prepared = await prepareItems(items, this.#model, options);
    if (prepared.length === 0) return;
    const path = await this.#collection(options);
    await this.#client.request(
      "POST",
      `${path}/upsert`,
      {
        ids: prepared.map((item) => String(item.id)),
        embeddings: prepared.map((item) => item.vector),
        documents: prepared.map((item) => documentText(item.document)),
        metadatas: prepared.map((item) => metadata(item.payload, item.document)),
      },
      options,
    );
  }

  async #query(request: FilteredSearchRequest<ChromaWhere>, withDocuments: boolean, options: CallOptions | undefined): Promise<Array<{ score: number; id: string; document: unknown }>> {
    const { samples, threshold } = searchBounds(request);
    const vector = await queryVector(request, this.#model, options);
    if (request.filter !== undefined && !isPlainObject(request.filter)) throw new InvalidArgumentError("filter", `must be a Chroma where object, got ${typeName(request.filter)}`);
    const path = await this.#collection(options);
    const reply = await this.#client.request<QueryReply>(
      "POST",
      `${path}/query`,
      {
        query_embeddings: [vector],
        n_results: samples,
        include: withDocuments ? ["documents", "metadatas", "distances"] : ["distances"],
        ...(request.filter === undefined ? {} : { where: request.filter }),
      },
      options,
    );
    const ids = reply?.ids?.[0];
    const distances = reply?.distances?.[0];
    if (!Array.isArray(ids) || !Array.isArray(distances)) throw new InvalidResponseError("chroma answered a query without ids and distances", { provider: "chroma" });
    const documents = reply.documents?.[0] ?? [];
    const metadatas = reply.metadatas?.[0] ?? [];
    // Cosine space: a distance is 1 − the cosine similarity.
    return ids
      .map((id, i) => ({ id, score: 1 - (distances[i] ?? 1), document: withDocuments ? readDocument(metadatas[i], documents[i]) : null }))
      .filter((hit) => threshold === undefined || hit.score >= threshold);
  }

  /** The best `samples` items for `query` (a text, embedded, or a vector): `[score, id, document]`. */
  async topN(request: FilteredSearchRequest<ChromaWhere>, options?: CallOptions): Promise<SearchResult<Document>[]> {
    const hits = await this.#query(request, true, options);
    return hits.map((hit) => [hit.score, hit.id, hit.document as Document]);
  }

  /** Like `topN`, without the documents. */
  async topNIds(request: FilteredSearchRequest<ChromaWhere>, options?: CallOptions): Promise<SearchIdResult[]> {
    const hits = await this.#query(request, false, options);
    return hits.map((hit) => [hit.score, hit.id]);
  }

  /** Delete items by id, or every item a `where` filter selects. */
  async delete(target: Array<string | number> | { filter: ChromaWhere }, options?: CallOptions): Promise<void> {
    let body: Record<string, unknown>;
    if (Array.isArray(target)) body = { ids: target.map(String) };
    else if (isPlainObject(target) && isPlainObject(target.filter)) body = { where: target.filter };
    else throw new InvalidArgumentError("target", `must be an array of ids or { filter }, got ${typeName(target)}`);
    const path = await this.#collection(options);
    await this.#client.request("POST", `${path}/delete`, body, options);
  }

  /** How many items the collection holds. */
  async count(options?: CallOptions): Promise<number> {
    const path = await this.#collection(options);
    const reply = await this.#client.request<number>("GET", `${path}/count`, undefined, options);
    return typeof reply === "number" ? reply : 0;
  }

  /** Delete the collection (`init()` creates it again). */
  async drop(options?: CallOptions): Promise<void> {
    this.#id = undefined;
    await this.#client.request("DELETE", `${this.#base}/${encodeURIComponent(this.collection)}`, undefined, options);
  }
}

function collectionId(reply: { id?: string } | undefined): string {
  if (typeof reply?.id !== "string") throw new InvalidResponseError("chroma answered without a collection id", { provider: "chroma" });
  return reply.id;
}
