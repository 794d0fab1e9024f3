"""Reference embeddings for all-MiniLM-L6-v2, computed independently of candle:
a BERT encoder written out in NumPy (float64), Hugging Face `tokenizers` for
the word pieces, mean pooling over real tokens and L2 normalisation (what
sentence-transformers does). Writes minilm.json next to this file.

    python3 -m venv /tmp/ref && /tmp/ref/bin/pip install numpy safetensors tokenizers
    /tmp/ref/bin/python crates/local-model/tests/reference/minilm_numpy.py .cache/models/all-MiniLM-L6-v2
"""
import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "Rig compiles to WebAssembly — 日本語も少し 😀",
]

folder = sys.argv[1]
w = {k: v.astype(np.float64) for k, v in load_file(os.path.join(folder, "model.safetensors")).items()}
config = json.load(open(os.path.join(folder, "config.json")))
tok = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
tok.no_padding()
tok.enable_truncation(256)
heads = config["num_attention_heads"]
eps = config["layer_norm_eps"]


def layer_norm(x, prefix):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w[prefix + ".weight"] + w[prefix + ".bias"]


def linear(x, prefix):
    return x @ w[prefix + ".weight"].T + w[prefix + ".bias"]


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def embed(text):
    enc = tok.encode(text)
    ids = np.array(enc.ids)
    types = np.array(enc.type_ids)
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][np.arange(n)] + w["embeddings.token_type_embeddings.weight"][types]
    x = layer_norm(x, "embeddings.LayerNorm")
    d = x.shape[-1] // heads
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q = linear(x, p + ".attention.self.query").reshape(n, heads, d).transpose(1, 0, 2)
        k = linear(x, p + ".attention.self.key").reshape(n, heads, d).transpose(1, 0, 2)
        v = linear(x, p + ".attention.self.value").reshape(n, heads, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(1, 0, 2).reshape(n, heads * d)
        x = layer_norm(linear(a, p + ".attention.output.dense") + x, p + ".attention.output.LayerNorm")
        h = gelu(linear(x, p + ".intermediate.dense"))
        x = layer_norm(linear(h, p + ".output.dense") + x, p + ".output.LayerNorm")
    mean = x.mean(0)
    return (mean / np.linalg.norm(mean)).tolist(), enc.ids


out = []
for s in SENTENCES:
    vec, ids = embed(s)
    out.append({"text": s, "ids": ids, "vector": vec})
json.dump({"model": "all-MiniLM-L6-v2", "method": "NumPy float64 BERT, mean pooling, L2", "embeddings": out},
          open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "minilm.json"), "w"))
print("wrote", len(out), "reference embeddings; sim(0,1) =", float(np.dot(out[0]["vector"], out[1]["vector"])))
