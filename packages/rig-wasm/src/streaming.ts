/**
 * Streaming: web `ReadableStream`s of typed chunks that are also async
 * iterable, and `decodeReadableStream` for the design's loop.
 *
 * Every chunk has `type` and `text` (`null` unless the chunk carries text),
 * so the design's `if (chunk.text !== null && chunk.text !== aggregated)`
 * loop works unchanged: text deltas append, and the final chunk (whose text
 * is the whole answer) is skipped by the second test.
 */
import type { Message, Usage } from "./completion.js";
import type { CallContext } from "./call.js";
import { toRigError } from "./invoke.js";
import { trapped } from "./wasm.js";

/** A piece of the answer's text. */
export interface TextChunk {
  type: "text";
  text: string;
}
/** A piece of the model's reasoning (models that show it). */
export interface ReasoningChunk {
  type: "reasoning";
  text: null;
  reasoning: string;
}
/** A fragment of a tool call's arguments as the model streams them. */
export interface ToolCallDeltaChunk {
  type: "toolCallDelta";
  text: null;
  name: string;
  argumentsDelta: string;
}
/** A complete tool call the model made. */
export interface ToolCallChunk {
  type: "toolCall";
  text: null;
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}
/** The result of running a tool (an error text when `isError`). */
export interface ToolResultChunk {
  type: "toolResult";
  text: null;
  id: string;
  name: string;
  result: string;
  isError: boolean;
}
/** The end of the run: the whole answer and the token usage. */
export interface FinalChunk {
  type: "final";
  text: string;
  usage: Usage;
  messages: Message[];
}

export type StreamChunk =
  | TextChunk
  | ReasoningChunk
  | ToolCallDeltaChunk
  | ToolCallChunk
  | ToolResultChunk
  | FinalChunk;

/** The design's name for a stream chunk. */
export type RawStreamingChoice = StreamChunk;

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

/**
 * Wrap a wasm batch source as a stream. `first` is the batch already read
 * (so the call could fail before returning the stream).
 */
export function chunkStream(
  source: BatchSource,
  ctx: CallContext,
  first: StreamChunk[] | null,
  onEnd: () => void,
): RigStream<StreamChunk> {
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
  const stream = new ReadableStream<StreamChunk>(
    {
      start(controller) {
        if (first === null) {
          controller.close();
          finish();
          return;
        }
        for (const chunk of first) controller.enqueue(chunk);
      },
      async pull(controller) {
        if (finished) return;
        try {
          const batch = JSON.parse(await Promise.race([source.next(), trapped()])) as StreamChunk[] | null;
          if (batch === null) {
            controller.close();
            finish();
            return;
          }
          for (const chunk of batch) controller.enqueue(chunk);
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
  stream: ReadableStream<StreamChunk> | ReadableStream<Uint8Array> | ReadableStream<string> | AsyncIterable<StreamChunk>,
): AsyncGenerator<StreamChunk, void, undefined> {
  if (!isStream(stream)) {
    yield* stream as AsyncIterable<StreamChunk>;
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
          if (line) yield JSON.parse(line) as StreamChunk;
          newline = buffered.indexOf("\n");
        }
      } else {
        yield value as StreamChunk;
      }
    }
    const rest = (buffered + decoder.decode()).trim();
    if (rest) yield JSON.parse(rest) as StreamChunk;
  } finally {
    // Leaving the loop early cancels the stream (and the request behind it).
    if (!complete) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Encode chunks as newline-delimited JSON bytes (the inverse of decoding). */
export function encodeChunks(stream: ReadableStream<StreamChunk>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return stream.pipeThrough(
    new TransformStream<StreamChunk, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(encoder.encode(`${JSON.stringify(chunk)}\n`));
      },
    }),
  );
}
