// The agent features the design names beyond a single call: batch prompts
// (order, per-item errors, bounded concurrency counted at the mock) and the
// opt-in response cache (hits make no request, LRU eviction, TTL, shared
// caches, streams bypass it, IndexedDB persistence in browsers).
// Runs in Node (tests/node) and in Chromium (tests/browser).

import { Agent, CompletionModel } from "rig-wasm/openai";
import { AbortError, BadRequestError, IndexedDBResponseCache, InvalidArgumentError, MemoryResponseCache, ServerError, UnsupportedError } from "rig-wasm";
import { assert, defineScenarios, recorded, session, sleep } from "./harness.mjs";

function agentFor(env, extra = {}) {
  const id = extra.session ?? session("feat");
  const { session: _s, ...options } = extra;
  const agent = new Agent({
    apiKey: "sk-test",
    model: "gpt-4o",
    baseURL: `${env.mockUrl}/v1`,
    ...options,
    headers: { "x-mock-session": id, ...options.headers },
  });
  return { agent, id };
}

const said = (prompt, model = "gpt-4o") => `You said: "${prompt}". [${model}]`;

/** The most requests the mock was serving at once. */
function maxInFlight(requests) {
  const events = requests.flatMap((r) => [
    [r.startedAt, 1],
    [r.endedAt, -1],
  ]);
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta));
  return max;
}

/** A fetch that makes the mock answer HTTP 400 to prompts containing "fail me". */
const failingOn = async (input, init) => {
  if (typeof init?.body === "string" && init.body.includes("fail me")) init = { ...init, headers: { ...init.headers, "x-mock": "status=400" } };
  return fetch(input, init);
};

export default defineScenarios((scenario) => {
  // ------------------------------------------------------------------ batch
  scenario("batchPrompt: answers in input order, a failure stays in its slot, at most `concurrency` requests at the mock", async (env) => {
    const { agent, id } = agentFor(env, { fetch: failingOn, headers: { "x-mock": "delay=60" }, maxRetries: 0 });
    const prompts = ["one", "two", "fail me", "four", "five", "six", "seven"];
    const results = await agent.batchPrompt(prompts, { concurrency: 3 });
    assert.equal(results.length, prompts.length);
    prompts.forEach((prompt, i) => {
      if (prompt === "fail me") return;
      assert.deepEqual(results[i], { ok: true, text: said(prompt) }, `result ${i}`);
    });
    assert.equal(results[2].ok, false);
    assert.ok(results[2].error instanceof BadRequestError, `got ${results[2].error?.name}`);
    assert.equal(results[2].error.statusCode, 400);
    const requests = await recorded(env.mockUrl, id);
    assert.equal(requests.length, prompts.length);
    assert.equal(maxInFlight(requests), 3, "three at a time, never more");

    const { agent: serial, id: serialId } = agentFor(env, { headers: { "x-mock": "delay=20" } });
    const one = await serial.batchPrompt(["a", "b", "c"], { concurrency: 1 });
    assert.deepEqual(one.map((r) => r.text), [said("a"), said("b"), said("c")]);
    assert.equal(maxInFlight(await recorded(env.mockUrl, serialId)), 1);
    assert.deepEqual(await serial.batchPrompt([]), []);
  });

  scenario("batchPrompt: the signal ends the prompts not yet answered; those answered keep their answers", async (env) => {
    const { agent } = agentFor(env, { headers: { "x-mock": "delay=100" } });
    const controller = new AbortController();
    const pending = agent.batchPrompt(["first", "second", "third", "fourth"], { concurrency: 2, signal: controller.signal });
    setTimeout(() => controller.abort(), 170);
    const results = await pending;
    assert.deepEqual(results.slice(0, 2), [
      { ok: true, text: said("first") },
      { ok: true, text: said("second") },
    ]);
    for (const r of results.slice(2)) {
      assert.equal(r.ok, false);
      assert.ok(r.error instanceof AbortError, `got ${r.error?.name}: ${r.error?.message}`);
    }
  });

  scenario("batchPrompt: bad arguments are errors naming the field; per-call options reach every prompt", async (env) => {
    const { agent, id } = agentFor(env);
    await assert.rejects(agent.batchPrompt("one"), { instanceOf: InvalidArgumentError, field: "prompts" });
    await assert.rejects(agent.batchPrompt(["a"], { concurrency: 0 }), { instanceOf: InvalidArgumentError, field: "concurrency" });
    await assert.rejects(agent.batchPrompt(["a"], { concurrency: 1.5 }), { instanceOf: InvalidArgumentError, field: "concurrency" });
    const results = await agent.batchPrompt(["fine", 42], { temperature: 0.25 });
    assert.deepEqual(results[0], { ok: true, text: said("fine") });
    assert.equal(results[1].ok, false);
    assert.ok(results[1].error instanceof InvalidArgumentError, `got ${results[1].error?.name}`);
    const requests = await recorded(env.mockUrl, id);
    assert.deepEqual(requests.map((r) => r.body.temperature), [0.25]);
  });

  // ------------------------------------------------------------------ cache
  scenario("cache: a repeated request is answered from the cache with no request; any change in the request misses", async (env) => {
    const { agent, id } = agentFor(env, { cache: { maxEntries: 10 } });
    assert.equal(await agent.prompt("hello"), said("hello"));
    assert.equal(await agent.prompt("hello"), said("hello"));
    assert.equal((await recorded(env.mockUrl, id)).length, 1, "the second answer came from the cache");
    await agent.prompt("hello", { temperature: 0.5 });
    await agent.prompt("hello there");
    assert.equal((await recorded(env.mockUrl, id)).length, 3);
    // Same cache, another model: another key.
    const cache = new MemoryResponseCache({ maxEntries: 10 });
    const a = agentFor(env, { cache, session: id });
    const b = agentFor(env, { cache, model: "gpt-4o-mini", session: id });
    await a.agent.prompt("x");
    assert.equal(await b.agent.prompt("x"), said("x", "gpt-4o-mini"));
    assert.equal((await recorded(env.mockUrl, id)).length, 5);
    assert.equal(cache.size, 2);
  });

  scenario("cache: least recently used entries go first; entries expire after ttlMs", async (env) => {
    const { agent, id } = agentFor(env, { cache: { maxEntries: 2 } });
    const count = async () => (await recorded(env.mockUrl, id)).length;
    await agent.prompt("A"); // miss            [A]
    await agent.prompt("B"); // miss            [A, B]
    await agent.prompt("A"); // hit             [B, A]
    await agent.prompt("C"); // miss, evicts B  [A, C]
    assert.equal(await count(), 3);
    await agent.prompt("A"); // hit             [C, A]
    assert.equal(await count(), 3);
    await agent.prompt("B"); // miss, evicts C  [A, B]
    await agent.prompt("C"); // miss, evicts A
    assert.equal(await count(), 5);

    const timed = agentFor(env, { cache: { maxEntries: 5, ttlMs: 100 } });
    await timed.agent.prompt("soon stale");
    await timed.agent.prompt("soon stale");
    assert.equal((await recorded(env.mockUrl, timed.id)).length, 1);
    await sleep(150);
    await timed.agent.prompt("soon stale");
    assert.equal((await recorded(env.mockUrl, timed.id)).length, 2, "an expired entry is fetched again");
  });

  scenario("cache: shared by agents and models; failures are not cached; streams bypass it", async (env) => {
    const cache = new MemoryResponseCache({ maxEntries: 10 });
    const id = session("shared");
    const first = agentFor(env, { cache, session: id });
    const second = agentFor(env, { cache, session: id });
    await first.agent.prompt("shared question");
    assert.equal(await second.agent.prompt("shared question"), said("shared question"));
    assert.equal((await recorded(env.mockUrl, id)).length, 1);

    const model = new CompletionModel({ apiKey: "sk-test", model: "gpt-4o", baseURL: `${env.mockUrl}/v1`, cache, headers: { "x-mock-session": id } });
    const request = { messages: [{ role: "user", content: "from a model" }] };
    const one = await model.completion(request);
    const two = await model.completion(request);
    assert.deepEqual(two, one);
    assert.equal((await recorded(env.mockUrl, id)).length, 2);

    // A failure is not stored: the next call goes out again.
    const flaky = agentFor(env, { cache, maxRetries: 0, session: id, headers: { "x-mock": `fail=500:1,session=${id}-flaky` } });
    await assert.rejects(flaky.agent.prompt("flaky"), { instanceOf: ServerError });
    assert.equal(await flaky.agent.prompt("flaky"), said("flaky"));
    assert.equal((await recorded(env.mockUrl, id)).length, 4);

    // Streams are never cached (they always make a request), even for a cached prompt.
    let text = "";
    for await (const part of await first.agent.promptStream("shared question")) if (part.type === "textDelta") text += part.text;
    assert.equal(text, said("shared question"));
    assert.equal((await recorded(env.mockUrl, id)).length, 5);
  });

  scenario("cache: bad limits are errors naming the field; a cache that throws is a miss, never a failure", async (env) => {
    const broken = {
      get() {
        throw new Error("cache down");
      },
      async set() {
        throw new Error("cache full");
      },
    };
    const { agent, id } = agentFor(env, { cache: broken });
    assert.equal(await agent.prompt("still works"), said("still works"));
    assert.equal(await agent.prompt("still works"), said("still works"));
    assert.equal((await recorded(env.mockUrl, id)).length, 2);
    assert.throws(() => agentFor(env, { cache: { maxEntries: 0 } }), { instanceOf: InvalidArgumentError, field: "cache.maxEntries" });
    assert.throws(() => agentFor(env, { cache: { maxEntries: 2, ttlMs: -1 } }), { instanceOf: InvalidArgumentError, field: "cache.ttlMs" });
    assert.throws(() => agentFor(env, { cache: "yes" }), { instanceOf: InvalidArgumentError, field: "cache" });
    assert.throws(() => new MemoryResponseCache({}), { instanceOf: InvalidArgumentError, field: "cache.maxEntries" });
  });

  scenario("IndexedDBResponseCache: hits across connections, LRU eviction in the database; a clear error without IndexedDB", async (env) => {
    const name = session("idb-cache");
    if (env.runtime !== "browser") {
      await assert.rejects(IndexedDBResponseCache.open(name, { maxEntries: 2 }), { instanceOf: UnsupportedError, code: "unsupported", message: /needs IndexedDB/ });
      return;
    }
    try {
      const cache = await IndexedDBResponseCache.open(name, { maxEntries: 2 });
      const { agent, id } = agentFor(env, { cache });
      await agent.prompt("A");
      await agent.prompt("B");
      await agent.prompt("A"); // hit; B is now the least recently used
      await agent.prompt("C"); // evicts B
      assert.equal((await recorded(env.mockUrl, id)).length, 3);
      cache.close();

      const reopened = await IndexedDBResponseCache.open(name, { maxEntries: 2 });
      const again = agentFor(env, { cache: reopened, session: id });
      assert.equal(await again.agent.prompt("A"), said("A"));
      assert.equal(await again.agent.prompt("C"), said("C"));
      assert.equal((await recorded(env.mockUrl, id)).length, 3, "A and C came from IndexedDB");
      await again.agent.prompt("B");
      assert.equal((await recorded(env.mockUrl, id)).length, 4, "B had been evicted");
      reopened.close();
    } finally {
      indexedDB.deleteDatabase(name);
    }
  });
});
