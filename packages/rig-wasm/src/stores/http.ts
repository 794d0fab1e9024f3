/**
 * JSON over HTTP for the vector-database adapters: the package's transport
 * (injectable `fetch`, headers, retries with backoff and `Retry-After`, the
 * call's signal and timeout), and a non-success reply turned into the same
 * typed error a provider's would be (the status rule is the wasm side's).
 */
import { CallContext, type CallOptions } from "../call.js";
import type { BindError } from "../contract.js";
import { InvalidArgumentError, InvalidResponseError } from "../errors.js";
import { errorFromData } from "../invoke.js";
import { isPlainObject, toJson, typeName } from "../json.js";
import { Transport, type FetchLike } from "../transport.js";
import { bindings } from "../wasm.js";

/** How to reach a vector database over HTTP. */
export interface HttpStoreOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:6333`. */
  url: string;
  /** The `fetch` to use (default: the global one). */
  fetch?: FetchLike;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Retries on connection errors and retryable statuses (default 2). */
  maxRetries?: number;
  /** Default timeout of every call, in milliseconds. */
  timeoutMs?: number;
}

const decoder = new TextDecoder();

export class JsonClient {
  readonly #service: string;
  readonly #base: string;
  readonly #transport: Transport;
  readonly #headers: string;
  readonly #defaults: CallOptions;
  readonly #retries: number;

  constructor(service: string, options: HttpStoreOptions, auth: Record<string, string> = {}) {
    if (!isPlainObject(options)) throw new InvalidArgumentError("options", `must be an object like { url }, got ${typeName(options)}`);
    if (typeof options.url !== "string" || !/^https?:\/\//.test(options.url)) {
      throw new InvalidArgumentError("url", `must be the server's http(s) URL, got ${typeName(options.url) === "string" ? JSON.stringify(options.url) : typeName(options.url)}`);
    }
    if (options.fetch !== undefined && typeof options.fetch !== "function") throw new InvalidArgumentError("fetch", `must be a function, got ${typeName(options.fetch)}`);
    this.#service = service;
    this.#base = options.url.replace(/\/+$/, "");
    this.#retries = options.maxRetries ?? 2;
    this.#transport = new Transport({ provider: service, fetch: options.fetch, headers: { ...options.headers, ...auth }, maxRetries: this.#retries });
    this.#headers = "content-type\napplication/json\naccept\napplication/json\n";
    this.#defaults = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  }

  /** `method path` with a JSON body; the parsed JSON reply, or the typed error. */
  async request<T>(method: string, path: string, body: unknown, options: CallOptions | undefined): Promise<T> {
    const ctx = new CallContext({ ...this.#defaults, ...options }, this.#retries);
    try {
      const json = body === undefined ? "" : toJson(body, "request");
      const reply = await this.#transport.send(ctx, method, `${this.#base}${path}`, this.#headers, json, false);
      const text = decoder.decode(reply.body ?? new Uint8Array(0));
      if (reply.status < 200 || reply.status >= 300) {
        throw errorFromData(JSON.parse(bindings().httpError(this.#service, reply.status, text)) as BindError, ctx);
      }
      if (text.trim() === "") return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new InvalidResponseError(`${this.#service} sent a reply that is not JSON: ${text.slice(0, 200)}`, { provider: this.#service, cause: error });
      }
    } catch (error) {
      if (ctx.isAborted) throw ctx.error();
      throw error;
    } finally {
      ctx.settle();
    }
  }
}
