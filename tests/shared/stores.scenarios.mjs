// Vector stores on real storage: Qdrant (the mock's stand-in of its REST
// routes), Chroma (a real server, env.chromaUrl), IndexedDB (browsers) and
// InMemoryVectorStore snapshots, including across an instance reset.
// Runs in Node (tests/node) and in Chromium (tests/browser).

import { Agent, EmbeddingModel } from "rig-wasm/openai";
import { QdrantAdapter } from "rig-wasm/qdrant";
import { ChromaAdapter } from "rig-wasm/chroma";
import {
  AbortError,
  BadRequestError,
  IndexedDBVectorStore,
  InMemoryVectorStore,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  TimeoutError,
  UnsupportedError,
} from "rig-wasm";
import { assert, defineScenarios, DOCS, recorded, session } from "./harness.mjs";

// Three small vectors with known cosines to [1, 0, 0]: 1, 0.9939, 0.
const NORTH = [1, 0, 0];
const NORTHISH = [0.9, 0.1, 0];
const EAST = [0, 1, 0];
const UUID = "6f9619ff-8b86-d011-b42d-00cf4fc964ff";
const ITEMS = [
  { id: 1, vector: NORTH, document: { text: "north" }, payload: { lang: "en", rank: 1 } },
  { id: 2, vector: EAST, document: "east", payload: { lang: "fr", rank: 2 } },
  { id: UUID, vector: NORTHISH, document: { text: "north-ish" }, payload: { lang: "fr", rank: 3 } },
];
const COS_NORTHISH = 0.9 / Math.hypot(0.9, 0.1);

function close(actual, expected, what) {
  assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: expected ${expected}, got ${actual}`);
}

function embedder(env) {
  const id = session("embed");
  const model = new EmbeddingModel({
    apiKey: "sk-test",
    modelName: "text-embedding-3-small",
    baseURL: `${env.mockUrl}/v1`,
    dimensions: 256,
    headers: { "x-mock-session": id },
  });
  return { model, id };
}

function agentWith(env, store, sample = 2) {
  const id = session("rag");
  const agent = new Agent({
    apiKey: "sk-test",
    model: "gpt-4o",
    baseURL: `${env.mockUrl}/v1`,
    headers: { "x-mock-session": id },
    dynamicContext: { sample, store },
  });
  return { agent, id };
}

/** A fetch that records what it sends (method, url, headers, body). */
function recordingFetch() {
  const sent = [];
  const fetchFn = async (input, init = {}) => {
    sent.push({ method: init.method ?? "GET", url: String(input), headers: { ...init.headers }, body: init.body ? JSON.parse(init.body) : undefined });
    return fetch(input, init);
  };
  return { sent, fetch: fetchFn };
}

function qdrant(env, extra = {}) {
  return new QdrantAdapter(session("qd"), extra.model, { url: `${env.mockUrl}/qdrant`, ...extra.options });
}

function chroma(env, extra = {}) {
  if (!env.chromaUrl) throw new Error("no Chroma server: the runner passes chromaUrl (scripts/chroma.sh start)");
  return new ChromaAdapter(session("ch"), extra.model, { url: env.chromaUrl, ...extra.options });
}

export default defineScenarios((scenario) => {
  // ------------------------------------------------------------------ Qdrant
  scenario("qdrant: init creates a cosine collection once; another size is refused", async (env) => {
    const { sent, fetch } = recordingFetch();
    const store = qdrant(env, { options: { fetch, apiKey: "qd-key" } });
    await store.init(3);
    await store.init(3);
    assert.deepEqual(
      sent.map((r) => `${r.method} ${new URL(r.url).pathname}`),
      [`GET /qdrant/collections/${store.collection}`, `PUT /qdrant/collections/${store.collection}`, `GET /qdrant/collections/${store.collection}`],
    );
    assert.deepEqual(sent[1].body, { vectors: { size: 3, distance: "Cosine" } });
    assert.equal(sent[0].headers["api-key"], "qd-key", "the apiKey goes as Qdrant's api-key header");
    await assert.rejects(store.init(4), { instanceOf: InvalidArgumentError, field: "dimensions", message: /holds 3-dimensional vectors, not 4/ });
  });

  scenario("qdrant: insert and search: [score, id, document] best first, topNIds, threshold, filters, count, delete", async (env) => {
    const { sent, fetch } = recordingFetch();
    const store = qdrant(env, { options: { fetch } });
    await store.init(3);
    await store.insertDocuments(ITEMS);
    const upsert = sent.find((r) => r.method === "PUT" && r.url.includes("/points"));
    assert.match(upsert.url, /\/points\?wait=true$/);
    assert.deepEqual(upsert.body.points[1], { id: 2, vector: EAST, payload: { lang: "fr", rank: 2, document: "east" } });
    assert.equal(await store.count(), 3);

    const hits = await store.topN({ query: NORTH, samples: 2 });
    assert.deepEqual(hits.map(([, id, doc]) => [id, doc]), [["1", { text: "north" }], [UUID, { text: "north-ish" }]]);
    close(hits[0][0], 1, "score of the same vector");
    close(hits[1][0], COS_NORTHISH, "cosine score");
    const ids = await store.topNIds({ query: NORTH, samples: 3 });
    assert.deepEqual(ids.map(([, id]) => id), ["1", UUID, "2"]);
    assert.deepEqual((await store.topN({ query: NORTH, samples: 3, threshold: 0.999 })).map(([, id]) => id), ["1"]);

    const fr = { must: [{ key: "lang", match: { value: "fr" } }] };
    assert.deepEqual((await store.topN({ query: NORTH, samples: 3, filter: fr })).map(([, id]) => id), [UUID, "2"]);
    assert.equal(await store.count(fr), 2);
    // A filter of the adapter applies to every search, with the search's own.
    const scoped = new QdrantAdapter(store.collection, undefined, { url: `${env.mockUrl}/qdrant`, filter: fr });
    const ranked = { must: [{ key: "rank", range: { gte: 3 } }] };
    assert.deepEqual((await scoped.topN({ query: NORTH, samples: 3, filter: ranked })).map(([, id]) => id), [UUID]);

    await store.delete([2]);
    assert.deepEqual((await store.topNIds({ query: EAST, samples: 3 })).map(([, id]) => id).sort(), ["1", UUID].sort());
    await store.delete({ filter: { must: [{ key: "lang", match: { value: "en" } }] } });
    assert.equal(await store.count(), 1);
    await store.drop();
    await assert.rejects(store.topN({ query: NORTH }), { instanceOf: NotFoundError, statusCode: 404, provider: "qdrant", message: /doesn't exist/ });
  });

  scenario("qdrant: items without vectors are embedded, text queries too; the adapter is an agent's dynamicContext", async (env) => {
    const { model } = embedder(env);
    const store = qdrant(env, { model });
    await store.init(256);
    await store.insertDocuments(DOCS.map((text, i) => ({ id: i + 1, text })));
    const hits = await store.topN({ query: "Tell me about WebAssembly", samples: 2 });
    assert.deepEqual(hits.map(([, id]) => id).sort(), ["2", "5"]);
    assert.deepEqual(hits.map(([, , doc]) => doc.text).sort(), [DOCS[1], DOCS[4]].sort());

    const { agent, id } = agentWith(env, store);
    const answer = await agent.prompt("What can you tell me about WebAssembly?");
    assert.match(answer, /^According to the documents \((2, 5|5, 2)\)/);
    const [request] = await recorded(env.mockUrl, id);
    assert.match(request.conversation.documents.map((d) => d.text).join(" "), /binary instruction format/);
  });

  scenario("qdrant: bad input fails before any request, naming the field", async (env) => {
    const { sent, fetch } = recordingFetch();
    const store = qdrant(env, { options: { fetch } });
    await assert.rejects(store.insertDocuments([{ id: "abc", vector: NORTH, document: 1 }]), { instanceOf: InvalidArgumentError, field: "items[0].id", message: /unsigned integer or a UUID/ });
    await assert.rejects(store.insertDocuments([{ id: -1, vector: NORTH, document: 1 }]), { instanceOf: InvalidArgumentError, field: "items[0].id" });
    await assert.rejects(store.insertDocuments([{ id: 1, vector: [1, NaN, 0], document: 1 }]), { instanceOf: InvalidArgumentError, field: "items[0].vector" });
    await assert.rejects(store.insertDocuments([{ id: 1, document: { n: 1 } }]), { instanceOf: InvalidArgumentError, field: "items[0]", message: /no vector and no text/ });
    await assert.rejects(store.insertDocuments([{ id: 1, text: "needs a model" }]), { instanceOf: InvalidArgumentError, field: "model" });
    await assert.rejects(store.insertDocuments("items"), { instanceOf: InvalidArgumentError, field: "items" });
    await assert.rejects(store.topN({ query: "text without a model" }), { instanceOf: InvalidArgumentError, field: "model" });
    await assert.rejects(store.topN({ query: NORTH, samples: 0 }), { instanceOf: InvalidArgumentError, field: "samples" });
    await assert.rejects(store.delete("all"), { instanceOf: InvalidArgumentError, field: "target" });
    await assert.rejects(store.init(0), { instanceOf: InvalidArgumentError, field: "dimensions" });
    assert.equal(sent.length, 0, "nothing was sent");
    assert.throws(() => new QdrantAdapter("", undefined, { url: env.mockUrl }), { instanceOf: InvalidArgumentError, field: "collection" });
    assert.throws(() => new QdrantAdapter("c", undefined, {}), { instanceOf: InvalidArgumentError, field: "url" });
    assert.throws(() => new QdrantAdapter("c", {}, { url: env.mockUrl }), { instanceOf: InvalidArgumentError, field: "model" });
  });

  scenario("qdrant: the server's refusal is a BadRequestError with Qdrant's message; the adapter keeps working", async (env) => {
    const store = qdrant(env);
    await store.init(3);
    const error = await assert.rejects(store.insertDocuments([{ id: 1, vector: [1, 0], document: "short" }]), {
      instanceOf: BadRequestError,
      code: "bad_request",
      statusCode: 400,
      provider: "qdrant",
      isRetryable: false,
      message: /^qdrant returned HTTP 400: Wrong input: Vector dimension error: expected dim: 3, got 2$/,
    });
    assert.match(error.responseBody, /"status":\{"error"/);
    await store.insertDocuments([{ id: 1, vector: NORTH, document: "ok" }]);
    assert.equal(await store.count(), 1);
  });

  scenario("qdrant: signal and timeoutMs end a call; connection errors are typed", async (env) => {
    const hanging = (_input, init) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal.reason), { once: true }));
    const store = qdrant(env, { options: { fetch: hanging, maxRetries: 0 } });
    const controller = new AbortController();
    const pending = store.count(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(pending, { instanceOf: AbortError, code: "aborted" });
    await assert.rejects(store.count(undefined, { timeoutMs: 40 }), { instanceOf: TimeoutError, code: "timeout" });
    const down = new QdrantAdapter("c", undefined, { url: "http://127.0.0.1:9", maxRetries: 0 });
    await assert.rejects(down.count(), { code: "connection_error", provider: "qdrant" });
  });

  // ------------------------------------------------------------------ Chroma
  scenario("chroma: a real server: insert and search best first, topNIds, threshold, where filters, count, delete, drop", async (env) => {
    const store = chroma(env);
    await assert.rejects(store.count(), { instanceOf: NotFoundError, provider: "chroma", message: /does not exist/ });
    await store.init();
    await store.init();
    await store.insertDocuments(ITEMS);
    assert.equal(await store.count(), 3);
    await store.init(3);
    await assert.rejects(store.init(4), { instanceOf: InvalidArgumentError, field: "dimensions", message: /holds 3-dimensional vectors, not 4/ });
    const hits = await store.topN({ query: NORTH, samples: 2 });
    assert.deepEqual(hits.map(([, id, doc]) => [id, doc]), [["1", { text: "north" }], [UUID, { text: "north-ish" }]]);
    close(hits[0][0], 1, "score of the same vector");
    close(hits[1][0], COS_NORTHISH, "cosine score (1 - Chroma's cosine distance)");
    assert.deepEqual((await store.topNIds({ query: NORTH, samples: 3 })).map(([, id]) => id), ["1", UUID, "2"]);
    assert.deepEqual((await store.topN({ query: EAST, samples: 1 }))[0].slice(1), ["2", "east"], "a string document comes back a string");
    assert.deepEqual((await store.topN({ query: NORTH, samples: 3, threshold: 0.999 })).map(([, id]) => id), ["1"]);
    assert.deepEqual((await store.topN({ query: NORTH, samples: 3, filter: { lang: "fr" } })).map(([, id]) => id), [UUID, "2"]);
    assert.deepEqual((await store.topN({ query: NORTH, samples: 3, filter: { rank: { $gte: 2 } } })).map(([, id]) => id), [UUID, "2"]);
    // Upsert replaces.
    await store.insertDocuments([{ id: 2, vector: NORTH, document: "east, moved north" }]);
    assert.equal(await store.count(), 3);
    await store.delete([2]);
    await store.delete({ filter: { lang: "en" } });
    assert.deepEqual((await store.topNIds({ query: NORTH, samples: 3 })).map(([, id]) => id), [UUID]);
    await store.drop();
    await assert.rejects(store.topN({ query: NORTH }), { instanceOf: NotFoundError, statusCode: 404, provider: "chroma" });
  });

  scenario("chroma: texts embedded with the model; the adapter is an agent's dynamicContext", async (env) => {
    const { model } = embedder(env);
    const store = chroma(env, { model });
    await store.init();
    await store.insertDocuments(DOCS.map((text, i) => ({ id: `doc_${i}`, text, payload: { n: i } })));
    const hits = await store.topN({ query: "Tell me about WebAssembly", samples: 2 });
    assert.deepEqual(hits.map(([, id]) => id).sort(), ["doc_1", "doc_4"]);
    assert.deepEqual(hits.map(([, , doc]) => doc).sort((a, b) => a.text.localeCompare(b.text)), [{ text: DOCS[1] }, { text: DOCS[4] }].sort((a, b) => a.text.localeCompare(b.text)));
    const { agent, id } = agentWith(env, store);
    assert.match(await agent.prompt("What can you tell me about WebAssembly?"), /^According to the documents \(doc_[14], doc_[14]\)/);
    const [request] = await recorded(env.mockUrl, id);
    assert.deepEqual(request.conversation.documents.map((d) => d.id).sort(), ["doc_1", "doc_4"]);
    await store.drop();
  });

  scenario("chroma: the server's refusals are typed with Chroma's message; bad names fail at once", async (env) => {
    const store = chroma(env);
    await store.init();
    await store.insertDocuments([{ id: "a", vector: NORTH, document: 1 }]);
    await assert.rejects(store.insertDocuments([{ id: "b", vector: [1, 0, 0, 0], document: 2 }]), {
      instanceOf: BadRequestError,
      statusCode: 400,
      provider: "chroma",
      message: /^chroma returned HTTP 400: Collection expecting embedding with dimension of 3, got 4$/,
    });
    await assert.rejects(store.topN({ query: NORTH, filter: { n: { $nope: 1 } } }), { instanceOf: BadRequestError, provider: "chroma" });
    assert.deepEqual((await store.topN({ query: NORTH })).map(([, id, doc]) => [id, doc]), [["a", 1]]);
    assert.throws(() => new ChromaAdapter("ab", undefined, { url: env.chromaUrl }), { instanceOf: InvalidArgumentError, field: "collection" });
    await store.drop();
  });

  // --------------------------------------------------------------- IndexedDB
  scenario("IndexedDBVectorStore: persisted entries come back on reopen; a clear error without IndexedDB", async (env) => {
    const name = session("idb");
    if (env.runtime !== "browser") {
      await assert.rejects(IndexedDBVectorStore.open(name), { instanceOf: UnsupportedError, code: "unsupported", message: /needs IndexedDB, which this runtime does not have/ });
      return;
    }
    try {
      const { model } = embedder(env);
      const first = await IndexedDBVectorStore.open(name, { model });
      assert.equal(first.count, 0);
      await first.addDocuments(DOCS.map((text, i) => ({ id: `doc_${i}`, text })));
      await first.addMany([{ id: "extra", document: { text: "an extra entry" }, vector: (await model.embedText("an extra entry")).vec }]);
      assert.equal(await first.remove("doc_2"), true);
      const before = await first.topN({ query: "Tell me about WebAssembly", samples: 2 });
      assert.deepEqual(before.map(([, id]) => id).sort(), ["doc_1", "doc_4"]);
      first.close();

      const again = await IndexedDBVectorStore.open(name, { model });
      assert.equal(again.count, 5);
      assert.deepEqual(again.ids().sort(), ["doc_0", "doc_1", "doc_3", "doc_4", "extra"]);
      assert.deepEqual(again.get("extra"), { text: "an extra entry" });
      assert.deepEqual(await again.topN({ query: "Tell me about WebAssembly", samples: 2 }), before);
      const { agent } = agentWith(env, again, 2);
      assert.match(await agent.prompt("What is WebAssembly?"), /^According to the documents \((doc_1, doc_4|doc_4, doc_1)\)/);
      await again.clear();
      again.close();
      const cleared = await IndexedDBVectorStore.open(name);
      assert.equal(cleared.count, 0);
      cleared.close();
    } finally {
      indexedDB.deleteDatabase(name);
    }
  });

  // --------------------------------------------------------------- snapshots
  scenario("InMemoryVectorStore: bytes snapshots load anywhere; contents survive the instance being rebuilt after a trap", async (env) => {
    const store = new InMemoryVectorStore();
    store.addMany(ITEMS.map(({ id, vector, document }) => ({ id: String(id), vector, document })));
    const snapshot = store.toBytes();
    assert.ok(snapshot instanceof Uint8Array && snapshot.byteLength > 0);
    const before = await store.topN({ query: NORTH, samples: 3 });
    const freed = new InMemoryVectorStore();
    freed.add("x", 1, [1, 0]);
    freed.free();

    const generation = env.testing.generation();
    assert.throws(() => env.testing.panic(), { instanceOf: InternalError });
    assert.equal(env.testing.generation(), generation + 1, "a fresh instance took over");
    // A second trap before the store is used again keeps what the first saved.
    assert.throws(() => env.testing.panic(), { instanceOf: InternalError });
    assert.equal(store.count, 3, "the store's entries are in the fresh instance");
    assert.deepEqual(await store.topN({ query: NORTH, samples: 3 }), before);
    store.add("4", { text: "added after" }, [0, 0, 1]);
    assert.equal(store.count, 4);

    // A snapshot from before the trap loads in the new instance, and through a copy of its bytes.
    const copy = InMemoryVectorStore.fromBytes(new Uint8Array(Array.from(snapshot)));
    assert.deepEqual(await copy.topN({ query: NORTH, samples: 3 }), before);
    assert.throws(() => freed.count, { instanceOf: InvalidArgumentError, message: /free\(\)/ });
  });
});
