import { EmbeddingModel } from "rig-wasm/openai";
import { QdrantAdapter } from "rig-wasm/qdrant";

async function embeddingExample() {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
        throw new Error("OPENAI_API_KEY not set");
    }

    try {
        // 创建嵌入模型
        const model = new EmbeddingModel({
            apiKey: apiKey,
            modelName: "text-embedding-3-small",
        });

        // 生成嵌入
        let embedding = await model.embedText("hello world!");
        console.log(`Embedding length: ${embedding.vec.length}`);
        console.log(`Embedded text: ${embedding.document}`);

        // 批量嵌入
        let embeddings = await model.embedTexts(["hello", "world", "example"]);
        console.log(`Generated ${embeddings.length} embeddings`);

        // 使用 Qdrant 向量存储
        let adapter = new QdrantAdapter("test_collection", model, {
            url: "http://127.0.0.1:6333",
        });

        await adapter.init(1536);

        let points = [
            {
                id: 1,
                vector: embedding.vec,
                payload: {
                    document: embedding.document,
                },
            },
        ];

        await adapter.insertDocuments(points);
        console.log(`Document successfully inserted`);

    } catch (error) {
        if (error instanceof Error) {
            console.error(`Error: ${error.message}`);
        }
    }
}

// 运行示例
embeddingExample();
