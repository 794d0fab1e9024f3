// A page that keeps a vector store and a response cache in IndexedDB, the
// way an app would; tests/browser/indexeddb.test.mjs fills them, has a Web
// Worker use them, reloads the page and checks they are still there.
import { init, IndexedDBResponseCache, IndexedDBVectorStore } from "rig-wasm";
import { Agent, EmbeddingModel } from "rig-wasm/openai";
import { DOCS } from "/tests/shared/harness.mjs";

await init();

const QUERY = "Tell me about WebAssembly";
const PROMPT = "What is the capital of France?";

const model = (mockUrl) => new EmbeddingModel({ apiKey: "sk-test", modelName: "text-embedding-3-small", dimensions: 256, baseURL: `${mockUrl}/v1` });
const agent = (mockUrl, session, cache) => new Agent({ apiKey: "sk-test", model: "gpt-4o", baseURL: `${mockUrl}/v1`, headers: { "x-mock-session": session }, cache });

window.__idb = {
  /** Store the documents and cache one answer. */
  async fill({ mockUrl, name, session }) {
    const store = await IndexedDBVectorStore.open(name, { model: model(mockUrl) });
    await store.addDocuments(DOCS.map((text, i) => ({ id: `doc_${i}`, text })));
    const hits = await store.topN({ query: QUERY, samples: 2 });
    store.close();
    const cache = await IndexedDBResponseCache.open(`${name}-cache`, { maxEntries: 50 });
    const answer = await agent(mockUrl, session, cache).prompt(PROMPT);
    cache.close();
    return { hits, answer };
  },
  /** Have a Web Worker (the bundled tests/browser/idb-worker.mjs) search the store and add to it. */
  inWorker({ mockUrl, name, workerUrl }) {
    return new Promise((resolve) => {
      const worker = new Worker(workerUrl, { type: "module" });
      worker.onmessage = (event) => {
        worker.terminate();
        resolve(event.data);
      };
      worker.onerror = (event) => resolve({ ok: false, error: `worker error: ${event.message}` });
      worker.postMessage({ mockUrl, name, wasmUrl: new URL("/pkg/wasm/rig_wasm_bg.wasm", location.href).href, query: QUERY });
    });
  },
  /** After the reload: what the store and the cache hold. */
  async check({ mockUrl, name, session }) {
    const store = await IndexedDBVectorStore.open(name, { model: model(mockUrl) });
    const result = { count: store.count, ids: store.ids().sort(), fromWorker: store.get("from-worker"), hits: await store.topN({ query: QUERY, samples: 2 }) };
    store.close();
    const cache = await IndexedDBResponseCache.open(`${name}-cache`, { maxEntries: 50 });
    result.answer = await agent(mockUrl, session, cache).prompt(PROMPT);
    cache.close();
    return result;
  },
  async drop({ name }) {
    for (const db of [name, `${name}-cache`]) {
      await new Promise((resolve, reject) => {
        const request = indexedDB.deleteDatabase(db);
        request.onsuccess = resolve;
        request.onerror = () => reject(request.error);
      });
    }
  },
};
window.__idbReady = true;
