/**
 * Azure OpenAI: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/azure"`.
 * `endpoint` is your resource URL, `deployment` (or `model`) the deployment name, `apiVersion` defaults to 2024-10-21. The key is sent as `api-key`.
 */
import "#loader";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

/** Azure options: the resource endpoint, the deployment and the API version. */
export type AzureOptions<O, ModelKey extends string = "model"> = Omit<O, ModelKey | "baseURL"> & {
  /** Your resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  /** The `api-version` query parameter (default 2024-10-21). */
  apiVersion?: string;
} & ({ [K in ModelKey]: string } | { deployment: string });

export class Agent extends agentFor<AzureOptions<AgentOptions>>("azure") {}
export class CompletionModel extends completionModelFor<AzureOptions<CompletionModelOptions>>("azure") {}
export class EmbeddingModel extends embeddingModelFor<AzureOptions<EmbeddingModelOptions, "modelName">>("azure") {}
