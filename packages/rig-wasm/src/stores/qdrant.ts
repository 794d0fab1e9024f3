/**
 * `rig-wasm/qdrant`: a Qdrant collection as a vector store, over Qdrant's
 * REST API through the package's `fetch` (so it works in Node.js, browsers
 * and edge runtimes, with `signal` and `timeoutMs` per call). It follows the
 * store contract (`topN`, `topNIds`), so it serves as an agent's
 * `dynamicContext`.
 */
import "#loader";
import type { CallOptions } from "../call.js";
import { InvalidArgumentError, InvalidResponseError, NotFoundError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import type { SearchIdResult, SearchResult, TextEmbedder, VectorStore } from "../vector-store.js";
import { JsonClient, type HttpStoreOptions } from "./http.js";
import { prepareItems, queryVector, searchBounds, type FilteredSearchRequest, type StoreItem } from "./items.js";

export type { FilteredSearchRequest, HttpStoreOptions, StoreItem };
export type { CallOptions } from "../call.js";
export type { SearchIdResult, SearchResult, TextEmbedder, VectorSearchRequest } from "../vector-store.js";

/** A Qdrant filter (`must`, `should`, `must_not` conditions on the payload). */
export type QdrantFilter = Record<string, unknown>;

export interface QdrantOptions extends HttpStoreOptions {
  /** Sent as `api-key` (Qdrant Cloud, or a server with an API key). */
  apiKey?: string;
  /** A filter every search applies (a search's own `filter` is added to it). */
  filter?: QdrantFilter;
}

interface QdrantPoint {
  id: string | number;
  score: number;
  payload?: Record<string, unknown> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A point id as Qdrant takes it: an unsigned integer or a UUID. */
function pointId(id: string | number, path: string): string | number {
  if (typeof id === "number" && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === "string" && UUID.test(id)) return id;
  if (typeof id === "string" && /^\d+$/.test(id) && Number.isSafeInteger(Number(id))) return Number(id);
  throw new InvalidArgumentError(path, `must be an unsigned integer or a UUID (Qdrant's point ids), got ${JSON.stringify(id)}`);
}

export class QdrantAdapter<Document = unknown> implements VectorStore<Document> {
  readonly collection: string;
  readonly #model: TextEmbedder | undefined;
  readonly #client: JsonClient;
  readonly #filter: QdrantFilter | undefined;

  /** `model` embeds texts (items without a vector, text queries); `undefined` if you only pass vectors. */
  constructor(collection: string, model: TextEmbedder | undefined, options: QdrantOptions) {
    if (typeof collection !== "string" || collection.trim() === "") throw new InvalidArgumentError("collection", `must be a collection name, got ${typeName(collection)}`);
    if (model !== undefined && (typeof model !== "object" || model === null || typeof model.embedTexts !== "function")) {
      throw new InvalidArgumentError("model", "must be an embedding model (embedText and embedTexts)");
    }
    this.collection = collection;
    this.#model = model;
    this.#client = new JsonClient("qdrant", options, options?.apiKey === undefined ? {} : { "api-key": options.apiKey });
    if (options.filter !== undefined && !isPlainObject(options.filter)) throw new InvalidArgumentError("filter", `must be a Qdrant filter object, got ${typeName(options.filter)}`);
    this.#filter = options.filter;
  }

  #path(suffix = ""): string {
    return `/collections/${encodeURIComponent(this.collection)}${suffix}`;
  }

  /** Create the collection (cosine distance) unless it exists; an existing one must have `dimensions`. */
  async init(dimensions: number, options?: CallOptions): Promise<void> {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw new InvalidArgumentError("dimensions", `must be a whole number of at least 1, got ${dimensions}`);
    try {
      const info = await this.#client.request<{ result?: { config?: { params?: { vectors?: { size?: number } } } } }>("GET", this.#path(), undefined, options);
      const size = info?.result?.config?.params?.vectors?.size;
      if (size !== undefined && size !== dimensions) {
        throw new InvalidArgumentError("dimensions", `the collection "${this.collection}" holds ${size}-dimensional vectors, not ${dimensions}`);
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await this.#client.request("PUT", this.#path(), { vectors: { size: dimensions, distance: "Cosine" } }, options);
    }
  }

  /**
   * Store items (embedding those without a vector), replacing points with
   * the same ids. Returns once Qdrant has applied them (`wait=true`).
   */
  async insertDocuments(items: StoreItem<Document>[], options?: CallOptions): Promise<void> {
    const prepared = await prepareItems(items, this.#model, options);
    if (prepared.length === 0) return;
    const points = prepared.map((item, index) => ({ id: pointId(item.id, `items[${index}].id`), vector: item.vector, payload: item.payload }));
    await this.#client.request("PUT", this.#path("/points?wait=true"), { points }, options);
  }

  async #query(request: FilteredSearchRequest<QdrantFilter>, withPayload: boolean, options: CallOptions | undefined): Promise<QdrantPoint[]> {
    const { samples, threshold } = searchBounds(request);
    const vector = await queryVector(request, this.#model, options);
    const filters = [this.#filter, request.filter].filter((f): f is QdrantFilter => f !== undefined);
    const body: Record<string, unknown> = { query: vector, limit: samples, with_payload: withPayload };
    if (threshold !== undefined) body.score_threshold = threshold;
    if (filters.length === 1) body.filter = filters[0];
    else if (filters.length === 2) body.filter = { must: filters };
    const reply = await this.#client.request<{ result?: { points?: QdrantPoint[] } }>("POST", this.#path("/points/query"), body, options);
    const points = reply?.result?.points;
    if (!Array.isArray(points)) throw new InvalidResponseError("qdrant answered a query without result.points", { provider: "qdrant" });
    return points;
  }

  /** The best `samples` items for `query` (a text, embedded, or a vector): `[score, id, document]`. */
  async topN(request: FilteredSearchRequest<QdrantFilter>, options?: CallOptions): Promise<SearchResult<Document>[]> {
    const points = await this.#query(request, true, options);
    return points.map((p) => [p.score, String(p.id), (p.payload?.document ?? p.payload ?? null) as Document]);
  }

  /** Like `topN`, without the documents. */
  async topNIds(request: FilteredSearchRequest<QdrantFilter>, options?: CallOptions): Promise<SearchIdResult[]> {
    const points = await this.#query(request, false, options);
    return points.map((p) => [p.score, String(p.id)]);
  }

  /** Delete points by id, or every point a filter selects. */
  async delete(target: Array<string | number> | { filter: QdrantFilter }, options?: CallOptions): Promise<void> {
    let body: Record<string, unknown>;
    if (Array.isArray(target)) body = { points: target.map((id, i) => pointId(id, `ids[${i}]`)) };
    else if (isPlainObject(target) && isPlainObject(target.filter)) body = { filter: target.filter };
    else throw new InvalidArgumentError("target", `must be an array of ids or { filter }, got ${typeName(target)}`);
    await this.#client.request("POST", this.#path("/points/delete?wait=true"), body, options);
  }

  /** How many points the collection holds (those a filter selects, if given). */
  async count(filter?: QdrantFilter, options?: CallOptions): Promise<number> {
    const reply = await this.#client.request<{ result?: { count?: number } }>("POST", this.#path("/points/count"), { exact: true, ...(filter === undefined ? {} : { filter }) }, options);
    return reply?.result?.count ?? 0;
  }

  /** Delete the collection. */
  async drop(options?: CallOptions): Promise<void> {
    await this.#client.request("DELETE", this.#path(), undefined, options);
  }
}
