/**
 * Hooks and probes for rig-wasm's own test suites and benchmarks. Not in the
 * package's exports: tests import `dist/testing.js` by path. The panic hooks
 * exist only in a `.wasm` built with `TEST_HOOKS=1 scripts/build.sh`.
 */
import { callAsync, callSync } from "./invoke.js";
import { bindings, generation, memoryBytes } from "./wasm.js";

interface Hooks {
  __rigTestPanic?: () => void;
  __rigTestPanicAsync?: () => Promise<unknown>;
}

function hook<K extends keyof Hooks>(name: K): NonNullable<Hooks[K]> {
  const fn = (bindings() as unknown as Hooks)[name];
  if (typeof fn !== "function") {
    throw new Error("this rig_wasm.wasm was built without test hooks (build it with TEST_HOOKS=1 scripts/build.sh)");
  }
  return fn as NonNullable<Hooks[K]>;
}

export const testing = {
  /** Panic inside the module now: the call fails with an InternalError and a fresh instance takes over. */
  panic(): void {
    callSync(() => hook("__rigTestPanic")());
  },
  /** The same inside an async task of the module. */
  panicAsync(): Promise<unknown> {
    return callAsync(() => hook("__rigTestPanicAsync")());
  },
  /** Which instance is current. */
  generation,
  /** The wasm linear memory size in bytes. */
  memoryBytes,
};
