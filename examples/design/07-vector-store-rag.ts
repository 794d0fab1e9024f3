import { EmbeddingModel } from "rig-wasm/openai";
import { Agent } from "rig-wasm/openai";

// 自定义向量存储实现
class CustomVectorStore {
    private embeddings: Map<string, { vector: number[], text: string }> = new Map();
    private model: EmbeddingModel;

    constructor(model: EmbeddingModel) {
        this.model = model;
    }

    async addDocument(id: string, text: string) {
        const embedding = await this.model.embedText(text);
        this.embeddings.set(id, {
            vector: embedding.vec,
            text: text
        });
    }

    async search(query: string, topN: number = 5) {
        const queryEmbedding = await this.model.embedText(query);

        // 简单的余弦相似度搜索
        const results = Array.from(this.embeddings.entries())
            .map(([id, doc]) => {
                const similarity = this.cosineSimilarity(queryEmbedding.vec, doc.vector);
                return { id, similarity, text: doc.text };
            })
            .sort((a, b) => b.similarity - a.similarity)
            .slice(0, topN);

        return results.map(r => [r.similarity, r.id, { text: r.text }]);
    }

    private cosineSimilarity(vec1: number[], vec2: number[]): number {
        if (vec1.length !== vec2.length) return 0;

        let dotProduct = 0;
        let norm1 = 0;
        let norm2 = 0;

        for (let i = 0; i < vec1.length; i++) {
            dotProduct += vec1[i] * vec2[i];
            norm1 += vec1[i] * vec1[i];
            norm2 += vec2[i] * vec2[i];
        }

        return dotProduct / (Math.sqrt(norm1) * Math.sqrt(norm2));
    }
}

async function vectorStoreExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        const model = new EmbeddingModel({
            apiKey: apiKey,
            modelName: "text-embedding-3-small",
        });

        // 创建自定义向量存储
        const vectorStore = new CustomVectorStore(model);

        // 添加文档
        const documents = [
            "Rust is a systems programming language that runs blazingly fast.",
            "WebAssembly is a binary instruction format for a stack-based virtual machine.",
            "Machine learning is a subset of artificial intelligence.",
            "The Rust programming language is designed for performance and safety.",
            "WebAssembly enables high-performance applications on the web."
        ];

        for (let i = 0; i < documents.length; i++) {
            await vectorStore.addDocument(`doc_${i}`, documents[i]);
        }

        // 创建带动态上下文的 Agent
        const agent = new Agent({
            apiKey: apiKey,
            model: "gpt-4o",
            dynamicContext: {
                sample: 3,
                dynamicTools: vectorStore
            },
            preamble: "You are a helpful assistant with access to a knowledge base.",
        });

        const prompt = "What can you tell me about Rust and WebAssembly?";
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
vectorStoreExample();
