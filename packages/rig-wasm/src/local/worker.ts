/**
 * The local models' worker: a Web Worker in browsers, a worker thread in
 * Node.js. Runs a `Runtime` and answers `host.ts`'s messages:
 *
 *   in:  { id, method, args }   { cancel: id }
 *   out: { id, ok }   { id, error }   { id, step }   (steps stream for "generate")
 */
import { callRuntime, nodeImport, Runtime, toErrorData, type WorkerRequest } from "./runtime.js";

interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const runtime = new Runtime();
const cancelled = new Set<number>();
const active = new Set<number>();

async function handle(port: Port, request: WorkerRequest): Promise<void> {
  const { id } = request;
  active.add(id);
  try {
    let result: unknown;
    if (request.method === "generate") {
      const [handle, prompt, options] = request.args;
      result = await runtime.generate(
        handle,
        prompt,
        options,
        (step) => port.postMessage({ id, step }),
        () => cancelled.has(id),
      );
    } else {
      result = await callRuntime(runtime, request.method, request.args);
    }
    const transfer = ArrayBuffer.isView(result) ? [result.buffer as ArrayBuffer] : [];
    port.postMessage({ id, ok: result }, transfer);
  } catch (error) {
    port.postMessage({ id, error: toErrorData(error) });
  } finally {
    cancelled.delete(id);
    active.delete(id);
  }
}

function onMessage(port: Port, data: unknown): void {
  const message = data as WorkerRequest | { cancel: number };
  if ("cancel" in message) {
    if (active.has(message.cancel)) cancelled.add(message.cancel);
    return;
  }
  void handle(port, message);
}

type NodePort = Port & { on(event: "message", listener: (data: unknown) => void): void };
const scope = globalThis as unknown as { WorkerGlobalScope?: unknown; addEventListener?: (type: string, listener: (event: MessageEvent) => void) => void } & Port;

if (scope.WorkerGlobalScope !== undefined && typeof scope.addEventListener === "function") {
  scope.addEventListener("message", (event) => onMessage(scope, event.data));
} else {
  const { parentPort } = await nodeImport<{ parentPort: NodePort | null }>("node:worker_threads");
  if (parentPort !== null) parentPort.on("message", (data) => onMessage(parentPort, data));
}
