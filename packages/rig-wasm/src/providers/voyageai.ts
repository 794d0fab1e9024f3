/**
 * Voyage AI: `import { EmbeddingModel } from "rig-wasm/voyageai"`.
 * Embeddings only.
 */
import "#loader";
import { embeddingModelFor, type EmbeddingModelOptions } from "../provider.js";

export class EmbeddingModel extends embeddingModelFor<EmbeddingModelOptions>("voyageai") {}
