// llama.cpp in WebAssembly (@wllama/wllama 2.3.7) under Node.js, single
// thread, as the reference and the peer of rig-wasm's local model.
//
// wllama is written for browsers: it starts its worker from a blob: URL and
// reads navigator/self/document. 2.3.7 is the last release that runs in
// Node 20 (later ones need memory64/JSPI) and the last with tokenize/logits.
import os from "node:os";
import path from "node:path";
import { openAsBlob } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker as ThreadWorker } from "node:worker_threads";
import { resolveObjectURL } from "node:buffer";

globalThis.navigator ??= { hardwareConcurrency: os.cpus().length, userAgent: "Node.js", language: "en-US" };
globalThis.self ??= globalThis;
globalThis.location ??= { href: pathToFileURL(process.cwd() + "/").href };
globalThis.document ??= { baseURI: globalThis.location.href };

// The worker code wllama puts in a Blob, evaluated in a worker thread with
// the few browser globals it reads.
const BOOT = `
const { parentPort, workerData } = require("worker_threads");
globalThis.self = globalThis;
globalThis.navigator = { hardwareConcurrency: 1, userAgent: "Node.js", language: "en-US" };
globalThis.postMessage = (data, transfer) => parentPort.postMessage(data, transfer);
workerData.blob.text().then((code) => {
  new Function("require", "__dirname", "__filename", "module", code)(require, __dirname, __filename, module);
  parentPort.on("message", (data) => globalThis.onmessage && globalThis.onmessage({ data }));
});`;

class BlobWorker {
  constructor(url) {
    const blob = resolveObjectURL(String(url));
    if (!blob) throw new Error(`only blob: workers are supported, got ${url}`);
    this.onmessage = null;
    this.onerror = null;
    this.thread = new ThreadWorker(BOOT, { eval: true, workerData: { blob } });
    this.thread.on("message", (data) => this.onmessage?.({ data }));
    this.thread.on("error", (error) => (this.onerror ? this.onerror(error) : console.error(error)));
  }
  postMessage(data, transfer) {
    this.thread.postMessage(data, transfer);
  }
  terminate() {
    this.thread.terminate();
  }
}
globalThis.Worker ??= BlobWorker;

const require = createRequire(import.meta.url);
export const wllamaVersion = require("@wllama/wllama/package.json").version;

/** Load a GGUF file into wllama (single thread); returns the Wllama instance. */
export async function loadWllama(file, { nCtx = 1024 } = {}) {
  const { Wllama, LoggerWithoutDebug } = await import("@wllama/wllama/esm/index.js");
  const wasm = path.join(path.dirname(require.resolve("@wllama/wllama/package.json")), "esm/single-thread/wllama.wasm");
  const logger = { ...LoggerWithoutDebug, warn: () => undefined };
  const wllama = new Wllama({ "single-thread/wllama.wasm": wasm }, { logger, suppressNativeLog: true });
  await wllama.loadModel([await openAsBlob(file)], { n_threads: 1, n_ctx: nCtx, n_batch: 512, seed: 42 });
  return wllama;
}
