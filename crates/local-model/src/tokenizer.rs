//! Tokenizers read from a GGUF file's own vocabulary, so a GGUF model needs
//! no extra tokenizer files.
//!
//! - `llama` (SentencePiece, Gemma): symbols start as characters; the
//!   adjacent pair whose joined text is in the vocabulary with the highest
//!   score merges first; pieces left outside the vocabulary fall back to
//!   `<0xXX>` byte tokens. Spaces become `▁`.
//! - `gpt2` (byte-level BPE, SmolLM2): built as a Hugging Face `tokenizers`
//!   BPE from the GGUF's tokens and merges, with the pre-tokenizer the GGUF
//!   names (`smollm`: single digits, then the GPT-2 split).
//!
//! Special tokens (control, and user-defined) in text are matched the way
//! llama.cpp does: longest first, only when asked to parse specials (user
//! defined ones always).

use std::collections::{BinaryHeap, HashMap};

use candle_core::quantized::gguf_file::{Content, Value};

use crate::error::LocalError;

/// GGUF token types.
const TYPE_NORMAL: i32 = 1;
const TYPE_CONTROL: i32 = 3;
const TYPE_USER_DEFINED: i32 = 4;
const TYPE_BYTE: i32 = 6;

const SPACE: char = '\u{2581}';

enum Kind {
    Spm {
        scores: Vec<f32>,
        /// `<0xXX>` token of each byte.
        bytes: Box<[Option<u32>; 256]>,
        add_space_prefix: bool,
    },
    Bpe(Box<tokenizers::Tokenizer>),
}

/// A tokenizer from GGUF metadata.
pub struct Tokenizer {
    kind: Kind,
    tokens: Vec<String>,
    types: Vec<i32>,
    ids: HashMap<String, u32>,
    /// Control and user-defined tokens, longest first: `(text, id, control)`.
    specials: Vec<(String, u32, bool)>,
    pub bos: Option<u32>,
    pub eos: Option<u32>,
    pub add_bos: bool,
    /// Tokens that end a turn (eos, `<|im_end|>`, `<end_of_turn>`, …).
    pub stop_ids: Vec<u32>,
}

fn strings(content: &Content, key: &str) -> Result<Vec<String>, LocalError> {
    match content.metadata.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.to_string().cloned().map_err(LocalError::from))
            .collect(),
        _ => Err(LocalError::Model(format!("the GGUF file has no {key}"))),
    }
}

fn numbers<T>(content: &Content, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    match content.metadata.get(key) {
        Some(Value::Array(items)) => items.iter().map(read).collect(),
        _ => None,
    }
}

fn u32_of(content: &Content, key: &str) -> Option<u32> {
    content.metadata.get(key).and_then(|v| v.to_u32().ok())
}

fn bool_of(content: &Content, key: &str) -> Option<bool> {
    content.metadata.get(key).and_then(|v| v.to_bool().ok())
}

/// Byte-level BPE's byte → printable character table (GPT-2's).
fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for (byte, slot) in table.iter_mut().enumerate() {
        let b = byte as u32;
        let printable =
            (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
        *slot = if printable {
            char::from_u32(b).unwrap_or('?')
        } else {
            let c = char::from_u32(256 + extra).unwrap_or('?');
            extra += 1;
            c
        };
    }
    table
}

thread_local! {
    /// GPT-2's byte-level alphabet, reversed: character → byte.
    static BYTE_OF_CHAR: HashMap<char, u8> = byte_to_char()
        .iter()
        .enumerate()
        .map(|(b, c)| (*c, b as u8))
        .collect();
}

impl Tokenizer {
    pub fn from_gguf(content: &Content) -> Result<Self, LocalError> {
        let model = content
            .metadata
            .get("tokenizer.ggml.model")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        let tokens = strings(content, "tokenizer.ggml.tokens")?;
        let types = numbers(content, "tokenizer.ggml.token_type", |v| v.to_i32().ok())
            .unwrap_or_else(|| vec![TYPE_NORMAL; tokens.len()]);
        let ids: HashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        let mut specials: Vec<(String, u32, bool)> = tokens
            .iter()
            .zip(&types)
            .enumerate()
            .filter(|(_, (text, ty))| {
                (**ty == TYPE_CONTROL || **ty == TYPE_USER_DEFINED) && !text.is_empty()
            })
            .map(|(i, (text, ty))| (text.clone(), i as u32, *ty == TYPE_CONTROL))
            .collect();
        specials.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        let bos = u32_of(content, "tokenizer.ggml.bos_token_id");
        let eos = u32_of(content, "tokenizer.ggml.eos_token_id");
        let kind = match model.as_str() {
            "llama" => {
                let scores = numbers(content, "tokenizer.ggml.scores", |v| v.to_f32().ok())
                    .unwrap_or_else(|| vec![0.0; tokens.len()]);
                let mut bytes = Box::new([None; 256]);
                for (i, (text, ty)) in tokens.iter().zip(&types).enumerate() {
                    if *ty == TYPE_BYTE {
                        if let Some(hex) =
                            text.strip_prefix("<0x").and_then(|t| t.strip_suffix('>'))
                        {
                            if let Ok(b) = u8::from_str_radix(hex, 16) {
                                if let Some(slot) = bytes.get_mut(b as usize) {
                                    *slot = Some(i as u32);
                                }
                            }
                        }
                    }
                }
                Kind::Spm {
                    scores,
                    bytes,
                    add_space_prefix: bool_of(content, "tokenizer.ggml.add_space_prefix")
                        .unwrap_or(true),
                }
            }
            "gpt2" => Kind::Bpe(Box::new(Self::bpe(content, &tokens)?)),
            other => {
                return Err(LocalError::Model(format!(
                    "tokenizer model \"{other}\" is not supported (llama, gpt2)"
                )))
            }
        };
        let add_bos = bool_of(content, "tokenizer.ggml.add_bos_token")
            .unwrap_or(matches!(kind, Kind::Spm { .. }));
        let mut stop_ids: Vec<u32> = eos.into_iter().collect();
        for name in ["<|im_end|>", "<end_of_turn>", "<|endoftext|>", "<|eot_id|>"] {
            if let Some(id) = ids.get(name) {
                if !stop_ids.contains(id) {
                    stop_ids.push(*id);
                }
            }
        }
        if let Some(eot) = u32_of(content, "tokenizer.ggml.eot_token_id") {
            if !stop_ids.contains(&eot) {
                stop_ids.push(eot);
            }
        }
        Ok(Self {
            kind,
            tokens,
            types,
            ids,
            specials,
            bos,
            eos,
            add_bos,
            stop_ids,
        })
    }

    /// A Hugging Face BPE tokenizer built from the GGUF's tokens and merges.
    fn bpe(content: &Content, tokens: &[String]) -> Result<tokenizers::Tokenizer, LocalError> {
        let merges = strings(content, "tokenizer.ggml.merges")?;
        let pre = content
            .metadata
            .get("tokenizer.ggml.pre")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        let vocab: serde_json::Map<String, serde_json::Value> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), serde_json::Value::from(i as u64)))
            .collect();
        let byte_level = serde_json::json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true});
        let pre_tokenizer = match pre.as_str() {
            // llama.cpp's `smollm` (and Hugging Face's SmolLM2): each digit alone, then GPT-2's split.
            "smollm" => serde_json::json!({"type": "Sequence", "pretokenizers": [
                {"type": "Digits", "individual_digits": true},
                byte_level,
            ]}),
            _ => byte_level,
        };
        // Special tokens are matched before the BPE runs (`partition`), so the
        // BPE knows none: with `parse_special` off they are plain text.
        let spec = serde_json::json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": [],
            "normalizer": null,
            "pre_tokenizer": pre_tokenizer,
            "post_processor": null,
            "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
            "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                "vocab": vocab, "merges": merges},
        });
        spec.to_string()
            .parse::<tokenizers::Tokenizer>()
            .map_err(|e| LocalError::Model(format!("could not build the BPE tokenizer: {e}")))
    }

    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    /// The id of a token text, if it is one token.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.ids.get(text).copied()
    }

    /// Split `text` around special tokens: `(fragment, Some(id))` for a special.
    fn partition<'a>(&'a self, text: &'a str, parse_special: bool) -> Vec<(&'a str, Option<u32>)> {
        let mut parts: Vec<(&'a str, Option<u32>)> = vec![(text, None)];
        for (special, id, control) in &self.specials {
            if *control && !parse_special {
                continue;
            }
            let mut next = Vec::with_capacity(parts.len());
            for (fragment, kind) in parts {
                if kind.is_some() || !fragment.contains(special.as_str()) {
                    next.push((fragment, kind));
                    continue;
                }
                let mut rest = fragment;
                while let Some(at) = rest.find(special.as_str()) {
                    let (before, after) = rest.split_at(at);
                    if !before.is_empty() {
                        next.push((before, None));
                    }
                    next.push((special.as_str(), Some(*id)));
                    rest = after.get(special.len()..).unwrap_or_default();
                }
                if !rest.is_empty() {
                    next.push((rest, None));
                }
            }
            parts = next;
        }
        parts
    }

    /// Token ids of `text`. `parse_special`: control tokens written in the
    /// text (`<|im_start|>`, `<start_of_turn>`) become those tokens.
    pub fn encode(
        &self,
        text: &str,
        add_bos: bool,
        parse_special: bool,
    ) -> Result<Vec<u32>, LocalError> {
        let mut out = Vec::new();
        if add_bos {
            if let Some(bos) = self.bos {
                out.push(bos);
            }
        }
        let mut first_fragment = true;
        for (fragment, special) in self.partition(text, parse_special) {
            if let Some(id) = special {
                out.push(id);
                first_fragment = false;
                continue;
            }
            match &self.kind {
                Kind::Spm {
                    scores,
                    bytes,
                    add_space_prefix,
                } => {
                    let prefixed =
                        *add_space_prefix && first_fragment && out.len() <= usize::from(add_bos);
                    self.spm_encode(fragment, prefixed, scores, bytes, &mut out);
                }
                Kind::Bpe(tokenizer) => {
                    let encoding = tokenizer
                        .encode(fragment, false)
                        .map_err(|e| LocalError::Model(format!("tokenization failed: {e}")))?;
                    out.extend_from_slice(encoding.get_ids());
                }
            }
            first_fragment = false;
        }
        Ok(out)
    }

    fn spm_encode(
        &self,
        text: &str,
        prefix: bool,
        scores: &[f32],
        bytes: &[Option<u32>; 256],
        out: &mut Vec<u32>,
    ) {
        let mut normalized = String::with_capacity(text.len() + 3);
        if prefix {
            normalized.push(SPACE);
        }
        for c in text.chars() {
            normalized.push(if c == ' ' { SPACE } else { c });
        }
        // Symbols as byte ranges into `normalized`, linked left and right.
        let starts: Vec<usize> = normalized.char_indices().map(|(i, _)| i).collect();
        let n = starts.len();
        if n == 0 {
            return;
        }
        let start = starts;
        let mut end: Vec<usize> = start
            .iter()
            .skip(1)
            .copied()
            .chain(std::iter::once(normalized.len()))
            .collect();
        let mut prev: Vec<Option<usize>> = (0..n).map(|i| i.checked_sub(1)).collect();
        let mut next: Vec<Option<usize>> = (0..n).map(|i| (i + 1 < n).then_some(i + 1)).collect();
        let mut alive = vec![true; n];

        #[derive(PartialEq)]
        struct Bigram {
            score: f32,
            left: usize,
            right: usize,
            size: usize,
        }
        impl Eq for Bigram {}
        impl Ord for Bigram {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.score
                    .total_cmp(&other.score)
                    .then_with(|| other.left.cmp(&self.left))
            }
        }
        impl PartialOrd for Bigram {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        let mut queue = BinaryHeap::new();
        let try_add = |queue: &mut BinaryHeap<Bigram>,
                       left: usize,
                       right: usize,
                       start: &[usize],
                       end: &[usize]| {
            let (Some(s), Some(e)) = (start.get(left), end.get(right)) else {
                return;
            };
            let Some(piece) = normalized.get(*s..*e) else {
                return;
            };
            if let Some(&id) = self.ids.get(piece) {
                let score = scores.get(id as usize).copied().unwrap_or(0.0);
                queue.push(Bigram {
                    score,
                    left,
                    right,
                    size: e - s,
                });
            }
        };
        for i in 0..n.saturating_sub(1) {
            try_add(&mut queue, i, i + 1, &start, &end);
        }
        while let Some(bigram) = queue.pop() {
            let (l, r) = (bigram.left, bigram.right);
            let valid = alive.get(l).copied().unwrap_or(false)
                && alive.get(r).copied().unwrap_or(false)
                && next.get(l).copied().flatten() == Some(r)
                && end.get(r).zip(start.get(l)).map(|(e, s)| e - s) == Some(bigram.size);
            if !valid {
                continue;
            }
            // Merge r into l.
            if let (Some(er), Some(el)) = (end.get(r).copied(), end.get_mut(l)) {
                *el = er;
            }
            if let Some(a) = alive.get_mut(r) {
                *a = false;
            }
            let after = next.get(r).copied().flatten();
            if let Some(slot) = next.get_mut(l) {
                *slot = after;
            }
            if let Some(a) = after {
                if let Some(slot) = prev.get_mut(a) {
                    *slot = Some(l);
                }
            }
            if let Some(p) = prev.get(l).copied().flatten() {
                try_add(&mut queue, p, l, &start, &end);
            }
            if let Some(a) = after {
                try_add(&mut queue, l, a, &start, &end);
            }
        }
        let mut at = Some(0);
        while let Some(i) = at {
            if let (Some(s), Some(e)) = (start.get(i), end.get(i)) {
                if let Some(piece) = normalized.get(*s..*e) {
                    match self.ids.get(piece) {
                        Some(&id) => out.push(id),
                        None => {
                            for b in piece.bytes() {
                                match bytes.get(b as usize).copied().flatten() {
                                    Some(id) => out.push(id),
                                    None => {
                                        if let Some(&unk) = self.ids.get("<unk>") {
                                            out.push(unk);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            at = next.get(i).copied().flatten();
        }
    }

    /// The bytes a token stands for (specials as their text).
    pub fn token_bytes(&self, id: u32) -> Vec<u8> {
        let Some(text) = self.tokens.get(id as usize) else {
            return Vec::new();
        };
        let ty = self.types.get(id as usize).copied().unwrap_or(TYPE_NORMAL);
        match &self.kind {
            Kind::Spm { .. } => {
                if ty == TYPE_BYTE {
                    if let Some(b) = text
                        .strip_prefix("<0x")
                        .and_then(|t| t.strip_suffix('>'))
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                    {
                        return vec![b];
                    }
                }
                text.replace(SPACE, " ").into_bytes()
            }
            Kind::Bpe(_) => {
                if ty == TYPE_CONTROL || ty == TYPE_USER_DEFINED {
                    return text.clone().into_bytes();
                }
                text.chars()
                    .map(|c| BYTE_OF_CHAR.with(|map| map.get(&c).copied().unwrap_or(b'?')))
                    .collect()
            }
        }
    }

    /// Whether `id` is a control token (not shown in text).
    pub fn is_control(&self, id: u32) -> bool {
        self.types.get(id as usize).copied() == Some(TYPE_CONTROL)
    }

    /// The text of `ids` (control tokens skipped when `skip_special`).
    pub fn decode(&self, ids: &[u32], skip_special: bool) -> String {
        let mut bytes = Vec::new();
        for &id in ids {
            if skip_special && self.is_control(id) {
                continue;
            }
            bytes.extend(self.token_bytes(id));
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// Turns a stream of token ids into text pieces, holding back bytes of an
/// unfinished UTF-8 character.
#[derive(Default)]
pub struct TextStream {
    pending: Vec<u8>,
}

impl TextStream {
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        match std::str::from_utf8(&self.pending) {
            Ok(text) => {
                let out = text.to_owned();
                self.pending.clear();
                out
            }
            Err(error) => {
                let valid = error.valid_up_to();
                // An invalid sequence (not just an unfinished one) is replaced.
                if error.error_len().is_some() {
                    let out = String::from_utf8_lossy(&self.pending).into_owned();
                    self.pending.clear();
                    return out;
                }
                let out = String::from_utf8_lossy(self.pending.get(..valid).unwrap_or_default())
                    .into_owned();
                self.pending.drain(..valid);
                out
            }
        }
    }

    pub fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }
}
