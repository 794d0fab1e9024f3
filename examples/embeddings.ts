// The design's embeddings example: one text, a batch, and a store to search.
import { EmbeddingModel } from "rig-wasm/openai";
import { InMemoryVectorStore } from "rig-wasm";

async function embeddingExample() {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("OPENAI_API_KEY not set");
  }

  const model = new EmbeddingModel({
    apiKey: apiKey,
    modelName: "text-embedding-3-small",
    baseURL: process.env.OPENAI_BASE_URL,
  });

  const embedding = await model.embedText("hello world!");
  console.log(`Embedding length: ${embedding.vec.length}`);
  console.log(`Embedded text: ${embedding.document}`);

  const embeddings = await model.embedTexts(["hello", "world", "example"]);
  console.log(`Generated ${embeddings.length} embeddings`);

  // Store them (the vectors stay in wasm memory) and search by text.
  const store = new InMemoryVectorStore({ model });
  store.add("greeting", { text: embedding.document }, embedding.vec);
  await store.addDocuments(["The weather is nice today.", "Hello there, world!"]);
  const [[score, id]] = await store.topN({ query: "hello world", samples: 1 });
  console.log(`Closest to "hello world": ${id} (score ${score.toFixed(3)})`);
}

await embeddingExample();
