/**
 * The options of the local models, and the checks that stay in JavaScript
 * (object shapes, signals, callbacks). Generation options themselves are
 * checked by the runtime (`GenerateOptions::parse` in crates/local-model).
 */
import { InvalidArgumentError } from "../errors.js";
import { isPlainObject, toJson, typeName } from "../json.js";
import type { RigStream } from "../streaming.js";
import type { LocalWasmInput } from "./runtime.js";

/** Download or read progress: bytes so far and, when known, in all. */
export interface LoadProgress {
  loaded: number;
  total: number | undefined;
}

/** Where the model runs and how its files are read. */
export interface RuntimeOptions {
  /** Called as the files are read (several files: summed). */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Run in a worker (a Web Worker in browsers, a worker thread in Node.js)
   * so the page or server stays responsive; or pass your own `Worker`
   * started from `rig-wasm/local/worker`. Default: true in a browser page,
   * false elsewhere (Node.js, inside a worker, edge runtimes).
   */
  worker?: boolean | Worker;
  /** Where `rig_wasm_local_bg.wasm` is (default: next to the package's files). */
  wasm?: LocalWasmInput;
  /** Aborts reading the files. */
  signal?: AbortSignal;
}

/** Sampling and length of one generation. */
export interface GenerateOptions {
  /** The most tokens to produce (default 256). */
  maxTokens?: number;
  /** 0 is greedy (always the likeliest token); default 0.7. */
  temperature?: number;
  /** Sample among the k likeliest tokens (default 40; 0 = all). */
  topK?: number;
  /** Sample among the likeliest tokens whose probabilities sum to p (default 0.9). */
  topP?: number;
  /** Seed of the sampler: the same seed, prompt and options give the same text (default: random). */
  seed?: number;
  /** Divides the logits of recently produced tokens (default 1.1; 1 = off). */
  repeatPenalty?: number;
  /** How many recent tokens the penalty looks at (default 64). */
  repeatLastN?: number;
  /** Texts that end the answer (not included). */
  stop?: string[];
  /** Stops the generation. */
  signal?: AbortSignal;
}

export interface LocalModelOptions extends RuntimeOptions {
  /** The chat format (default: from the GGUF file; base models: `"plain"`). */
  template?: "chatml" | "gemma" | "plain";
  /**
   * Requantize Q5_0/Q5_1 weights to Q8_0 at load (default true): those
   * formats have no WebAssembly SIMD kernel, Q8_0 does (several times faster
   * decoding, more memory, logits within quantisation noise). Q4_1, Q4_0,
   * Q8_0 and the K-quants always run as stored.
   */
  requantize?: boolean;
  /** Defaults for every generation of this model (including the agent's). */
  defaults?: Omit<GenerateOptions, "signal">;
}

/** A message of a conversation. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

/** What the GGUF file says about the model. */
export interface LocalModelInfo {
  name: string;
  architecture: string;
  template: string;
  /** The context this runtime serves, in tokens. */
  contextLength: number;
  /** The model's own context length. */
  modelContextLength: number;
  vocabSize: number;
  layers: number;
  embeddingLength: number;
  bos: number | null;
  eos: number | null;
  addBos: boolean;
  stopTokens: number[];
}

export interface GenerateResult {
  text: string;
  /** `"stop"`: the model ended its turn or a stop text appeared; `"length"`: `maxTokens` reached. */
  finishReason: "stop" | "length";
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  timings: {
    /** Until the first token (reading the prompt). */
    promptMs: number;
    /** From the first token to the last. */
    generateMs: number;
    /** Tokens per second after the first. */
    tokensPerSecond: number;
  };
}

/** A stream of text pieces; `result` settles when it ends. */
export type TextStream = RigStream<string> & { result: Promise<GenerateResult> };

export function checkObject(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new InvalidArgumentError(field, `must be an object, got ${typeName(value)}`);
  return value;
}

export function checkSignal(signal: unknown, field = "signal"): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== "object" || signal === null || typeof (signal as AbortSignal).aborted !== "boolean") {
    throw new InvalidArgumentError(field, `must be an AbortSignal, got ${typeName(signal)}`);
  }
  return signal as AbortSignal;
}

/**
 * Generation options as JSON for the wasm side, which checks them (names,
 * types, ranges) and picks a random seed when none is given; `signal` stays
 * here. `defaults` (the model's own options) fill what the call leaves out.
 */
export function generationJson(options: unknown, defaults: Record<string, unknown> = {}): { json: string; signal: AbortSignal | undefined } {
  const given = checkObject(options, "options");
  const { signal, ...rest } = { ...defaults, ...given };
  return { json: toJson(rest, "options", true), signal: checkSignal(given.signal === undefined ? undefined : signal) };
}

export function checkRuntimeOptions(options: unknown, known: readonly string[]): RuntimeOptions & Record<string, unknown> {
  const o = checkObject(options, "options");
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) throw new InvalidArgumentError(key, `is not an option here (${known.join(", ")})`);
  }
  checkSignal(o.signal);
  return o as RuntimeOptions & Record<string, unknown>;
}

export const RUNTIME_KEYS = ["onProgress", "worker", "wasm", "signal"] as const;

