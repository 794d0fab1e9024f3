// The offline demo `npm run demo` runs when no OPENAI_API_KEY is set: a real
// language model (SmolLM2-135M-Instruct) and a real embedding model
// (all-MiniLM-L6-v2) running inside WebAssembly. No key, no server, no
// network. The weights come from scripts/fetch-models.sh (.cache/models, or
// RIG_WASM_MODELS).
import { InMemoryVectorStore } from "rig-wasm";
import type { Message } from "rig-wasm/completion";
import { Agent, LocalEmbeddingModel, LocalModel } from "rig-wasm/local";

// Compiled to .cache/examples/, next to .cache/models/ (a folder in Node.js, a URL in a browser).
const models = process.env.RIG_WASM_MODELS ? `${process.env.RIG_WASM_MODELS}/` : new URL("../models/", import.meta.url);
const at = (file: string) => (models instanceof URL ? new URL(file, models) : `${models}${file}`);

const file = "SmolLM2-135M-Instruct.Q4_1.gguf";
let started = performance.now();
const model = await LocalModel.load(at(file));
console.log(`Loaded ${file} (${model.info.architecture}, ${model.info.layers} layers, ${model.info.template} chat format) in ${Math.round(performance.now() - started)} ms`);

// A short conversation: the second question only makes sense with the first.
const agent = new Agent({ model, preamble: "You are a helpful assistant. Answer in one sentence.", temperature: 0, maxTokens: 48 });
const history: Message[] = [];
const first = "What is the capital of France?";
console.log(`> ${first}`);
const reply = await agent.generate(first, { history });
console.log(reply.text);
history.push(...reply.messages);

const second = "What language do people speak there?";
console.log(`> ${second}`);
started = performance.now();
let firstAt = 0;
for await (const chunk of await agent.promptStream(second, { history })) {
  if (chunk.type === "textDelta") {
    firstAt ||= performance.now();
    process.stdout.write(chunk.text);
  }
  if (chunk.type === "finish") {
    const tokens = chunk.usage.outputTokens;
    const rate = tokens > 1 ? (tokens - 1) / ((performance.now() - firstAt) / 1000) : 0;
    console.log(`\n  (streamed ${tokens} tokens: the first after ${Math.round(firstAt - started)} ms, then ${rate.toFixed(1)} tokens/s)`);
  }
}

// RAG: documents embedded with MiniLM, the most relevant one given to the model.
started = performance.now();
const embedder = await LocalEmbeddingModel.load(at("all-MiniLM-L6-v2/"));
const store = new InMemoryVectorStore({ model: embedder });
await store.addDocuments([
  "The Zorblat festival takes place every spring in the village of Quillon.",
  "Rig is a Rust library for building applications with large language models.",
  "WebAssembly lets code written in Rust run in web browsers.",
  "The capital of Australia is Canberra.",
]);
console.log(`\nEmbedded 4 documents with all-MiniLM-L6-v2 in ${Math.round(performance.now() - started)} ms`);
const rag = new Agent({
  model,
  preamble: "Answer the question using the documents. Answer in one sentence.",
  temperature: 0,
  maxTokens: 40,
  dynamicContext: { sample: 1, store },
});
const question = "Where is the Zorblat festival held?";
const [[score, id]] = await store.topN({ query: question, samples: 1 });
console.log(`> ${question}\n  (retrieved ${id}, similarity ${score.toFixed(2)})`);
console.log(await rag.prompt(question));

model.free();
embedder.free();
