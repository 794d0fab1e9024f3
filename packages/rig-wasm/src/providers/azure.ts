/**
 * Azure OpenAI: `import { Agent, CompletionModel, EmbeddingModel } from "rig-wasm/azure"`.
 * `endpoint` is your resource URL, `deployment` (or `model`) the deployment name, `apiVersion` defaults to 2024-10-21. The key is sent as `api-key`.
 */
import "#loader";
import type { AzureInput } from "../contract.js";
import { agentFor, completionModelFor, embeddingModelFor, type AgentOptions, type CompletionModelOptions, type EmbeddingModelOptions } from "../provider.js";

/** Azure options: the resource endpoint, the deployment and the API version. */
export type AzureOptions<O, ModelKey extends string = "model"> = Omit<O, ModelKey | "baseURL"> &
  Omit<AzureInput, "endpoint" | "deployment"> &
  Required<Pick<AzureInput, "endpoint">> &
  ({ [K in ModelKey]: string } | Required<Pick<AzureInput, "deployment">>);

export class Agent extends agentFor<AzureOptions<AgentOptions>>("azure") {}
export class CompletionModel extends completionModelFor<AzureOptions<CompletionModelOptions>>("azure") {}
export class EmbeddingModel extends embeddingModelFor<AzureOptions<EmbeddingModelOptions, "modelName">>("azure") {}
