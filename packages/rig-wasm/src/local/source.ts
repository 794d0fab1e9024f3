/**
 * Reading model files: from bytes, a `Blob`, a `Response`, a URL (with
 * progress) or a Node.js path, in chunks handed on as they arrive, so a
 * large file is never held whole in JavaScript while the model is built.
 */
import { AbortError, InvalidArgumentError } from "../errors.js";
import { describeThrown, typeName } from "../json.js";
import type { RuntimeOptions } from "./options.js";
import { nodeImport } from "./runtime.js";

/** Where model files come from: bytes, a `Blob`, a `Response`, a URL, or (Node.js) a file path. */
export type ModelSource = Uint8Array | ArrayBuffer | Blob | Response | URL | string;

const isNode = typeof (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node === "string";

type Report = (delta: number, total: number | undefined) => void;
/** Chunks of a source go to the sink `open(total)` returns (`total`: its length when known). */
type Open = (total: number | undefined) => Promise<(chunk: Uint8Array) => Promise<unknown> | void>;

/** Chunks handed on at once: large enough that a worker gets few messages. */
const CHUNK = 8 * 1024 * 1024;

/** The parts in one new buffer (always a copy: the parts may be a caller's, and the result may be transferred). */
function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/** Pass a response body on in chunks of about `CHUNK` bytes, reporting progress as it arrives. */
async function pipeBody(response: Response, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  if (!response.ok) {
    throw new InvalidArgumentError(what, `could not be downloaded: HTTP ${response.status} ${response.statusText}`.trim());
  }
  const header = response.headers.get("content-length");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
  const sink = await open(total);
  if (response.body === null) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.byteLength, bytes.byteLength);
    await sink(bytes);
    return;
  }
  const reader = response.body.getReader();
  let staged: Uint8Array[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    const chunk = concat(staged, size);
    staged = [];
    size = 0;
    await sink(chunk);
  };
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        if (signal?.aborted) throw signal.reason;
        next = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: error });
        throw new InvalidArgumentError(what, `could not be downloaded: ${describeThrown(error)}`, { cause: error });
      }
      const { done, value } = next;
      if (done) break;
      staged.push(value);
      size += value.byteLength;
      report(value.byteLength, total);
      if (size >= CHUNK) await flush();
    }
    await flush();
    finished = true;
  } finally {
    // Any failure (the read, the abort, or the sink): stop the download.
    if (!finished) void reader.cancel().catch(() => undefined);
  }
}

interface NodeFs {
  open(path: string | URL, flags: string): Promise<{
    stat(): Promise<{ size: number }>;
    read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
    close(): Promise<void>;
  }>;
}

/** Pass a file (Node.js) on in chunks of `CHUNK` bytes, reporting progress. */
async function pipeFile(path: string | URL, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  const fs = await nodeImport<NodeFs>("node:fs/promises");
  let file: Awaited<ReturnType<NodeFs["open"]>>;
  try {
    file = await fs.open(path, "r");
  } catch (error) {
    throw new InvalidArgumentError(what, `could not be read: ${describeThrown(error)}`, { cause: error });
  }
  try {
    const { size } = await file.stat();
    const sink = await open(size);
    for (let at = 0; at < size; ) {
      if (signal?.aborted) throw new AbortError("Loading the model was aborted.");
      const chunk = new Uint8Array(Math.min(CHUNK, size - at));
      const { bytesRead } = await file.read(chunk, 0, chunk.byteLength, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      report(bytesRead, size);
      await sink(bytesRead === chunk.byteLength ? chunk : chunk.slice(0, bytesRead));
    }
  } finally {
    await file.close();
  }
}

/** A source that already is bytes (the caller's, never transferred); `undefined` for ones to read or fetch. */
export function heldBytes(source: ModelSource, report: Report): Uint8Array | undefined {
  const bytes = source instanceof Uint8Array ? source : source instanceof ArrayBuffer ? new Uint8Array(source) : undefined;
  if (bytes !== undefined) report(bytes.byteLength, bytes.byteLength);
  return bytes;
}

/** Read or fetch a source that is not bytes (a Response, Blob, URL or path), passing it on in chunks. */
export async function pipeSource(source: ModelSource, report: Report, signal: AbortSignal | undefined, what: string, open: Open): Promise<void> {
  if (typeof Response !== "undefined" && source instanceof Response) return pipeBody(source, report, signal, what, open);
  if (typeof Blob !== "undefined" && source instanceof Blob) {
    return pipeBody(new Response(source, { headers: { "content-length": String(source.size) } }), report, signal, what, open);
  }
  let url: URL | undefined;
  if (source instanceof URL) url = source;
  else if (typeof source === "string") {
    if (/^(https?|blob|data|file):/i.test(source)) url = new URL(source);
    else if (isNode) return pipeFile(source, report, signal, what, open);
    else url = new URL(source, globalThis.location?.href);
  } else {
    throw new InvalidArgumentError(what, `must be bytes, a Blob, a Response, a URL or a file path, got ${typeName(source)}`);
  }
  if (url.protocol === "file:" && isNode) return pipeFile(url, report, signal, what, open);
  let response: Response;
  try {
    response = await fetch(url, signal === undefined ? {} : { signal });
  } catch (error) {
    if (signal?.aborted) throw new AbortError("Loading the model was aborted.", { cause: error });
    throw new InvalidArgumentError(what, `could not be fetched from ${url.href}: ${describeThrown(error)}`, { cause: error });
  }
  return pipeBody(response, report, signal, what, open);
}

/** The bytes of a source, whole; `owned` when they may be transferred to a worker. */
export async function readSource(source: ModelSource, report: Report, signal: AbortSignal | undefined, what: string): Promise<{ bytes: Uint8Array; owned: boolean }> {
  const held = heldBytes(source, report);
  if (held !== undefined) return { bytes: held, owned: false };
  // Into one buffer of the announced size when there is one (no final copy).
  let whole: Uint8Array | undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  await pipeSource(source, report, signal, what, async (total) => {
    if (total !== undefined) whole = new Uint8Array(total);
    return (chunk) => {
      if (whole !== undefined && size + chunk.byteLength <= whole.byteLength) whole.set(chunk, size);
      else {
        if (whole !== undefined) parts.push(whole.subarray(0, size));
        whole = undefined;
        parts.push(chunk);
      }
      size += chunk.byteLength;
    };
  });
  if (whole !== undefined) return { bytes: size === whole.byteLength ? whole : whole.subarray(0, size), owned: true };
  return { bytes: concat(parts, size), owned: true };
}

/** A chunk's buffer when it can be transferred to a worker (the chunk spans all of it). */
export function transferable(chunk: Uint8Array): Transferable[] {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? [chunk.buffer as ArrayBuffer] : [];
}

export function progressReporter(options: RuntimeOptions, files: number): (delta: number, total: number | undefined) => void {
  const onProgress = options.onProgress;
  if (onProgress === undefined) return () => undefined;
  if (typeof onProgress !== "function") throw new InvalidArgumentError("onProgress", `must be a function, got ${typeName(onProgress)}`);
  let loaded = 0;
  const totals: Array<number | undefined> = [];
  let current = -1;
  let lastTotal: number | undefined = -1;
  return (delta, total) => {
    if (total !== lastTotal || current < 0) {
      current += 1;
      totals[current] = total;
      lastTotal = total;
    }
    loaded += delta;
    const known = totals.length === files && totals.every((t) => t !== undefined);
    try {
      onProgress({ loaded, total: known ? totals.reduce<number>((a, t) => a + (t ?? 0), 0) : files === 1 ? total : undefined });
    } catch {
      // a throwing progress callback does not stop the load
    }
  };
}

