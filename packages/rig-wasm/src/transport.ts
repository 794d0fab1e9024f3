/**
 * The HTTP transport the wasm side sends every provider request through.
 *
 * It owns what belongs to the JavaScript platform: `fetch` (the global one,
 * or the user's), extra headers, the AbortSignal, and the retry loop —
 * exponential backoff with jitter on connection errors and on the statuses
 * the wasm side calls retryable, waiting what `Retry-After` /
 * `retry-after-ms` ask (read by the wasm side too, so the error reports the
 * same wait) up to a cap. A stream is never retried once its body has
 * started.
 */
import { CallContext } from "./call.js";
import { ConnectionError, RigError, TimeoutError } from "./errors.js";
import type { CachedResponse, ResponseCache } from "./cache.js";
import { bindings } from "./wasm.js";

/** Longest server-requested wait that is honoured; longer fails at once. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** How long a streamed body may send nothing while it is being read before it fails. */
export const STREAM_IDLE_MS = 300_000;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportSettings {
  provider: string;
  fetch?: FetchLike | undefined;
  headers?: Record<string, string> | undefined;
  maxRetries: number;
  /** How long a streamed body may send nothing while read (default {@link STREAM_IDLE_MS}). */
  streamIdleMs?: number | undefined;
  /** Replies to requests already made (unary ones; streams bypass it). */
  cache?: ResponseCache | undefined;
}

/** What the wasm side reads back (see `TransportResponse` in transport.rs). */
export interface TransportResponse {
  status: number;
  /** `name\nvalue\n` for every header (neither may contain a line break). */
  headers: string;
  body?: Uint8Array;
  read(): Promise<Uint8Array | null>;
  cancel(): void;
}

/** Exponential backoff with ±25% jitter for retry `attempt` (1-based). */
export function backoffMs(attempt: number): number {
  const base = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
  return base * (0.75 + Math.random() * 0.5);
}

function sleep(ms: number, ctx: CallContext | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx?.isAborted) return reject(ctx.error());
    const timer = setTimeout(() => {
      ctx?.signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(ctx!.error());
    };
    ctx?.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function headerText(headers: Headers): string {
  let out = "";
  headers.forEach((value, name) => {
    out += `${name}\n${value}\n`;
  });
  return out;
}

const EMPTY = new Uint8Array(0);

function connectionMessage(provider: string, url: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  const inBrowser = typeof document !== "undefined" || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined";
  const hint = inBrowser
    ? " In a browser this is also what a blocked cross-origin request looks like: check that the server sends CORS headers (Access-Control-Allow-Origin, and Allow-Headers for authorization and content-type)."
    : "";
  let origin = url;
  try {
    origin = new URL(url).origin;
  } catch {
    // keep the raw text
  }
  return `could not reach ${provider} at ${origin}: ${reason}.${hint}`;
}

export class Transport {
  readonly #settings: TransportSettings;

  constructor(settings: TransportSettings) {
    this.#settings = settings;
  }

  /** Called by the wasm side for every request. */
  async send(
    ctx: CallContext | undefined,
    method: string,
    url: string,
    requestHeaders: string,
    body: string | Uint8Array,
    streaming: boolean,
  ): Promise<TransportResponse> {
    const settings = this.#settings;
    const doFetch: FetchLike = settings.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // A plain object and a string body: the cheapest shapes for fetch to take.
    const headers: Record<string, string> = {};
    // `name\nvalue\n` pairs, as the wasm side writes them (names lower-case).
    let at = 0;
    while (at < requestHeaders.length) {
      const split = requestHeaders.indexOf("\n", at);
      const end = requestHeaders.indexOf("\n", split + 1);
      if (split < 0 || end < 0) break;
      headers[requestHeaders.slice(at, split)] = requestHeaders.slice(split + 1, end);
      at = end + 1;
    }
    if (settings.headers) for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
    const hasBody = method !== "GET" && method !== "HEAD" && (typeof body === "string" ? body.length > 0 : body.byteLength > 0);
    const init: RequestInit = {
      method,
      headers,
      ...(hasBody && { body: body as BodyInit }),
      ...(ctx?.signal && { signal: ctx.signal }),
    };
    const maxRetries = ctx ? ctx.maxRetries : settings.maxRetries;
    const cacheKey = settings.cache !== undefined && !streaming && typeof body === "string" ? `${settings.provider}\n${method} ${url}\n${body}` : undefined;
    if (cacheKey !== undefined) {
      let hit: CachedResponse | undefined;
      try {
        hit = await settings.cache!.get(cacheKey);
      } catch {
        // a cache that cannot be read is a miss
      }
      if (hit !== undefined) return unary(hit.status, hit.headers, hit.body);
    }

    for (let attempt = 0; ; attempt++) {
      if (ctx?.isAborted) throw this.#fail(ctx, ctx.error());
      let response: Response;
      try {
        response = await doFetch(url, init);
      } catch (error) {
        if (ctx?.isAborted) throw this.#fail(ctx, ctx.error());
        if (attempt < maxRetries) {
          await sleep(backoffMs(attempt + 1), ctx).catch((e) => {
            throw this.#fail(ctx, e);
          });
          continue;
        }
        const message = connectionMessage(settings.provider, url, error);
        throw this.#fail(ctx, new ConnectionError(message, { provider: settings.provider, cause: error }));
      }

      if (response.ok) {
        if (streaming) return this.#streaming(response, ctx);
        let bytes: Uint8Array;
        try {
          bytes = new Uint8Array(await response.arrayBuffer());
        } catch (error) {
          if (ctx?.isAborted) throw this.#fail(ctx, ctx.error());
          throw this.#fail(
            ctx,
            new ConnectionError(connectionMessage(settings.provider, url, error), {
              provider: settings.provider,
              cause: error,
            }),
          );
        }
        const headers = headerText(response.headers);
        if (cacheKey !== undefined) {
          try {
            await settings.cache!.set(cacheKey, { status: response.status, headers, body: bytes, storedAt: Date.now() });
          } catch {
            // a cache that cannot store does not fail the call
          }
        }
        return unary(response.status, headers, bytes);
      }

      const glue = bindings();
      if (attempt < maxRetries && glue.isRetryableStatus(response.status)) {
        const asked = glue.retryAfterMs(headerText(response.headers));
        if (asked === undefined || asked <= MAX_RETRY_AFTER_MS) {
          await response.body?.cancel().catch(() => undefined);
          const wait = asked ?? backoffMs(attempt + 1);
          await sleep(wait, ctx).catch((e) => {
            throw this.#fail(ctx, e);
          });
          continue;
        }
      }
      let bytes: Uint8Array = EMPTY;
      try {
        bytes = new Uint8Array(await response.arrayBuffer());
      } catch {
        // The status is what matters; an unreadable error body stays empty.
      }
      return unary(response.status, headerText(response.headers), bytes);
    }
  }

  #fail(ctx: CallContext | undefined, error: unknown): unknown {
    if (ctx && error instanceof RigError) ctx.transportError = error;
    return error;
  }

  #streaming(response: Response, ctx: CallContext | undefined): TransportResponse {
    const reader = response.body?.getReader();
    const provider = this.#settings.provider;
    const fail = (error: unknown) => this.#fail(ctx, error);
    let done = reader === undefined;
    let stalled = false;
    const idleMs = this.#settings.streamIdleMs ?? STREAM_IDLE_MS;
    const watch = new IdleWatch(idleMs, () => {
      stalled = true;
      reader?.cancel().catch(() => undefined);
    });
    const end = () => {
      done = true;
      watch.stop();
    };
    return {
      status: response.status,
      headers: headerText(response.headers),
      async read() {
        if (done || reader === undefined) return null;
        watch.waiting(true);
        try {
          const next = await reader.read();
          if (stalled) {
            throw new TimeoutError(`${provider} sent nothing for ${idleMs / 1000} s during the stream`, {
              provider,
              isRetryable: false,
            });
          }
          if (next.done) {
            end();
            return null;
          }
          return next.value;
        } catch (error) {
          end();
          if (ctx?.isAborted) throw fail(ctx.error());
          if (error instanceof RigError) throw fail(error);
          throw fail(
            new ConnectionError(`the connection to ${provider} broke during the stream: ${error instanceof Error ? error.message : String(error)}`, {
              provider,
              cause: error,
              // The stream had started: retrying would repeat delivered output.
              isRetryable: false,
            }),
          );
        } finally {
          watch.waiting(false);
        }
      },
      cancel() {
        if (done) return;
        end();
        reader?.cancel().catch(() => undefined);
      },
    };
  }
}

/**
 * Fires `onIdle` once a read has been waiting for `limit` ms. One timer per
 * idle period, not per read: a fired timer that finds a newer or no pending
 * read re-arms itself for what is left.
 */
class IdleWatch {
  #since: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(
    readonly limit: number,
    readonly onIdle: () => void,
  ) {}

  waiting(pending: boolean): void {
    this.#since = pending ? Date.now() : undefined;
    if (pending && this.#timer === undefined && !this.#stopped) this.#arm(this.limit);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#since === undefined || this.#stopped) return;
      const waited = Date.now() - this.#since;
      if (waited >= this.limit) {
        this.stop();
        this.onIdle();
      } else {
        this.#arm(this.limit - waited);
      }
    }, ms);
    // A pending read keeps the process alive through its socket, not this timer.
    (this.#timer as { unref?: () => void }).unref?.();
  }
}

function unary(status: number, headers: string, body: Uint8Array): TransportResponse {
  return {
    status,
    headers,
    body,
    read: async () => null,
    cancel: () => undefined,
  };
}
