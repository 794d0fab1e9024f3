/**
 * IndexedDB, promised: what the IndexedDB vector store and response cache
 * need, and one clear error where a runtime has no IndexedDB.
 */
import { UnsupportedError } from "./errors.js";

/** The runtime's IndexedDB, or an `UnsupportedError` naming what needed it. */
export function indexedDBFor(what: string): IDBFactory {
  const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) {
    throw new UnsupportedError(
      `${what} needs IndexedDB, which this runtime does not have (browsers and Web Workers do; Node.js and edge runtimes do not): ` +
        "use an InMemoryVectorStore (saved with toBytes()) or a memory cache there",
    );
  }
  return factory;
}

/** A request's result. */
export function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** A transaction's completion. */
export function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error("the IndexedDB transaction was aborted"));
  });
}

/** Open database `name` with its object stores made by `upgrade` (version 1). */
export function openDatabase(factory: IDBFactory, name: string, upgrade: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, 1);
    request.onupgradeneeded = () => upgrade(request.result);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error(`IndexedDB database "${name}" is blocked by another connection`));
  });
}
