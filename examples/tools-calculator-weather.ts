// The design's custom tools: a calculator and a weather tool, called in one
// turn; then a division by zero, which reaches the model as a tool error.
import { Agent } from "rig-wasm/openai";

const calculator = {
  name: function () {
    return "calculator";
  },
  definition: function (_prompt: string) {
    return {
      name: "calculator",
      description: "A simple calculator that can perform basic arithmetic operations",
      parameters: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "Calculator",
        type: "object",
        properties: {
          operation: { type: "string", enum: ["add", "subtract", "multiply", "divide"], description: "The arithmetic operation to perform" },
          a: { type: "number", description: "First number" },
          b: { type: "number", description: "Second number" },
        },
        required: ["operation", "a", "b"],
      },
    };
  },
  call: async function (args: any) {
    const { operation, a, b } = args;
    switch (operation) {
      case "add":
        return { result: a + b };
      case "subtract":
        return { result: a - b };
      case "multiply":
        return { result: a * b };
      case "divide":
        if (b === 0) {
          throw new Error("Division by zero");
        }
        return { result: a / b };
      default:
        throw new Error(`Unknown operation: ${operation}`);
    }
  },
};

const weather = {
  name: function () {
    return "weather";
  },
  definition: function (_prompt: string) {
    return {
      name: "weather",
      description: "Get weather information for a location",
      parameters: {
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: "Weather",
        type: "object",
        properties: { location: { type: "string", description: "City or location name" } },
        required: ["location"],
      },
    };
  },
  call: async function (args: any) {
    const { location } = args;
    // A stand-in for a weather API.
    return {
      location: location,
      temperature: Math.floor(Math.random() * 30) + 10,
      condition: ["Sunny", "Cloudy", "Rainy", "Snowy"][Math.floor(Math.random() * 4)],
      humidity: Math.floor(Math.random() * 40) + 40,
    };
  },
};

async function customToolsExample() {
  const apiKey = process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new Error("OPENAI_API_KEY not set");
  }

  const agent = new Agent({
    apiKey: apiKey,
    model: "gpt-4o",
    tools: [calculator, weather],
    preamble: "You are a helpful assistant with access to a calculator and weather information.",
    baseURL: process.env.OPENAI_BASE_URL,
  });

  for (const prompt of ["What's 15 * 23? Also, what's the weather like in Tokyo?", "What is 10 / 0? Use the calculator."]) {
    console.log(`Prompt: ${prompt}`);
    const response = await agent.prompt(prompt);
    console.log(`Response: ${response}`);
  }
}

await customToolsExample();
