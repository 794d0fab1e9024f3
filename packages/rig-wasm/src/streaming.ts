/**
 * Streaming: web `ReadableStream`s of typed parts that are also async
 * iterable, and `decodeReadableStream` for the classic loop.
 *
 * Parts (`StreamPart`, generated from the Rust contract) are a discriminated
 * union on `type`, with an `id` shared by the parts of one text, reasoning or
 * tool-call block. Every part has `text`: the answer's text on `textDelta`
 * parts and `null` on all others, so
 * `if (chunk.text !== null) process.stdout.write(chunk.text)` prints exactly
 * the model's answer.
 */
import type { CallContext } from "./call.js";
import type { StreamBatch, StreamPart } from "./contract.js";
import { errorFromData, toRigError } from "./invoke.js";
import { trapped } from "./wasm.js";

export type { FinishReason, StreamPart } from "./contract.js";

/** Another name for a stream part. */
export type RawStreamingChoice = StreamPart;

/** A web ReadableStream that is also async-iterable in every runtime. */
export type RigStream<T> = ReadableStream<T> & AsyncIterable<T>;

/** The wasm side of a stream (see stream.rs). */
interface BatchSource {
  next(): Promise<string>;
  cancel(): void;
  free(): void;
}

/** Make `stream` async-iterable where the runtime's ReadableStream is not. */
export function asyncIterable<T>(stream: ReadableStream<T>): RigStream<T> {
  const s = stream as RigStream<T>;
  if (typeof (s as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== "function") {
    Object.defineProperty(s, Symbol.asyncIterator, {
      configurable: true,
      value: async function* (this: ReadableStream<T>) {
        const reader = this.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          reader.releaseLock();
        }
      },
    });
  }
  return s;
}

/** Read the next batch of a source (racing a trap of the instance). */
export async function readBatch(source: BatchSource): Promise<StreamBatch> {
  return JSON.parse(await Promise.race([source.next(), trapped()])) as StreamBatch;
}

/**
 * Wrap a wasm batch source as a stream. `first` is the batch already read
 * (so a call that fails before any part rejects instead of returning a
 * stream). A batch ending in an `error` part errors the stream after it.
 */
export function chunkStream(
  source: BatchSource,
  ctx: CallContext,
  first: StreamBatch,
  onEnd: () => void,
): RigStream<StreamPart> {
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    ctx.settle();
    try {
      source.free();
    } catch {
      // already freed
    }
    onEnd();
  };
  // Erroring a stream drops what is queued, so the error waits until the
  // parts before it (the error part included) have been read.
  let failure: unknown;
  const deliver = (batch: StreamBatch, controller: ReadableStreamDefaultController<StreamPart>) => {
    for (const part of batch.parts) controller.enqueue(part);
    const last = batch.parts[batch.parts.length - 1];
    if (last?.type === "error") {
      failure = errorFromData(last.error, ctx);
    } else if (batch.done) {
      controller.close();
      finish();
    }
  };
  const stream = new ReadableStream<StreamPart>(
    {
      start(controller) {
        deliver(first, controller);
      },
      async pull(controller) {
        if (finished) return;
        if (failure !== undefined) {
          controller.error(failure);
          finish();
          return;
        }
        try {
          deliver(await readBatch(source), controller);
        } catch (error) {
          controller.error(toRigError(error, ctx));
          finish();
        }
      },
      cancel() {
        if (finished) return;
        ctx.cancel();
        try {
          source.cancel();
        } catch {
          // already gone
        }
        finish();
      },
    },
    { highWaterMark: 1 },
  );
  return asyncIterable(stream);
}

function isStream(value: unknown): value is ReadableStream<unknown> {
  return typeof value === "object" && value !== null && typeof (value as ReadableStream).getReader === "function";
}

/**
 * Iterate a stream of chunks. Accepts what `promptStream` returns, and also
 * a byte or text stream of newline-delimited JSON chunks (for example a
 * stream piped through an HTTP response to a browser).
 */
export async function* decodeReadableStream(
  stream: ReadableStream<StreamPart> | ReadableStream<Uint8Array> | ReadableStream<string> | AsyncIterable<StreamPart>,
): AsyncGenerator<StreamPart, void, undefined> {
  if (!isStream(stream)) {
    yield* stream as AsyncIterable<StreamPart>;
    return;
  }
  const reader = (stream as ReadableStream<unknown>).getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  let complete = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        complete = true;
        break;
      }
      if (typeof value === "string" || value instanceof Uint8Array) {
        buffered += typeof value === "string" ? value : decoder.decode(value, { stream: true });
        let newline = buffered.indexOf("\n");
        while (newline >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield JSON.parse(line) as StreamPart;
          newline = buffered.indexOf("\n");
        }
      } else {
        yield value as StreamPart;
      }
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield JSON.parse(rest) as StreamPart;
  } finally {
    // Leaving the loop early cancels the stream (and the request behind it).
    if (!complete) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Encode chunks as newline-delimited JSON bytes (the inverse of decoding). */
export function encodeChunks(stream: ReadableStream<StreamPart>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return stream.pipeThrough(
    new TransformStream<StreamPart, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(encoder.encode(`${JSON.stringify(chunk)}\n`));
      },
    }),
  );
}
