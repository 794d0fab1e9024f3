// Tools, multi-step agents, embeddings, vector stores and RAG.
// Runs in Node (tests/node) and in Chromium (tests/browser).

import { Agent, EmbeddingModel } from "rig-wasm/openai";
import { Document, InMemoryVectorStore, InvalidArgumentError, MaxTurnsError, VectorStoreError, tool } from "rig-wasm";
import { assert, defineScenarios, DOCS, recorded, script, session, sleep } from "./harness.mjs";

const CALCULATOR_SCHEMA = {
  type: "object",
  properties: {
    operation: { type: "string", enum: ["add", "subtract", "multiply", "divide"] },
    a: { type: "number" },
    b: { type: "number" },
  },
  required: ["operation", "a", "b"],
};

function calculator(log = []) {
  return {
    name: () => "calculator",
    definition: () => ({ name: "calculator", description: "A simple calculator", parameters: CALCULATOR_SCHEMA }),
    call: async ({ operation, a, b }) => {
      log.push(["calculator", operation, a, b]);
      switch (operation) {
        case "add":
          return { result: a + b };
        case "subtract":
          return { result: a - b };
        case "multiply":
          return { result: a * b };
        case "divide":
          if (b === 0) throw new Error("Division by zero");
          return { result: a / b };
        default:
          throw new Error(`Unknown operation: ${operation}`);
      }
    },
  };
}

function setup(env, extra = {}) {
  const id = session("agents");
  const agent = new Agent({
    apiKey: "sk-test",
    model: "gpt-4o",
    baseURL: `${env.mockUrl}/v1`,
    api: extra.api ?? "chat",
    ...extra,
    headers: { "x-mock-session": id, ...extra.headers },
  });
  return { agent, id };
}

/** The tool results the model received in the request at `index`. */
function toolResults(requests, index) {
  const messages = requests[index].conversation.messages;
  return messages.filter((m) => m.role === "tool").flatMap((m) => m.toolResults);
}

function embedder(env, extra = {}) {
  const id = session("embed");
  const model = new EmbeddingModel({
    apiKey: "sk-test",
    modelName: "text-embedding-3-small",
    baseURL: `${env.mockUrl}/v1`,
    ...extra,
    headers: { "x-mock-session": id, ...extra.headers },
  });
  return { model, id };
}

export default defineScenarios((scenario) => {
  for (const api of ["chat", "responses"]) {
    scenario(`${api}: the design's counter tool keeps its state across calls`, async (env) => {
      const counter = {
        counter: 5324,
        name: function () {
          return "counter";
        },
        definition: function (_prompt) {
          return {
            name: "counter",
            description: "a counter that can only be incremented",
            parameters: { $schema: "https://json-schema.org/draft/2020-12/schema", title: "ToolDefinition", type: "object", properties: {}, required: [] },
          };
        },
        call: async function (_args) {
          this.counter += 1;
          return { result: this.counter };
        },
      };
      const { agent, id } = setup(env, { api, tools: [counter] });
      const first = await agent.prompt("Please increment the counter by 1 and let me know what the resulting number is.");
      assert.equal(first, "Here is what I found: counter gave 5325.");
      const second = await agent.prompt("Increment the counter again.");
      assert.equal(second, "Here is what I found: counter gave 5326.");
      assert.equal(counter.counter, 5326);
      const requests = await recorded(env.mockUrl, id);
      assert.equal(requests.length, 4, "two model calls per prompt");
      assert.deepEqual(requests[0].conversation.tools.map((t) => t.name), ["counter"]);
      assert.deepEqual(toolResults(requests, 1).map((r) => r.content), ['{"result":5325}']);
    });

    scenario(`${api}: parallel tool calls in one turn run concurrently and all results go back`, async (env) => {
      const spans = [];
      const slow = (name, value) =>
        tool({
          name,
          description: `the ${name} tool`,
          parameters: { type: "object", properties: { location: { type: "string" } } },
          execute: async (args) => {
            const start = Date.now();
            await sleep(120);
            spans.push([name, start, Date.now()]);
            return { ...value, location: args.location };
          },
        });
      const weather = slow("weather", { temperature: 21, condition: "Sunny" });
      const { agent, id } = setup(env, { api, tools: [calculator(), weather] });
      const answer = await agent.prompt("What's 15 * 23? Also, what's the weather like in Tokyo?");
      assert.equal(answer, "Here is what I found: calculator gave 345; and the weather in Tokyo is Sunny at 21°C.");
      const requests = await recorded(env.mockUrl, id);
      const results = toolResults(requests, 1);
      assert.equal(results.length, 2, "both results were sent back");
      assert.deepEqual(results.map((r) => r.name).sort(), ["calculator", "weather"]);
      assert.equal(spans.length, 1);
    });

    scenario(`${api}: a multi-step run feeds each tool result back until the model answers`, async (env) => {
      const log = [];
      const { agent, id } = setup(env, { api, tools: [calculator(log)] });
      await script(
        env.mockUrl,
        id,
        { turn: { toolCalls: [{ id: "call_s1", name: "calculator", arguments: { operation: "add", a: 2, b: 3 } }] } },
        { turn: { toolCalls: [{ id: "call_s2", name: "calculator", arguments: { operation: "multiply", a: 5, b: 4 } }] } },
        { turn: { text: "(2 + 3) * 4 = 20" } },
      );
      assert.equal(await agent.prompt("What is (2 + 3) * 4? Use the calculator step by step."), "(2 + 3) * 4 = 20");
      assert.deepEqual(log, [
        ["calculator", "add", 2, 3],
        ["calculator", "multiply", 5, 4],
      ]);
      const requests = await recorded(env.mockUrl, id);
      assert.equal(requests.length, 3);
      assert.deepEqual(toolResults(requests, 1).map((r) => r.content), ['{"result":5}']);
      assert.deepEqual(toolResults(requests, 2).map((r) => r.content), ['{"result":5}', '{"result":20}']);
    });

    scenario(`${api}: streaming runs the same loop and yields tool calls and results between deltas`, async (env) => {
      const { agent } = setup(env, { api, tools: [calculator()] });
      const stream = await agent.promptStream("What's 15 * 23?");
      const kinds = [];
      let call;
      let result;
      for await (const chunk of stream) {
        if (kinds[kinds.length - 1] !== chunk.type) kinds.push(chunk.type);
        if (chunk.type === "toolCallEnd") call = chunk;
        if (chunk.type === "toolResult") result = chunk;
      }
      assert.deepEqual(kinds, [
        "toolCallStart",
        "toolCallDelta",
        "toolCallEnd",
        "stepFinish",
        "toolResult",
        "textStart",
        "textDelta",
        "textEnd",
        "stepFinish",
        "finish",
      ]);
      assert.equal(call.toolName, "calculator");
      assert.deepEqual(call.arguments, { operation: "multiply", a: 15, b: 23 });
      assert.equal(result.callId, call.callId);
      assert.equal(result.toolName, "calculator");
      assert.equal(result.result, '{"result":345}');
      assert.equal(result.isError, false);
    });
  }

  scenario("a tool that throws reports the error to the model, which recovers", async (env) => {
    const { agent, id } = setup(env, { tools: [calculator()] });
    const answer = await agent.prompt("What is 10 / 0?");
    assert.equal(answer, "Here is what I found: calculator reported an error (Error: Division by zero), so I could not complete that part.");
    const requests = await recorded(env.mockUrl, id);
    assert.match(toolResults(requests, 1)[0].content, /Error: Division by zero/);
    const stream = await agent.promptStream("What is 10 / 0?");
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const result = chunks.find((c) => c.type === "toolResult");
    assert.match(result.result, /Division by zero/);
    assert.equal(chunks[chunks.length - 1].type, "finish", "the run still ends normally");
  });

  scenario("rejections with non-Errors and non-JSON results become tool errors, never traps", async (env) => {
    const cyclic = {};
    cyclic.self = cyclic;
    const behaviours = {
      string: () => Promise.reject("plain string failure"),
      object: () => Promise.reject({ reason: "object failure" }),
      undef: () => Promise.reject(undefined),
      cyclic: () => cyclic,
      bigint: () => ({ big: 10n }),
      nan: () => ({ scores: [1, NaN] }),
      syncThrow: () => {
        throw new TypeError("sync type error");
      },
    };
    const tools = Object.entries(behaviours).map(([name, execute]) =>
      tool({ name: `t_${name}`, description: `fails: ${name}`, parameters: { type: "object", properties: {} }, execute }),
    );
    const { agent, id } = setup(env, { tools });
    const answer = await agent.prompt("Call t_string t_object t_undef t_cyclic t_bigint t_nan t_syncThrow please");
    assert.match(answer, /^Here is what I found:/);
    const requests = await recorded(env.mockUrl, id);
    const contents = Object.fromEntries(toolResults(requests, 1).map((r) => [r.name, r.content]));
    assert.match(contents.t_string, /plain string failure/);
    assert.match(contents.t_object, /object failure/);
    assert.match(contents.t_undef, /undefined/);
    assert.match(contents.t_cyclic, /cannot be converted to JSON/);
    assert.match(contents.t_bigint, /result\.big: is a BigInt, which JSON cannot carry exactly/);
    assert.match(contents.t_nan, /result\.scores\[1\]: must be a finite number, got NaN/);
    assert.match(contents.t_syncThrow, /TypeError: sync type error/);
    assert.match(await agent.prompt("What is the capital of France?"), /Paris/, "the agent still works");
  });

  scenario("a call to an unknown tool goes back to the model as an error it can recover from", async (env) => {
    const { agent, id } = setup(env, { tools: [calculator()] });
    await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "call_x", name: "teleport", arguments: {} }] } }, { turn: { text: "Sorry, I cannot teleport." } });
    assert.equal(await agent.prompt("Teleport me"), "Sorry, I cannot teleport.");
    const requests = await recorded(env.mockUrl, id);
    const [result] = toolResults(requests, 1);
    assert.match(result.content, /no tool named "teleport".*calculator/);
  });

  scenario("running out of maxTurns fails with MaxTurnsError", async (env) => {
    const { agent, id } = setup(env, { tools: [calculator()], maxTurns: 2 });
    const loop = { turn: { toolCalls: [{ id: "call_loop", name: "calculator", arguments: { operation: "add", a: 1, b: 1 } }] } };
    await script(env.mockUrl, id, loop, loop);
    await assert.rejects(agent.prompt("Loop forever"), { instanceOf: MaxTurnsError, code: "max_turns" });
    assert.equal((await recorded(env.mockUrl, id)).length, 2, "exactly maxTurns model calls");
    assert.match(await agent.prompt("What is the capital of France?", { maxTurns: 1 }), /Paris/);
  });

  scenario("an async, prompt-dependent definition() is resolved per call", async (env) => {
    const seen = [];
    const dynamic = {
      name: () => "lookup",
      definition: async (prompt) => {
        seen.push(prompt);
        return { name: "lookup", description: `Look up facts about: ${prompt.slice(0, 20)}`, parameters: { type: "object", properties: {} } };
      },
      call: async () => "nothing found",
    };
    const { agent, id } = setup(env, { tools: [dynamic] });
    await agent.prompt("Tell me about Paris");
    await agent.prompt("Tell me about Rome");
    const requests = await recorded(env.mockUrl, id);
    assert.deepEqual(seen.slice(-2), ["Tell me about Paris", "Tell me about Rome"]);
    assert.match(requests[0].conversation.tools[0].description, /Paris/);
    assert.match(requests[requests.length - 1].conversation.tools[0].description, /Rome/);
  });

  scenario("malformed tools are rejected at construction with the field named", async (env) => {
    const base = { apiKey: "sk", model: "gpt-4o", baseURL: `${env.mockUrl}/v1` };
    const cases = [
      ["not an array", "tools"],
      [[42], "tools[0]"],
      [[{ name: "x" }], "tools[0]"],
      [[{ name: "", description: "d", execute() {} }], "tools[0].name"],
      [[{ name: "two words", description: "d", parameters: {}, execute() {} }], "tools[0].name"],
      [[tool({ name: "dup", description: "", parameters: {}, execute() {} }), tool({ name: "dup", description: "", parameters: {}, execute() {} })], "tools[1].name"],
      [[{ name: () => "a", definition: () => ({ name: "b", description: "", parameters: {} }), call() {} }], "tools[0].definition"],
      [[{ name: () => "a", definition: () => { throw new Error("boom"); }, call() {} }], "tools[0].definition"],
      [[{ name: () => "a", definition: () => ({ name: "a", description: "", parameters: "nope" }), call() {} }], "tools[0].parameters"],
    ];
    for (const [tools, field] of cases) {
      assert.throws(() => new Agent({ ...base, tools }), { instanceOf: InvalidArgumentError, field });
    }
  });

  scenario("static context: Document instances and strings go with every prompt", async (env) => {
    const { agent, id } = setup(env, {
      context: [new Document("policy", "Refunds are possible within 30 days.", { source: "handbook" }), "Shipping takes 3 days."],
    });
    const answer = await agent.prompt("How long do refunds take?");
    assert.match(answer, /^According to the documents \(policy, static_doc_1\): /);
    const [request] = await recorded(env.mockUrl, id);
    assert.deepEqual(request.conversation.documents.map((d) => d.id), ["policy", "static_doc_1"]);
    assert.match(request.conversation.documents[0].text, /source: "handbook"/);
  });

  scenario("embeddings: embedText and embedTexts keep order and honour dimensions", async (env) => {
    const { model, id } = embedder(env, { dimensions: 64 });
    const single = await model.embedText("hello world!");
    assert.equal(single.document, "hello world!");
    assert.ok(Array.isArray(single.vec) && single.vec.every((x) => typeof x === "number"), "vectors are number[] (assignable where the design stores them)");
    assert.equal(single.vec.length, 64);
    const many = await model.embedTexts(["alpha", "beta", "hello world!"]);
    assert.deepEqual(many.map((e) => e.document), ["alpha", "beta", "hello world!"]);
    assert.deepEqual(Array.from(many[2].vec), Array.from(single.vec), "same text, same vector");
    assert.deepEqual(await model.embedTexts([]), []);
    const requests = await recorded(env.mockUrl, id);
    assert.equal(requests[0].body.dimensions, 64);
    assert.equal(requests[0].path, "/v1/embeddings");
    assert.deepEqual(requests[1].body.input, ["alpha", "beta", "hello world!"]);
    await assert.rejects(model.embedText(5), { instanceOf: InvalidArgumentError, field: "text" });
    await assert.rejects(model.embedTexts(["ok", 7]), { instanceOf: InvalidArgumentError, field: "texts[1]" });
  });

  scenario("embeddings: large inputs are split by the provider's per-request limit, in order", async (env) => {
    const { model, id } = embedder(env, { dimensions: 8 });
    const texts = Array.from({ length: 2100 }, (_, i) => `text number ${i}`);
    const result = await model.embedTexts(texts);
    assert.equal(result.length, 2100);
    assert.equal(result[2099].document, "text number 2099");
    const requests = await recorded(env.mockUrl, id);
    assert.ok(requests.length >= 2, `expected several requests, got ${requests.length}`);
    assert.deepEqual(requests.flatMap((r) => r.body.input), texts, "every text sent once, in order");
  });

  scenario("InMemoryVectorStore: add, search, threshold, remove, count and round trips", async (env) => {
    const store = new InMemoryVectorStore();
    store.add("x", { text: "east" }, [1, 0, 0]);
    store.addMany([
      { id: "y", document: { text: "north" }, vector: new Float32Array([0, 1, 0]) },
      { id: "z", document: "north-east", vector: [1, 1, 0] },
    ]);
    assert.equal(store.count, 3);
    assert.equal(store.dimensions, 3);
    const top = await store.topN({ query: [2, 0.2, 0], samples: 2 });
    assert.deepEqual(top.map(([, id]) => id), ["x", "z"]);
    assert.ok(Math.abs(top[0][0] - 0.995) < 0.01, `cosine score ${top[0][0]}`);
    assert.deepEqual(top[1][2], "north-east");
    assert.deepEqual((await store.topNIds({ query: [0, 1, 0], samples: 1 })).map(([, id]) => id), ["y"]);
    assert.equal((await store.topN({ query: [1, 0, 0], samples: 10, threshold: 0.9 })).length, 1);
    assert.throws(() => store.add("w", {}, [1, 0]), { instanceOf: InvalidArgumentError, field: "vector" });
    assert.throws(() => store.add("w", {}, [0, 0, 0]), { instanceOf: InvalidArgumentError, field: "vector" });
    await assert.rejects(store.topN({ query: "text needs a model", samples: 1 }), { instanceOf: InvalidArgumentError, field: "model" });
    const copy = InMemoryVectorStore.fromJson(store.toJson());
    const bytes = InMemoryVectorStore.fromBytes(store.toBytes());
    for (const restored of [copy, bytes]) {
      assert.deepEqual(restored.ids(), store.ids());
      assert.deepEqual((await restored.topN({ query: [2, 0.2, 0], samples: 2 })).map(([, id]) => id), ["x", "z"]);
    }
    assert.equal(store.remove("x"), true);
    assert.equal(store.remove("x"), false);
    assert.equal(store.count, 2);
    assert.deepEqual(store.get("z"), "north-east");
    assert.throws(() => InMemoryVectorStore.fromJson("{}"), { instanceOf: InvalidArgumentError });
  });

  scenario("RAG with InMemoryVectorStore: each prompt retrieves `sample` documents", async (env) => {
    const { model } = embedder(env, { dimensions: 256 });
    const store = new InMemoryVectorStore({ model });
    await store.addDocuments(DOCS);
    assert.equal(store.count, 5);
    const hits = await store.topN({ query: "Tell me about WebAssembly", samples: 2 });
    assert.deepEqual(hits.map(([, id]) => id).sort(), ["doc_1", "doc_4"]);
    const { agent, id } = setup(env, { dynamicContext: { sample: 2, store }, preamble: "You have a knowledge base." });
    const answer = await agent.prompt("What can you tell me about WebAssembly?");
    assert.match(answer, /^According to the documents \(doc_\d, doc_\d\)/);
    const [request] = await recorded(env.mockUrl, id);
    assert.deepEqual(request.conversation.documents.map((d) => d.id).sort(), ["doc_1", "doc_4"]);
    assert.match(request.conversation.documents.map((d) => d.text).join(" "), /WebAssembly/);
  });

  scenario("RAG with a plain JavaScript store (the design's contract, `dynamicTools` name)", async (env) => {
    const calls = [];
    const store = {
      async topN(request) {
        calls.push(request);
        return [
          [0.9, "faq-1", { text: "Opening hours are 9 to 5." }],
          [0.7, "faq-2", { text: "We are closed on Sundays." }],
        ].slice(0, request.samples);
      },
    };
    const { agent, id } = setup(env, { dynamicContext: { sample: 1, dynamicTools: store } });
    await agent.prompt("When are you open?");
    assert.deepEqual(calls, [{ query: "When are you open?", samples: 1 }], "a StoreQuery: no threshold when none is set");
    const [request] = await recorded(env.mockUrl, id);
    assert.deepEqual(request.conversation.documents.map((d) => d.id), ["faq-1"]);
  });

  scenario("malformed store results fail with VectorStoreError; the agent keeps working", async (env) => {
    let mode = "bad";
    const store = {
      topN() {
        if (mode === "bad") return [["not a score", "id", {}]];
        if (mode === "throw") throw new Error("database down");
        if (mode === "shape") return { not: "an array" };
        return [[0.5, "ok", { text: "fine" }]];
      },
    };
    const { agent } = setup(env, { dynamicContext: { sample: 1, store } });
    await assert.rejects(agent.prompt("hi"), { instanceOf: VectorStoreError, code: "vector_store", message: /score must be a finite number/ });
    mode = "throw";
    await assert.rejects(agent.prompt("hi"), { instanceOf: VectorStoreError, message: /database down/ });
    mode = "shape";
    await assert.rejects(agent.prompt("hi"), { instanceOf: VectorStoreError, message: /must return an array/ });
    mode = "good";
    assert.match(await agent.prompt("hi"), /According to the documents \(ok\)/);
    assert.throws(() => setup(env, { dynamicContext: { sample: 1, store: {} } }), { instanceOf: InvalidArgumentError, field: "dynamicContext.store" });
    assert.throws(() => setup(env, { dynamicContext: { sample: 1 } }), { instanceOf: InvalidArgumentError, field: "dynamicContext.store" });
  });
});
