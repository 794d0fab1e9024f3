// The hostile-input suite: for every exported class and method, input that
// is missing, extra, mistyped, huge, cyclic or hostile; tools and stores that
// misbehave; servers that fail in every way the network can; aborts, timeouts
// and cancellations; panics. Every case asserts the exact error type and
// code, then proves the same instance still completes a normal call.
// Runs in Node (tests/node) and in Chromium (tests/browser).

import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/openai";
import { Agent as AnthropicAgent } from "rig-wasm/anthropic";
import { Agent as OllamaAgent } from "rig-wasm/ollama";
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  InMemoryVectorStore,
  InternalError,
  InvalidArgumentError,
  InvalidResponseError,
  RateLimitError,
  RigError,
  ServerError,
  TimeoutError,
  VectorStoreError,
  tool,
} from "rig-wasm";
import { assert, clearScript, defineScenarios, recorded, script, session, sleep } from "./harness.mjs";

const KEY = "sk-hostile-0123456789";
const FRANCE = "What is the capital of France?";
const PARIS = "The capital of France is Paris.";

function make(env, extra = {}) {
  const id = session("hostile");
  const agent = new Agent({
    apiKey: KEY,
    model: "gpt-4o",
    baseURL: `${env.mockUrl}/v1`,
    api: "chat",
    ...extra,
    headers: { "x-mock-session": id, ...extra.headers },
  });
  return { agent, id };
}

async function healthy(agent) {
  assert.equal(await agent.prompt(FRANCE), PARIS, "the same instance still answers");
}

function cyclic() {
  const value = { a: 1 };
  value.self = value;
  return value;
}

const hugeText = () => "x".repeat(10 * 1024 * 1024);

/** An object whose property getter throws. */
function throwingGetter(field) {
  return Object.defineProperty({ apiKey: KEY, model: "gpt-4o" }, field, {
    enumerable: true,
    get() {
      throw new Error("getter exploded");
    },
  });
}

export default defineScenarios((scenario) => {
  // ------------------------------------------------------------------ options
  const badAgentOptions = [
    ["no options", undefined, "options"],
    ["null options", null, "options"],
    ["a number", 42, "options"],
    ["a string", "gpt-4o", "options"],
    ["an array", [{ model: "gpt-4o" }], "options"],
    ["a function", () => ({}), "options"],
    ["a class instance", new Map([["model", "gpt-4o"]]), "options"],
    ["model missing", { apiKey: KEY }, "model"],
    ["model null", { apiKey: KEY, model: null }, "model"],
    ["model a number", { apiKey: KEY, model: 4 }, "model"],
    ["model an object", { apiKey: KEY, model: { id: "gpt" } }, "model"],
    ["apiKey a number", { apiKey: 123, model: "m" }, "apiKey"],
    ["apiKey an array", { apiKey: [KEY], model: "m" }, "apiKey"],
    ["temperature Infinity", { apiKey: KEY, model: "m", temperature: Infinity }, "temperature"],
    ["temperature a boolean", { apiKey: KEY, model: "m", temperature: true }, "temperature"],
    ["maxTokens a string", { apiKey: KEY, model: "m", maxTokens: "100" }, "maxTokens"],
    ["maxTokens huge", { apiKey: KEY, model: "m", maxTokens: 1e20 }, "maxTokens"],
    ["maxTurns negative", { apiKey: KEY, model: "m", maxTurns: -1 }, "maxTurns"],
    ["maxRetries fractional", { apiKey: KEY, model: "m", maxRetries: 1.5 }, "maxRetries"],
    ["timeoutMs zero", { apiKey: KEY, model: "m", timeoutMs: 0 }, "timeoutMs"],
    ["headers an array", { apiKey: KEY, model: "m", headers: ["x"] }, "headers"],
    ["headers with a newline", { apiKey: KEY, model: "m", headers: { "x-a": "a\nb" } }, "headers.x-a"],
    ["cyclic additionalParams", { apiKey: KEY, model: "m", additionalParams: cyclic() }, "options"],
    ["BigInt temperature", { apiKey: KEY, model: "m", temperature: 10n ** 30n }, "temperature"],
    ["NaN deep in additionalParams", { apiKey: KEY, model: "m", additionalParams: { sampling: { top_p: NaN } } }, "additionalParams.sampling.top_p"],
    ["-Infinity in an array of additionalParams", { apiKey: KEY, model: "m", additionalParams: { stop: [1, -Infinity] } }, "additionalParams.stop[1]"],
    ["a BigInt in a context document's props", { apiKey: KEY, model: "m", context: [{ id: "d", text: "t", additionalProps: { n: 1n } }] }, "context[0].additionalProps.n"],
    ["fetch not a function", { apiKey: KEY, model: "m", fetch: "fetch" }, "fetch"],
    ["tools an object", { apiKey: KEY, model: "m", tools: { calculator: {} } }, "tools"],
    ["context a string", { apiKey: KEY, model: "m", context: "doc" }, "context"],
    ["dynamicContext a number", { apiKey: KEY, model: "m", dynamicContext: 3 }, "dynamicContext"],
    ["unknown option", { apiKey: KEY, model: "m", modle: "m" }, "modle"],
    ["a throwing getter", throwingGetter("preamble"), "options"],
    ["a 10 MB model name with a bad baseURL", { apiKey: KEY, model: hugeText(), baseURL: "::" }, "baseURL"],
  ];
  for (const [name, options, field] of badAgentOptions) {
    scenario(`options: new Agent(${name}) is an InvalidArgumentError naming ${field}`, async (env) => {
      assert.throws(() => new Agent(options), { instanceOf: InvalidArgumentError, code: "invalid_argument", field });
      await healthy(make(env).agent);
    });
  }

  const otherClasses = [
    ["CompletionModel without a model", () => new CompletionModel({ apiKey: KEY }), "model"],
    ["CompletionModel with a tools option", () => new CompletionModel({ apiKey: KEY, model: "m", tools: 1, preamble: "x" }), "preamble"],
    ["EmbeddingModel with dimensions as a string", () => new EmbeddingModel({ apiKey: KEY, modelName: "m", dimensions: "256" }), "dimensions"],
    ["EmbeddingModel with null options", () => new EmbeddingModel(null), "options"],
    ["InMemoryVectorStore with a model lacking embedText", () => new InMemoryVectorStore({ model: {} }), "model"],
    ["InMemoryVectorStore with a string", () => new InMemoryVectorStore("store"), "options"],
    ["anthropic Agent with api: responses", () => new AnthropicAgent({ apiKey: KEY, model: "claude", api: "responses" }), "api"],
    ["ollama Agent with host not a URL", () => new OllamaAgent({ model: "llama3", host: "localhost:11434" }), "host"],
  ];
  for (const [name, construct, field] of otherClasses) {
    scenario(`options: ${name} is an InvalidArgumentError naming ${field}`, async (env) => {
      assert.throws(construct, { instanceOf: InvalidArgumentError, field });
      await healthy(make(env).agent);
    });
  }

  // ---------------------------------------------------------------- arguments
  const badPrompts = [
    ["null", null],
    ["undefined", undefined],
    ["a number", 7],
    ["an object", { text: "hi" }],
    ["an array", ["hi"]],
    ["a symbol", Symbol("hi")],
    ["a function", () => "hi"],
    ["whitespace", " \n\t "],
  ];
  for (const [name, value] of badPrompts) {
    scenario(`arguments: prompt(${name}) is an InvalidArgumentError naming prompt`, async (env) => {
      const { agent } = make(env);
      await assert.rejects(agent.prompt(value), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(agent.promptStream(value), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(agent.chat(value, []), { instanceOf: InvalidArgumentError, field: "prompt" });
      await healthy(agent);
    });
  }

  const badCalls = [
    ["chat with history null", (a) => a.chat("hi", null), "history"],
    ["chat with a cyclic history", (a) => a.chat("hi", [cyclic()]), "history"],
    ["chat with a 10 000-deep history item", (a) => a.chat("hi", [{ role: "user", content: [{ type: "text", text: 5 }] }]), "history[0].content[0].text"],
    ["prompt with options a string", (a) => a.prompt("hi", "fast"), "options"],
    ["prompt with an unknown call option", (a) => a.prompt("hi", { temperatur: 1 }), "temperatur"],
    ["prompt with signal not an AbortSignal", (a) => a.prompt("hi", { signal: {} }), "signal"],
    ["prompt with maxTurns as a string", (a) => a.prompt("hi", { maxTurns: "3" }), "maxTurns"],
    ["generate with history not an array", (a) => a.generate("hi", { history: "x" }), "history"],
  ];
  for (const [name, call, field] of badCalls) {
    scenario(`arguments: ${name} is an InvalidArgumentError naming ${field}`, async (env) => {
      const { agent } = make(env);
      await assert.rejects(() => call(agent), { instanceOf: InvalidArgumentError, field });
      await healthy(agent);
    });
  }

  scenario("arguments: a 10 MB prompt goes through and the instance keeps working", async (env) => {
    const { agent, id } = make(env);
    const text = hugeText();
    const answer = await agent.prompt(text);
    assert.ok(answer.length > text.length, "the mock echoed it");
    const [request] = await recorded(env.mockUrl, id);
    assert.equal(request.conversation.messages[0].text.length, text.length);
    await healthy(agent);
  }, { timeout: 60_000 });

  scenario("arguments: embeddings reject non-strings and a 10 MB text is embedded", async (env) => {
    const model = new EmbeddingModel({ apiKey: KEY, modelName: "m", baseURL: `${env.mockUrl}/v1`, dimensions: 8 });
    for (const value of [null, undefined, 3, {}, [1]]) {
      await assert.rejects(model.embedText(value), { instanceOf: InvalidArgumentError, field: "text" });
    }
    for (const value of [null, "text", { 0: "a" }]) {
      await assert.rejects(model.embedTexts(value), { instanceOf: InvalidArgumentError, field: "texts" });
    }
    await assert.rejects(model.embedTexts(["a", null]), { instanceOf: InvalidArgumentError, field: "texts[1]" });
    const big = await model.embedText(hugeText());
    assert.equal(big.vec.length, 8);
    assert.equal((await model.embedText("ok")).vec.length, 8);
  }, { timeout: 60_000 });

  scenario("arguments: completion() rejects malformed requests and keeps working", async (env) => {
    const model = new CompletionModel({ apiKey: KEY, model: "m", baseURL: `${env.mockUrl}/v1`, api: "chat" });
    const bad = [
      [null, "request"],
      [[], "request"],
      [{ messages: "hi" }, "request.messages"],
      [{ messages: [null] }, "request.messages[0]"],
      [{ messages: ["hi"], tools: [{ name: 5 }] }, "request.tools[0].name"],
      [{ messages: ["hi"], documents: [7] }, "request.documents[0]"],
      [{ messages: ["hi"], extra: 1 }, "request.extra"],
      [{ messages: ["hi"], preamble: cyclic() }, "request"],
    ];
    for (const [request, field] of bad) {
      await assert.rejects(model.completion(request), { instanceOf: InvalidArgumentError, field });
    }
    assert.equal((await model.completion({ messages: [FRANCE] })).text, PARIS);
  });

  scenario("arguments: InMemoryVectorStore rejects bad ids, vectors, documents and queries", async () => {
    const store = new InMemoryVectorStore();
    const bad = [
      [() => store.add("", {}, [1]), "id"],
      [() => store.add(5, {}, [1]), "id"],
      [() => store.add("a", {}, "vector"), "vector"],
      [() => store.add("a", {}, []), "vector"],
      [() => store.add("a", {}, [NaN, 1]), "vector"],
      [() => store.add("a", cyclic(), [1, 2]), "document"],
      [() => store.addMany("entries"), "entries"],
      [() => store.addMany([{ id: "a", document: 1, vector: [1, 2] }, { id: "b", document: 2, vector: [1] }]), "entries[1].vector"],
      [() => InMemoryVectorStore.fromBytes("bytes"), "bytes"],
      [() => InMemoryVectorStore.fromBytes(new Uint8Array([1, 2, 3])), "bytes"],
    ];
    for (const [call, field] of bad) assert.throws(call, { instanceOf: InvalidArgumentError, field });
    store.add("a", { ok: true }, [1, 2]);
    for (const request of [null, { query: 5 }, { query: [1, 2], samples: -1 }, { query: [1, 2], threshold: "x" }, { query: [1, 2, 3] }]) {
      await assert.rejects(store.topN(request), { instanceOf: InvalidArgumentError });
    }
    assert.deepEqual((await store.topN({ query: [1, 2], samples: 1 })).map(([, id]) => id), ["a"]);
  });

  // -------------------------------------------------------------------- tools
  const definitionFailures = [
    ["definition() throws", { name: () => "t", definition: () => { throw new Error("no definition"); }, call: () => 1 }, InvalidArgumentError],
    ["definition() rejects with a string", { name: () => "t", definition: () => Promise.reject("nope"), call: () => 1 }, InvalidArgumentError],
    ["definition() returns a cyclic object", { name: () => "t", definition: () => Promise.resolve(cyclic()), call: () => 1 }, InvalidArgumentError],
    ["definition() returns null", { name: () => "t", definition: async () => null, call: () => 1 }, InvalidArgumentError],
  ];
  for (const [name, broken, type] of definitionFailures) {
    scenario(`tools: a tool whose ${name} fails the call with ${type.name}; the agent recovers`, async (env) => {
      let fail = false;
      const wrapped = {
        name: () => "zzlookup",
        definition: (prompt) => (fail ? broken.definition(prompt) : { name: "zzlookup", description: "ok", parameters: { type: "object", properties: {} } }),
        call: broken.call,
      };
      const { agent } = make(env, { tools: [wrapped] });
      fail = true;
      await assert.rejects(agent.prompt(FRANCE), { instanceOf: type });
      fail = false;
      await healthy(agent);
    });
  }

  scenario("tools: a definition() that never resolves is ended by timeoutMs", async (env) => {
    let hang = false;
    const slow = {
      name: () => "zzlookup",
      definition: () => (hang ? new Promise(() => {}) : { name: "zzlookup", description: "", parameters: {} }),
      call: () => 1,
    };
    const { agent } = make(env, { tools: [slow] });
    hang = true;
    await assert.rejects(agent.prompt(FRANCE, { timeoutMs: 150 }), { instanceOf: TimeoutError });
    hang = false;
    await healthy(agent);
  });

  const callFailures = [
    ["throws a TypeError", () => { throw new TypeError("bad type"); }, /TypeError: bad type/],
    ["rejects with a number", () => Promise.reject(404), /404/],
    ["rejects with null", () => Promise.reject(null), /null/],
    ["rejects with a cyclic object", () => Promise.reject(cyclic()), /object/],
    ["returns a function", () => () => 1, /^null$|function|cannot/],
    ["returns a symbol", () => Symbol("s"), /^null$|symbol|cannot/],
    ["returns a cyclic object", () => cyclic(), /cannot be converted to JSON/],
  ];
  for (const [name, execute, expected] of callFailures) {
    scenario(`tools: a tool that ${name} becomes a tool result the model sees`, async (env) => {
      const { agent, id } = make(env, { tools: [tool({ name: "lookup", description: "look up", parameters: { type: "object", properties: {} }, execute })] });
      await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "c1", name: "lookup", arguments: {} }] } }, { turn: { text: "recovered" } });
      assert.equal(await agent.prompt("use lookup"), "recovered");
      const requests = await recorded(env.mockUrl, id);
      const result = requests[1].conversation.messages.find((m) => m.role === "tool").toolResults[0];
      assert.match(result.content, expected);
      await healthy(agent);
    });
  }

  scenario("tools: a call() that never resolves is ended by timeoutMs, then the agent works", async (env) => {
    const { agent, id } = make(env, { tools: [tool({ name: "lookup", description: "", parameters: {}, execute: () => new Promise(() => {}) })] });
    await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "c1", name: "lookup", arguments: {} }] } });
    const started = Date.now();
    await assert.rejects(agent.prompt("use lookup", { timeoutMs: 200 }), { instanceOf: TimeoutError });
    assert.ok(Date.now() - started < 2000, "the timeout ended the tool wait promptly");
    await healthy(agent);
  });

  scenario("tools: malformed tool arguments from the model are answered with feedback, not a crash", async (env) => {
    const seen = [];
    const { agent, id } = make(env, { tools: [tool({ name: "lookup", description: "", parameters: { type: "object", properties: {} }, execute: (args) => (seen.push(args), "ok") })] });
    await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "c1", name: "lookup", arguments: "{not json" }] } }, { turn: { text: "done" } });
    assert.equal(await agent.prompt("use lookup"), "done");
    assert.equal(seen.length, 0, "the tool did not run with garbage");
    await healthy(agent);
  });

  // ------------------------------------------------------------------- stores
  const badStores = [
    ["a string score", [["0.9", "a", {}]], /score must be a finite number/],
    ["a missing id", [[0.9]], /must be a \[score, id, document\] tuple/],
    ["an id that is an object", [[0.9, { id: 1 }, {}]], /id must be a string/],
    ["no document", [[0.9, "a"]], /has no document/],
    ["null", null, /must return an array/],
    ["an object", { results: [] }, /must return an array/],
    ["a cyclic object", [cyclic()], /cannot be converted to JSON/],
    ["NaN scores", [[NaN, "a", {}]], /result\[0\]\[0\]: must be a finite number, got NaN/],
    ["a BigInt in a document", [[0.5, "a", { n: 2n ** 70n }]], /result\[0\]\[2\]\.n: is a BigInt/],
  ];
  for (const [name, result, message] of badStores) {
    scenario(`stores: topN returning ${name} is a VectorStoreError; the agent recovers`, async (env) => {
      let good = false;
      const store = { topN: () => (good ? [[0.5, "ok", { text: "fine" }]] : result) };
      const { agent } = make(env, { dynamicContext: { sample: 1, store } });
      await assert.rejects(agent.prompt("hi"), { instanceOf: VectorStoreError, code: "vector_store", message });
      good = true;
      assert.match(await agent.prompt("hi"), /According to the documents \(ok\)/);
    });
  }

  scenario("stores: a topN that never resolves is ended by timeoutMs", async (env) => {
    let hang = true;
    const store = { topN: () => (hang ? new Promise(() => {}) : [[0.5, "ok", { text: "fine" }]]) };
    const { agent } = make(env, { dynamicContext: { sample: 1, store } });
    await assert.rejects(agent.prompt("hi", { timeoutMs: 150 }), { instanceOf: TimeoutError });
    hang = false;
    assert.match(await agent.prompt("hi"), /According to the documents/);
  });

  // ------------------------------------------------------------------- server
  const serverFailures = [
    ["401", { status: 401 }, AuthenticationError, "authentication", 1],
    ["500 on every attempt (3 attempts with maxRetries 2)", { status: 500, headers: { "retry-after-ms": "1" } }, ServerError, "server_error", 3],
    ["invalid JSON", { directives: "invalid-json" }, InvalidResponseError, "invalid_response", 1],
    ["a connection reset", { directives: "reset" }, ConnectionError, "connection_error", 3],
  ];
  for (const [name, item, type, code, attempts] of serverFailures) {
    scenario(`server: ${name} is a ${type.name}, then the same agent works`, async (env) => {
      const { agent, id } = make(env);
      // Browsers silently re-send a request whose connection was reset
      // (Chromium sometimes more than once), so script more failures than
      // needed and clear the rest afterwards.
      const scripted = env.runtime === "node" ? attempts : attempts * 4;
      await script(env.mockUrl, id, ...Array.from({ length: scripted }, () => item));
      const error = await assert.rejects(agent.prompt("hi"), { instanceOf: type, code });
      assert.ok(!String(error.message).includes(KEY), "no key in the message");
      const made = (await recorded(env.mockUrl, id)).length;
      if (env.runtime === "node") assert.equal(made, attempts, "attempts made");
      else assert.ok(made >= attempts, `at least ${attempts} attempts, saw ${made}`);
      await clearScript(env.mockUrl, id);
      await healthy(agent);
    }, { timeout: 30_000 });
  }

  scenario("server: 429 with Retry-After is retried after the wait, then succeeds", async (env) => {
    const { agent, id } = make(env, { headers: { "x-mock": "fail=429:1,retry-after=1" } });
    const started = Date.now();
    await healthy(agent);
    assert.ok(Date.now() - started >= 900, "waited for Retry-After: 1");
    assert.equal((await recorded(env.mockUrl, id)).length, 2);
  });

  scenario("server: 429 without Retry-After backs off and retries", async (env) => {
    const { agent, id } = make(env, { headers: { "x-mock": "fail=429:2" } });
    await healthy(agent);
    assert.equal((await recorded(env.mockUrl, id)).length, 3);
  }, { timeout: 30_000 });

  scenario("server: Retry-After beyond 60 s fails at once as a RateLimitError with retryAfterMs", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { status: 429, headers: { "retry-after": "120" } });
    const started = Date.now();
    const error = await assert.rejects(agent.prompt("hi"), { instanceOf: RateLimitError, code: "rate_limited", statusCode: 429, isRetryable: true });
    assert.equal(error.retryAfterMs, 120_000);
    assert.ok(Date.now() - started < 2000, "no waiting");
    assert.equal((await recorded(env.mockUrl, id)).length, 1);
    await healthy(agent);
  });

  scenario("server: maxRetries 0 (per agent) and per call disable retries", async (env) => {
    const { agent, id } = make(env, { maxRetries: 0 });
    await script(env.mockUrl, id, { status: 503 });
    await assert.rejects(agent.prompt("hi"), { instanceOf: ServerError, statusCode: 503 });
    assert.equal((await recorded(env.mockUrl, id)).length, 1);
    await healthy(agent);
    const { agent: other, id: otherId } = make(env, { headers: { "x-mock": "status=503,retry-after-ms=1" } });
    await assert.rejects(other.prompt("hi", { maxRetries: 1 }), { instanceOf: ServerError });
    assert.equal((await recorded(env.mockUrl, otherId)).length, 2);
  });

  async function drain(stream) {
    const chunks = [];
    try {
      for await (const chunk of stream) chunks.push(chunk);
    } catch (error) {
      return { chunks, error };
    }
    return { chunks, error: undefined };
  }

  scenario("server: a stream cut half way is an InvalidResponseError after the deltas before it", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "truncate" });
    const { chunks, error } = await drain(await agent.promptStream("Write a short story about a robot learning to paint."));
    assert.ok(chunks.some((c) => c.type === "textDelta"), "deltas before the cut arrived");
    assert.ok(error instanceof InvalidResponseError, `InvalidResponseError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.code, "invalid_response");
    await healthy(agent);
  });

  scenario("server: an SSE line of 1 MB streams through intact", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "big-line=1048576" });
    const { chunks, error } = await drain(await agent.promptStream("big"));
    assert.equal(error, undefined);
    assert.equal(chunks.filter((c) => c.type === "textDelta").map((c) => c.text).join("").length, 1048576);
    await healthy(agent);
  });

  scenario("server: an error event in the middle of a stream errors the stream after the deltas before it", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "error-event" });
    const { chunks, error } = await drain(await agent.promptStream("Write a short story about a robot learning to paint."));
    assert.ok(chunks.some((c) => c.type === "textDelta"), "deltas before the error arrived");
    assert.ok(error instanceof RigError && !(error instanceof InternalError), `a typed RigError, got ${error?.name}: ${error?.message}`);
    assert.ok(!chunks.some((c) => c.type === "finish"), "no final chunk");
    await healthy(agent);
  });

  scenario("server: a connection reset mid-stream is a ConnectionError, not retried", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "reset-mid,pace=2" });
    const { error } = await drain(await agent.promptStream("Write a short story about a robot learning to paint."));
    assert.ok(error instanceof ConnectionError, `ConnectionError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.isRetryable, false, "a started stream is not retryable");
    assert.equal((await recorded(env.mockUrl, id)).length, 1, "no retry after the stream started");
    await healthy(agent);
  });

  scenario("server: a stream that goes silent fails after streamIdleTimeoutMs with a TimeoutError, after the deltas before it", async (env) => {
    const { agent, id } = make(env, { streamIdleTimeoutMs: 300 });
    await script(env.mockUrl, id, { directives: "stall-mid,pace=2" });
    const started = Date.now();
    const { chunks, error } = await drain(await agent.promptStream("Write a short story about a robot learning to paint."));
    assert.ok(chunks.filter((c) => c.type === "textDelta").length >= 2, "the deltas before the silence arrived");
    assert.ok(error instanceof TimeoutError, `TimeoutError, got ${error?.name}: ${error?.message}`);
    assert.equal(error.code, "timeout");
    assert.match(error.message, /sent nothing for 0\.3 s/);
    assert.equal(error.isRetryable, false, "a started stream is not retryable");
    assert.ok(Date.now() - started < 5000, "it failed at the idle limit, not later");
    assert.ok(!chunks.some((c) => c.type === "finish"), "no final chunk");
    // A slow consumer is not a silent server: reading late does not count.
    const { agent: patient, id: patientId } = make(env, { streamIdleTimeoutMs: 200 });
    await script(env.mockUrl, patientId, { directives: "pace=1" });
    const texts = [];
    for await (const chunk of await patient.promptStream("Write a short story about a robot learning to paint.")) {
      if (texts.length === 1) await sleep(400);
      if (chunk.type === "textDelta") texts.push(chunk.text);
    }
    assert.ok(texts.length > 2);
    await healthy(agent);
  });

  scenario("server: a hang is ended by timeoutMs (TimeoutError) and by the agent's default timeout", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "hang" });
    await assert.rejects(agent.prompt("hi", { timeoutMs: 150 }), { instanceOf: TimeoutError, code: "timeout" });
    await healthy(agent);
    const { agent: bounded, id: boundedId } = make(env, { timeoutMs: 300 });
    await script(env.mockUrl, boundedId, { directives: "hang" });
    await assert.rejects(bounded.prompt("hi"), { instanceOf: TimeoutError });
    await healthy(bounded);
  });

  scenario("errors: every class made in JavaScript carries its own stable code", async () => {
    const errors = await import("rig-wasm/errors");
    const expected = {
      APIError: "http_error",
      AuthenticationError: "authentication",
      NotFoundError: "not_found",
      BadRequestError: "bad_request",
      ServerError: "server_error",
      ConnectionError: "connection_error",
      TimeoutError: "timeout",
      AbortError: "aborted",
      InvalidResponseError: "invalid_response",
      ToolError: "tool_error",
      MaxTurnsError: "max_turns",
      VectorStoreError: "vector_store",
      UnsupportedError: "unsupported",
      InternalError: "internal",
      NotInitializedError: "not_initialized",
      RateLimitError: "rate_limited",
    };
    for (const [name, code] of Object.entries(expected)) {
      const error = new errors[name]("message");
      assert.equal(error.code, code, name);
      assert.ok(error instanceof errors.RigError, name);
    }
    assert.equal(new errors.InvalidArgumentError("field", "message").code, "invalid_argument");
    assert.equal(new errors.NotFoundError("m", { code: "not_found", statusCode: 404 }).statusCode, 404);
  });

  // -------------------------------------------------------------------- abort
  scenario("abort: an already-aborted signal rejects with AbortError before any request", async (env) => {
    const { agent, id } = make(env);
    const controller = new AbortController();
    controller.abort();
    const error = await assert.rejects(agent.prompt(FRANCE, { signal: controller.signal }), { instanceOf: AbortError, name: "AbortError", code: "aborted" });
    assert.ok(RigError.isInstance(error));
    assert.equal((await recorded(env.mockUrl, id)).length, 0);
    await healthy(agent);
  });

  scenario("abort: aborting a hanging request rejects promptly and closes the connection", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "hang" });
    const controller = new AbortController();
    const pending = agent.prompt("hi", { signal: controller.signal });
    await sleep(100);
    const started = Date.now();
    controller.abort(new Error("user left"));
    await assert.rejects(pending, { instanceOf: AbortError, name: "AbortError" });
    assert.ok(Date.now() - started < 500, "promptly");
    await sleep(50);
    const [request] = await recorded(env.mockUrl, id);
    assert.equal(request.closedEarly, true, "the request was cancelled on the wire");
    await healthy(agent);
  });

  scenario("abort: aborting during a tool call stops the loop at once", async (env) => {
    let calls = 0;
    const { agent, id } = make(env, { tools: [tool({ name: "slow", description: "", parameters: {}, execute: () => (calls++, new Promise(() => {})) })] });
    await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "c1", name: "slow", arguments: {} }] } });
    const controller = new AbortController();
    const pending = agent.prompt("use slow", { signal: controller.signal });
    await sleep(150);
    controller.abort();
    await assert.rejects(pending, { instanceOf: AbortError });
    assert.equal(calls, 1);
    assert.equal((await recorded(env.mockUrl, id)).length, 1, "no model call after the abort");
    await healthy(agent);
  });

  scenario("abort: aborting a stream errors it with AbortError and closes the connection", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "pace=20" });
    const controller = new AbortController();
    const stream = await agent.promptStream("Write a short story about a robot learning to paint.", { signal: controller.signal });
    let count = 0;
    let failure;
    try {
      for await (const chunk of stream) {
        if (chunk.type === "textDelta" && ++count === 3) controller.abort();
      }
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof AbortError, `AbortError, got ${failure?.name}: ${failure?.message}`);
    await sleep(60);
    assert.equal((await recorded(env.mockUrl, id))[0].closedEarly, true);
    await healthy(agent);
  });

  scenario("abort: cancelling a stream's reader aborts the underlying request", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "pace=20" });
    const stream = await agent.promptStream("Write a short story about a robot learning to paint.");
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel("not interested");
    await sleep(80);
    assert.equal((await recorded(env.mockUrl, id))[0].closedEarly, true, "the server saw the request go away");
    await healthy(agent);
  });

  scenario("abort: breaking out of for-await cancels the request", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "pace=20" });
    for await (const chunk of await agent.promptStream("Write a short story about a robot learning to paint.")) {
      if (chunk.type === "textDelta") break;
    }
    await sleep(80);
    assert.equal((await recorded(env.mockUrl, id))[0].closedEarly, true);
    await healthy(agent);
  });

  scenario("abort: embeddings and completion take a signal too", async (env) => {
    const controller = new AbortController();
    controller.abort();
    const model = new EmbeddingModel({ apiKey: KEY, modelName: "m", baseURL: `${env.mockUrl}/v1` });
    await assert.rejects(model.embedText("hi", { signal: controller.signal }), { instanceOf: AbortError });
    const id = session("completion-hang");
    const completion = new CompletionModel({ apiKey: KEY, model: "m", baseURL: `${env.mockUrl}/v1`, api: "chat", headers: { "x-mock-session": id } });
    await script(env.mockUrl, id, { directives: "hang" });
    await assert.rejects(completion.completion({ messages: ["hi"] }, { timeoutMs: 100 }), { instanceOf: TimeoutError });
    assert.equal((await completion.completion({ messages: [FRANCE] })).text, PARIS);
    assert.equal((await model.embedText("hi")).document, "hi");
  });

  // -------------------------------------------------------------------- panic
  scenario("panic: a synchronous panic is an InternalError and the same agent keeps working", async (env) => {
    const { agent } = make(env);
    await healthy(agent);
    const before = env.testing.generation();
    assert.throws(() => env.testing.panic(), { instanceOf: InternalError, code: "internal", message: /deliberate test panic/ });
    assert.equal(env.testing.generation(), before + 1, "a fresh instance took over");
    await healthy(agent);
  });

  scenario("panic: a panic inside an async task rejects the call (no hang, no uncaught error) and calls in flight", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "delay=300" });
    const inFlight = agent.prompt(FRANCE);
    await sleep(50);
    await assert.rejects(env.testing.panicAsync(), { instanceOf: InternalError, message: /deliberate async test panic/ });
    await assert.rejects(inFlight, { instanceOf: InternalError });
    await healthy(agent);
    const store = new InMemoryVectorStore();
    store.add("a", 1, [1, 0]);
    assert.equal(store.count, 1);
  });

  // ---------------------------------------------------------------- lifecycle
  scenario("lifecycle: free() during a pending call lets the call finish; later use is a clear error", async (env) => {
    const { agent, id } = make(env);
    await script(env.mockUrl, id, { directives: "delay=100" });
    const pending = agent.prompt(FRANCE);
    agent.free();
    assert.equal(await pending, PARIS);
    await assert.rejects(agent.prompt(FRANCE), { instanceOf: InvalidArgumentError, message: /free\(\)/ });
    agent.free();
    const store = new InMemoryVectorStore();
    store.free();
    assert.throws(() => store.count, { instanceOf: InvalidArgumentError });
  });

  scenario("lifecycle: 200 agents created and dropped leave the instance working", async (env) => {
    for (let i = 0; i < 200; i++) make(env, { tools: [tool({ name: "t", description: "", parameters: {}, execute: () => 1 })] });
    await healthy(make(env).agent);
  });
});
