/**
 * The one wasm instance every subpath shares: loading it, and starting a
 * fresh one after a trap.
 *
 * Loading: Node.js loads the module lazily and synchronously on first use
 * (the `#loader` import, conditional on the `node` export condition,
 * registers a loader that reads the `.wasm` next to the package). Browsers,
 * Web Workers and edge runtimes call `await init()` once; edge runtimes that
 * forbid fetching pass the `WebAssembly.Module` they imported.
 *
 * Recovery: the module is built with `panic = "abort"`, so a panic (a bug;
 * no input should cause one) traps the instance. The boundary turns the trap
 * into a `RigError` with code `internal`, rejects every call in flight, and
 * replaces the instance with a fresh one (`__wbg_reset_state`); each
 * wrapper object re-creates its wasm side from its own options on its next
 * call (see `Handle`), so the same `Agent` keeps working.
 */
import initAsync, { initSync } from "../wasm/rig_wasm.js";
import * as glue from "../wasm/rig_wasm.js";
import { InternalError, InvalidArgumentError, NotInitializedError, type RigError } from "./errors.js";

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
/** The instance's memory (for the benchmarks' memory probe). */
let memory: WebAssembly.Memory | undefined;
let pending: Promise<void> | undefined;
let lazyLoader: (() => BufferSource | WebAssembly.Module) | undefined;
let instanceGeneration = 0;

/** Rejects (and is replaced) when the current instance traps. */
interface TrapWatch {
  promise: Promise<never>;
  fire(error: RigError): void;
}
let trapWatch = newTrapWatch();

function newTrapWatch(): TrapWatch {
  let fire!: (error: RigError) => void;
  const promise = new Promise<never>((_, reject) => {
    fire = reject;
  });
  promise.catch(() => undefined); // observed by whoever races it
  return { promise, fire };
}

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

function loaded(): void {
  ready = true;
  glue.__rigOnTrap((error: WebAssembly.RuntimeError) => {
    recover(error);
  });
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
      memory = initSync({ module: lazyLoader() }).memory;
    } else if (isModuleOrBytes(resolved)) {
      memory = initSync({ module: resolved }).memory;
    } else {
      memory = (await initAsync(resolved === undefined ? undefined : { module_or_path: resolved as never })).memory;
    }
    loaded();
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
  memory = initSync({ module: input }).memory;
  loaded();
}

/** Whether the module is loaded. */
export function isInitialized(): boolean {
  return ready;
}

/** The loaded bindings, loading them now in Node.js; a clear error elsewhere. */
export function bindings(): Bindings {
  if (!ready) {
    if (lazyLoader) {
      memory = initSync({ module: lazyLoader() }).memory;
      loaded();
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

/** The size of the instance's linear memory in bytes (0 before loading). */
export function memoryBytes(): number {
  return memory?.buffer.byteLength ?? 0;
}

/** Which instance is current; it changes when one is replaced after a trap. */
export function generation(): number {
  return instanceGeneration;
}

/** A promise that rejects if the current instance traps (for racing calls). */
export function trapped(): Promise<never> {
  return trapWatch.promise;
}

/** Something that saves what it holds in the instance before the instance is replaced. */
export interface Survivor {
  saveBeforeReset(): void;
}

const survivors = new Set<WeakRef<Survivor>>();
let survivorsAdded = 0;

/** Ask `survivor` to save itself before every instance reset (held weakly). */
export function survive(survivor: Survivor): void {
  survivors.add(new WeakRef(survivor));
  // Drop the references of collected survivors now and then.
  if (++survivorsAdded % 256 === 0) for (const ref of survivors) if (ref.deref() === undefined) survivors.delete(ref);
}

/**
 * The instance trapped: describe the trap, fail every call in flight, and
 * start a fresh instance. Returns the error to report.
 */
export function recover(trap: unknown): RigError {
  let detail = trap instanceof Error ? trap.message : String(trap);
  try {
    const panic = glue.takePanicMessage();
    if (panic) detail = panic;
  } catch {
    // the message is out of reach; keep the trap's
  }
  const error = new InternalError(
    `rig-wasm hit an internal error and restarted its WebAssembly instance (please report this bug): ${detail}`,
    { cause: trap },
  );
  const watch = trapWatch;
  trapWatch = newTrapWatch();
  // The trapped instance's memory is intact: what can be read out of it
  // (vector stores' indexes) is saved now and rebuilt in the fresh instance.
  for (const ref of survivors) {
    const survivor = ref.deref();
    if (survivor === undefined) {
      survivors.delete(ref);
      continue;
    }
    try {
      survivor.saveBeforeReset();
    } catch {
      // this one is lost; it says so when next used
    }
  }
  instanceGeneration += 1;
  try {
    glue.__wbg_reset_state();
  } catch (resetError) {
    ready = false;
    console.error("rig-wasm could not restart its WebAssembly instance", resetError);
  }
  watch.fire(error);
  return error;
}

/**
 * A wasm object owned by a wrapper, re-created from the wrapper's own
 * options when the instance it lived in was replaced.
 */
export class Handle<T extends { free(): void }> {
  #value: T;
  #generation: number;
  /** Calls in flight that hold the object. */
  #pins = 0;
  #freeRequested = false;
  readonly #create: (glue: Bindings) => T;
  readonly #onRecreate: (() => void) | undefined;

  constructor(create: (glue: Bindings) => T, onRecreate?: () => void) {
    this.#create = create;
    this.#onRecreate = onRecreate;
    this.#value = create(bindings());
    this.#generation = instanceGeneration;
  }

  /** The object, valid in the current instance. */
  get(): T {
    if (this.#freeRequested) {
      throw new InvalidArgumentError("this", "was released with free() and cannot be used any more");
    }
    if (this.#generation !== instanceGeneration) {
      this.#value = this.#create(bindings());
      this.#generation = instanceGeneration;
      this.#onRecreate?.();
    }
    return this.#value;
  }

  /** The object, held until `release()`: a `free()` meanwhile waits for it. */
  acquire(): T {
    const value = this.get();
    this.#pins += 1;
    return value;
  }

  release(): void {
    this.#pins -= 1;
    if (this.#pins === 0 && this.#freeRequested) this.#dispose();
  }

  /** The object as it is (to save what it holds before a reset); `undefined` once freed or made in a replaced instance. */
  live(): T | undefined {
    return this.#freeRequested || this.stale ? undefined : this.#value;
  }

  /** Whether the object was made in an instance that has since been replaced. */
  get stale(): boolean {
    return this.#generation !== instanceGeneration;
  }

  /** Release the wasm memory (after the calls in flight finish). */
  free(): void {
    if (this.#freeRequested) return;
    this.#freeRequested = true;
    if (this.#pins === 0) this.#dispose();
  }

  #dispose(): void {
    if (this.stale) return;
    try {
      this.#value.free();
    } catch {
      // already freed: nothing to do
    }
  }
}
