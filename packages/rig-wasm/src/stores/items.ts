/**
 * What the vector-database adapters share: the items they store (embedded
 * here when they come without a vector) and the queries they answer.
 */
import type { CallOptions } from "../call.js";
import { InvalidArgumentError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import type { TextEmbedder, VectorSearchRequest } from "../vector-store.js";

/** One thing to store. */
export interface StoreItem<Document = unknown> {
  id: string | number;
  /** Its vector, when you have one; otherwise `text` (or a string document, or the document's `text`) is embedded. */
  vector?: number[] | Float32Array;
  /** The text to embed. */
  text?: string;
  /** What a search returns for it (default: `payload.document`, else `{ text }`). */
  document?: Document;
  /** Stored with it for filters (Qdrant's payload, Chroma's metadata). */
  payload?: Record<string, unknown>;
}

/** A search, with the database's own filter. */
export interface FilteredSearchRequest<Filter> extends VectorSearchRequest {
  /** Only items this filter selects (Qdrant: a `filter` object; Chroma: a `where` object). */
  filter?: Filter;
}

/** An item ready to store: its vector known. */
export interface PreparedItem {
  id: string | number;
  vector: number[];
  document: unknown;
  payload: Record<string, unknown>;
}

function textOf(item: StoreItem, document: unknown): string | undefined {
  if (typeof item.text === "string") return item.text;
  if (typeof document === "string") return document;
  if (isPlainObject(document) && typeof document.text === "string") return document.text;
  return undefined;
}

/** Check `items` and embed those without a vector (one batch). */
export async function prepareItems(items: unknown, model: TextEmbedder | undefined, call: CallOptions | undefined): Promise<PreparedItem[]> {
  if (!Array.isArray(items)) throw new InvalidArgumentError("items", `must be an array of { id, vector?, text?, document?, payload? }, got ${typeName(items)}`);
  const out: PreparedItem[] = [];
  const toEmbed: Array<{ index: number; text: string }> = [];
  items.forEach((raw, index) => {
    if (!isPlainObject(raw)) throw new InvalidArgumentError(`items[${index}]`, `must be an object, got ${typeName(raw)}`);
    const item = raw as unknown as StoreItem;
    if (typeof item.id !== "string" && typeof item.id !== "number") throw new InvalidArgumentError(`items[${index}].id`, `must be a string or a number, got ${typeName(item.id)}`);
    if (item.payload !== undefined && !isPlainObject(item.payload)) throw new InvalidArgumentError(`items[${index}].payload`, `must be an object, got ${typeName(item.payload)}`);
    const payload = { ...(item.payload ?? {}) };
    const document = item.document ?? payload.document ?? (typeof item.text === "string" ? { text: item.text } : undefined);
    if (document === undefined) throw new InvalidArgumentError(`items[${index}]`, "needs a document, a payload.document or a text");
    payload.document = document;
    let vector: number[] = [];
    if (item.vector !== undefined) {
      if (!Array.isArray(item.vector) && !(item.vector instanceof Float32Array)) throw new InvalidArgumentError(`items[${index}].vector`, `must be an array of numbers, got ${typeName(item.vector)}`);
      vector = Array.from(item.vector as ArrayLike<number>);
      if (vector.some((x) => typeof x !== "number" || !Number.isFinite(x))) throw new InvalidArgumentError(`items[${index}].vector`, "must hold finite numbers");
    } else {
      const text = textOf(item, document);
      if (text === undefined) throw new InvalidArgumentError(`items[${index}]`, "has no vector and no text to embed");
      toEmbed.push({ index, text });
    }
    out.push({ id: item.id, vector, document, payload });
  });
  if (toEmbed.length > 0) {
    if (model === undefined) throw new InvalidArgumentError("model", "is required to embed items that come without a vector");
    const embedded = await model.embedTexts(toEmbed.map((e) => e.text), call);
    toEmbed.forEach((e, i) => {
      out[e.index]!.vector = Array.from(embedded[i]!.vec);
    });
  }
  return out;
}

/** The query vector: given, or the query text embedded. */
export async function queryVector(request: VectorSearchRequest, model: TextEmbedder | undefined, call: CallOptions | undefined): Promise<number[]> {
  if (!isPlainObject(request)) throw new InvalidArgumentError("request", `must be { query, samples?, threshold? }, got ${typeName(request)}`);
  const query = request.query;
  if (typeof query === "string") {
    if (model === undefined) throw new InvalidArgumentError("model", "is required to search by text");
    return Array.from((await model.embedText(query, call)).vec);
  }
  if (Array.isArray(query) || query instanceof Float32Array) return Array.from(query as ArrayLike<number>);
  throw new InvalidArgumentError("query", `must be a text or a vector, got ${typeName(query)}`);
}

/** `samples` (default 10) and `threshold` of a search, checked. */
export function searchBounds(request: VectorSearchRequest): { samples: number; threshold: number | undefined } {
  const samples = request.samples ?? 10;
  if (!Number.isInteger(samples) || samples < 1) throw new InvalidArgumentError("samples", `must be a whole number of at least 1, got ${samples}`);
  const threshold = request.threshold ?? undefined;
  if (threshold !== undefined && (typeof threshold !== "number" || !Number.isFinite(threshold))) throw new InvalidArgumentError("threshold", "must be a finite number");
  return { samples, threshold };
}
