import { Agent } from "rig-wasm/openai";

// 自定义计算器工具
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
                    operation: {
                        type: "string",
                        enum: ["add", "subtract", "multiply", "divide"],
                        description: "The arithmetic operation to perform"
                    },
                    a: {
                        type: "number",
                        description: "First number"
                    },
                    b: {
                        type: "number",
                        description: "Second number"
                    }
                },
                required: ["operation", "a", "b"]
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

// 自定义天气工具
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
                properties: {
                    location: {
                        type: "string",
                        description: "City or location name"
                    }
                },
                required: ["location"]
            },
        };
    },
    call: async function (args: any) {
        const { location } = args;

        // 模拟天气 API 调用
        const weatherData = {
            location: location,
            temperature: Math.floor(Math.random() * 30) + 10,
            condition: ["Sunny", "Cloudy", "Rainy", "Snowy"][Math.floor(Math.random() * 4)],
            humidity: Math.floor(Math.random() * 40) + 40
        };

        return weatherData;
    },
};

async function customToolsExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
            tools: [calculator, weather],
            preamble: "You are a helpful assistant with access to a calculator and weather information.",
        });

        const prompt = "What's 15 * 23? Also, what's the weather like in Tokyo?";
        console.log(`Prompt: ${prompt}`);

        const response = await agent.prompt(prompt);
        console.log(`Response: ${response}`);

    } catch (error) {
        if (error instanceof Error) {
            console.error(`Error: ${error.message}`);
        }
    }
}

// 运行示例
customToolsExample();
