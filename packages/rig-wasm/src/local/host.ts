/**
 * Where a local model runs: in this thread (`InProcessHost`) or in a Web
 * Worker / Node.js worker thread (`WorkerHost`). Both expose the same
 * asynchronous calls, so `LocalModel` does not care which.
 */
import { InternalError, InvalidArgumentError, RigError } from "../errors.js";
import { errorFromData } from "../invoke.js";
import { typeName } from "../json.js";
import type { RuntimeOptions } from "./options.js";
import { callRuntime, nodeImport, Runtime, type ErrorData, type GenerateOutcome, type LocalWasmInput, type RuntimeArgs, type RuntimeMethod, type RuntimeResult, type StepData, type WorkerRequest } from "./runtime.js";

export interface Host {
  /** Call runtime method `method` (its arguments and result typed by its name). */
  call<M extends RuntimeMethod>(method: M, args: RuntimeArgs<M>, transfer?: Transferable[]): Promise<RuntimeResult<M>>;
  generate(args: [number, string, string], onStep: (step: StepData) => void, signal?: AbortSignal): Promise<GenerateOutcome>;
  terminate(): void;
}

/** `ErrorData` from the runtime as rig-wasm's error classes (the same mapping as every error). */
export function toLocalError(data: ErrorData): RigError {
  return errorFromData(data);
}

function rethrow(error: unknown): never {
  if (error instanceof RigError) throw error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    throw toLocalError(error as ErrorData);
  }
  throw new InternalError(`the local model failed: ${error instanceof Error ? error.message : String(error)}`, {
    provider: "local",
    cause: error,
  });
}

/** Runs the models in this thread: simplest, but each token blocks it (tens of ms). */
export class InProcessHost implements Host {
  readonly #runtime = new Runtime();

  static async create(wasm?: LocalWasmInput): Promise<InProcessHost> {
    const host = new InProcessHost();
    try {
      await host.#runtime.init(wasm);
    } catch (error) {
      rethrow(error);
    }
    return host;
  }

  async call<M extends RuntimeMethod>(method: M, args: RuntimeArgs<M>): Promise<RuntimeResult<M>> {
    try {
      return (await callRuntime(this.#runtime, method, args)) as RuntimeResult<M>;
    } catch (error) {
      rethrow(error);
    }
  }

  async generate(args: [number, string, string], onStep: (step: StepData) => void, signal?: AbortSignal): Promise<GenerateOutcome> {
    try {
      return await this.#runtime.generate(...args, onStep, () => signal?.aborted === true);
    } catch (error) {
      rethrow(error);
    }
  }

  terminate(): void {}
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onStep?: (step: StepData) => void;
}

interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): unknown;
}

/** Runs the models in a worker: the page (or server) stays responsive. */
export class WorkerHost implements Host {
  readonly #worker: WorkerLike;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #dead: RigError | undefined;

  private constructor(worker: WorkerLike) {
    this.#worker = worker;
  }

  static async create(wasm?: LocalWasmInput, worker?: WorkerLike & EventTarget): Promise<WorkerHost> {
    const url = new URL("./worker.js", import.meta.url);
    let host: WorkerHost;
    if (worker !== undefined) {
      host = new WorkerHost(worker);
      worker.addEventListener("message", (event) => host.#onMessage((event as MessageEvent).data));
      worker.addEventListener("error", (event) => host.#fail(new InternalError(`the local model's worker failed: ${(event as ErrorEvent).message}`)));
    } else if (typeof Worker !== "undefined" && typeof window !== "undefined") {
      const w = new Worker(url, { type: "module" });
      host = new WorkerHost(w);
      w.addEventListener("message", (event) => host.#onMessage(event.data));
      w.addEventListener("error", (event) => host.#fail(new InternalError(`the local model's worker failed: ${event.message}`)));
    } else {
      const threads = await nodeImport<{
        Worker: new (url: URL) => WorkerLike & { on(event: string, listener: (value: unknown) => void): void; unref(): void; ref(): void };
      }>("node:worker_threads");
      const w = new threads.Worker(url);
      host = new WorkerHost(w);
      w.on("message", (data) => host.#onMessage(data));
      w.on("error", (error) => host.#fail(new InternalError(`the local model's worker failed: ${(error as Error).message}`, { cause: error })));
      w.on("exit", () => host.#fail(new InternalError("the local model's worker exited")));
      // Idle workers do not keep Node.js running; calls in flight do.
      w.unref();
      host.#ref = () => w.ref();
      host.#unref = () => w.unref();
    }
    await host.call("init", [wasm instanceof Promise ? await wasm : wasm]);
    return host;
  }

  #ref: () => void = () => undefined;
  #unref: () => void = () => undefined;

  #onMessage(data: unknown): void {
    const message = data as { id: number; ok?: unknown; error?: ErrorData; step?: StepData };
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    if (message.step !== undefined) {
      pending.onStep?.(message.step);
      return;
    }
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#unref();
    if (message.error !== undefined) pending.reject(toLocalError(message.error));
    else pending.resolve(message.ok);
  }

  #fail(error: RigError): void {
    this.#dead ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  #send(request: Omit<WorkerRequest, "id">, transfer: Transferable[], onStep?: (step: StepData) => void): { id: number; done: Promise<unknown> } {
    const id = this.#next++;
    const done = new Promise<unknown>((resolve, reject) => {
      if (this.#dead !== undefined) {
        reject(this.#dead);
        return;
      }
      this.#pending.set(id, { resolve, reject, ...(onStep !== undefined && { onStep }) });
      this.#ref();
      try {
        this.#worker.postMessage({ ...request, id }, transfer);
      } catch (error) {
        this.#pending.delete(id);
        reject(new InternalError(`could not send to the local model's worker: ${(error as Error).message}`, { cause: error }));
      }
    });
    return { id, done };
  }

  async call<M extends RuntimeMethod>(method: M, args: RuntimeArgs<M>, transfer: Transferable[] = []): Promise<RuntimeResult<M>> {
    return (await this.#send({ method, args } as Omit<WorkerRequest, "id">, transfer).done) as RuntimeResult<M>;
  }

  async generate(args: [number, string, string], onStep: (step: StepData) => void, signal?: AbortSignal): Promise<GenerateOutcome> {
    const { id, done } = this.#send({ method: "generate", args }, [], onStep);
    const cancel = () => this.#worker.postMessage({ cancel: id });
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      return (await done) as GenerateOutcome;
    } finally {
      signal?.removeEventListener("abort", cancel);
    }
  }

  terminate(): void {
    this.#fail(new InvalidArgumentError("model", "this local model was released with free() and cannot be used any more"));
    void this.#worker.terminate();
  }
}

/** The host `options.worker` asks for: in process, a new worker, or the caller's. */
export async function chooseHost(options: RuntimeOptions): Promise<Host> {
  const inPage = typeof window !== "undefined" && typeof document !== "undefined";
  const worker = options.worker ?? inPage;
  if (worker === false) return InProcessHost.create(options.wasm);
  if (worker === true) return WorkerHost.create(options.wasm);
  if (typeof worker === "object" && worker !== null && typeof (worker as Worker).postMessage === "function") {
    return WorkerHost.create(options.wasm, worker as Worker);
  }
  throw new InvalidArgumentError("worker", `must be a boolean or a Worker, got ${typeName(worker)}`);
}

/** Free a model in its host, then stop the host (a worker: terminated). */
export function release(host: Host, handle: number): void {
  void host
    .call("free", [handle])
    .catch(() => undefined)
    .finally(() => host.terminate());
}
