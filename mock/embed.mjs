// Deterministic text embeddings for the mock providers: hashed bag of words
// (plus word bigrams), L2-normalised, so texts that share words score closer
// than texts that do not — enough for retrieval tests to mean something.

function hash(text, seed) {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** The embedding of `text` with `dims` dimensions. */
export function embedText(text, dims) {
  const vector = new Array(dims).fill(0);
  const tokens = String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const features = [...tokens, ...tokens.slice(1).map((t, i) => `${tokens[i]}_${t}`)];
  for (const feature of features) {
    const h = hash(feature, 0);
    const sign = hash(feature, 1) & 1 ? 1 : -1;
    vector[h % dims] += sign * (feature.includes("_") ? 0.5 : 1);
  }
  const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0)) || 1;
  return vector.map((x) => Math.round((x / norm) * 1e6) / 1e6);
}
