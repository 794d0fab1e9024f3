/** Utilities from the design: `initPanicHook`. */
import "#loader";
import { bindings } from "./wasm.js";

/**
 * Log Rust panics to `console.error` with their message. rig-wasm installs
 * this hook itself when the module loads; the call is kept for code written
 * against the design, and is harmless to repeat.
 */
export function initPanicHook(): void {
  bindings().initPanicHook();
}
