// Vector search: rig-wasm's InMemoryVectorStore.topN against the design's
// JavaScript cosine store, side by side in one process, on the same random
// unit-free vectors and the same queries.
//
//   node --max-old-space-size=8192 bench/vector-search.mjs [--sizes 10000,100000] [--dims 384,1536] [--json out.json]
//
// Each cell: build both stores, run 3 warm-up queries, then time `queries`
// top-5 searches and report the median. The JS store is the design's code
// (a Map of { vector: number[] }, cosine computed per query, sort, slice).
import { InMemoryVectorStore } from "rig-wasm";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const SIZES = option("sizes", "10000,100000").split(",").map(Number);
const DIMS = option("dims", "384,1536").split(",").map(Number);
const QUERIES = Number(option("queries", "7"));
const SAMPLES = 5;

// Deterministic pseudo-random numbers (xorshift32).
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) / 4294967296) * 2 - 1;
  };
}

/** The design's JavaScript store (search part), fed precomputed vectors. */
class DesignJsStore {
  embeddings = new Map();
  add(id, vector, text) {
    this.embeddings.set(id, { vector, text });
  }
  search(queryVector, topN = 5) {
    const results = Array.from(this.embeddings.entries())
      .map(([id, doc]) => {
        const similarity = this.cosineSimilarity(queryVector, doc.vector);
        return { id, similarity, text: doc.text };
      })
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, topN);
    return results.map((r) => [r.similarity, r.id, { text: r.text }]);
  }
  cosineSimilarity(vec1, vec2) {
    if (vec1.length !== vec2.length) return 0;
    let dotProduct = 0;
    let norm1 = 0;
    let norm2 = 0;
    for (let i = 0; i < vec1.length; i++) {
      dotProduct += vec1[i] * vec2[i];
      norm1 += vec1[i] * vec1[i];
      norm2 += vec2[i] * vec2[i];
    }
    return dotProduct / (Math.sqrt(norm1) * Math.sqrt(norm2));
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function time(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

export async function benchVectorSearch({ sizes = SIZES, dims = DIMS, queries = QUERIES, log = console.log } = {}) {
  const rows = [];
  for (const size of sizes) {
    for (const dim of dims) {
      const random = rng(size * 31 + dim);
      const ours = new InMemoryVectorStore();
      const js = new DesignJsStore();
      const batch = 5000;
      for (let start = 0; start < size; start += batch) {
        const count = Math.min(batch, size - start);
        const entries = [];
        for (let i = 0; i < count; i++) {
          const vector = new Float32Array(dim);
          for (let d = 0; d < dim; d++) vector[d] = random();
          const id = `doc_${start + i}`;
          entries.push({ id, document: { text: id }, vector });
          js.add(id, Array.from(vector), id);
        }
        ours.addMany(entries);
      }
      const queryVectors = Array.from({ length: queries + 3 }, () => {
        const q = new Float32Array(dim);
        for (let d = 0; d < dim; d++) q[d] = random();
        return q;
      });
      // Same answers first: the benchmark compares equal work.
      const check = queryVectors[0];
      const a = (await ours.topN({ query: check, samples: SAMPLES })).map(([, id]) => id);
      const b = js.search(Array.from(check), SAMPLES).map(([, id]) => id);
      if (a.join() !== b.join()) throw new Error(`different results for ${size}x${dim}: ${a} vs ${b}`);

      const oursTimes = [];
      const jsTimes = [];
      for (const [index, q] of queryVectors.entries()) {
        const asArray = Array.from(q);
        const t1 = await time(() => ours.topN({ query: q, samples: SAMPLES }));
        const t2 = await time(() => js.search(asArray, SAMPLES));
        if (index >= 3) {
          oursTimes.push(t1);
          jsTimes.push(t2);
        }
      }
      const row = { documents: size, dimensions: dim, oursMs: median(oursTimes), jsMs: median(jsTimes) };
      row.speedup = row.jsMs / row.oursMs;
      rows.push(row);
      log(`${size} x ${dim}: rig-wasm ${row.oursMs.toFixed(2)} ms, JS store ${row.jsMs.toFixed(2)} ms, ${row.speedup.toFixed(1)}x`);
      ours.free();
    }
  }
  return rows;
}

export function vectorTable(rows) {
  const lines = ["| documents × dims | rig-wasm topN (median) | design's JS store (median) | speedup | target ≥ 10× |", "|---|---|---|---|---|"];
  for (const r of rows) {
    lines.push(`| ${r.documents.toLocaleString("en-US")} × ${r.dimensions} | ${r.oursMs.toFixed(2)} ms | ${r.jsMs.toFixed(2)} ms | ${r.speedup.toFixed(1)}× | ${r.speedup >= 10 ? "pass" : "MISS"} |`);
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchVectorSearch();
  console.log(`\n${vectorTable(rows)}`);
  const out = option("json", undefined);
  if (out) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(out, JSON.stringify(rows, null, 2));
  }
}
