import { Agent } from "rig-wasm/openai";

class RetryableAgent {
    private agent: Agent;
    private maxRetries: number;
    private baseDelay: number;

    constructor(agent: Agent, maxRetries: number = 3, baseDelay: number = 1000) {
        this.agent = agent;
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
    }

    private async delay(ms: number): Promise<void> {
        return new Promise(resolve => setTimeout(resolve, ms));
    }

    private calculateDelay(attempt: number): number {
        // 指数退避策略
        return this.baseDelay * Math.pow(2, attempt) + Math.random() * 1000;
    }

    async prompt(prompt: string): Promise<string> {
        let lastError: Error | null = null;

        for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
            try {
                if (attempt > 0) {
                    console.log(`Retry attempt ${attempt}/${this.maxRetries}`);
                    const delay = this.calculateDelay(attempt - 1);
                    await this.delay(delay);
                }

                return await this.agent.prompt(prompt);

            } catch (error) {
                lastError = error instanceof Error ? error : new Error(String(error));
                console.error(`Attempt ${attempt + 1} failed: ${lastError.message}`);

                if (attempt === this.maxRetries) {
                    throw lastError;
                }

                // 检查是否应该重试
                if (this.shouldRetry(lastError)) {
                    continue;
                } else {
                    throw lastError;
                }
            }
        }

        throw lastError || new Error("Unknown error occurred");
    }

    private shouldRetry(error: Error): boolean {
        // 网络错误、超时等可以重试
        const retryableErrors = [
            "network error",
            "timeout",
            "rate limit",
            "server error",
            "temporary failure"
        ];

        return retryableErrors.some(retryable =>
            error.message.toLowerCase().includes(retryable)
        );
    }
}

async function retryExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        const baseAgent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
        });

        const retryableAgent = new RetryableAgent(baseAgent, 3, 1000);

        const prompt = "Write a short poem about resilience.";
        console.log(`Prompt: ${prompt}`);

        const response = await retryableAgent.prompt(prompt);
        console.log(`Response: ${response}`);

    } catch (error) {
        if (error instanceof Error) {
            console.error(`Final error: ${error.message}`);
        }
    }
}

// 运行示例
retryExample();
