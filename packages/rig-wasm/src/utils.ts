/** `initPanicHook`, for code that calls it before using the bindings. */
import "#loader";
import { bindings } from "./wasm.js";

/**
 * Log Rust panics to `console.error` with their message. rig-wasm installs
 * this hook itself when the module loads; the call is kept for code written
 * that installs it explicitly, and is harmless to repeat.
 */
export function initPanicHook(): void {
  bindings().initPanicHook();
}
