/**
 * The boundary: every call into wasm goes through here, so every failure
 * leaves as a typed RigError, the caller's call context can explain it, and
 * a trap (a bug) becomes an InternalError after which a fresh instance
 * serves the next call.
 */
import type { CallContext } from "./call.js";
import type { BindError } from "./contract.js";
import { bindErrorOf } from "./error-data.js";
import {
  AbortError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  InternalError,
  InvalidArgumentError,
  InvalidResponseError,
  MaxTurnsError,
  NotFoundError,
  NotInitializedError,
  RateLimitError,
  RigError,
  ServerError,
  TimeoutError,
  ToolError,
  UnsupportedError,
  VectorStoreError,
  type RigErrorOptions,
} from "./errors.js";
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

/** Build the typed error for a code. */
function errorFor(data: BindError, cause?: unknown): RigError {
  const options: RigErrorOptions = {
    code: data.code,
    isRetryable: data.isRetryable ?? false,
    ...(data.statusCode !== undefined && { statusCode: data.statusCode }),
    ...(data.provider !== undefined && { provider: data.provider }),
    ...(data.responseBody !== undefined && { responseBody: data.responseBody }),
    ...(data.requestId !== undefined && { requestId: data.requestId }),
    ...(cause !== undefined && { cause }),
  };
  switch (data.code) {
    case "invalid_argument":
      return new InvalidArgumentError(data.field ?? "argument", data.message, options);
    case "authentication":
      return new AuthenticationError(data.message, options);
    case "not_found":
      return new NotFoundError(data.message, options);
    case "bad_request":
      return new BadRequestError(data.message, options);
    case "rate_limited":
      return new RateLimitError(data.message, {
        ...options,
        ...(data.retryAfterMs !== undefined && { retryAfterMs: data.retryAfterMs }),
      });
    case "server_error":
      return new ServerError(data.message, options);
    case "http_error":
      return new APIError(data.message, options);
    case "connection_error":
      return new ConnectionError(data.message, options);
    case "timeout":
      return new TimeoutError(data.message, options);
    case "aborted":
      return new AbortError(data.message, options);
    case "invalid_response":
      return new InvalidResponseError(data.message, options);
    case "tool_error":
      return new ToolError(data.message, options);
    case "max_turns":
      return new MaxTurnsError(data.message, options);
    case "vector_store":
      return new VectorStoreError(data.message, options);
    case "unsupported":
      return new UnsupportedError(data.message, options);
    case "not_initialized":
      return new NotInitializedError(data.message);
    case "internal":
      return new InternalError(data.message, options);
    default: {
      // Every code has its class: a new code fails to compile here.
      const unknown: never = data.code;
      return new InternalError(`${data.message} (code ${String(unknown)})`, options);
    }
  }
}
