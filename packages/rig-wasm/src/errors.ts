/**
 * Typed errors. Every error rig-wasm throws is a {@link RigError} subclass with
 * a stable `code`; HTTP failures also carry `statusCode`, `provider`,
 * `isRetryable` and a truncated `responseBody`. Check with `instanceof`, or
 * with the static `isInstance`, which also works across two copies of the
 * package (it looks for a brand, not a prototype).
 */

import type { ErrorCode } from "./contract.js";

/** Every stable error code. */
export type RigErrorCode = ErrorCode;

const BRAND = Symbol.for("rig-wasm.error");

export interface RigErrorOptions {
  code?: RigErrorCode;
  statusCode?: number;
  provider?: string;
  isRetryable?: boolean;
  responseBody?: string;
  requestId?: string;
  field?: string;
  cause?: unknown;
}

/** The base class of every error rig-wasm throws. */
export class RigError extends Error {
  /** A stable, machine-readable code. */
  readonly code: RigErrorCode;
  /** The HTTP status of the provider's reply, when there was one. */
  readonly statusCode?: number;
  /** The provider that failed (`"openai"`, …). */
  readonly provider?: string;
  /** Whether retrying the same call may succeed. */
  readonly isRetryable: boolean;
  /** The provider's response body, truncated to 2 KB. */
  readonly responseBody?: string;
  /** The provider's request id, when it sent one. */
  readonly requestId?: string;
  /** The option or argument at fault, for `invalid_argument`. */
  readonly field?: string;

  constructor(message: string, options: RigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? (new.target as { defaultCode?: RigErrorCode }).defaultCode ?? "internal";
    this.isRetryable = options.isRetryable ?? false;
    if (options.statusCode !== undefined) this.statusCode = options.statusCode;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.responseBody !== undefined) this.responseBody = options.responseBody;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.field !== undefined) this.field = options.field;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` that also recognises errors from another copy of rig-wasm. */
  static isInstance(value: unknown): value is RigError {
    if (typeof value !== "object" || value === null) return false;
    if (!(value as Record<symbol, unknown>)[BRAND]) return false;
    return this === RigError || value instanceof this || (value as Error).name === this.name;
  }

  /** A plain object for logging (never includes credentials). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      statusCode: this.statusCode,
      provider: this.provider,
      isRetryable: this.isRetryable,
      field: this.field,
      requestId: this.requestId,
    };
  }
}

/** An option or argument is missing, mistyped or out of range. `field` names it. */
export class InvalidArgumentError extends RigError {
  constructor(field: string, message: string, options: RigErrorOptions = {}) {
    super(message.startsWith(`${field}: `) ? message : `${field}: ${message}`, {
      ...options,
      code: "invalid_argument",
      field,
    });
  }
}

/** The wasm module was used before `init()` finished. */
export class NotInitializedError extends RigError {
  constructor(message: string) {
    super(message, { code: "not_initialized" });
  }
}

/** A provider answered with a non-success HTTP status. */
export class APIError extends RigError {
  /** The code of errors of this class made without one. */
  static readonly defaultCode: RigErrorCode = "http_error";
}
/** 401/403: the credentials were rejected. */
export class AuthenticationError extends APIError {
  static override readonly defaultCode: RigErrorCode = "authentication";
}
/** 404: the model or endpoint does not exist. */
export class NotFoundError extends APIError {
  static override readonly defaultCode: RigErrorCode = "not_found";
}
/** 400/422: the provider rejected the request. */
export class BadRequestError extends APIError {
  static override readonly defaultCode: RigErrorCode = "bad_request";
}
/** 429: too many requests (after the built-in retries). */
export class RateLimitError extends APIError {
  /** How long the provider asked to wait, when it said. */
  readonly retryAfterMs?: number;
  constructor(message: string, options: RigErrorOptions & { retryAfterMs?: number } = {}) {
    super(message, { ...options, code: "rate_limited" });
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}
/** 5xx: the provider failed (after the built-in retries). */
export class ServerError extends APIError {
  static override readonly defaultCode: RigErrorCode = "server_error";
}
/** No HTTP response at all: DNS, refused or reset connection, CORS in a browser. */
export class ConnectionError extends RigError {
  constructor(message: string, options: RigErrorOptions = {}) {
    super(message, { isRetryable: true, ...options, code: "connection_error" });
  }
}
/** The call ran past its `timeoutMs`. */
export class TimeoutError extends RigError {
  constructor(message: string, options: RigErrorOptions = {}) {
    super(message, { isRetryable: true, ...options, code: "timeout" });
  }
}
/**
 * The call was aborted through its `AbortSignal`. `name` is `"AbortError"`,
 * as for `fetch`, so existing abort handling recognises it.
 */
export class AbortError extends RigError {
  constructor(message = "The operation was aborted.", options: RigErrorOptions = {}) {
    super(message, { ...options, code: "aborted" });
    this.name = "AbortError";
  }
}
/** The provider's reply was not what its API promises (bad JSON, cut-off stream). */
export class InvalidResponseError extends RigError {
  static readonly defaultCode: RigErrorCode = "invalid_response";
}
/** A tool was defined wrongly. */
export class ToolError extends RigError {
  static readonly defaultCode: RigErrorCode = "tool_error";
}
/** The agent used all its turns without a final answer. */
export class MaxTurnsError extends RigError {
  static readonly defaultCode: RigErrorCode = "max_turns";
}
/** A vector store failed or returned malformed results. */
export class VectorStoreError extends RigError {
  static readonly defaultCode: RigErrorCode = "vector_store";
}
/** The provider or model does not support what was asked. */
export class UnsupportedError extends RigError {
  static readonly defaultCode: RigErrorCode = "unsupported";
}
/** A bug in rig-wasm. The instance recovers; please report it. */
export class InternalError extends RigError {}
