// Every provider subpath against the mock of its own wire format: prompt,
// streaming, one tool round trip (where the provider has tools), embeddings
// (where it has them) and one HTTP error. Each request is checked for the
// provider's real path and authentication. Runs in Node and Chromium.

import { AuthenticationError, InvalidArgumentError } from "rig-wasm";
import { assert, defineScenarios, recorded, session } from "./harness.mjs";

const KEY = "test-key-7f3a9c";
const bearer = (headers) => assert.equal(headers.authorization, `Bearer ${KEY}`, "Authorization: Bearer");

// prefix: the path of the provider's default base URL, which `baseURL` replaces.
export const PROVIDERS = [
  { id: "openai", prefix: "/v1", chat: "/v1/responses", embed: "/v1/embeddings", auth: bearer },
  { id: "openai", label: "openai (chat)", api: "chat", prefix: "/v1", chat: "/v1/chat/completions", auth: bearer },
  { id: "anthropic", prefix: "", chat: "/v1/messages", auth: (h) => (assert.equal(h["x-api-key"], KEY), assert.ok(h["anthropic-version"], "anthropic-version header")) },
  {
    id: "azure",
    options: (mock) => ({ endpoint: mock, deployment: "gpt-4o-prod", apiVersion: "2024-10-21" }),
    embedOptions: (mock) => ({ endpoint: mock, deployment: "embed-prod" }),
    chat: "/openai/deployments/gpt-4o-prod/chat/completions",
    embed: "/openai/deployments/embed-prod/embeddings",
    auth: (h, r) => (assert.equal(h["api-key"], KEY, "api-key header"), assert.ok(r.query["api-version"], "api-version query")),
  },
  { id: "cohere", prefix: "", chat: "/v2/chat", embed: "/v1/embed", auth: bearer },
  { id: "deepseek", prefix: "", chat: "/chat/completions", auth: bearer },
  { id: "doubleword", prefix: "/v1", chat: "/v1/chat/completions", embed: "/v1/embeddings", auth: bearer },
  { id: "gemini", prefix: "", model: "gemini-2.0-flash", chat: "/v1beta/models/gemini-2.0-flash:generateContent", stream: "/v1beta/models/gemini-2.0-flash:streamGenerateContent", embed: "/v1beta/models/text-embedding-004:batchEmbedContents", embedModel: "text-embedding-004", auth: (_h, r) => assert.equal(r.query.key, KEY, "key query parameter") },
  { id: "groq", prefix: "/openai/v1", chat: "/openai/v1/chat/completions", auth: bearer },
  { id: "huggingface", prefix: "", chat: "/v1/chat/completions", auth: bearer },
  { id: "hyperbolic", prefix: "", chat: "/v1/chat/completions", tools: false, auth: bearer },
  { id: "llamacpp", prefix: "/v1", chat: "/v1/chat/completions", embed: "/v1/embeddings", keyless: true, auth: (h) => assert.equal(h.authorization, undefined, "no Authorization header without a key") },
  { id: "minimax", prefix: "/v1", chat: "/v1/chat/completions", auth: bearer },
  { id: "minimax", label: "minimax (messages)", api: "messages", prefix: "/anthropic", chat: "/anthropic/v1/messages", auth: (h) => assert.equal(h["x-api-key"], KEY) },
  { id: "mira", prefix: "", chat: "/v1/chat/completions", tools: false, auth: bearer },
  { id: "mistral", prefix: "", chat: "/v1/chat/completions", embed: "/v1/embeddings", auth: bearer },
  { id: "moonshot", prefix: "/v1", chat: "/v1/chat/completions", auth: bearer },
  { id: "moonshot", label: "moonshot (messages)", api: "messages", prefix: "/anthropic", chat: "/anthropic/v1/messages", auth: (h) => assert.equal(h["x-api-key"], KEY) },
  { id: "ollama", options: (mock) => ({ host: mock }), embedOptions: (mock) => ({ host: mock }), chat: "/api/chat", embed: "/api/embed", keyless: true, model: "llama3.2", auth: (h) => assert.equal(h.authorization, undefined) },
  { id: "openrouter", prefix: "/api/v1", chat: "/api/v1/chat/completions", embed: "/api/v1/embeddings", auth: bearer },
  { id: "perplexity", prefix: "", chat: "/chat/completions", tools: false, auth: bearer },
  { id: "together", prefix: "", chat: "/v1/chat/completions", embed: "/v1/embeddings", auth: bearer },
  { id: "venice", prefix: "/api/v1", chat: "/api/v1/chat/completions", embed: "/api/v1/embeddings", auth: bearer },
  { id: "voyageai", prefix: "/v1", embed: "/v1/embeddings", embedModel: "voyage-3.5", auth: bearer },
  { id: "xai", prefix: "", chat: "/v1/responses", embed: "/v1/embeddings", auth: bearer },
  { id: "xiaomimimo", prefix: "/v1", chat: "/v1/chat/completions", auth: bearer },
  { id: "xiaomimimo", label: "xiaomimimo (messages)", api: "messages", prefix: "/anthropic", chat: "/anthropic/v1/messages", auth: (h) => assert.equal(h["x-api-key"], KEY) },
  { id: "zai", prefix: "/api/paas/v4", chat: "/api/paas/v4/chat/completions", auth: bearer },
  { id: "zai", label: "zai (messages)", api: "messages", prefix: "/api/anthropic", chat: "/api/anthropic/v1/messages", auth: (h) => assert.equal(h["x-api-key"], KEY) },
  { id: "compatible", prefix: "/v1", chat: "/v1/chat/completions", embed: "/v1/embeddings", name: "local-llm", keyless: true, auth: (h) => assert.equal(h.authorization, undefined) },
];

const WEATHER = {
  name: "weather",
  description: "Get the weather for a city",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
  execute: async ({ location }) => ({ location, temperature: 18, condition: "Cloudy" }),
};

function connection(p, mock, id, extra = {}) {
  const base = p.options ? p.options(mock) : { baseURL: `${mock}${p.prefix}` };
  return {
    ...(p.keyless ? {} : { apiKey: KEY }),
    ...base,
    ...(p.api ? { api: p.api } : {}),
    ...(p.name ? { name: p.name } : {}),
    ...extra,
    headers: { "x-mock-session": id, ...extra.headers },
  };
}

export function chatOptions(p, mock, id, extra) {
  const options = connection(p, mock, id, extra);
  if (!("deployment" in options)) options.model = p.model ?? "test-model";
  return options;
}

export default defineScenarios((scenario) => {
  for (const p of PROVIDERS) {
    const label = p.label ?? p.id;
    const load = () => import(`rig-wasm/${p.id}`);

    if (!p.label) scenario(`${label}: the subpath exports what the provider offers`, async () => {
      const mod = await load();
      assert.equal(typeof mod.Agent === "function", Boolean(p.chat), "Agent");
      assert.equal(typeof mod.CompletionModel === "function", Boolean(p.chat), "CompletionModel");
      assert.equal(typeof mod.EmbeddingModel === "function", Boolean(p.embed), "EmbeddingModel");
    });

    if (p.chat) {
      scenario(`${label}: prompt goes to ${p.chat} with the provider's auth`, async (env) => {
        const { Agent } = await load();
        const id = session(p.id);
        const agent = new Agent(chatOptions(p, env.mockUrl, id, { preamble: "Be brief." }));
        assert.equal(await agent.prompt("What is the capital of France?"), "The capital of France is Paris.");
        const [request] = await recorded(env.mockUrl, id);
        assert.equal(request.path, p.chat);
        p.auth(request.headers, request);
        assert.equal(request.conversation.system, "Be brief.");
      });

      scenario(`${label}: streaming delivers deltas and a final answer with usage`, async (env) => {
        const { Agent } = await load();
        const id = session(p.id);
        const agent = new Agent(chatOptions(p, env.mockUrl, id));
        const stream = await agent.promptStream("Write a short story about a robot learning to paint.");
        const chunks = [];
        for await (const chunk of stream) chunks.push(chunk);
        const deltas = chunks.filter((c) => c.type === "textDelta");
        const final = chunks[chunks.length - 1];
        assert.ok(deltas.length > 5, `expected several deltas, got ${deltas.length}`);
        assert.equal(final.type, "finish");
        assert.equal(deltas.map((c) => c.text).join(""), final.output);
        assert.match(final.output, /^Unit 7 had never held a brush/);
        assert.ok(final.usage.outputTokens > 0, "usage reported");
        const [request] = await recorded(env.mockUrl, id);
        assert.equal(request.path, p.stream ?? p.chat);
      });

      if (p.tools !== false) {
        scenario(`${label}: one tool round trip`, async (env) => {
          const { Agent } = await load();
          const id = session(p.id);
          const agent = new Agent(chatOptions(p, env.mockUrl, id, { tools: [WEATHER] }));
          const answer = await agent.prompt("What's the weather like in Lisbon?");
          assert.equal(answer, "Here is what I found: the weather in Lisbon is Cloudy at 18°C.");
          const requests = await recorded(env.mockUrl, id);
          assert.equal(requests.length, 2);
          assert.deepEqual(requests[0].conversation.tools.map((t) => t.name), ["weather"]);
          const results = requests[1].conversation.messages.filter((m) => m.role === "tool").flatMap((m) => m.toolResults);
          assert.equal(results.length, 1);
          assert.match(results[0].content, /Lisbon/);
        });
      }

      scenario(`${label}: HTTP 401 is an AuthenticationError naming the provider`, async (env) => {
        const { Agent } = await load();
        const id = session(p.id);
        const agent = new Agent(chatOptions(p, env.mockUrl, id, { headers: { "x-mock": "status=401" }, maxRetries: 0 }));
        const error = await assert.rejects(agent.prompt("hi"), { instanceOf: AuthenticationError, statusCode: 401, provider: p.name ?? p.id });
        assert.ok(!error.message.includes(KEY), "the key never appears in the message");
      });
    }

    if (p.embed) {
      scenario(`${label}: embeddings go to ${p.embed} and come back in order`, async (env) => {
        const { EmbeddingModel } = await load();
        const id = session(p.id);
        const options = connection(p, env.mockUrl, id);
        if (p.embedOptions) Object.assign(options, p.embedOptions(env.mockUrl));
        if (!("deployment" in options)) options.modelName = p.embedModel ?? "test-embed";
        const model = new EmbeddingModel(options);
        const result = await model.embedTexts(["first text", "second text"]);
        assert.deepEqual(result.map((e) => e.document), ["first text", "second text"]);
        assert.ok(Array.isArray(result[0].vec) && result[0].vec.length > 0 && typeof result[0].vec[0] === "number", "vectors are number[]");
        const [request] = await recorded(env.mockUrl, id);
        assert.equal(request.path, p.embed);
        p.auth(request.headers, request);
      });
    }
  }

  scenario("provider-specific options are checked", async (env) => {
    const { Agent: Azure } = await import("rig-wasm/azure");
    assert.throws(() => new Azure({ apiKey: KEY, deployment: "d" }), { instanceOf: InvalidArgumentError, field: "endpoint" });
    assert.throws(() => new Azure({ deployment: "d", endpoint: env.mockUrl }), { instanceOf: InvalidArgumentError, field: "apiKey" });
    const { Agent: OpenAI } = await import("rig-wasm/openai");
    assert.throws(() => new OpenAI({ apiKey: KEY, model: "m", api: "messages" }), { instanceOf: InvalidArgumentError, field: "api" });
    assert.throws(() => new OpenAI({ apiKey: KEY, model: "m", apiVersion: "x" }), { instanceOf: InvalidArgumentError, field: "apiVersion" });
    const { Agent: Compatible } = await import("rig-wasm/compatible");
    assert.throws(() => new Compatible({ model: "m" }), { instanceOf: InvalidArgumentError, field: "baseURL" });
    const { Agent: Ollama } = await import("rig-wasm/ollama");
    new Ollama({ model: "llama3.2" });
  });

  scenario("anthropic always sends max_tokens (the API requires it)", async (env) => {
    const { Agent, CompletionModel } = await import("rig-wasm/anthropic");
    const id = session("anthropic-max");
    await new Agent({ apiKey: KEY, model: "claude-unknown-model", baseURL: env.mockUrl, headers: { "x-mock-session": id } }).prompt("hi");
    await new Agent({ apiKey: KEY, model: "claude-unknown-model", maxTokens: 77, baseURL: env.mockUrl, headers: { "x-mock-session": id } }).prompt("hi");
    await new CompletionModel({ apiKey: KEY, model: "claude-unknown-model", baseURL: env.mockUrl, headers: { "x-mock-session": id } }).completion({ messages: ["hi"] });
    const requests = await recorded(env.mockUrl, id);
    assert.deepEqual(requests.map((r) => r.body.max_tokens), [4096, 77, 4096]);
  });

  scenario("gemini passes safety settings and generation config through additionalParams", async (env) => {
    const { Agent } = await import("rig-wasm/gemini");
    const id = session("gemini-params");
    const safetySettings = [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" }];
    const agent = new Agent({
      apiKey: KEY,
      model: "gemini-2.0-flash",
      baseURL: env.mockUrl,
      headers: { "x-mock-session": id },
      additionalParams: { safetySettings, generationConfig: { topK: 5 } },
    });
    await agent.prompt("hi");
    const [request] = await recorded(env.mockUrl, id);
    assert.deepEqual(request.body.safetySettings, safetySettings);
    assert.equal(request.body.generationConfig.topK, 5);
  });
});
