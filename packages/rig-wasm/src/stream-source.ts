/**
 * The wasm side of a stream as a web `ReadableStream` that is also async
 * iterable: batches of parts read from a `WasmStream`, delivered in order,
 * an `error` part turned into the stream's typed error.
 */
import type { CallContext } from "./call.js";
import type { StreamBatch, StreamPart } from "./contract.js";
import { errorFromData, toRigError } from "./invoke.js";
import type { RigStream } from "./streaming.js";
import { trapped } from "./wasm.js";

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
