/**
 * The error data a wasm module attaches to what it throws (`rigError`, a
 * `BindError` as JSON), read back. Both modules' errors carry it; this file
 * has no other dependency, so a worker can use it.
 */
import type { BindError } from "./contract.js";

/** The bind error a wasm exception carries, if it is one. */
export function bindErrorOf(error: unknown): BindError | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const json = (error as { rigError?: unknown }).rigError;
  if (typeof json !== "string") return undefined;
  try {
    return JSON.parse(json) as BindError;
  } catch {
    return undefined;
  }
}
