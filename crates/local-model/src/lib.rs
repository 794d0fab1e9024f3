//! rig-wasm's offline models: a small language model from a GGUF file
//! (Llama family such as SmolLM2, and Gemma 3) and a BERT sentence encoder
//! (all-MiniLM-L6-v2), on candle's CPU kernels. Compiled to its own
//! `rig_wasm_local.wasm`, loaded only by apps that use `rig-wasm/local`.
//!
//! The crate is also a native library so tests and the benchmark can run
//! the same code outside wasm.

pub mod chat;
pub mod embed;
pub mod error;
pub mod llm;
pub mod matrix;
pub(crate) mod ops;
pub mod sampling;
pub mod tokenizer;
pub mod transformer;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod wasm;

pub use chat::{ChatMessage, Template};
pub use embed::EmbeddingModel;
pub use error::LocalError;
pub use llm::{FinishReason, GenerateOptions, LanguageModel, LoadOptions, ModelInfo, Step};
