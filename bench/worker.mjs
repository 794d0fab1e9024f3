// One measurement in a fresh process (so memory and JIT state are its own):
//   node bench/worker.mjs <case> <library> <mockBaseURL>
// Prints one JSON object. Cases: overhead, stream, concurrency, init.
// BENCH_WASM=path loads that .wasm instead of the package's (the profiling
// run uses the same build with function names kept: see anatomy.mjs), and
// BENCH_PROFILE=file writes a CPU profile of the measured part only (no
// loading, no warm-up).
import { readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { makeClient } from "./clients.mjs";

const [, , kind, lib, baseURL] = process.argv;
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const DELTAS = Number(process.env.BENCH_DELTAS ?? 100000);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 64);

/** Runs `work`, CPU-profiled when BENCH_PROFILE names a file. */
async function measured(work) {
  if (!process.env.BENCH_PROFILE) return work();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 250 });
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function overhead() {
  const client = await makeClient(lib, baseURL);
  for (let i = 0; i < 100; i++) await client.prompt("What is the capital of France?");
  const cpu = process.cpuUsage();
  const start = performance.now();
  await measured(async () => {
    for (let i = 0; i < CALLS; i++) await client.prompt("What is the capital of France?");
  });
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // CPU time of this process (the client only: the mock runs elsewhere) is
  // steadier than wall time on a shared machine.
  const cpuMs = (used.user + used.system) / 1000;
  return { calls: CALLS, totalMs: ms, perCallMs: ms / CALLS, cpuMsPerCall: cpuMs / CALLS };
}

async function stream() {
  const warm = await makeClient(lib, baseURL, { "x-mock": "deltas=2000,chunk=256" });
  await warm.stream("warm up");
  if (globalThis.gc) globalThis.gc();
  const client = await makeClient(lib, baseURL, { "x-mock": `deltas=${DELTAS},chunk=256` });
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deltas = await measured(() => client.stream("stream please"));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  const after = process.memoryUsage();
  peakRss = Math.max(peakRss, after.rss);
  peakHeap = Math.max(peakHeap, after.heapUsed);
  let wasmBytes;
  if (lib === "rig") {
    const { testing } = await import("../packages/rig-wasm/dist/testing.js");
    wasmBytes = testing.memoryBytes();
  }
  return {
    deltas,
    ms,
    deltasPerSecond: (deltas / ms) * 1000,
    cpuUsPerDelta: ((used.user + used.system) / deltas),
    rssBeforeMB: before.rss / 2 ** 20,
    peakRssMB: peakRss / 2 ** 20,
    rssGrowthMB: (peakRss - before.rss) / 2 ** 20,
    heapBeforeMB: before.heapUsed / 2 ** 20,
    peakHeapMB: peakHeap / 2 ** 20,
    wasmMemoryMB: wasmBytes === undefined ? undefined : wasmBytes / 2 ** 20,
  };
}

async function concurrency() {
  const client = await makeClient(lib, baseURL, { "x-mock": "delay=25" });
  const round = async () => {
    const latencies = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const t = performance.now();
        await client.prompt("What is the capital of France?");
        latencies.push(performance.now() - t);
      }),
    );
    latencies.sort((a, b) => a - b);
    return { totalMs: performance.now() - start, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  };
  // Warm up (connections, JIT tiers), then the median of 5 rounds.
  for (let i = 0; i < 3; i++) await round();
  const rounds = [];
  for (let i = 0; i < 5; i++) rounds.push(await round());
  rounds.sort((a, b) => a.totalMs - b.totalMs);
  return { requests: CONCURRENT, ...rounds[2] };
}

async function init() {
  const start = performance.now();
  const { bindingVersion } = await import("rig-wasm");
  const imported = performance.now();
  bindingVersion(); // first use: read, compile and instantiate the .wasm
  const ready = performance.now();
  return { importMs: imported - start, compileAndInstantiateMs: ready - imported, totalMs: ready - start };
}

const cases = { overhead, stream, concurrency, init };
if (process.env.BENCH_WASM && lib === "rig") {
  const { init: load } = await import("rig-wasm");
  await load(readFileSync(process.env.BENCH_WASM));
}
const result = await cases[kind]();
process.stdout.write(`${JSON.stringify({ case: kind, lib, ...result })}\n`);
