import { Agent } from "rig-wasm/openai";
import { initPanicHook } from "rig-wasm/utils";

// 初始化 panic hook
initPanicHook();

async function basicAgentExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        // 创建 OpenAI Agent
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
            preamble: "You are a helpful assistant.",
        });

        // 发送提示
        const prompt = "Please write the first 100 words of Lorem Ipsum.";
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
basicAgentExample();
