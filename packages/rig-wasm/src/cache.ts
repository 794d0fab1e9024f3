/**
 * A response cache for agents and models (opt-in): a successful reply to a
 * request already made is answered from the cache, with no request. Keyed by
 * the provider and the complete request (method, URL with the model, body);
 * streamed requests bypass it. `MemoryResponseCache` keeps the least recently
 * used entries; `IndexedDBResponseCache` keeps them in a browser's IndexedDB.
 * Any object with `get` and `set` can be shared by agents as their cache.
 */
import { InvalidArgumentError } from "./errors.js";
import { committed, indexedDBFor, openDatabase, settled } from "./idb.js";
import { isPlainObject, typeName } from "./json.js";

/** A cached reply. */
export interface CachedResponse {
  status: number;
  /** `name\nvalue\n` per header. */
  headers: string;
  body: Uint8Array;
  /** When it was stored (`Date.now()`). */
  storedAt: number;
}

/** Where replies are cached: shared by every agent and model given it. */
export interface ResponseCache {
  get(key: string): CachedResponse | undefined | Promise<CachedResponse | undefined>;
  set(key: string, value: CachedResponse): void | Promise<void>;
}

/** How many entries a cache keeps, and for how long. */
export interface CacheLimits {
  /** The most entries kept; the least recently used go first. */
  maxEntries: number;
  /** How long an entry is served, in milliseconds (default: until evicted). */
  ttlMs?: number;
}

function checkLimits(limits: unknown): Required<Pick<CacheLimits, "maxEntries">> & CacheLimits {
  if (!isPlainObject(limits)) throw new InvalidArgumentError("cache", `must be { maxEntries, ttlMs? } or a cache object, got ${typeName(limits)}`);
  const { maxEntries, ttlMs } = limits as Partial<CacheLimits>;
  if (!Number.isInteger(maxEntries) || (maxEntries as number) < 1) throw new InvalidArgumentError("cache.maxEntries", `must be a whole number of at least 1, got ${String(maxEntries)}`);
  if (ttlMs !== undefined && (typeof ttlMs !== "number" || !(ttlMs > 0))) throw new InvalidArgumentError("cache.ttlMs", `must be a positive number of milliseconds, got ${String(ttlMs)}`);
  return { maxEntries: maxEntries as number, ...(ttlMs === undefined ? {} : { ttlMs }) };
}

/** A cache in memory, least recently used entries evicted first. */
export class MemoryResponseCache implements ResponseCache {
  readonly #entries = new Map<string, CachedResponse>();
  readonly #limits: CacheLimits;

  constructor(limits: CacheLimits) {
    this.#limits = checkLimits(limits);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CachedResponse | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (this.#limits.ttlMs !== undefined && Date.now() - entry.storedAt > this.#limits.ttlMs) return undefined;
    this.#entries.set(key, entry); // now the most recently used
    return entry;
  }

  set(key: string, value: CachedResponse): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#limits.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

interface StoredResponse extends CachedResponse {
  key: string;
  usedAt: number;
}

/** A cache kept in IndexedDB (browsers, Web Workers): it outlives the page. */
export class IndexedDBResponseCache implements ResponseCache {
  readonly #db: IDBDatabase;
  readonly #limits: CacheLimits;

  private constructor(db: IDBDatabase, limits: CacheLimits) {
    this.#db = db;
    this.#limits = limits;
  }

  /** Open (or create) the cache database `name`. */
  static async open(name: string, limits: CacheLimits): Promise<IndexedDBResponseCache> {
    if (typeof name !== "string" || name === "") throw new InvalidArgumentError("name", `must be a database name, got ${typeName(name)}`);
    const checked = checkLimits(limits);
    const db = await openDatabase(indexedDBFor("IndexedDBResponseCache"), name, (db) => {
      const store = db.createObjectStore("responses", { keyPath: "key" });
      store.createIndex("usedAt", "usedAt");
    });
    return new IndexedDBResponseCache(db, checked);
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const tx = this.#db.transaction("responses", "readwrite");
    const store = tx.objectStore("responses");
    const entry = (await settled(store.get(key))) as StoredResponse | undefined;
    if (entry === undefined) return undefined;
    if (this.#limits.ttlMs !== undefined && Date.now() - entry.storedAt > this.#limits.ttlMs) {
      store.delete(key);
      await committed(tx);
      return undefined;
    }
    store.put({ ...entry, usedAt: Date.now() });
    await committed(tx);
    return { status: entry.status, headers: entry.headers, body: new Uint8Array(entry.body), storedAt: entry.storedAt };
  }

  async set(key: string, value: CachedResponse): Promise<void> {
    const tx = this.#db.transaction("responses", "readwrite");
    const store = tx.objectStore("responses");
    store.put({ key, status: value.status, headers: value.headers, body: value.body.slice(), storedAt: value.storedAt, usedAt: Date.now() } satisfies StoredResponse);
    const count = await settled(store.count());
    if (count > this.#limits.maxEntries) {
      // Evict the least recently used.
      let excess = count - this.#limits.maxEntries;
      const cursor = store.index("usedAt").openCursor();
      await new Promise<void>((resolve, reject) => {
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (c === null || excess === 0) return resolve();
          c.delete();
          excess -= 1;
          c.continue();
        };
        cursor.onerror = () => reject(cursor.error);
      });
    }
    await committed(tx);
  }

  /** Close the database connection. */
  close(): void {
    this.#db.close();
  }
}

/** The cache `option` asks for: a cache object as it is, or limits for a new memory cache. */
export function cacheFrom(option: unknown): ResponseCache | undefined {
  if (option === undefined) return undefined;
  if (typeof option === "object" && option !== null && typeof (option as ResponseCache).get === "function" && typeof (option as ResponseCache).set === "function") {
    return option as ResponseCache;
  }
  return new MemoryResponseCache(option as CacheLimits);
}
