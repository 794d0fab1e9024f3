import { Agent } from "rig-wasm/openai";
import { decodeReadableStream, RawStreamingChoice } from "rig-wasm/streaming";

async function streamingExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
        });

        const prompt = "Write a short story about a robot learning to paint.";
        console.log(`Prompt: ${prompt}`);

        // 获取流式响应
        const stream = await agent.prompt_stream(prompt);

        let aggregatedText = "";
        for await (const chunk of decodeReadableStream(stream)) {
            if (chunk.text !== null && chunk.text !== aggregatedText) {
                aggregatedText += chunk.text;
                process.stdout.write(chunk.text);
            }
        }

        console.log(`\nComplete story: ${aggregatedText}`);

    } catch (error) {
        if (error instanceof Error) {
            console.error(`Error: ${error.message}`);
        }
    }
}

// 运行示例
streamingExample();
