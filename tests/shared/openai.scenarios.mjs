// The OpenAI slice: prompt, chat, streaming, low-level completion, errors and
// validation, over both OpenAI wire formats (Chat Completions and Responses).
// Runs in Node (tests/node) and in Chromium (tests/browser).

import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/openai";
import { decodeReadableStream } from "rig-wasm/streaming";
import { Message } from "rig-wasm/completion";
import {
  AuthenticationError,
  InvalidArgumentError,
  NotFoundError,
  RigError,
  ServerError,
} from "rig-wasm";
import { assert, defineScenarios, recorded, script, session } from "./harness.mjs";

const APIS = ["chat", "responses"];
const PATH = { chat: "/v1/chat/completions", responses: "/v1/responses" };

function agent(env, api, extra = {}) {
  const id = session(api);
  const instance = new Agent({
    apiKey: "sk-test-key-123456",
    model: "gpt-4o",
    baseURL: `${env.mockUrl}/v1`,
    api,
    ...extra,
    headers: { "x-mock-session": id, ...extra.headers },
  });
  return { agent: instance, id };
}

/** The texts of the messages the mock received, by role, in order. */
function sentMessages(request) {
  return request.conversation.messages.map((m) => `${m.role}:${m.text}`);
}

export default defineScenarios((scenario) => {
  for (const api of APIS) {
    scenario(`${api}: prompt returns the model's answer and sends the preamble`, async (env) => {
      const { agent: a, id } = agent(env, api, { preamble: "You are a helpful assistant.", temperature: 0.2, maxTokens: 64 });
      const answer = await a.prompt("What is the capital of France?");
      assert.equal(answer, "The capital of France is Paris.");
      const [request] = await recorded(env.mockUrl, id);
      assert.equal(request.path, PATH[api]);
      assert.equal(request.headers.authorization, "Bearer sk-test-key-123456");
      assert.equal(request.conversation.system, "You are a helpful assistant.");
      assert.equal(request.body.temperature, 0.2);
      if (api === "chat") assert.equal(request.body.max_tokens ?? request.body.max_completion_tokens, 64);
      else assert.equal(request.body.max_output_tokens, 64);
    });

    scenario(`${api}: chat sends the design-shaped history before the prompt`, async (env) => {
      const { agent: a, id } = agent(env, api);
      const history = [
        { role: "user", content: [{ type: "text", text: "Hello! I'm learning Rust." }] },
        { role: "assistant", content: [{ type: "text", text: "Happy to help." }] },
      ];
      const answer = await a.chat("What are the basic concepts I should start with?", history);
      assert.match(answer, /ownership/);
      const [request] = await recorded(env.mockUrl, id);
      assert.deepEqual(sentMessages(request), [
        "user:Hello! I'm learning Rust.",
        "assistant:Happy to help.",
        "user:What are the basic concepts I should start with?",
      ]);
    });

    scenario(`${api}: chat accepts plain strings and string content`, async (env) => {
      const { agent: a, id } = agent(env, api);
      await a.chat("third", ["first", "second"]);
      await a.chat("fourth", [{ role: "user", content: "one" }, Message.assistant("two")]);
      const [plain, mixed] = await recorded(env.mockUrl, id);
      assert.deepEqual(sentMessages(plain), ["user:first", "assistant:second", "user:third"]);
      assert.deepEqual(sentMessages(mixed), ["user:one", "assistant:two", "user:fourth"]);
    });

    scenario(`${api}: promptStream delivers deltas in order, then the final answer with usage`, async (env) => {
      const { agent: a } = agent(env, api);
      const stream = await a.promptStream("Write a short story about a robot learning to paint.");
      assert.ok(stream instanceof ReadableStream, "promptStream returns a web ReadableStream");
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);
      const texts = chunks.filter((c) => c.type === "textDelta").map((c) => c.text);
      assert.ok(texts.length > 10, `expected many text deltas, got ${texts.length}`);
      const final = chunks[chunks.length - 1];
      assert.equal(final.type, "finish", "the last chunk is the final response");
      assert.equal(texts.join(""), final.output, "deltas joined in order equal the final text");
      assert.match(final.output, /^Unit 7 had never held a brush\./);
      assert.ok(final.usage.inputTokens > 0 && final.usage.outputTokens > 0, "usage is reported");
      assert.equal(final.usage.totalTokens, final.usage.inputTokens + final.usage.outputTokens);
    });

    scenario(`${api}: stream chunks arrive incrementally, not all at the end`, async (env) => {
      const { agent: a } = agent(env, api, { headers: { "x-mock": "pace=15" } });
      const start = Date.now();
      const stream = await a.promptStream("What is the capital of France?");
      const times = [];
      for await (const chunk of decodeReadableStream(stream)) {
        if (chunk.type === "textDelta") times.push(Date.now() - start);
      }
      assert.ok(times.length >= 5, `expected at least 5 deltas, got ${times.length}`);
      const spread = times[times.length - 1] - times[0];
      assert.ok(spread >= 40, `deltas should be spread over the stream's life, got ${spread}ms (${times.join(",")})`);
    });

    scenario(`${api}: the design's streaming loop aggregates the text once`, async (env) => {
      const { agent: a } = agent(env, api);
      const stream = await a.prompt_stream("Write a short story about a robot learning to paint.");
      let aggregated = "";
      for await (const chunk of decodeReadableStream(stream)) {
        if (chunk.text !== null && chunk.text !== aggregated) aggregated += chunk.text;
      }
      assert.match(aggregated, /^Unit 7 had never held a brush\..*circuits\.$/);
    });

    scenario(`${api}: HTTP 401, 404 and 500 become typed errors with status and provider`, async (env) => {
      const cases = [
        ["status=401", AuthenticationError, "authentication", 401, /Incorrect API key/],
        ["status=404", NotFoundError, "not_found", 404, /does not exist/],
        ["status=500", ServerError, "server_error", 500, /server had an error/],
      ];
      for (const [directive, type, code, status, message] of cases) {
        const { agent: a } = agent(env, api, { headers: { "x-mock": directive }, maxRetries: 0 });
        const error = await assert.rejects(a.prompt("hi"), { instanceOf: type, code, statusCode: status, provider: "openai", message });
        assert.ok(error instanceof RigError && RigError.isInstance(error), "a RigError");
        assert.ok(!String(error.message).includes("sk-test-key-123456"), "the key never appears in errors");
        assert.ok(typeof error.responseBody === "string" && error.responseBody.includes("error"), "the body is kept");
      }
    });

    scenario(`${api}: a streamed call that fails before the first chunk rejects with the typed error`, async (env) => {
      const { agent: a } = agent(env, api, { headers: { "x-mock": "status=401" }, maxRetries: 0 });
      await assert.rejects(a.promptStream("hi"), { instanceOf: AuthenticationError, statusCode: 401, provider: "openai" });
    });
  }

  scenario("a 500 followed by success is retried transparently", async (env) => {
    const { agent: a, id } = agent(env, "chat", { headers: { "x-mock": "fail=500:1,retry-after-ms=10" } });
    assert.equal(await a.prompt("What is the capital of France?"), "The capital of France is Paris.");
    assert.equal((await recorded(env.mockUrl, id)).length, 2, "one failure, one retry");
  });

  scenario("CompletionModel.completion makes one call with messages, documents and tools", async (env) => {
    const id = session("completion");
    const model = new CompletionModel({ apiKey: "sk-test", model: "gpt-4o", baseURL: `${env.mockUrl}/v1`, api: "chat", headers: { "x-mock-session": id } });
    const response = await model.completion({
      preamble: "Answer briefly.",
      messages: [{ role: "user", content: "Hello" }, { role: "assistant", content: "Hi" }, { role: "user", content: "What is the capital of France?" }],
      documents: [{ id: "doc-1", text: "Paris is the capital of France." }],
      tools: [{ name: "lookup", description: "Look something up", parameters: { type: "object", properties: { q: { type: "string" } } } }],
      temperature: 0.5,
      maxTokens: 100,
    });
    assert.equal(response.choice[0].type, "text");
    assert.match(response.text, /According to the documents \(doc-1\)/);
    assert.ok(response.usage.totalTokens > 0);
    const [request] = await recorded(env.mockUrl, id);
    assert.equal(request.body.tools[0].function.name, "lookup");
    assert.equal(request.body.temperature, 0.5);
    assert.equal(request.conversation.system, "Answer briefly.");
    assert.deepEqual(request.conversation.documents.map((d) => d.id), ["doc-1"]);
  });

  scenario("CompletionModel.completion returns tool calls as choice blocks", async (env) => {
    const id = session("completion-tools");
    await script(env.mockUrl, id, { turn: { toolCalls: [{ id: "call_a", name: "lookup", arguments: { q: "Paris" } }] } });
    const model = new CompletionModel({ apiKey: "sk-test", model: "gpt-4o", baseURL: `${env.mockUrl}/v1`, headers: { "x-mock-session": id } });
    const response = await model.completion({
      messages: ["Look up Paris"],
      tools: [{ name: "lookup", description: "Look something up", parameters: { type: "object", properties: { q: { type: "string" } } } }],
    });
    const [{ native, ...call }] = response.choice;
    assert.deepEqual([call], [{ type: "toolCall", id: "call_a", name: "lookup", arguments: { q: "Paris" } }]);
    // The provider's own item comes along, to be sent back as it came.
    assert.equal(native.type, "function_call");
    assert.equal(native.call_id, "call_a");
  });

  scenario("every invalid option names its field, and the instance keeps working", async (env) => {
    const base = { apiKey: "sk-test", model: "gpt-4o", baseURL: `${env.mockUrl}/v1`, api: "chat" };
    const bad = [
      [{ model: "gpt-4o" }, "apiKey"],
      [{ apiKey: "", model: "gpt-4o" }, "apiKey"],
      [{ apiKey: "sk", model: "" }, "model"],
      [{ apiKey: "sk" }, "model"],
      [{ ...base, temperature: 2.5 }, "temperature"],
      [{ ...base, temperature: -1 }, "temperature"],
      [{ ...base, temperature: NaN }, "temperature"],
      [{ ...base, temperature: "warm" }, "temperature"],
      [{ ...base, maxTokens: 0 }, "maxTokens"],
      [{ ...base, maxTokens: -10 }, "maxTokens"],
      [{ ...base, maxTokens: 1.5 }, "maxTokens"],
      [{ ...base, model: 42 }, "model"],
      [{ ...base, preamble: { text: "x" } }, "preamble"],
      [{ ...base, api: "completions" }, "api"],
      [{ ...base, baseURL: "not a url" }, "baseURL"],
      [{ ...base, headers: { "x-a": 1 } }, "headers.x-a"],
      [{ ...base, additionalParams: [1] }, "additionalParams"],
      [{ ...base, temprature: 1 }, "temprature"],
    ];
    for (const [options, field] of bad) {
      assert.throws(() => new Agent(options), { instanceOf: InvalidArgumentError, code: "invalid_argument", field });
    }
    assert.throws(() => new Agent(null), { instanceOf: InvalidArgumentError, field: "options" });
    assert.throws(() => new Agent("gpt-4o"), { instanceOf: InvalidArgumentError, field: "options" });
    // A proxy needs no key.
    new Agent({ model: "gpt-4o", baseURL: `${env.mockUrl}/v1` });

    const { agent: a } = agent(env, "chat");
    await assert.rejects(a.prompt(""), { instanceOf: InvalidArgumentError, field: "prompt" });
    await assert.rejects(a.prompt("   "), { instanceOf: InvalidArgumentError, field: "prompt" });
    await assert.rejects(a.prompt(42), { instanceOf: InvalidArgumentError, field: "prompt", message: /got number/ });
    await assert.rejects(a.prompt(null), { instanceOf: InvalidArgumentError, field: "prompt" });
    await assert.rejects(a.prompt(undefined), { instanceOf: InvalidArgumentError, field: "prompt" });
    await assert.rejects(a.chat("hi", "not an array"), { instanceOf: InvalidArgumentError, field: "history" });
    await assert.rejects(a.chat("hi", [{ role: "robot", content: "x" }]), { instanceOf: InvalidArgumentError, field: "history[0].role" });
    await assert.rejects(a.chat("hi", [{ role: "user", content: [{ type: "text" }] }]), { instanceOf: InvalidArgumentError, field: "history[0].content[0].text" });
    await assert.rejects(a.prompt("hi", { maxTurns: 0 }), { instanceOf: InvalidArgumentError, field: "maxTurns" });
    await assert.rejects(a.prompt("hi", { temperature: 9 }), { instanceOf: InvalidArgumentError, field: "temperature" });
    await assert.rejects(a.prompt("hi", { bogus: 1 }), { instanceOf: InvalidArgumentError, field: "bogus" });
    await assert.rejects(a.promptStream(""), { instanceOf: InvalidArgumentError, field: "prompt" });
    // The same instance still answers.
    assert.equal(await a.prompt("What is the capital of France?"), "The capital of France is Paris.");

    const model = new CompletionModel(base);
    await assert.rejects(model.completion({ messages: [] }), { instanceOf: InvalidArgumentError, field: "request.messages" });
    await assert.rejects(model.completion({}), { instanceOf: InvalidArgumentError, field: "request.messages" });
    await assert.rejects(model.completion({ messages: ["x"], temperature: 3 }), { instanceOf: InvalidArgumentError, field: "request.temperature" });
    await assert.rejects(model.completion("hello"), { instanceOf: InvalidArgumentError, field: "request" });
    assert.match((await model.completion({ messages: ["What is the capital of France?"] })).text, /Paris/);

    assert.throws(() => new EmbeddingModel({ apiKey: "sk" }), { instanceOf: InvalidArgumentError, field: "modelName" });
    assert.throws(() => new EmbeddingModel({ apiKey: "sk", modelName: "m", dimensions: 0 }), { instanceOf: InvalidArgumentError, field: "dimensions" });
  });
});
