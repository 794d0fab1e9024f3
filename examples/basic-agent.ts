// The design's basic agent: a preamble and one prompt.
import { Agent } from "rig-wasm/openai";
import { initPanicHook } from "rig-wasm/utils";

initPanicHook();

async function basicAgentExample() {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("OPENAI_API_KEY not set");
  }

  const agent = new Agent({
    apiKey: apiKey,
    model: "gpt-4o",
    preamble: "You are a helpful assistant.",
    // Unset: api.openai.com. The example runner points it at the local server.
    baseURL: process.env.OPENAI_BASE_URL,
  });

  const prompt = "Please write the first 100 words of Lorem Ipsum.";
  console.log(`Prompt: ${prompt}`);

  const response = await agent.prompt(prompt);
  console.log(`Response: ${response}`);
}

await basicAgentExample();
