/**
 * `LocalModel`: a small language model from a GGUF file, running in
 * WebAssembly, offline: load it, generate text token by token, or put it
 * behind an agent (it serves the agent's Chat Completions requests itself).
 */
/** More token ids than any context this runtime serves (4,096) by far; a bound so an absurd length fails clearly. */
import { AbortError, InternalError, InvalidArgumentError } from "../errors.js";
import { isPlainObject, typeName } from "../json.js";
import { asyncIterable } from "../stream-source.js";
import type { FetchLike } from "../transport.js";
import { chooseHost, release, type Host } from "./host.js";
import { chatCompletionsHandler, type ChatBackend } from "./openai-handler.js";
import { checkObject, checkRuntimeOptions, generationJson, RUNTIME_KEYS, type ChatMessage, type GenerateOptions, type GenerateResult, type LocalModelInfo, type LocalModelOptions, type TextStream } from "./options.js";
import type { StepData } from "./runtime.js";
import { heldBytes, pipeSource, progressReporter, transferable, type ModelSource } from "./source.js";

const MAX_TOKEN_IDS = 1 << 20;

/**
 * A small language model from a GGUF file, running in WebAssembly (Llama
 * family, such as SmolLM2, and Gemma 3). Use it directly (`generate`,
 * `stream`) or behind an agent: `new Agent({ model })` from `rig-wasm/local`.
 */
export class LocalModel implements ChatBackend {
  readonly info: LocalModelInfo;
  readonly #host: Host;
  readonly #handle: number;
  readonly #defaults: Record<string, unknown>;
  #stops: string[];
  #queue: Promise<unknown> = Promise.resolve();
  #freed = false;
  /** A `fetch` that answers OpenAI Chat Completions requests with this model (what the agent uses). */
  readonly fetch: FetchLike;

  private constructor(host: Host, handle: number, info: LocalModelInfo, stops: string[], defaults: Record<string, unknown>) {
    this.#host = host;
    this.#handle = handle;
    this.info = info;
    this.#stops = stops;
    this.#defaults = defaults;
    this.fetch = chatCompletionsHandler(this);
  }

  /** Load a GGUF model (`source`: bytes, a `Blob`, a `Response`, a URL, or a file path in Node.js). */
  static async load(source: ModelSource, options?: LocalModelOptions): Promise<LocalModel> {
    const o = checkRuntimeOptions(options, [...RUNTIME_KEYS, "template", "requantize", "defaults"]);
    if (o.template !== undefined && !["chatml", "gemma", "plain"].includes(o.template as string)) {
      throw new InvalidArgumentError("template", `must be "chatml", "gemma" or "plain", got ${JSON.stringify(o.template)}`);
    }
    if (o.requantize !== undefined && typeof o.requantize !== "boolean") {
      throw new InvalidArgumentError("requantize", `must be a boolean, got ${typeName(o.requantize)}`);
    }
    const defaults = checkObject(o.defaults, "defaults");
    const defaultsJson = generationJson(defaults).json;
    if (source === undefined || source === null) throw new InvalidArgumentError("source", "is required: the GGUF file's bytes, URL or path");
    const report = progressReporter(o, 1);
    const held = heldBytes(source, report);
    // The host (a worker, or the runtime in process) starts while the file is opened or the download begins.
    const starting = chooseHost(o);
    starting.catch(() => undefined);
    // The defaults are checked by the runtime (as every call's options are) while the file loads.
    const checked = starting.then((h) => h.call("checkGenerateOptions", [defaultsJson]));
    checked.catch(() => undefined);
    let host: Host | undefined;
    try {
      const loadOptions = JSON.stringify(o.requantize === undefined ? {} : { requantize: o.requantize });
      type Loaded = { handle: number; info: string; stops: string };
      let loaded: Loaded | undefined;
      if (held !== undefined) {
        host = await starting;
        loaded = await host.call("loadLanguageModel", [held, loadOptions]);
      } else {
        // A file or download goes to the model's memory chunk by chunk, so
        // the whole file is never held in JavaScript as well. Without a
        // known length, the chunks wait here and go in once the size is
        // known (a buffer grown in wasm would peak at up to twice the file).
        let file: number | undefined;
        const waiting: Uint8Array[] = [];
        let waitingBytes = 0;
        try {
          let sized = false;
          await pipeSource(source, report, o.signal, "source", async (total) => {
            host = await starting;
            const h = host;
            if (total === undefined) {
              return (chunk) => {
                waiting.push(chunk);
                waitingBytes += chunk.byteLength;
              };
            }
            sized = true;
            const opened = await h.call("openFile", [total]);
            file = opened;
            return (chunk) => h.call("pushFile", [opened, chunk], transferable(chunk));
          });
          host ??= await starting;
          if (!sized) {
            const opened = await host.call("openFile", [waitingBytes]);
            file = opened;
            for (const chunk of waiting.splice(0)) await host.call("pushFile", [opened, chunk], transferable(chunk));
          }
          if (file === undefined) throw new InternalError("the model file was never opened");
          if (o.signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: o.signal.reason });
          loaded = await host.call("loadLanguageModelFromFile", [file, loadOptions]);
        } finally {
          if (host !== undefined && file !== undefined && loaded === undefined) void host.call("closeFile", [file]).catch(() => undefined);
        }
      }
      const ready = host ?? (await starting);
      await checked.catch((error: unknown) => {
        void ready.call("free", [loaded!.handle]).catch(() => undefined);
        throw error;
      });
      let stops = JSON.parse(loaded.stops) as string[];
      if (o.template !== undefined) stops = JSON.parse(await ready.call("setTemplate", [loaded.handle, o.template as string])) as string[];
      const info = JSON.parse(loaded.info) as LocalModelInfo;
      if (o.template !== undefined) info.template = o.template as string;
      return new LocalModel(ready, loaded.handle, info, stops, defaults);
    } catch (error) {
      void starting.then((h) => h.terminate(), () => undefined);
      throw error;
    }
  }

  /** The model id agents report. */
  get id(): string {
    return this.info.name;
  }

  #check(): void {
    if (this.#freed) throw new InvalidArgumentError("model", "this LocalModel was released with free() and cannot be used any more");
  }

  /** Run `work` after every earlier generation (one at a time per model). */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The prompt text for a conversation, in this model's chat format. */
  async render(messages: ChatMessage[]): Promise<string> {
    this.#check();
    if (!Array.isArray(messages)) throw new InvalidArgumentError("messages", `must be an array of { role, content }, got ${typeName(messages)}`);
    messages.forEach((m, i) => {
      if (!isPlainObject(m) || typeof m.role !== "string" || typeof m.content !== "string") {
        throw new InvalidArgumentError(`messages[${i}]`, "must be { role, content } with string values");
      }
    });
    return this.#host.call("render", [this.#handle, JSON.stringify(messages.map(({ role, content }) => ({ role, content })))]);
  }

  /** Texts that end an answer in this model's chat format (the plain transcript's `\nUser:`). */
  get templateStops(): readonly string[] {
    return this.#stops;
  }

  async #prompt(input: string | ChatMessage[]): Promise<{ prompt: string; stops: string[] }> {
    if (typeof input === "string") {
      if (input === "") throw new InvalidArgumentError("prompt", "must not be empty");
      return { prompt: input, stops: [] };
    }
    if (Array.isArray(input)) return { prompt: await this.render(input), stops: this.#stops };
    throw new InvalidArgumentError("prompt", `must be a string or an array of messages, got ${typeName(input)}`);
  }

  /** Token ids of `text` (`addBos`: the model's BOS first; `special`: chat control tokens in the text are parsed). */
  async tokenize(text: string, options: { addBos?: boolean; special?: boolean } = {}): Promise<Uint32Array> {
    this.#check();
    if (typeof text !== "string") throw new InvalidArgumentError("text", `must be a string, got ${typeName(text)}`);
    return this.#host.call("tokenize", [this.#handle, text, options.addBos ?? false, options.special ?? true]);
  }

  /** The text of token ids (`skipSpecial`: leave out control tokens). */
  async detokenize(ids: ArrayLike<number>, options: { skipSpecial?: boolean } = {}): Promise<string> {
    this.#check();
    return this.#host.call("detokenize", [this.#handle, this.#tokenIds(ids ?? [], "ids"), options.skipSpecial ?? false]);
  }

  /** Token ids checked against this model's vocabulary. */
  #tokenIds(ids: ArrayLike<number>, field: string): Uint32Array {
    return Uint32Array.from(Array.from(ids, (id) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.info.vocabSize) throw new InvalidArgumentError(field, `${id} is not a token id of this model`);
      return id;
    }));
  }

  /**
   * The next-token logits after `prompt`: a raw prompt (BOS added when the
   * model wants one), or token ids taken as given (to score a sequence, or
   * follow another engine's tokens step by step; a shared prefix is reused).
   */
  async logits(prompt: string | ArrayLike<number>): Promise<Float32Array> {
    this.#check();
    if (typeof prompt === "string") {
      if (prompt === "") throw new InvalidArgumentError("prompt", "must be a non-empty string");
      return this.#serial(() => this.#host.call("logits", [this.#handle, prompt]));
    }
    if (prompt == null || typeof prompt !== "object" || typeof prompt.length !== "number") {
      throw new InvalidArgumentError("prompt", `must be a non-empty string or token ids, got ${typeName(prompt)}`);
    }
    if (!Number.isSafeInteger(prompt.length) || prompt.length < 0 || prompt.length > MAX_TOKEN_IDS) {
      throw new InvalidArgumentError("prompt", `must hold at most ${MAX_TOKEN_IDS} token ids, got a length of ${String(prompt.length)}`);
    }
    const ids = this.#tokenIds(prompt, "prompt");
    if (ids.length === 0) throw new InvalidArgumentError("prompt", "must not be empty");
    return this.#serial(() => this.#host.call("logitsOfTokens", [this.#handle, ids]));
  }

  /** Generate the answer to a conversation, or continue a raw prompt (a string). */
  async generate(input: string | ChatMessage[], options?: GenerateOptions): Promise<GenerateResult> {
    let text = "";
    return this.#run(input, options, (piece) => {
      text += piece;
    }).then((r) => ({ ...r, text }));
  }

  /** Like `generate`, as a stream of text pieces (cancel it to stop). */
  stream(input: string | ChatMessage[], options?: GenerateOptions): TextStream {
    this.#check();
    const { signal } = generationJson(options, this.#defaults);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort(signal.reason);
    let text = "";
    let push: ReadableStreamDefaultController<string> | undefined;
    const stream = new ReadableStream<string>({
      start(c) {
        push = c;
      },
      cancel() {
        controller.abort();
      },
    });
    const result = this.#run(input, { ...options, signal: controller.signal }, (piece) => {
      text += piece;
      if (piece !== "") push?.enqueue(piece);
    })
      .then((r) => {
        push?.close();
        return { ...r, text };
      })
      .catch((error: unknown) => {
        try {
          push?.error(error);
        } catch {
          // already cancelled
        }
        throw error;
      })
      .finally(() => signal?.removeEventListener("abort", onAbort));
    result.catch(() => undefined);
    return Object.assign(asyncIterable(stream), { result });
  }

  /** Generation for the chat-completions handler: pieces via `onText`. */
  async run(input: string | ChatMessage[], options: GenerateOptions | undefined, onText: (text: string) => void, extraStops: string[] = []): Promise<Omit<GenerateResult, "text">> {
    return this.#run(input, options, onText, extraStops);
  }

  async #run(
    input: string | ChatMessage[],
    options: GenerateOptions | undefined,
    onText: (text: string) => void,
    extraStops: string[] = [],
  ): Promise<Omit<GenerateResult, "text">> {
    this.#check();
    const { json, signal } = generationJson(options, this.#defaults);
    const { prompt, stops } = await this.#prompt(input);
    const all = [...stops, ...extraStops];
    const parsed = JSON.parse(json) as Record<string, unknown>;
    if (all.length > 0) parsed.stop = [...((parsed.stop as string[] | undefined) ?? []), ...all];
    return this.#serial(async () => {
      if (signal?.aborted) throw new AbortError("The generation was aborted.", { provider: "local", cause: signal.reason });
      // A worker may have produced a token or two before it saw the abort: drop them.
      const onStep = (step: StepData) => {
        if (signal?.aborted !== true) onText(step.text);
      };
      const outcome = await this.#host.generate([this.#handle, prompt, JSON.stringify(parsed)], onStep, signal);
      if (outcome.finish === "abort") throw new AbortError("The generation was aborted.", { provider: "local", cause: signal?.reason });
      const perToken = outcome.completionTokens > 1 ? outcome.generateMs / (outcome.completionTokens - 1) : 0;
      return {
        finishReason: outcome.finish,
        usage: {
          promptTokens: outcome.promptTokens,
          completionTokens: outcome.completionTokens,
          totalTokens: outcome.promptTokens + outcome.completionTokens,
        },
        timings: { promptMs: outcome.promptMs, generateMs: outcome.generateMs, tokensPerSecond: perToken > 0 ? 1000 / perToken : 0 },
      };
    });
  }

  /** Forget the cached conversation (the next prompt is read from scratch). */
  async reset(): Promise<void> {
    this.#check();
    await this.#serial(() => this.#host.call("reset", [this.#handle]));
  }

  /** Release the model's memory now (and stop its worker); calls after this fail. `using` calls it too. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    release(this.#host, this.#handle);
  }

  [Symbol.dispose](): void {
    this.free();
  }
}

