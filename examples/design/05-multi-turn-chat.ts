import { Agent } from "rig-wasm/openai";
import { Message } from "rig-wasm/completion";

async function multiTurnChatExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
            preamble: "You are a helpful coding assistant.",
        });

        // 第一轮对话
        const firstPrompt = "Hello! I'm learning Rust. Can you help me?";
        console.log(`First prompt: ${firstPrompt}`);

        const firstResponse = await agent.prompt(firstPrompt);
        console.log(`First response: ${firstResponse}`);

        // 第二轮对话
        const secondPrompt = "What are the basic concepts I should start with?";
        const messages = [
            {
                role: "user",
                content: [
                    {
                        text: firstPrompt,
                        type: "text",
                    },
                ],
            },
            {
                role: "assistant",
                content: [
                    {
                        text: firstResponse,
                        type: "text",
                    },
                ],
            },
        ];

        console.log(`Second prompt: ${secondPrompt}`);
        const secondResponse = await agent.chat(secondPrompt, messages);
        console.log(`Second response: ${secondResponse}`);

    } catch (error) {
        if (error instanceof Error) {
            console.error(`Error: ${error.message}`);
        }
    }
}

// 运行示例
multiTurnChatExample();
