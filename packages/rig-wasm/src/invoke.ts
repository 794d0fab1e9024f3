/**
 * The boundary: every call into wasm goes through here, so every failure
 * leaves as a typed RigError, the caller's call context can explain it, and
 * a trap (a bug) becomes an InternalError after which a fresh instance
 * serves the next call.
 */
import type { CallContext } from "./call.js";
import type { BindError } from "./contract.js";
import { bindErrorOf, errorFor, InternalError, RigError } from "./errors.js";
import { recover, trapped } from "./wasm.js";

/** Turn anything a wasm call threw into the RigError the user should see. */
export function toRigError(error: unknown, ctx?: CallContext): RigError {
  if (error instanceof WebAssembly.RuntimeError) return recover(error);
  // An aborted or timed-out call reports that, whatever the wasm side saw.
  if (ctx?.isAborted) return ctx.error();
  if (error instanceof RigError) return error;
  const data = bindErrorOf(error);
  if (data) return errorFromData(data, ctx, error);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new InternalError(`rig-wasm hit an internal error (please report it): ${message}`, { cause: error });
}

/** The RigError for error data from the wasm side (a thrown error's, or a stream's error part). */
export function errorFromData(data: BindError, ctx?: CallContext, cause?: unknown): RigError {
  if (ctx?.isAborted) return ctx.error();
  // A transport failure is best explained by the typed error the
  // transport raised (connection reset, CORS, …).
  if ((data.code === "connection_error" || data.code === "aborted" || data.code === "timeout") && ctx?.transportError) {
    return ctx.transportError;
  }
  return errorFor(data, cause);
}

/** Run a synchronous wasm call, rethrowing failures as RigErrors. */
export function callSync<T>(fn: () => T, ctx?: CallContext): T {
  try {
    return fn();
  } catch (error) {
    throw toRigError(error, ctx);
  }
}

/**
 * Await a wasm promise, rethrowing failures as RigErrors; settles `ctx`.
 * If the instance traps meanwhile, the call fails with the trap's error
 * instead of waiting for a promise that will never settle.
 */
export async function callAsync<T>(fn: () => Promise<T>, ctx?: CallContext): Promise<T> {
  const trap = trapped();
  try {
    return await Promise.race([fn(), trap]);
  } catch (error) {
    throw toRigError(error, ctx);
  } finally {
    ctx?.settle();
  }
}
