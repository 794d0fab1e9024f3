/**
 * The one wasm instance every subpath shares, and how it gets loaded.
 *
 * Node.js loads it lazily and synchronously on first use (the `#loader`
 * import, conditional on the `node` export condition, registers a loader
 * that reads the `.wasm` file next to the package). Browsers, Web Workers
 * and edge runtimes call `await init()` once; edge runtimes that forbid
 * fetching pass the `WebAssembly.Module` they imported themselves.
 */
import initAsync, { initSync } from "../wasm/rig_wasm.js";
import * as glue from "../wasm/rig_wasm.js";
import { NotInitializedError } from "./errors.js";

export type Bindings = typeof glue;

/** What `init()` accepts: a compiled module, the bytes, or where to fetch them. */
export type InitInput =
  | WebAssembly.Module
  | BufferSource
  | URL
  | string
  | Response
  | Request
  | Promise<Response>;

let ready = false;
let pending: Promise<void> | undefined;
let lazyLoader: (() => BufferSource | WebAssembly.Module) | undefined;

/** Used by the Node.js loader: how to get the bytes synchronously. */
export function registerLazyLoader(loader: () => BufferSource | WebAssembly.Module): void {
  lazyLoader = loader;
}

function isModuleOrBytes(input: unknown): input is WebAssembly.Module | BufferSource {
  return (
    input instanceof WebAssembly.Module ||
    input instanceof ArrayBuffer ||
    ArrayBuffer.isView(input as ArrayBufferView)
  );
}

/**
 * Load the wasm module. Call once before using rig-wasm in a browser, a Web
 * Worker or an edge runtime; in Node.js it is optional. With no argument the
 * module is fetched from next to the package's JavaScript (bundlers see the
 * `new URL(…, import.meta.url)` and ship the file). Safe to call repeatedly.
 */
export async function init(input?: InitInput): Promise<void> {
  if (ready) return;
  if (pending) return pending;
  pending = (async () => {
    const resolved = await input;
    if (resolved === undefined && lazyLoader) {
      initSync({ module: lazyLoader() });
    } else if (isModuleOrBytes(resolved)) {
      initSync({ module: resolved });
    } else {
      await initAsync(resolved === undefined ? undefined : { module_or_path: resolved as never });
    }
    ready = true;
  })();
  try {
    await pending;
  } finally {
    pending = undefined;
  }
}

/** Load synchronously from a compiled module or its bytes. */
export function initSyncFrom(input: WebAssembly.Module | BufferSource): void {
  if (ready) return;
  initSync({ module: input });
  ready = true;
}

/** Whether the module is loaded. */
export function isInitialized(): boolean {
  return ready;
}

/** The loaded bindings, loading them now in Node.js; a clear error elsewhere. */
export function bindings(): Bindings {
  if (!ready) {
    if (lazyLoader) {
      initSync({ module: lazyLoader() });
      ready = true;
    } else {
      throw new NotInitializedError(
        "rig-wasm is not initialised: call `await init()` (import { init } from \"rig-wasm\") " +
          "once before creating agents or models. Node.js does this automatically; browsers, " +
          "Web Workers and edge runtimes need the call (edge runtimes can pass the " +
          "WebAssembly.Module they imported: `await init(module)`).",
      );
    }
  }
  return glue;
}
