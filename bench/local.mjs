// The local models, side by side on this machine:
//
//   npm run bench:local     (fetches the weights, builds what it needs)
//
// For each GGUF model: load time, prefill and decode tokens/s and peak
// memory of rig-wasm's local model (wasm in Node.js, in process), of
// llama.cpp in wasm (@wllama/wllama, single thread) and of the same Rust
// code built natively; for all-MiniLM-L6-v2, sentences/s in wasm and
// native. Every engine runs in its own fresh process (so the peak memory is
// its own), the engines taking turns over several rounds (ROUNDS, default
// 5; medians reported), with the same prompt, the same greedy decoding and
// the same file. Also: how close the logits are
// to llama.cpp's (top-5 next tokens), with and without requantizing.
//
// Writes bench/LOCAL.md and bench/local.json.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const MODELS = process.env.RIG_WASM_MODELS ?? `${root}.cache/models`;
const REFERENCE = JSON.parse(readFileSync(`${root}crates/local-model/tests/reference/llamacpp.json`, "utf8"));

// The same text for every engine (about 60 tokens), continued greedily.
const PROMPT =
  "WebAssembly is a binary instruction format for a stack-based virtual machine. It is designed as a portable " +
  "compilation target for programming languages, enabling deployment on the web for client and server applications. " +
  "The main goals of the project are";
const DECODE = 32;
const SENTENCES = 64;
const LLMS = [
  { file: "SmolLM2-135M-Instruct.Q4_1.gguf", name: "SmolLM2-135M-Instruct (Q4_1)" },
  { file: "gemma-3-270m-q4_k_m.gguf", name: "Gemma 3 270M (Q4_K_M)" },
];

/** The embedding benchmark's sentences (crates/local-model/examples/bench.rs builds the same list). */
function sentence(i) {
  const subjects = ["The quick brown fox", "A small language model", "The river near the old town", "Every WebAssembly module"];
  const predicates = [
    "jumps over the lazy dog",
    "answers questions without a network connection",
    "floods after a week of heavy rain",
    "runs the same way in a browser and on a server",
  ];
  return `${subjects[i % 4]} ${predicates[Math.floor(i / 4) % 4]} (sentence ${i}).`;
}

/** Inside one process: a warm-up run of `work` (which returns milliseconds), then the timed one. */
async function median(work) {
  await work();
  return work();
}
/** Processes per engine and model: the figures are the medians (shared machines are noisy; rounds interleave the engines). */
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const peakRss = () => process.resourceUsage().maxRSS * 1024;
const top5 = (logits) => [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 5);

// ---------------------------------------------------------------------------
// Children: one engine, one model, one line of JSON.

async function rigLlm(file, requantize) {
  const { LocalModel } = await import("rig-wasm/local");
  const started = performance.now();
  const model = await LocalModel.load(`${MODELS}/${file}`, { worker: false, requantize });
  const loadMs = performance.now() - started;
  await model.logits("Hello");
  await model.reset();
  const promptTokens = (await model.tokenize(PROMPT, { addBos: model.info.addBos, special: false })).length;
  const prefillMs = await median(async () => {
    await model.reset();
    const t = performance.now();
    await model.logits(PROMPT);
    return performance.now() - t;
  });
  // Decode: greedy, one token at a time, timed from the first token to the last.
  let result;
  const decodeMs = await median(async () => {
    await model.reset();
    result = await model.generate(PROMPT, { maxTokens: DECODE + 1, temperature: 0, repeatPenalty: 1 });
    return result.timings.generateMs;
  });
  await model.reset();
  const logits = await model.logits(REFERENCE.prompt);
  const top = top5(logits);
  const reference = REFERENCE.models[file]?.top.slice(0, 5).map((r) => r.token) ?? [];
  // How far our probabilities of llama.cpp's top 10 are from its own (log scale).
  let max = -Infinity;
  for (const l of logits) if (l > max) max = l;
  let z = 0;
  for (const l of logits) z += Math.exp(l - max);
  const logDiff = Math.max(...(REFERENCE.models[file]?.top ?? []).map(({ token, p }) => Math.abs(Math.log(Math.exp(logits[token] - max) / z / p))));
  return {
    loadMs,
    promptTokens,
    prefillMs,
    decodeTokens: result.usage.completionTokens - 1,
    decodeMs,
    peakRss: peakRss(),
    top5: top,
    top5Shared: top.filter((x) => reference.includes(x)).length,
    top1Same: top[0] === reference[0],
    logDiff,
  };
}

async function wllamaLlm(file) {
  const { loadWllama } = await import("./wllama-node.mjs");
  const started = performance.now();
  const w = await loadWllama(`${MODELS}/${file}`);
  const loadMs = performance.now() - started;
  const bos = w.mustAddBosToken() ? [w.getBOS()] : [];
  const prompt = [...bos, ...(await w.tokenize(PROMPT, false))];
  await w.kvClear();
  await w.decode([...bos, ...(await w.tokenize("Hello", false))], {});
  const prefillMs = await median(async () => {
    await w.kvClear();
    const t = performance.now();
    await w.decode(prompt, {});
    return performance.now() - t;
  });
  let tokens = 0;
  const decodeMs = await median(async () => {
    await w.kvClear();
    await w.samplingInit({ temp: 0 });
    await w.decode(prompt, {});
    let next = await w.samplingSample();
    await w.samplingAccept([next.token]);
    tokens = 0;
    const t = performance.now();
    for (let i = 0; i < DECODE; i++) {
      await w.decode([next.token], {});
      next = await w.samplingSample();
      await w.samplingAccept([next.token]);
      tokens++;
    }
    return performance.now() - t;
  });
  await w.exit();
  return { loadMs, promptTokens: prompt.length, prefillMs, decodeTokens: tokens, decodeMs, peakRss: peakRss() };
}

async function rigMinilm() {
  const { LocalEmbeddingModel } = await import("rig-wasm/local");
  const started = performance.now();
  const model = await LocalEmbeddingModel.load(`${MODELS}/all-MiniLM-L6-v2/`, { worker: false });
  const loadMs = performance.now() - started;
  const texts = Array.from({ length: SENTENCES }, (_, i) => sentence(i));
  await model.embedTexts(texts.slice(0, 4));
  const embedMs = await median(async () => {
    const t = performance.now();
    const vectors = await model.embedTexts(texts);
    if (vectors.length !== SENTENCES) throw new Error("wrong number of vectors");
    return performance.now() - t;
  });
  return { loadMs, sentences: SENTENCES, embedMs, peakRss: peakRss() };
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "--child") {
  const [engine, file] = rest;
  const out =
    engine === "rig" ? await rigLlm(file, true)
    : engine === "rig-exact" ? await rigLlm(file, false)
    : engine === "wllama" ? await wllamaLlm(file)
    : await rigMinilm();
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------
// Parent: build, run every child, print and write the tables.

const log = (message) => process.stderr.write(`[bench:local] ${message}\n`);
const lastLine = (out) => JSON.parse(out.trim().split("\n").pop());

for (const { file } of LLMS) {
  if (!existsSync(`${MODELS}/${file}`)) throw new Error(`${MODELS}/${file} is missing: run scripts/fetch-models.sh`);
}
log("building the native benchmark (cargo --profile local-native)");
execFileSync("cargo", ["build", "--quiet", "--profile", "local-native", "-p", "rig-wasm-local", "--example", "bench"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
});
const nativeBin = `${root}target/local-native/examples/bench`;

function child(engine, file = "") {
  log(`${engine} ${file}`);
  return lastLine(execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", engine, file], { encoding: "utf8", timeout: 900_000 }));
}
function native(args) {
  log(`native ${args.slice(0, 2).join(" ")}`);
  return lastLine(execFileSync(nativeBin, args, { encoding: "utf8", timeout: 900_000 }));
}

const results = {
  date: new Date().toISOString(),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
  prompt: PROMPT,
  decodeTokens: DECODE,
  rounds: ROUNDS,
  llms: {},
};
/** Per numeric field, the median over the rounds. */
function medians(runs) {
  const out = { ...runs[0], runs };
  for (const [key, value] of Object.entries(runs[0])) {
    if (typeof value !== "number") continue;
    const sorted = runs.map((r) => r[key]).sort((a, b) => a - b);
    out[key] = sorted[Math.floor(sorted.length / 2)];
  }
  return out;
}
const runs = {};
const record = (key, value) => (runs[key] ??= []).push(value);
for (let round = 1; round <= ROUNDS; round++) {
  log(`round ${round} of ${ROUNDS}`);
  for (const { file } of LLMS) {
    record(`${file}/rig`, child("rig", file));
    record(`${file}/rigExact`, child("rig-exact", file));
    record(`${file}/wllama`, child("wllama", file));
    record(`${file}/native`, native(["llm", `${MODELS}/${file}`, PROMPT, String(DECODE)]));
  }
  record("minilm/rig", child("rig-minilm"));
  record("minilm/native", native(["minilm", `${MODELS}/all-MiniLM-L6-v2`, String(SENTENCES)]));
}
for (const { file, name } of LLMS) {
  results.llms[file] = { name };
  for (const engine of ["rig", "rigExact", "wllama", "native"]) results.llms[file][engine] = medians(runs[`${file}/${engine}`]);
}
results.minilm = { rig: medians(runs["minilm/rig"]), native: medians(runs["minilm/native"]) };

const size = (f) => (existsSync(f) ? readFileSync(f).byteLength : undefined);
const { gzipSync } = await import("node:zlib");
const wasmFile = `${root}packages/rig-wasm/wasm/rig_wasm_local_bg.wasm`;
results.wasm = { bytes: size(wasmFile), gzip: existsSync(wasmFile) ? gzipSync(readFileSync(wasmFile), { level: 9 }).byteLength : undefined };

// ---------------------------------------------------------------------------
const f = (n, d = 1) => (n === undefined || Number.isNaN(n) ? "—" : n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
const mb = (bytes) => `${f(bytes / 1e6, 0)} MB`;
const prefill = (r) => (r.promptTokens * 1000) / r.prefillMs;
const decode = (r) => (r.decodeTokens * 1000) / r.decodeMs;

const lines = [
  `# Local models: rig-wasm vs llama.cpp (wllama) vs native`,
  ``,
  `${results.date.slice(0, 10)} · ${results.machine} · \`npm run bench:local\``,
  ``,
  `Prompt of ${Object.values(results.llms)[0].rig.promptTokens} tokens, then ${DECODE} greedy tokens one at a time (after a warm-up run); each figure is the median of ${ROUNDS} processes per engine, the engines taking turns. `
    + `"rig-wasm" is the default load (Q5_0/Q5_1 tensors, which have no wasm SIMD kernel, requantized to Q8_0; `
    + `Q4_1 runs as stored on rig-wasm's own kernel); "exact" keeps every tensor's format. wllama ${JSON.parse(readFileSync(`${root}node_modules/@wllama/wllama/package.json`, "utf8")).version}, single thread. `
    + `Peak memory is the process's peak RSS (Node.js itself is ~45 MB of it).`,
  ``,
  `| model | engine | load | prefill tok/s | decode tok/s | decode vs wllama | peak memory | vs llama.cpp's next-token probabilities |`,
  `|---|---|--:|--:|--:|--:|--:|--:|`,
];
for (const r of Object.values(results.llms)) {
  const base = decode(r.wllama);
  const row = (engine, x, accuracy = "") =>
    lines.push(`| ${r.name} | ${engine} | ${f(x.loadMs / 1000, 2)} s | ${f(prefill(x))} | ${f(decode(x))} | ${f(decode(x) / base, 2)}× | ${mb(x.peakRss)} | ${accuracy} |`);
  const accuracy = (x) => `${x.top5Shared}/5${x.top1Same ? ", same top-1" : ""}; top-10 log p within ${f(x.logDiff, 2)}`;
  row("**rig-wasm** (wasm, Node.js)", r.rig, accuracy(r.rig));
  row("rig-wasm, exact formats (wasm)", r.rigExact, accuracy(r.rigExact));
  row("llama.cpp (wllama, wasm)", r.wllama, "reference");
  row("rig-wasm native (same Rust)", r.native);
}
const m = results.minilm;
const sps = (x) => (x.sentences * 1000) / x.embedMs;
lines.push(
  ``,
  `all-MiniLM-L6-v2, ${SENTENCES} sentences in batches of 16 (medians as above):`,
  ``,
  `| engine | load | sentences/s | peak memory |`,
  `|---|--:|--:|--:|`,
  `| rig-wasm (wasm, Node.js) | ${f(m.rig.loadMs / 1000, 2)} s | ${f(sps(m.rig))} | ${mb(m.rig.peakRss)} |`,
  `| rig-wasm native | ${f(m.native.loadMs / 1000, 2)} s | ${f(sps(m.native))} | ${mb(m.native.peakRss)} |`,
  ``,
  `Local model wasm (\`rig_wasm_local_bg.wasm\`, loaded only by \`rig-wasm/local\`): ${f(results.wasm.bytes / 1e6, 2)} MB, ${f(results.wasm.gzip / 1e6, 2)} MB gzip.`,
  ``,
);
// The verdict: per round, rig-wasm's decode over wllama's (the two ran
// minutes apart, so they share the machine's state), then the median of
// those ratios; the range shows how much the machine moved.
const perRound = (file, engine) =>
  runs[`${file}/${engine}`].map((x, i) => decode(x) / decode(runs[`${file}/wllama`][i])).sort((a, b) => a - b);
const mid = (sorted) => (sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2);
for (const { file } of LLMS) {
  const r = results.llms[file];
  const ratios = perRound(file, "rig");
  const exact = perRound(file, "rigExact");
  r.decodeVsWllama = { perRound: ratios, median: mid(ratios), exactMedian: mid(exact) };
  lines.push(
    `- ${r.name}: decode ${f(mid(ratios), 2)}× wllama (median of the ${ROUNDS} rounds' ratios; range ${f(ratios[0], 2)}–${f(ratios.at(-1), 2)}×; `
      + `exact formats ${f(mid(exact), 2)}×) — target ≥ 3×: **${mid(ratios) >= 3 ? "pass" : "MISS"}**`,
  );
}
lines.push("");
const markdown = lines.join("\n");
writeFileSync(`${root}bench/LOCAL.md`, markdown);
writeFileSync(`${root}bench/local.json`, `${JSON.stringify(results, null, 1)}\n`);
console.log(markdown);
