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
import type { StreamPart } from "./contract.js";

export type { FinishReason, StreamPart } from "./contract.js";

/** Another name for a stream part. */
export type RawStreamingChoice = StreamPart;

/** A web ReadableStream that is also async-iterable in every runtime. */
export type RigStream<T> = ReadableStream<T> & AsyncIterable<T>;

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
