// The design's counter tool: state lives on the tool object (`this.counter`).
import { Agent } from "rig-wasm/openai";

const counter = {
  counter: 5324,
  name: function () {
    return "counter";
  },
  definition: function (_prompt: string) {
    return {
      name: "counter",
      description: "a counter that can only be incremented",
      parameters: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "ToolDefinition",
        type: "object",
        properties: {},
        required: [],
      },
    };
  },
  call: async function (_args: unknown) {
    this.counter += 1;
    return { result: this.counter };
  },
};

async function toolAgentExample() {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("OPENAI_API_KEY not set");
  }

  const agent = new Agent({
    apiKey: apiKey,
    model: "gpt-4o",
    tools: [counter],
    baseURL: process.env.OPENAI_BASE_URL,
  });

  const prompt = "Please increment the counter by 1 and let me know what the resulting number is.";
  console.log(`Prompt: ${prompt}`);

  const response = await agent.prompt(prompt);
  console.log(`Response: ${response}`);
  console.log(`Counter is now ${counter.counter}`);
}

await toolAgentExample();
