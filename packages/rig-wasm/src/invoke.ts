/**
 * The boundary: every call into wasm goes through here, so every failure
 * leaves as a typed RigError and the caller's call context can explain it.
 */
import type { CallContext } from "./call.js";
import { bindErrorOf, errorFor, InternalError, RigError } from "./errors.js";
import { bindings } from "./wasm.js";

/** Turn anything a wasm call threw into the RigError the user should see. */
export function toRigError(error: unknown, ctx?: CallContext): RigError {
  // An aborted or timed-out call reports that, whatever the wasm side saw.
  if (ctx?.isAborted) return ctx.error();
  if (error instanceof RigError) return error;
  const data = bindErrorOf(error);
  if (data) {
    // A transport failure is best explained by the typed error the
    // transport raised (connection reset, CORS, …).
    if ((data.code === "connection_error" || data.code === "aborted" || data.code === "timeout") && ctx?.transportError) {
      return ctx.transportError;
    }
    return errorFor(data, error);
  }
  if (error instanceof WebAssembly.RuntimeError) {
    let detail = error.message;
    try {
      const panic = bindings().takePanicMessage();
      if (panic) detail = panic;
    } catch {
      // the instance is gone; keep the trap message
    }
    return new InternalError(`rig-wasm hit an internal error (please report it): ${detail}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`rig-wasm hit an internal error (please report it): ${message}`, { cause: error });
}

/** Run a synchronous wasm call, rethrowing failures as RigErrors. */
export function callSync<T>(fn: () => T, ctx?: CallContext): T {
  try {
    return fn();
  } catch (error) {
    throw toRigError(error, ctx);
  }
}

/** Await a wasm promise, rethrowing failures as RigErrors; settles `ctx`. */
export async function callAsync<T>(fn: () => Promise<T>, ctx?: CallContext): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toRigError(error, ctx);
  } finally {
    ctx?.settle();
  }
}
