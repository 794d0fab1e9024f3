//! Native timings of the local models, for `bench/local.mjs` (which runs the
//! same measurements on the wasm build and on llama.cpp-in-wasm, and prints
//! them side by side). One model per process so the peak memory is its own.
//!
//!   cargo run --profile local-native -p rig-wasm-local --example bench -- llm FILE.gguf PROMPT DECODE [--no-requantize]
//!   cargo run --profile local-native -p rig-wasm-local --example bench -- minilm DIR SENTENCES
//!
//! Prints one line of JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::Path;
use std::time::Instant;

use rig_wasm_local::{EmbeddingModel, GenerateOptions, LanguageModel, LoadOptions};
use serde_json::json;

/// Peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn llm(file: &str, prompt: &str, decode: usize, requantize: bool) -> serde_json::Value {
    let started = Instant::now();
    let bytes = std::fs::read(file).expect("read the model file");
    let mut model = LanguageModel::load_with(&bytes, &LoadOptions { requantize }).expect("load");
    drop(bytes);
    let load_ms = ms(started);

    // Warm up (first-touch allocations), then time reading the prompt.
    model.logits("Hello").expect("warm up");
    model.reset();
    let prompt_tokens = model.encode_prompt(prompt).expect("encode").len();
    let started = Instant::now();
    model.logits(prompt).expect("prefill");
    let prefill_ms = ms(started);

    // Decode: greedy, one token at a time; the first step (which may read
    // the prompt again) is not timed.
    model.reset();
    let options = GenerateOptions {
        max_tokens: decode + 1,
        temperature: 0.0,
        repeat_penalty: 1.0,
        ..GenerateOptions::default()
    };
    model.start(prompt, options).expect("start");
    model.step().expect("first step");
    let started = Instant::now();
    let mut tokens = 0;
    while let Some(step) = model.step().expect("step") {
        tokens += 1;
        if step.finish.is_some() {
            break;
        }
    }
    let decode_ms = ms(started);
    json!({
        "loadMs": load_ms,
        "promptTokens": prompt_tokens,
        "prefillMs": prefill_ms,
        "decodeTokens": tokens,
        "decodeMs": decode_ms,
        "peakRss": peak_rss(),
    })
}

fn minilm(dir: &str, sentences: usize) -> serde_json::Value {
    let dir = Path::new(dir);
    let read = |name: &str| std::fs::read(dir.join(name)).expect("read MiniLM files");
    let started = Instant::now();
    let model = EmbeddingModel::load(
        &read("model.safetensors"),
        &read("tokenizer.json"),
        &read("config.json"),
    )
    .expect("load");
    let load_ms = ms(started);
    let texts: Vec<String> = (0..sentences).map(sentence).collect();
    model.embed(&texts[..4]).expect("warm up");
    let started = Instant::now();
    let vectors = model.embed(&texts).expect("embed");
    let embed_ms = ms(started);
    assert_eq!(vectors.len(), sentences);
    json!({ "loadMs": load_ms, "sentences": sentences, "embedMs": embed_ms, "peakRss": peak_rss() })
}

/// The benchmark's sentences (bench/local.mjs builds the same list).
fn sentence(i: usize) -> String {
    const SUBJECTS: [&str; 4] = [
        "The quick brown fox",
        "A small language model",
        "The river near the old town",
        "Every WebAssembly module",
    ];
    const PREDICATES: [&str; 4] = [
        "jumps over the lazy dog",
        "answers questions without a network connection",
        "floods after a week of heavy rain",
        "runs the same way in a browser and on a server",
    ];
    format!(
        "{} {} (sentence {i}).",
        SUBJECTS[i % 4],
        PREDICATES[(i / 4) % 4]
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.first().map(String::as_str) {
        Some("llm") if args.len() >= 4 => llm(
            &args[1],
            &args[2],
            args[3].parse().expect("DECODE is a number"),
            !args.iter().any(|a| a == "--no-requantize"),
        ),
        Some("minilm") if args.len() >= 3 => {
            minilm(&args[1], args[2].parse().expect("SENTENCES is a number"))
        }
        _ => {
            eprintln!("usage: bench llm FILE PROMPT DECODE [--no-requantize] | bench minilm DIR SENTENCES");
            std::process::exit(2);
        }
    };
    println!("{out}");
}
