// The demo `npm run demo` runs: a short conversation with a rig-wasm agent,
// then a streamed answer. Against OpenAI when OPENAI_API_KEY is set, else
// against the project's local OpenAI-compatible server.
import { Agent } from "rig-wasm/openai";
import type { Message } from "rig-wasm/completion";

const apiKey = process.env.OPENAI_API_KEY;
if (!apiKey) throw new Error("OPENAI_API_KEY not set (examples/run.mjs sets it for the local server)");

const agent = new Agent({
  apiKey,
  model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
  preamble: "You are a concise, friendly assistant.",
  temperature: 0.2,
  baseURL: process.env.OPENAI_BASE_URL,
});

const history: Message[] = [];
for (const question of ["What is the capital of France?", "Hello! I'm learning Rust. Can you help me?"]) {
  console.log(`> ${question}`);
  const reply = await agent.generate(question, { history });
  console.log(`${reply.text}\n  (${reply.usage.totalTokens} tokens)`);
  history.push(...reply.messages);
}

const follow = "What are the basic concepts I should start with?";
console.log(`> ${follow}`);
const stream = await agent.promptStream(follow, { history });
for await (const chunk of stream) {
  if (chunk.type === "textDelta") process.stdout.write(chunk.text);
  if (chunk.type === "finish") console.log(`\n  (streamed; ${chunk.usage.totalTokens} tokens)`);
}
