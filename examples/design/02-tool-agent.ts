import { Agent } from "rig-wasm/openai";

// 定义 JavaScript 工具
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
    call: async function (args: any) {
        this.counter += 1;
        return { result: this.counter };
    },
};

async function toolAgentExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        // 创建带工具的 Agent
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
            tools: [counter],
        });

        const prompt = "Please increment the counter by 1 and let me know what the resulting number is.";
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
toolAgentExample();
