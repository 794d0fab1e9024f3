// rig-wasm/local: real models in WebAssembly (SmolLM2-135M-Instruct,
// all-MiniLM-L6-v2), fetched by scripts/fetch-models.sh into .cache/models.
// Runs in Node (files read from disk, in process and in a worker thread)
// and in Chromium (files fetched by URL, the model in a Web Worker).
import { Agent, CompletionModel, LocalEmbeddingModel, LocalModel } from "rig-wasm/local";
import { AbortError, BadRequestError, InMemoryVectorStore, InvalidArgumentError, RigError, TimeoutError } from "rig-wasm";
import { assert, defineScenarios } from "./harness.mjs";

const MODELS = new URL("../../.cache/models/", import.meta.url);
const REFERENCE = new URL("../../crates/local-model/tests/reference/", import.meta.url);
const SMOL = "SmolLM2-135M-Instruct.Q4_1.gguf";
const SMOL_BYTES = 98_362_432;
// Greedy continuation of PROMPT: the file's Q4_1 weights run as they are
// (rig-wasm's own SIMD kernel). Pinned: it changes only when the arithmetic
// does. It is llama.cpp's for five tokens; at the sixth, " answer" and
// llama.cpp's " United" are 0.02 logits apart here (0.31 in llama.cpp), far
// less than the 8-bit rounding of activations moves a logit, so a tie, not
// a different model. Agreement with llama.cpp is checked step by step on its
// own path instead (DECISIVE below).
const PROMPT = "The capital of France is";
const CONTINUATION = " Paris.\n\nThe answer is: 2018-01";
// Along llama.cpp's greedy path, fed token by token: wherever llama.cpp's
// top choice is at least this many times as likely as its second (14 of its
// 16 steps; the other two are 1.37 and 1.01), ours is the same token.
const DECISIVE = 1.5;

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

async function readJson(url) {
  if (isNode) {
    const { readFile } = await import("node:fs/promises");
    return JSON.parse(await readFile(url, "utf8"));
  }
  const response = await fetch(url);
  return response.json();
}

const loaded = {};
let progress = [];
/** One SmolLM2 and one MiniLM per runtime, shared by the scenarios. */
function smol() {
  loaded.smol ??= LocalModel.load(new URL(SMOL, MODELS), { onProgress: (p) => progress.push(p) });
  return loaded.smol;
}
function minilm() {
  loaded.minilm ??= LocalEmbeddingModel.load(new URL("all-MiniLM-L6-v2/", MODELS));
  return loaded.minilm;
}

const LONG = { timeout: 180_000 };

export default defineScenarios((scenario) => {
  scenario(
    "LocalModel.load reads the GGUF with progress and reports what it is",
    async (env) => {
      const model = await smol();
      assert.equal(model.info.architecture, "llama");
      assert.equal(model.info.template, "chatml");
      assert.equal(model.info.vocabSize, 49152);
      assert.equal(model.info.layers, 30);
      assert.equal(model.info.contextLength, 4096);
      assert.ok(progress.length >= 2, `progress reported ${progress.length} times`);
      for (let i = 1; i < progress.length; i++) assert.ok(progress[i].loaded >= progress[i - 1].loaded, "progress only grows");
      assert.deepEqual(progress.at(-1), { loaded: SMOL_BYTES, total: SMOL_BYTES });
      if (env.runtime === "browser") assert.ok(progress.every((p) => p.total === SMOL_BYTES), "the download's size is known from the start");
      // A body of unknown length (no content-length): its chunks wait until the size is known, then stream in.
      const bytes = isNode
        ? new Uint8Array(await (await import("node:fs/promises")).readFile(new URL(SMOL, MODELS)))
        : new Uint8Array(await (await fetch(new URL(SMOL, MODELS))).arrayBuffer());
      const body = new ReadableStream({
        start(controller) {
          for (let at = 0; at < bytes.byteLength; at += 3 << 20) controller.enqueue(bytes.slice(at, at + (3 << 20)));
          controller.close();
        },
      });
      const unsized = await LocalModel.load(new Response(body), { worker: false });
      try {
        assert.equal(unsized.info.vocabSize, 49152);
        const first = await unsized.generate(PROMPT, { maxTokens: 2, temperature: 0, repeatPenalty: 1 });
        assert.equal(first.text, " Paris.");
      } finally {
        unsized.free();
      }
    },
    LONG,
  );

  scenario(
    "greedy generation, tokens and logits match llama.cpp",
    async () => {
      const model = await smol();
      const result = await model.generate(PROMPT, { maxTokens: 16, temperature: 0, repeatPenalty: 1 });
      assert.equal(result.text, CONTINUATION);
      assert.equal(result.finishReason, "length");
      assert.deepEqual(result.usage, { promptTokens: 5, completionTokens: 16, totalTokens: 21 });
      assert.ok(result.timings.tokensPerSecond > 1, `${result.timings.tokensPerSecond} tokens/s`);
      const reference = (await readJson(new URL("llamacpp.json", REFERENCE))).models[SMOL];
      const text = (await readJson(new URL("llamacpp.json", REFERENCE))).text;
      assert.deepEqual(Array.from(await model.tokenize(text)), reference.special);
      assert.deepEqual(Array.from(await model.tokenize(text, { special: false })), reference.plain);
      assert.equal(await model.detokenize(reference.special), text);
      const logits = await model.logits(PROMPT);
      assert.equal(logits.length, 49152);
      const top = [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 5);
      const theirs = reference.top.slice(0, 5).map((t) => t.token);
      assert.deepEqual(top.slice(0, 3), theirs.slice(0, 3), "llama.cpp's top 3, in order");
      // llama.cpp's 4th to 6th are within 9% of each other (p 0.0101,
      // 0.0096, 0.0093), closer than the 8-bit activations move them, so
      // which two of those three complete the top 5 is not asserted.
      const sixth = reference.top[5].token;
      assert.ok(top.slice(3).every((t) => [...theirs.slice(3), sixth].includes(t)), `top 5 ${top} within llama.cpp's top 6`);
      // And their probabilities, for llama.cpp's top 10: within 0.3 of its
      // log-probability (measured: 0.12 at most; 0.24 with candle's attention).
      let max = -Infinity;
      for (const l of logits) if (l > max) max = l;
      let z = 0;
      for (const l of logits) z += Math.exp(l - max);
      for (const { token, p } of reference.top) {
        const ours = Math.exp(logits[token] - max) / z;
        assert.ok(Math.abs(Math.log(ours / p)) <= 0.3, `token ${token}: p ${ours} vs llama.cpp's ${p}`);
      }
      const ours = Array.from(await model.tokenize(result.text, { special: false }));
      assert.equal(ours.length, 16);
      // llama.cpp's greedy path, one token at a time (logits of token ids
      // reuse the shared prefix): our top token is its token at every
      // decisive step, and in our top 3 at the others.
      let decisive = 0;
      for (const [i, [first, second]] of reference.steps.entries()) {
        const step = await model.logits([...reference.promptIds, ...reference.greedy.slice(0, i)]);
        const ranked = [...step.keys()].sort((a, b) => step[b] - step[a]);
        const theirs = reference.greedy[i];
        if (first.p >= DECISIVE * second.p) {
          decisive += 1;
          assert.equal(ranked[0], theirs, `step ${i}: llama.cpp's token ${theirs} (p ${first.p} vs ${second.p})`);
        } else {
          assert.ok(ranked.slice(0, 3).includes(theirs), `step ${i}: llama.cpp's near tie ${theirs} in our top 3`);
        }
      }
      assert.equal(decisive, 14);
    },
    LONG,
  );

  scenario(
    "stream gives the text piece by piece; the same seed gives the same text",
    async () => {
      const model = await smol();
      const messages = [{ role: "user", content: "Write one sentence about the sea." }];
      const stream = model.stream(messages, { maxTokens: 24, temperature: 0.8, seed: 42 });
      const pieces = [];
      for await (const piece of stream) pieces.push(piece);
      const result = await stream.result;
      assert.ok(pieces.length >= 5, `${pieces.length} pieces`);
      assert.equal(pieces.join(""), result.text);
      assert.ok(result.usage.completionTokens <= 24);
      const again = await model.generate(messages, { maxTokens: 24, temperature: 0.8, seed: 42 });
      assert.equal(again.text, result.text, "same seed, same text");
    },
    LONG,
  );

  scenario(
    "Agent on the local model: prompt, a two-turn chat in context, and promptStream",
    async () => {
      const model = await smol();
      const agent = new Agent({ model, preamble: "You are a helpful assistant. Answer in one sentence.", temperature: 0, maxTokens: 48 });
      assert.equal(agent.provider, "local");
      const first = await agent.prompt("What is the capital of France?");
      assert.match(first, /Paris/);
      const history = [
        { role: "user", content: "What is the capital of France?" },
        { role: "assistant", content: first },
      ];
      // "there" only makes sense with the first turn.
      const second = await agent.chat("What language do people speak there?", history);
      assert.match(second, /French/);
      const stream = await agent.promptStream("What is the capital of France?");
      let text = "";
      let final;
      for await (const chunk of stream) {
        if (chunk.type === "textDelta") text += chunk.text;
        if (chunk.type === "finish") final = chunk;
      }
      assert.equal(text, first, "streamed and whole answers agree (greedy)");
      assert.equal(final?.output, first);
      assert.ok(final.usage.outputTokens > 0, "usage reported");
      const completion = new CompletionModel({ model });
      const response = await completion.completion({ messages: ["What is the capital of France?"], temperature: 0, maxTokens: 24 });
      assert.equal(response.choice[0].type, "text");
      assert.match(response.text, /Paris/);
      assert.ok(response.usage.outputTokens > 0 && response.usage.outputTokens <= 24, `usage ${JSON.stringify(response.usage)}`);
    },
    LONG,
  );

  scenario(
    "embeddings match the NumPy reference; RAG answers from documents embedded with MiniLM",
    async () => {
      const embedder = await minilm();
      assert.equal(embedder.dimensions, 384);
      const reference = await readJson(new URL("minilm.json", REFERENCE));
      const got = await embedder.embedTexts(reference.embeddings.map((e) => e.text));
      reference.embeddings.forEach((want, i) => {
        const diff = Math.max(...want.vector.map((v, j) => Math.abs(v - got[i].vec[j])));
        assert.ok(diff < 1e-4, `${want.text}: max difference ${diff}`);
      });
      const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
      assert.ok(dot(got[0].vec, got[1].vec) > dot(got[0].vec, got[2].vec) + 0.5, "paraphrases score closer than unrelated sentences");

      const store = new InMemoryVectorStore({ model: embedder });
      await store.addDocuments([
        "The Zorblat festival takes place every spring in the village of Quillon.",
        "Rig is a Rust library for building applications with large language models.",
        "WebAssembly lets code written in Rust run in web browsers.",
        "The capital of Australia is Canberra.",
      ]);
      const hits = await store.topN({ query: "Where is the Zorblat festival held?", samples: 1 });
      assert.equal(hits[0][1], "doc_0");
      const model = await smol();
      const agent = new Agent({
        model,
        preamble: "Answer the question using the documents. Answer in one sentence.",
        temperature: 0,
        maxTokens: 40,
        dynamicContext: { sample: 1, store },
      });
      const answer = await agent.prompt("Where is the Zorblat festival held?");
      assert.match(answer, /Quillon/);
    },
    LONG,
  );

  scenario(
    "bad input is a typed error, and the model keeps working",
    async () => {
      const model = await smol();
      await assert.rejects(LocalModel.load(new Uint8Array([1, 2, 3, 4]), { worker: false }), { instanceOf: InvalidArgumentError, code: "invalid_argument", field: "model" });
      await assert.rejects(LocalModel.load(new Uint8Array(8), { bogus: 1 }), { instanceOf: InvalidArgumentError, field: "bogus" });
      await assert.rejects(LocalModel.load(new URL("missing.gguf", MODELS), { worker: false }), { instanceOf: InvalidArgumentError, field: "source" });
      // A file that is not GGUF, streamed in chunks into the runtime: the same typed error.
      await assert.rejects(LocalModel.load(new URL("all-MiniLM-L6-v2/config.json", MODELS), { worker: false }), { instanceOf: InvalidArgumentError, field: "model" });
      await assert.rejects(model.generate(PROMPT, { temperature: "hot" }), { instanceOf: InvalidArgumentError, field: "temperature" });
      await assert.rejects(model.generate(PROMPT, { topP: 0 }), { instanceOf: InvalidArgumentError, field: "topP" });
      await assert.rejects(model.generate(PROMPT, { maxTokenz: 3 }), { instanceOf: InvalidArgumentError, field: "maxTokenz" });
      await assert.rejects(model.generate(""), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(model.generate([{ role: "robot", content: "hi" }]), { instanceOf: InvalidArgumentError, field: "messages[0].role" });
      await assert.rejects(model.logits([]), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(model.logits([1, 49152]), { instanceOf: InvalidArgumentError, field: "prompt", message: /49152 is not a token id/ });
      await assert.rejects(model.logits([1.5]), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(model.logits(42), { instanceOf: InvalidArgumentError, field: "prompt" });
      await assert.rejects(model.logits({ length: 2 ** 32 }), { instanceOf: InvalidArgumentError, field: "prompt", message: /at most/ });
      // Token ids give the same logits as the text they encode (both read in one pass).
      const ids = await model.tokenize(PROMPT, { addBos: model.info.addBos, special: false });
      await model.reset();
      const fromText = await model.logits(PROMPT);
      await model.reset();
      assert.deepEqual(await model.logits(ids), fromText);
      const long = "word ".repeat(5000);
      await assert.rejects(model.generate(long, { maxTokens: 2 }), { instanceOf: InvalidArgumentError, field: "prompt", message: /context of 4096/ });
      assert.throws(() => new Agent({ model: "gpt-4o" }), { instanceOf: InvalidArgumentError, field: "model" });
      assert.throws(() => new Agent({ model, apiKey: "sk-x" }), { instanceOf: InvalidArgumentError, field: "apiKey" });
      const agent = new Agent({ model, maxTokens: 4 });
      const error = await assert.rejects(agent.prompt(long), { instanceOf: BadRequestError, statusCode: 400, provider: "local" });
      assert.match(error.message, /prompt/);
      const response = await model.fetch("http://local.rig-wasm.invalid/v1/models");
      assert.equal(response.status, 404);
      const embedder = await minilm();
      await assert.rejects(embedder.embedTexts([1]), { instanceOf: InvalidArgumentError, field: "texts[0]" });
      // The same call options as every embedding model: an aborted signal, a timeout.
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(embedder.embedText("hi", { signal: controller.signal }), { instanceOf: AbortError, code: "aborted" });
      const many = Array.from({ length: 64 }, (_, i) => `sentence number ${i} about something`);
      await assert.rejects(embedder.embedTexts(many, { timeoutMs: 1 }), { instanceOf: TimeoutError, code: "timeout" });
      assert.equal((await embedder.embedText("hi")).vec.length, 384, "the embedder still works");
      // Still fine after all that.
      assert.equal((await model.generate(PROMPT, { maxTokens: 16, temperature: 0, repeatPenalty: 1 })).text, CONTINUATION);
      assert.ok(RigError.isInstance(error));
    },
    LONG,
  );

  scenario(
    "abort stops a generation at once; cancelling a stream stops the model",
    async () => {
      const model = await smol();
      const controller = new AbortController();
      let pieces = 0;
      const stream = model.stream(PROMPT, { maxTokens: 200, temperature: 0, signal: controller.signal });
      let thrown;
      try {
        for await (const _ of stream) {
          if (++pieces === 3) controller.abort();
        }
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof AbortError, `the loop ends with an AbortError, got ${thrown}`);
      assert.equal(pieces, 3, "no piece arrives after the abort");
      await assert.rejects(stream.result, { instanceOf: AbortError, code: "aborted" });
      const cancelled = model.stream(PROMPT, { maxTokens: 200, temperature: 0 });
      const reader = cancelled.getReader();
      await reader.read();
      await reader.cancel();
      await assert.rejects(cancelled.result, { instanceOf: AbortError });
      const before = new AbortController();
      before.abort();
      await assert.rejects(model.generate(PROMPT, { signal: before.signal }), { instanceOf: AbortError });
      // Aborting a load while the file streams in: AbortError; the runtime keeps working (below).
      const loading = new AbortController();
      let reports = 0;
      const abortedLoad = LocalModel.load(new URL(SMOL, MODELS), {
        worker: false,
        signal: loading.signal,
        onProgress: () => {
          if (++reports === 1) loading.abort();
        },
      });
      await assert.rejects(abortedLoad, { instanceOf: AbortError, code: "aborted" });
      assert.ok(reports < 10, `${reports} progress reports after the abort`);
      const agentAbort = new AbortController();
      const agent = new Agent({ model, maxTokens: 200 });
      const pending = agent.prompt("Tell me a long story.", { signal: agentAbort.signal });
      setTimeout(() => agentAbort.abort(), 300);
      await assert.rejects(pending, { code: "aborted" });
      const started = performance.now();
      const after = await model.generate(PROMPT, { maxTokens: 16, temperature: 0, repeatPenalty: 1 });
      assert.equal(after.text, CONTINUATION, "the next generation is unaffected");
      assert.ok(performance.now() - started < 20_000);
    },
    LONG,
  );

  scenario(
    "in a worker (Node.js worker thread; Web Worker in the page) the results are the same",
    async (env) => {
      if (env.runtime === "browser") {
        // The page's models already run in a Web Worker (the default in a page).
        const model = await smol();
        assert.equal((await model.generate(PROMPT, { maxTokens: 16, temperature: 0, repeatPenalty: 1 })).text, CONTINUATION);
        return;
      }
      const model = await LocalModel.load(new URL(SMOL, MODELS), { worker: true });
      try {
        let ticks = 0;
        const timer = setInterval(() => ticks++, 10);
        const result = await model.generate(PROMPT, { maxTokens: 16, temperature: 0, repeatPenalty: 1 });
        clearInterval(timer);
        assert.equal(result.text, CONTINUATION);
        assert.ok(ticks >= 10, `the event loop ran ${ticks} timers during the generation`);
      } finally {
        model.free();
      }
      await assert.rejects(model.generate(PROMPT), { instanceOf: InvalidArgumentError, field: "model" });
    },
    LONG,
  );
});
