// A Web Worker using IndexedDBVectorStore (bundled by the test with esbuild,
// as an app's bundler would): opens the store the page filled, searches it
// and adds an entry.
import { init, IndexedDBVectorStore } from "rig-wasm";
import { EmbeddingModel } from "rig-wasm/openai";

self.onmessage = async ({ data }) => {
  try {
    await init(data.wasmUrl);
    const model = new EmbeddingModel({ apiKey: "sk-test", modelName: "text-embedding-3-small", dimensions: 256, baseURL: `${data.mockUrl}/v1` });
    const store = await IndexedDBVectorStore.open(data.name, { model });
    const count = store.count;
    const hits = await store.topN({ query: data.query, samples: 2 });
    await store.addDocuments([{ id: "from-worker", text: "Bananas ripen faster beside apples." }]);
    store.close();
    self.postMessage({ ok: true, count, hits });
  } catch (error) {
    self.postMessage({ ok: false, error: `${error?.name}: ${error?.message}` });
  }
};
