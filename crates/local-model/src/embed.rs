//! Sentence embeddings with a BERT encoder (all-MiniLM-L6-v2): Hugging Face
//! `tokenizer.json`, safetensors weights, mean pooling over the real tokens
//! (padding masked out) and L2 normalisation, as sentence-transformers does.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{PaddingParams, PaddingStrategy, TruncationParams};

use crate::error::LocalError;

/// Texts embedded in one pass (bounds the memory of the attention scores).
const BATCH: usize = 16;

pub struct EmbeddingModel {
    model: BertModel,
    tokenizer: tokenizers::Tokenizer,
    pub dimensions: usize,
    pub max_tokens: usize,
}

impl EmbeddingModel {
    /// `weights`: model.safetensors; `tokenizer`: tokenizer.json; `config`: config.json.
    pub fn load(weights: &[u8], tokenizer: &[u8], config: &[u8]) -> Result<Self, LocalError> {
        let config: Config = serde_json::from_slice(config)
            .map_err(|e| LocalError::invalid("config", format!("not a BERT config.json: {e}")))?;
        let mut tokenizer = tokenizers::Tokenizer::from_bytes(tokenizer)
            .map_err(|e| LocalError::invalid("tokenizer", format!("not a tokenizer.json: {e}")))?;
        // sentence-transformers reads up to 256 word pieces; no fixed padding.
        let max_tokens = 256.min(config.max_position_embeddings);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| LocalError::invalid("tokenizer", e.to_string()))?;
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        let device = Device::Cpu;
        let vb = VarBuilder::from_slice_safetensors(weights, DType::F32, &device)
            .map_err(|e| LocalError::invalid("weights", format!("not a safetensors file: {e}")))?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| LocalError::invalid("weights", format!("do not match the config: {e}")))?;
        Ok(Self {
            model,
            tokenizer,
            dimensions: config.hidden_size,
            max_tokens,
        })
    }

    /// One unit-length vector per text.
    pub fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, LocalError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            out.extend(self.embed_batch(batch)?);
        }
        Ok(out)
    }

    fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, LocalError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| LocalError::Compute(format!("tokenization failed: {e}")))?;
        let device = Device::Cpu;
        let len = encodings.first().map_or(0, |e| e.get_ids().len());
        let n = encodings.len();
        let mut ids = Vec::with_capacity(n * len);
        let mut types = Vec::with_capacity(n * len);
        let mut mask = Vec::with_capacity(n * len);
        for e in &encodings {
            ids.extend_from_slice(e.get_ids());
            types.extend_from_slice(e.get_type_ids());
            mask.extend_from_slice(e.get_attention_mask());
        }
        let ids = Tensor::from_vec(ids, (n, len), &device)?;
        let types = Tensor::from_vec(types, (n, len), &device)?;
        let mask = Tensor::from_vec(mask, (n, len), &device)?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?;
        // Mean over real tokens, then unit length.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        let unit = mean.broadcast_div(&norms)?;
        Ok(unit.to_vec2::<f32>()?)
    }
}
