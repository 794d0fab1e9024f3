// The design's streaming example: print text deltas as they arrive.
import { Agent } from "rig-wasm/openai";
import { decodeReadableStream, type RawStreamingChoice } from "rig-wasm/streaming";

async function streamingExample() {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("OPENAI_API_KEY not set");
  }

  const agent = new Agent({ apiKey: apiKey, model: "gpt-4o", baseURL: process.env.OPENAI_BASE_URL });

  const prompt = "Write a short story about a robot learning to paint.";
  console.log(`Prompt: ${prompt}`);

  const stream = await agent.prompt_stream(prompt);

  let aggregatedText = "";
  let usage = "";
  for await (const chunk of decodeReadableStream(stream)) {
    const choice: RawStreamingChoice = chunk;
    if (choice.text !== null && choice.text !== aggregatedText) {
      aggregatedText += choice.text;
      process.stdout.write(choice.text);
    }
    if (choice.type === "finish") {
      usage = `${choice.usage.inputTokens} in, ${choice.usage.outputTokens} out`;
    }
  }

  console.log(`\nComplete story: ${aggregatedText}`);
  console.log(`Usage: ${usage}`);
}

await streamingExample();
