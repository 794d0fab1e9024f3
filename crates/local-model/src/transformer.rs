//! Decoder-only transformers from GGUF: the Llama family (SmolLM2) and
//! Gemma 3, in one module built from candle's quantized kernels.
//!
//! What differs from candle-transformers 0.11.1's `quantized_llama` /
//! `quantized_gemma3`, and why:
//! - Gemma 3's MLP uses GELU (tanh approximation), as the reference model
//!   and llama.cpp do; candle's `quantized_gemma3` uses SiLU, which gives
//!   wrong logits (candle issue #3745).
//! - Rotary tables are computed once per frequency base (Gemma 3 has two) and shared by the
//!   layers, sized to the context this runtime serves (`max_seq`, ≤ 4096),
//!   instead of 131,072 positions per layer (≈ 4 GB for Gemma 3 270M,
//!   which does not fit in wasm32's 4 GiB).
//! - Token embeddings stay quantized (rows are dequantized on lookup) and
//!   the tied output projection reuses the same quantized tensor, instead
//!   of an f32 copy (262,144 × 640 × 4 B = 671 MB for Gemma 3).
//! - Gemma 3's sliding-window layers also limit attention during decoding
//!   (candle only masks the prompt), so contexts beyond the window are right.
//! - Q4_1 and Q8_0 matrices use this crate's own kernel in wasm
//!   (`matrix.rs`): candle has no SIMD kernel for Q4_1 (nor Q5_0/Q5_1) in
//!   wasm or on x86, and its wasm Q8_0 kernel re-widens the activations
//!   and converts two f16 scales for every row and block.
//!   Tensors in a format without a SIMD kernel on the target are
//!   requantized to Q8_0 at load (Q5_0/Q5_1 in wasm; also Q4_1 natively):
//!   several times faster matmuls, slightly *more* precision than the
//!   source, more bytes.
//! - Attention, the rotary embedding and the MLP activations are this
//!   crate's own loops on slices (`ops.rs`), reading the key/value cache in
//!   place: candle's per-head matmuls, `repeat_kv` copies and scalar `expf`
//!   were 13–17% of decoding in wasm.
//! - The key/value cache can be cut back to a prefix, so a conversation's
//!   next turn reuses the tokens already computed.

use std::rc::Rc;

use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};

use crate::error::LocalError;
use crate::matrix::{Matrix, Packed};
use crate::ops;

/// The largest context this runtime serves (the KV cache and rotary tables).
pub const MAX_CONTEXT: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Llama,
    Gemma3,
}

/// The architecture numbers read from GGUF metadata.
#[derive(Clone, Debug)]
pub struct Config {
    pub family: Family,
    pub architecture: String,
    pub name: String,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_kv_head: usize,
    pub head_dim: usize,
    pub embed_dim: usize,
    pub eps: f64,
    pub rope_base: f32,
    pub rope_local_base: f32,
    pub sliding_window: Option<usize>,
    pub sliding_pattern: usize,
    pub context_length: usize,
    pub max_seq: usize,
}

fn meta_u32(content: &Content, key: &str) -> Result<usize, LocalError> {
    content
        .metadata
        .get(key)
        .and_then(|v| v.to_u32().ok())
        .map(|v| v as usize)
        .ok_or_else(|| LocalError::Model(format!("the GGUF file has no {key}")))
}

fn meta_f32(content: &Content, key: &str) -> Option<f32> {
    content.metadata.get(key).and_then(|v| v.to_f32().ok())
}

impl Config {
    pub fn from_gguf(content: &Content) -> Result<Self, LocalError> {
        let architecture = content
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .ok_or_else(|| LocalError::Model("the GGUF file names no architecture".into()))?;
        let family = match architecture.as_str() {
            "llama" => Family::Llama,
            "gemma3" => Family::Gemma3,
            other => {
                return Err(LocalError::Model(format!(
                    "architecture \"{other}\" is not supported (llama, gemma3)"
                )))
            }
        };
        let a = architecture.as_str();
        let n_head = meta_u32(content, &format!("{a}.attention.head_count"))?;
        let embed_dim = meta_u32(content, &format!("{a}.embedding_length"))?;
        let head_dim = match family {
            Family::Gemma3 => meta_u32(content, &format!("{a}.attention.key_length"))?,
            Family::Llama => embed_dim / n_head.max(1),
        };
        let context_length = meta_u32(content, &format!("{a}.context_length")).unwrap_or(2048);
        let name = content
            .metadata
            .get("general.name")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_else(|| architecture.clone());
        let n_kv_head =
            meta_u32(content, &format!("{a}.attention.head_count_kv")).unwrap_or(n_head);
        // The attention code relies on these (grouped heads, rotary pairs).
        if n_head == 0 || n_kv_head == 0 || !n_head.is_multiple_of(n_kv_head) {
            return Err(LocalError::Model(format!(
                "{n_head} attention heads cannot share {n_kv_head} key/value heads"
            )));
        }
        if head_dim == 0 || !head_dim.is_multiple_of(2) {
            return Err(LocalError::Model(format!(
                "a head width of {head_dim} has no rotary pairs"
            )));
        }
        // The rotary tables are sized by the head width before any matrix is
        // read: it must be what the query matrix holds, not just any number.
        let q_rows = content
            .tensor_infos
            .get("blk.0.attn_q.weight")
            .and_then(|info| info.shape.dims2().ok())
            .map(|(rows, _)| rows);
        if q_rows.is_some() && q_rows != n_head.checked_mul(head_dim) {
            return Err(LocalError::Model(format!(
                "{n_head} heads of width {head_dim} do not match the query matrix ({} rows)",
                q_rows.unwrap_or_default()
            )));
        }
        Ok(Self {
            family,
            name,
            n_layer: meta_u32(content, &format!("{a}.block_count"))?,
            n_head,
            n_kv_head,
            head_dim,
            embed_dim,
            eps: meta_f32(content, &format!("{a}.attention.layer_norm_rms_epsilon")).unwrap_or(1e-6)
                as f64,
            rope_base: meta_f32(content, &format!("{a}.rope.freq_base")).unwrap_or(10_000.0),
            rope_local_base: meta_f32(content, &format!("{a}.rope.local_freq_base"))
                .unwrap_or(10_000.0),
            sliding_window: match family {
                Family::Gemma3 => meta_u32(content, &format!("{a}.attention.sliding_window")).ok(),
                Family::Llama => None,
            },
            sliding_pattern: meta_u32(content, &format!("{a}.attention.sliding_window_type"))
                .unwrap_or(6),
            max_seq: context_length.min(MAX_CONTEXT),
            context_length,
            architecture,
        })
    }
}

/// Shared cos/sin tables for one frequency base: `[position][head_dim / 2]`.
struct Rope {
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Rope {
    fn new(head_dim: usize, base: f32, max_seq: usize) -> Self {
        let inv: Vec<f32> = (0..head_dim)
            .step_by(2)
            .map(|i| 1.0 / base.powf(i as f32 / head_dim as f32))
            .collect();
        let angles = || (0..max_seq).flat_map(|p| inv.iter().map(move |f| p as f32 * f));
        Self {
            cos: angles().map(f32::cos).collect(),
            sin: angles().map(f32::sin).collect(),
        }
    }
}

struct RmsNorm {
    weight: Tensor,
    eps: f32,
}

/// Gemma 3's per-head query/key norm: its weights as a slice, since it
/// runs on each head's slice of q and k (`ops::rms_norm_rows`).
struct HeadNorm {
    values: Vec<f32>,
    eps: f32,
}

impl RmsNorm {
    fn load(
        content: &Content,
        reader: &mut std::io::Cursor<&[u8]>,
        name: &str,
        eps: f64,
        device: &Device,
    ) -> Result<Self, LocalError> {
        let weight = content.tensor(reader, name, device)?.dequantize(device)?;
        Ok(Self {
            weight,
            eps: eps as f32,
        })
    }

    fn forward(&self, xs: &Tensor) -> Result<Tensor, LocalError> {
        Ok(candle_nn::ops::rms_norm(
            &xs.contiguous()?,
            &self.weight,
            self.eps,
        )?)
    }
}

struct Layer {
    wq: Matrix,
    wk: Matrix,
    wv: Matrix,
    wo: Matrix,
    gate: Matrix,
    up: Matrix,
    down: Matrix,
    attn_norm: RmsNorm,
    ffn_norm: RmsNorm,
    /// Gemma 3 only: per-head q/k norms and the post-block norms.
    q_norm: Option<HeadNorm>,
    k_norm: Option<HeadNorm>,
    post_attn_norm: Option<RmsNorm>,
    post_ffn_norm: Option<RmsNorm>,
    window: Option<usize>,
    rope: Rc<Rope>,
    cache: Cache,
}

/// Whether a tensor of `dtype` is requantized to Q8_0 (with `requantize`):
/// its format has no SIMD kernel on this target.
fn requantizes(dtype: GgmlDType, requantize: bool) -> bool {
    let slow = match dtype {
        GgmlDType::Q5_0 | GgmlDType::Q5_1 => true,
        GgmlDType::Q4_1 => !crate::matrix::HAS_KERNEL,
        _ => false,
    };
    requantize && slow
}

/// `tensor`, or (with `requantize`) the same values as Q8_0 when its format
/// has no SIMD kernel on this target.
fn requantized(tensor: QTensor, requantize: bool, device: &Device) -> Result<QTensor, LocalError> {
    if !requantizes(tensor.dtype(), requantize) {
        return Ok(tensor);
    }
    Ok(QTensor::quantize(
        &tensor.dequantize(device)?,
        GgmlDType::Q8_0,
    )?)
}

/// Load a matrix, requantizing formats that have no SIMD kernel here.
fn matrix(
    content: &Content,
    reader: &mut std::io::Cursor<&[u8]>,
    name: &str,
    device: &Device,
    requantize: bool,
) -> Result<Matrix, LocalError> {
    // Formats the kernel takes as stored are packed straight from the file's
    // bytes: no intermediate copy (for Gemma 3's embedding, 178 MB more at
    // the peak, which wasm memory then keeps).
    if let Some(info) = content.tensor_infos.get(name) {
        if crate::matrix::HAS_KERNEL && !requantizes(info.ggml_dtype, requantize) {
            // Checked arithmetic: a crafted file's offsets or shape must not
            // wrap into another tensor's bytes (usize is 32-bit in wasm).
            let start = content
                .tensor_data_offset
                .checked_add(info.offset)
                .and_then(|at| usize::try_from(at).ok());
            let (block, size) = (info.ggml_dtype.block_size(), info.ggml_dtype.type_size());
            let len = (info.shape.elem_count() / block.max(1)).checked_mul(size);
            let data = start
                .zip(len)
                .and_then(|(at, len)| reader.get_ref().get(at..at.checked_add(len)?));
            if let (Ok((rows, cols)), Some(data)) = (info.shape.dims2(), data) {
                if let Some(packed) = Packed::from_raw(info.ggml_dtype, rows, cols, data)? {
                    return Ok(Matrix::Packed(packed));
                }
            }
        }
    }
    let tensor = content.tensor(reader, name, device)?;
    Matrix::new(requantized(tensor, requantize, device)?)
}

/// A loaded model and its caches.
pub struct Transformer {
    pub config: Config,
    embed: Matrix,
    layers: Vec<Layer>,
    norm: RmsNorm,
    device: Device,
    /// How many positions the caches hold.
    pub position: usize,
}

impl Transformer {
    /// `requantize`: turn Q4_1/Q5_0/Q5_1 tensors into Q8_0 (faster in wasm).
    pub fn load(content: &Content, bytes: &[u8], requantize: bool) -> Result<Self, LocalError> {
        let config = Config::from_gguf(content)?;
        let device = Device::Cpu;
        let mut reader = std::io::Cursor::new(bytes);
        let r = &mut reader;
        let embed = matrix(content, r, "token_embd.weight", &device, requantize)?;
        let norm = RmsNorm::load(content, r, "output_norm.weight", config.eps, &device)?;
        let global = Rc::new(Rope::new(config.head_dim, config.rope_base, config.max_seq));
        let local = match config.family {
            Family::Gemma3 => Rc::new(Rope::new(
                config.head_dim,
                config.rope_local_base,
                config.max_seq,
            )),
            Family::Llama => global.clone(),
        };
        let mut layers = Vec::with_capacity(config.n_layer);
        for i in 0..config.n_layer {
            let p = format!("blk.{i}");
            let gemma = config.family == Family::Gemma3;
            let optional = |r: &mut std::io::Cursor<&[u8]>,
                            name: &str|
             -> Result<Option<RmsNorm>, LocalError> {
                if gemma {
                    Ok(Some(RmsNorm::load(
                        content,
                        r,
                        &format!("{p}.{name}.weight"),
                        config.eps,
                        &device,
                    )?))
                } else {
                    Ok(None)
                }
            };
            // Per-head norms run on each head's slice: their width is the head's.
            let head_norm = |r: &mut std::io::Cursor<&[u8]>,
                             name: &str|
             -> Result<Option<HeadNorm>, LocalError> {
                if !gemma {
                    return Ok(None);
                }
                let values = content
                    .tensor(r, &format!("{p}.{name}.weight"), &device)?
                    .dequantize(&device)?
                    .flatten_all()?
                    .to_vec1::<f32>()?;
                if values.len() != config.head_dim {
                    return Err(LocalError::Model(format!(
                        "{p}.{name} does not match the head width {}",
                        config.head_dim
                    )));
                }
                Ok(Some(HeadNorm {
                    values,
                    eps: config.eps as f32,
                }))
            };
            // Gemma 3: every `sliding_pattern`-th layer is global, the rest use a sliding window.
            let sliding = gemma && (i + 1) % config.sliding_pattern.max(1) != 0;
            layers.push(Layer {
                wq: matrix(
                    content,
                    r,
                    &format!("{p}.attn_q.weight"),
                    &device,
                    requantize,
                )?,
                wk: matrix(
                    content,
                    r,
                    &format!("{p}.attn_k.weight"),
                    &device,
                    requantize,
                )?,
                wv: matrix(
                    content,
                    r,
                    &format!("{p}.attn_v.weight"),
                    &device,
                    requantize,
                )?,
                wo: matrix(
                    content,
                    r,
                    &format!("{p}.attn_output.weight"),
                    &device,
                    requantize,
                )?,
                gate: matrix(
                    content,
                    r,
                    &format!("{p}.ffn_gate.weight"),
                    &device,
                    requantize,
                )?,
                up: matrix(
                    content,
                    r,
                    &format!("{p}.ffn_up.weight"),
                    &device,
                    requantize,
                )?,
                down: matrix(
                    content,
                    r,
                    &format!("{p}.ffn_down.weight"),
                    &device,
                    requantize,
                )?,
                attn_norm: RmsNorm::load(
                    content,
                    r,
                    &format!("{p}.attn_norm.weight"),
                    config.eps,
                    &device,
                )?,
                ffn_norm: RmsNorm::load(
                    content,
                    r,
                    &format!("{p}.ffn_norm.weight"),
                    config.eps,
                    &device,
                )?,
                q_norm: head_norm(r, "attn_q_norm")?,
                k_norm: head_norm(r, "attn_k_norm")?,
                post_attn_norm: optional(r, "post_attention_norm")?,
                post_ffn_norm: optional(r, "post_ffw_norm")?,
                window: if sliding { config.sliding_window } else { None },
                rope: if sliding {
                    local.clone()
                } else {
                    global.clone()
                },
                cache: Cache::default(),
            });
        }
        Ok(Self {
            config,
            embed,
            layers,
            norm,
            device,
            position: 0,
        })
    }

    /// Forget the conversation: the next `forward` starts at position 0.
    pub fn reset(&mut self) {
        for layer in &mut self.layers {
            layer.cache.len = 0;
        }
        self.position = 0;
    }

    /// Keep the first `len` positions of the caches (a shared prompt prefix).
    pub fn truncate(&mut self, len: usize) {
        let len = len.min(self.position);
        for layer in &mut self.layers {
            layer.cache.len = len;
        }
        self.position = len;
    }

    /// Feed `tokens` (continuing from `position`); the logits of the last one.
    /// On failure the caches are as they were before the call.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        let start = self.position;
        let result = self.forward_inner(tokens);
        if result.is_err() {
            for layer in &mut self.layers {
                layer.cache.len = start;
            }
            self.position = start;
        }
        result
    }

    fn forward_inner(&mut self, tokens: &[u32]) -> Result<Vec<f32>, LocalError> {
        let seq = tokens.len();
        if seq == 0 {
            return Err(LocalError::invalid("tokens", "must not be empty"));
        }
        let start = self.position;
        if start + seq > self.config.max_seq {
            return Err(LocalError::invalid(
                "prompt",
                format!(
                    "needs {} positions but the local model serves a context of {}",
                    start + seq,
                    self.config.max_seq
                ),
            ));
        }
        let cfg = &self.config;
        let ids = Tensor::new(tokens, &self.device)?;
        let mut x = self.embed.embedding(&ids)?.unsqueeze(0)?;
        if cfg.family == Family::Gemma3 {
            x = (x * (cfg.embed_dim as f64).sqrt())?;
        }
        let shape = |window| ops::Heads {
            n_head: cfg.n_head,
            n_kv_head: cfg.n_kv_head,
            head_dim: cfg.head_dim,
            window,
            scale: 1.0 / (cfg.head_dim as f32).sqrt(),
        };
        let (q_width, kv_width) = (cfg.n_head * cfg.head_dim, cfg.n_kv_head * cfg.head_dim);
        let style = match cfg.family {
            // GGUF llama weights are laid out for llama.cpp's interleaved rotation.
            Family::Llama => ops::RopeStyle::Interleaved,
            Family::Gemma3 => ops::RopeStyle::Halves,
        };
        let mut scores = Vec::new();
        for layer in &mut self.layers {
            let residual = x.clone();
            let h = layer.attn_norm.forward(&x)?;
            let [mut q, mut k, v] = Matrix::forward_all([&layer.wq, &layer.wk, &layer.wv], &h)?;
            if q.len() != seq * q_width || k.len() != seq * kv_width || v.len() != k.len() {
                return Err(LocalError::Model(
                    "the attention weights do not match the head counts".into(),
                ));
            }
            if let (Some(qn), Some(kn)) = (&layer.q_norm, &layer.k_norm) {
                ops::rms_norm_rows(&mut q, &qn.values, qn.eps);
                ops::rms_norm_rows(&mut k, &kn.values, kn.eps);
            }
            let rope = &layer.rope;
            ops::rope(
                &mut q,
                cfg.n_head,
                cfg.head_dim,
                start,
                &rope.cos,
                &rope.sin,
                style,
            );
            ops::rope(
                &mut k,
                cfg.n_kv_head,
                cfg.head_dim,
                start,
                &rope.cos,
                &rope.sin,
                style,
            );
            layer.cache.append(&k, &v, kv_width, cfg.max_seq);
            let mut attended = vec![0f32; q.len()];
            ops::attention(
                &q,
                &layer.cache.k,
                &layer.cache.v,
                start,
                shape(layer.window),
                &mut attended,
                &mut scores,
            )?;
            let attended = Tensor::from_vec(attended, (1, seq, q_width), &self.device)?;
            let mut out = layer.wo.forward(&attended)?;
            if let Some(norm) = &layer.post_attn_norm {
                out = norm.forward(&out)?;
            }
            let x1 = (out + residual)?;
            let h = layer.ffn_norm.forward(&x1)?;
            let [mut gate, up] = Matrix::forward_all([&layer.gate, &layer.up], &h)?;
            if gate.len() != up.len() {
                return Err(LocalError::Model(
                    "the MLP's gate and up weights differ in size".into(),
                ));
            }
            match cfg.family {
                Family::Llama => ops::silu_mul(&mut gate, &up),
                // GELU, tanh approximation (gelu_pytorch_tanh), as Gemma defines it.
                Family::Gemma3 => ops::gelu_mul(&mut gate, &up),
            }
            let width = gate.len() / seq;
            let activated = Tensor::from_vec(gate, (1, seq, width), &self.device)?;
            let mut out = layer.down.forward(&activated)?;
            if let Some(norm) = &layer.post_ffn_norm {
                out = norm.forward(&out)?;
            }
            x = (out + x1)?;
        }
        let last = x.narrow(1, seq - 1, 1)?;
        let last = self.norm.forward(&last)?;
        let logits = self
            .embed
            .forward(&last)?
            .flatten_all()?
            .to_dtype(DType::F32)?;
        self.position = start + seq;
        Ok(logits.to_vec1::<f32>()?)
    }
}

/// Keys and values of one layer, `[position][n_kv_head][head_dim]`: the
/// first `len` positions are valid; cut back by lowering `len`.
#[derive(Default)]
struct Cache {
    k: Vec<f32>,
    v: Vec<f32>,
    len: usize,
}

impl Cache {
    /// Appends positions `len..` (`row` values per position). Room grows in
    /// powers of two (from 256 positions), never past `max` positions: wasm
    /// memory does not shrink, and `Vec`'s own doubling would overshoot the
    /// context by up to 2×.
    fn append(&mut self, k: &[f32], v: &[f32], row: usize, max: usize) {
        let keep = self.len * row;
        let positions = self.len + k.len() / row.max(1);
        // Not `clamp`: it panics when a model's context is under 256 positions.
        let room = positions
            .next_power_of_two()
            .max(256)
            .min(max)
            .max(positions)
            * row;
        for (cache, new) in [(&mut self.k, k), (&mut self.v, v)] {
            cache.truncate(keep);
            if cache.capacity() < keep + new.len() {
                cache.reserve_exact(room.saturating_sub(keep));
            }
            cache.extend_from_slice(new);
        }
        self.len = positions;
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[test]
    fn cache_room_stays_within_a_short_context() {
        // A model whose context is shorter than the 256 positions room
        // usually starts at: the cache grows to the context, not past it.
        let row = 4;
        let mut cache = Cache::default();
        let one = vec![1.0f32; row];
        for position in 0..64 {
            cache.append(&one, &one, row, 64);
            assert_eq!(cache.len, position + 1);
            assert!(cache.k.capacity() <= 64 * row, "{}", cache.k.capacity());
        }
        // Past the context (the transformer refuses this first), still no panic.
        cache.append(&one, &one, row, 64);
        assert_eq!(cache.len, 65);
        assert_eq!(cache.k.len(), 65 * row);
    }
}
