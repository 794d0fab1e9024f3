/**
 * One call's life: its AbortSignal and timeout, its retry budget, and the
 * typed transport failure that explains a failed call. The wasm side gets
 * the `aborted` promise (so it can drop the work at once) and passes the
 * whole context back to the transport with each request.
 */
import type { ModelCallInput } from "./contract.js";
import { AbortError, TimeoutError, type RigError } from "./errors.js";
import { InvalidArgumentError } from "./errors.js";

/** Options every network method takes. */
export interface CallOptions extends ModelCallInput {
  /** Aborts the call: the request, any tool loop, and the stream. */
  signal?: AbortSignal;
}

export class CallContext {
  /** The signal fetch listens to: the caller's and the timeout's. */
  readonly signal: AbortSignal | undefined;
  /** Resolves when the call is aborted or times out; read by the wasm side. */
  readonly aborted: Promise<void> | undefined;
  readonly maxRetries: number;
  /** Whether the transport must see this context (a signal, a timeout or a retry override). */
  readonly needed: boolean;
  /** The typed failure of the last request, which explains a connection error. */
  transportError: RigError | undefined;
  #controller: AbortController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #release: (() => void) | undefined;
  #unlisten: (() => void) | undefined;
  #reason: "abort" | "timeout" | undefined;
  #callerReason: unknown;
  #deadline: number | undefined;

  constructor(options: CallOptions | undefined, defaultRetries: number) {
    const signal = options?.signal;
    if (signal !== undefined && !isAbortSignal(signal)) {
      throw new InvalidArgumentError("signal", "must be an AbortSignal");
    }
    this.maxRetries = options?.maxRetries ?? defaultRetries;
    this.needed = signal !== undefined || options?.timeoutMs !== undefined || options?.maxRetries !== undefined;
    const timeoutMs = options?.timeoutMs;
    if (signal === undefined && timeoutMs === undefined) {
      this.signal = undefined;
      this.aborted = undefined;
      return;
    }
    const controller = new AbortController();
    this.#controller = controller;
    this.signal = controller.signal;
    this.aborted = new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#abort("abort", signal.reason);
      } else {
        const onAbort = () => this.#abort("abort", signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        this.#unlisten = () => signal.removeEventListener("abort", onAbort);
      }
    }
    if (timeoutMs !== undefined && this.#reason === undefined && Number.isFinite(timeoutMs) && timeoutMs > 0) {
      this.#deadline = Date.now() + timeoutMs;
      this.#timer = setTimeout(() => this.#abort("timeout", undefined), timeoutMs);
    }
  }

  #abort(reason: "abort" | "timeout", callerReason: unknown): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#callerReason = callerReason;
    this.#controller?.abort(this.error());
    this.#release?.();
  }

  /** Abort from inside (a cancelled stream). */
  cancel(): void {
    this.#abort("abort", undefined);
  }

  /** Whether the call was aborted or timed out. */
  get isAborted(): boolean {
    return this.#reason !== undefined;
  }

  /**
   * Whether the call is past its timeout, even if the timer has not had a
   * turn yet (work that blocked the thread, such as an in-process model).
   */
  overdue(): boolean {
    if (this.#deadline !== undefined && this.#reason === undefined && Date.now() >= this.#deadline) this.#abort("timeout", undefined);
    return this.isAborted;
  }

  /** The error for an aborted or timed-out call. */
  error(): RigError {
    if (this.#reason === "timeout") {
      return new TimeoutError("the call took longer than its timeoutMs");
    }
    const cause = this.#callerReason;
    const message =
      cause instanceof Error && cause.message ? `The operation was aborted: ${cause.message}` : "The operation was aborted.";
    return new AbortError(message, cause === undefined ? {} : { cause });
  }

  /** The call ended: stop the timer, drop listeners, release the wasm side. */
  settle(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#unlisten?.();
    this.#unlisten = undefined;
    // Resolving lets the wasm side free the callback it attached.
    this.#release?.();
    this.#release = undefined;
  }
}

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function"
  );
}
