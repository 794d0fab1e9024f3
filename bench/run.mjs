// rig-wasm against the JavaScript SDKs, side by side on this machine:
//
//   npm run bench      (= node --expose-gc bench/run.mjs; builds what it needs)
//
// Writes bench/RESULTS.md (tables, with pass/fail beside each target) and
// bench/results.json. Every per-library figure comes from a fresh process
// (bench/worker.mjs) talking to the same local mock server, one library
// after another in the same run; ratios compare those. bench/anatomy.mjs
// adds the evidence behind the misses: what the .wasm is made of, and where
// the streaming and per-call time goes.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { namedWasm, sizeAnatomy, timeAnatomy } from "./anatomy.mjs";
import { fileURLToPath } from "node:url";
import { LIBRARIES } from "./clients.mjs";
import { measureSizes } from "./size.mjs";
import { benchVectorSearch, vectorTable } from "./vector-search.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

async function startMock() {
  const child = spawn(process.execPath, [`${root}mock/index.mjs`, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const match = out.match(/listening on (http:\/\/[^\s]+)/);
      if (match) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`mock exited ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

function worker(kind, lib, baseURL, env = {}) {
  const out = execFileSync(process.execPath, ["--expose-gc", `${root}bench/worker.mjs`, kind, lib, baseURL], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 24,
    timeout: 600_000,
  });
  return JSON.parse(out.trim().split("\n").pop());
}

const fmt = (n, digits = 2) => (n === undefined ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const kb = (bytes) => `${(bytes / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })} KB`;
const verdict = (ok) => (ok ? "pass" : "MISS");

/** Median of 5 cold page loads: fetch + compile + instantiate via `await init()`. */
async function chromiumInit() {
  const { launchChromium } = await import("../tests/browser/chromium.mjs");
  const { startStaticServer } = await import("../tests/browser/static-server.mjs");
  const site = await startStaticServer();
  const browser = await launchChromium();
  try {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${site.url}/index.html`);
      await page.waitForFunction(() => window.__rigReady === true, null, { timeout: 30_000 });
      times.push(await page.evaluate(() => window.__rig.initMs));
      await context.close();
    }
    times.sort((a, b) => a - b);
    return { initMs: times[2], samples: times };
  } finally {
    await browser.close();
    await site.close();
  }
}

// ---------------------------------------------------------------------------
const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}` };

// 1. Size (needs the OpenAI-only build next to the full one).
const onlyDir = `${root}.cache/wasm-openai-only`;
{
  // Always through cargo (a no-op when nothing changed), so the figure is never a stale build's.
  log("building the OpenAI-only .wasm (FEATURES=none)…");
  execFileSync("bash", [`${root}scripts/build.sh`], {
    env: { ...process.env, FEATURES: "none", OUT: onlyDir, CARGO_TARGET_DIR: `${root}target/openai-only` },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
log("sizes");
results.size = await measureSizes({ openaiOnlyWasm: `${onlyDir}/rig_wasm_bg.wasm` });
// The same build with function names kept: what the .wasm is made of, and
// (below) where the benchmarks' time goes.
const named = namedWasm();
try {
  results.anatomy = sizeAnatomy(readFileSync(`${root}packages/rig-wasm/wasm/rig_wasm_bg.wasm`), readFileSync(named.path));
} catch (error) {
  log(`size breakdown skipped: ${error.message}`);
}

const mock = await startMock();
try {
  // 2. Init.
  log("init");
  const inits = Array.from({ length: 5 }, () => worker("init", "rig", mock.url));
  inits.sort((a, b) => a.compileAndInstantiateMs - b.compileAndInstantiateMs);
  results.init = { node: inits[2] };
  try {
    results.init.chromium = await chromiumInit();
  } catch (error) {
    log(`chromium init skipped: ${error.message}`);
  }

  // 3. Per-call overhead.
  const calls = quick ? 300 : 2000;
  // Three rounds, libraries interleaved; each library's median round counts.
  const rounds = Object.fromEntries(LIBRARIES.map((lib) => [lib, []]));
  for (let round = 0; round < 3; round++) {
    for (const lib of LIBRARIES) {
      log(`per-call overhead: ${lib} (round ${round + 1}/3)`);
      rounds[lib].push(worker("overhead", lib, `${mock.url}/v1`, { BENCH_CALLS: String(calls) }));
    }
  }
  results.overhead = {};
  for (const lib of LIBRARIES) {
    const sorted = rounds[lib].sort((a, b) => a.perCallMs - b.perCallMs);
    const cpu = rounds[lib].map((r) => r.cpuMsPerCall).sort((a, b) => a - b);
    results.overhead[lib] = { ...sorted[1], cpuMsPerCall: cpu[1], rounds: rounds[lib].map((r) => r.perCallMs) };
  }

  // 4. Streaming throughput.
  const deltas = quick ? 20000 : 100000;
  const streams = Object.fromEntries(LIBRARIES.map((lib) => [lib, []]));
  for (let round = 0; round < 3; round++) {
    for (const lib of LIBRARIES) {
      log(`streaming ${deltas} deltas: ${lib} (round ${round + 1}/3)`);
      streams[lib].push(worker("stream", lib, `${mock.url}/v1`, { BENCH_DELTAS: String(deltas) }));
    }
  }
  results.stream = {};
  for (const lib of LIBRARIES) {
    const sorted = streams[lib].sort((a, b) => a.deltasPerSecond - b.deltasPerSecond);
    results.stream[lib] = { ...sorted[1], rounds: streams[lib].map((r) => r.deltasPerSecond) };
  }

  // Where the time goes: one more run of each, CPU-profiled, with the named .wasm.
  results.timeAnatomy = {};
  const profiledRuns = {
    stream: { units: deltas, unit: "delta", url: `${mock.url}/v1`, env: { BENCH_DELTAS: String(deltas) } },
    overhead: { units: calls, unit: "call", url: `${mock.url}/v1`, env: { BENCH_CALLS: String(calls) } },
  };
  for (const [kind, run] of Object.entries(profiledRuns)) {
    log(`profiling rig (${kind})`);
    const dir = mkdtempSync(join(tmpdir(), "rig-wasm-prof-"));
    try {
      const file = join(dir, "profile.cpuprofile");
      const measured = worker(kind, "rig", run.url, { ...run.env, BENCH_WASM: named.path, BENCH_PROFILE: file });
      const profile = JSON.parse(readFileSync(file, "utf8"));
      results.timeAnatomy[kind] = { units: run.units, unit: run.unit, measured, owners: timeAnatomy(profile) };
    } catch (error) {
      log(`profile of ${kind} skipped: ${error.message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // 5. Concurrency.
  results.concurrency = {};
  for (const lib of LIBRARIES) {
    log(`64 concurrent prompts: ${lib}`);
    results.concurrency[lib] = worker("concurrency", lib, `${mock.url}/v1`);
  }
} finally {
  mock.stop();
  named.dispose();
}

// 6. Vector search.
log("vector search");
results.vector = await benchVectorSearch({
  sizes: quick ? [10000] : [10000, 100000],
  dims: [384, 1536],
  log: (line) => log(`  ${line}`),
});

// ---------------------------------------------------------------------------
const raw = results.overhead.raw.perCallMs;
const lines = [];
lines.push(`# Benchmarks`, "", `Run ${results.date.slice(0, 10)} on ${results.machine}; command: \`npm run bench\`${quick ? " (--quick)" : ""}.`, "");
lines.push("## Size (what a user ships)", "", "| artifact | raw | gzip -9 | target | |", "|---|---|---|---|---|");
for (const row of results.size) {
  lines.push(`| ${row.what} | ${kb(row.rawBytes)} | ${kb(row.gzipBytes)} | ${row.target ? `≤ ${kb(row.target)}` : ""} | ${row.target ? verdict(row.gzipBytes <= row.target) : ""} |`);
}
if (results.anatomy) {
  const a = results.anatomy;
  lines.push("", "### What the .wasm is made of", "", "Sections of the shipped `rig_wasm_bg.wasm` (each gzipped on its own):", "", "| section | raw | gzip -9 |", "|---|---|---|");
  for (const row of a.sections) lines.push(`| ${row.name} | ${kb(row.rawBytes)} | ${kb(row.gzipBytes)} |`);
  lines.push("", `Code by owner (${kb(a.codeBytes)} of function bodies; a function counts for the first crate its name mentions that is not the standard library, so \`drop_in_place<rig_core::…>\` is Rig's; generic standard-library code whose names do not say what it was instantiated for stays under the standard library):`, "", "| owner | code | share |", "|---|---|---|");
  for (const g of a.groups) lines.push(`| ${g.group} | ${kb(g.bytes)} | ${fmt(100 * g.share, 1)}% |`);
  const t = a.largestText;
  lines.push("", `Largest single item in the data section: ${kb(t.rawBytes)} raw, ${kb(t.gzipBytes)} gzip${t.isRigModelCatalog ? ", Rig's built-in model catalog (`rig_core::catalog`, `models.json`, read at run time for model capabilities)" : ""}: \`${t.head}…\``);
}
const init = results.init.node;
lines.push("", "## Init", "", `Node (median of 5 fresh processes): import ${fmt(init.importMs)} ms; read + compile + instantiate the .wasm ${fmt(init.compileAndInstantiateMs)} ms (target ≤ 30 ms: ${verdict(init.compileAndInstantiateMs <= 30)}); total ${fmt(init.totalMs)} ms.`);
if (results.init.chromium) lines.push("", `Chromium (median of 5 cold page loads, \`await init()\` from localhost: fetch + compile + instantiate): ${fmt(results.init.chromium.initMs)} ms (target ≤ 100 ms: ${verdict(results.init.chromium.initMs <= 100)}).`);
const rawCpu = results.overhead.raw.cpuMsPerCall;
const openaiOver = results.overhead.openai.perCallMs - raw;
const aiCpu = results.overhead.ai.cpuMsPerCall;
lines.push("", `## Per-call overhead (${results.overhead.rig.calls} sequential prompts, mock answers at once, median of 3 rounds; minus raw fetch)`, "", "| client | wall per call | wall overhead | client CPU per call | CPU overhead | target |", "|---|---|---|---|---|---|");
for (const lib of LIBRARIES) {
  const r = results.overhead[lib];
  const over = r.perCallMs - raw;
  const cpuOver = r.cpuMsPerCall - rawCpu;
  const target = lib === "rig" ? `wall overhead ≤ openai's: ${verdict(over <= openaiOver)}; CPU ≤ ai's: ${verdict(r.cpuMsPerCall <= aiCpu)}` : "";
  lines.push(`| ${lib} | ${fmt(r.perCallMs, 3)} ms | ${lib === "raw" ? "—" : `${fmt(over, 3)} ms`} | ${fmt(r.cpuMsPerCall, 3)} ms | ${lib === "raw" ? "—" : `${fmt(cpuOver, 3)} ms`} | ${target} |`);
}
const rigStream = results.stream.rig;
lines.push("", `## Streaming (${rigStream.deltas.toLocaleString("en-US")} text deltas, 256-byte network chunks; median of 3 runs, libraries interleaved)`, "", "| client | deltas/s | vs raw | vs ai | client CPU per delta | peak RSS | RSS growth | target |", "|---|---|---|---|---|---|---|---|");
const rawStream = results.stream.raw.deltasPerSecond;
for (const lib of LIBRARIES) {
  const r = results.stream[lib];
  const vsAi = r.deltasPerSecond / results.stream.ai.deltasPerSecond;
  let target = "";
  if (lib === "rig") target = `≥ openai: ${verdict(r.deltasPerSecond >= results.stream.openai.deltasPerSecond)}; ≥ ½ raw: ${verdict(r.deltasPerSecond >= rawStream / 2)}`;
  lines.push(`| ${lib} | ${fmt(r.deltasPerSecond, 0)} | ${fmt(r.deltasPerSecond / rawStream, 2)}× | ${fmt(vsAi, 2)}× | ${fmt(r.cpuUsPerDelta, 1)} µs | ${fmt(r.peakRssMB, 1)} MB | ${fmt(r.rssGrowthMB, 1)} MB | ${target} |`);
}
if (rigStream.wasmMemoryMB !== undefined) lines.push("", `rig-wasm's wasm linear memory after the stream: ${fmt(rigStream.wasmMemoryMB, 1)} MB.`);
if (results.timeAnatomy?.stream || results.timeAnatomy?.overhead) {
  lines.push("", "## Where the time goes (rig-wasm, CPU-profiled runs)", "", "One more run of the streaming and per-call cases under V8's sampling profiler (`node:inspector`, every 250 µs, the measured part only: no loading, no warm-up), with the same `.wasm` built with function names. Profiling slows a run down, so the shares are the point, not the absolute times. Each sample counts for the innermost frame on its stack that has an owner: Rig's crates, this binding (its Rust and the wasm-bindgen glue), the package's JavaScript, or Node (fetch, sockets, web streams); serde, the allocator and hashing count for whoever called them.", "");
  const kinds = ["stream", "overhead"].filter((k) => results.timeAnatomy[k]);
  const owners = [...new Set(kinds.flatMap((k) => results.timeAnatomy[k].owners.map((o) => o.owner)))];
  lines.push(`| owner | ${kinds.map((k) => (k === "stream" ? "streaming: share | µs per delta" : "per-call: share | µs per call")).join(" | ")} |`, `|---|${kinds.map(() => "---|---|").join("")}`);
  for (const owner of owners) {
    const cells = kinds.map((k) => {
      const t = results.timeAnatomy[k];
      const o = t.owners.find((x) => x.owner === owner);
      return o ? `${fmt(100 * o.share, 1)}% | ${fmt((1000 * o.ms) / t.units, 1)}` : "— | —";
    });
    lines.push(`| ${owner} | ${cells.join(" | ")} |`);
  }
  const s = results.timeAnatomy.stream;
  if (s) {
    const rigMs = s.owners.filter((o) => o.owner.startsWith("Rig")).reduce((n, o) => n + o.ms, 0);
    const restMs = s.owners.filter((o) => !o.owner.startsWith("Rig") && !o.owner.startsWith("idle")).reduce((n, o) => n + o.ms, 0);
    lines.push("", `Streaming: Rig's decoding alone costs ${fmt((1000 * rigMs) / s.units, 1)} µs per delta (at most ${fmt(s.units / (rigMs / 1000), 0)} deltas/s however fast the rest); everything else together ${fmt((1000 * restMs) / s.units, 1)} µs (${fmt(s.units / (restMs / 1000), 0)} deltas/s if Rig took no time).`);
  }
  const o = results.timeAnatomy.overhead;
  if (o) {
    const rigMs = o.owners.filter((x) => x.owner.startsWith("Rig")).reduce((n, x) => n + x.ms, 0);
    const ownMs = (prefix) => (o.owners.find((x) => x.owner.startsWith(prefix))?.ms ?? 0) / o.units;
    lines.push("", `Per call: Rig's agent run alone costs ${fmt(rigMs / o.units, 3)} ms of CPU per prompt (openai's whole wall overhead in this run: ${fmt(openaiOver, 3)} ms); the binding ${fmt(ownMs("this binding"), 3)} ms, the package's JavaScript ${fmt(ownMs("this package"), 3)} ms.`);
  }
}
lines.push("", "## Concurrency (64 prompts at once, mock answers after 25 ms)", "", "| client | total | p50 | p99 |", "|---|---|---|---|");
for (const lib of LIBRARIES) {
  const r = results.concurrency[lib];
  lines.push(`| ${lib} | ${fmt(r.totalMs, 1)} ms | ${fmt(r.p50Ms, 1)} ms | ${fmt(r.p99Ms, 1)} ms |`);
}
lines.push("", "## Vector search (top 5; median of 7 queries; results checked identical)", "", vectorTable(results.vector), "");
writeFileSync(`${root}bench/RESULTS.md`, `${lines.join("\n")}\n`);
writeFileSync(`${root}bench/results.json`, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${lines.join("\n")}\n`);
