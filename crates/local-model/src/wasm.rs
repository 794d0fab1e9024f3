//! The JavaScript face of the local runtime (wasm-bindgen). Structured
//! values cross as JSON strings; token ids as `Uint32Array`. Every error is
//! a JavaScript `Error` with `code` and (when an argument is at fault)
//! `field`, which the TypeScript layer turns into rig-wasm's error classes.

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

use crate::chat::{ChatMessage, Template};
use crate::embed::EmbeddingModel;
use crate::error::LocalError;
use crate::llm::{GenerateOptions, LanguageModel, LoadOptions};

/// A JavaScript `Error` carrying the error's data as JSON in `rigError`, as
/// `rig_wasm.wasm`'s errors do.
fn js_error(error: LocalError) -> JsValue {
    let data = error.to_bind_error();
    let out = js_sys::Error::new(&data.message);
    let _ = js_sys::Reflect::set(&out, &"rigError".into(), &data.to_json().into());
    out.into()
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| js_error(LocalError::Compute(e.to_string())))
}

/// The message of the last panic (a bug), kept for the trap report.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        console_error(&format!(
            "rig-wasm panicked (this is a bug, please report it): {message}"
        ));
        if let Ok(mut slot) = LAST_PANIC.lock() {
            *slot = Some(message);
        }
    }));
}

/// Compares the SIMD kernel with its scalar twin on corner cases (see
/// `matrix::self_check`); what was compared, or an error. A probe for the
/// test suite: only in builds with the `test-hooks` feature.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = kernelSelfCheck)]
pub fn kernel_self_check() -> Result<String, JsValue> {
    crate::matrix::self_check().map_err(js_error)
}

/// Check generation options (JSON) as `startGeneration` would.
#[wasm_bindgen(js_name = checkGenerateOptions)]
pub fn check_generate_options(options: &str) -> Result<(), JsValue> {
    GenerateOptions::parse(options)
        .map(|_| ())
        .map_err(js_error)
}

/// The message of the last panic, once (read after a trap).
#[wasm_bindgen(js_name = takePanicMessage)]
pub fn take_panic_message() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|mut slot| slot.take())
}

/// A model file being received in chunks, so JavaScript never holds the
/// whole file while the model is built from it (that copy used to be the
/// file's size again at the peak).
#[wasm_bindgen]
pub struct WasmFile {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl WasmFile {
    /// `size`: the expected length (reserved at once, so the buffer is not
    /// regrown to twice the file); 0 when unknown.
    #[wasm_bindgen(constructor)]
    pub fn new(size: usize) -> Result<WasmFile, JsValue> {
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(size)
            .map_err(|_| js_error(out_of_memory(size)))?;
        Ok(Self { bytes })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.bytes
            .try_reserve(chunk.len())
            .map_err(|_| js_error(out_of_memory(self.bytes.len() + chunk.len())))?;
        self.bytes.extend_from_slice(chunk);
        Ok(())
    }
}

fn out_of_memory(bytes: usize) -> LocalError {
    LocalError::Model(format!(
        "a model file of {bytes} bytes does not fit in WebAssembly memory"
    ))
}

#[wasm_bindgen]
pub struct WasmLanguageModel {
    inner: LanguageModel,
}

#[wasm_bindgen]
impl WasmLanguageModel {
    /// Parse a GGUF file (the bytes are copied in and may be dropped);
    /// `options`: `LoadOptions` as JSON.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8], options: &str) -> Result<WasmLanguageModel, JsValue> {
        let options: LoadOptions = serde_json::from_str(options)
            .map_err(|e| js_error(LocalError::invalid("options", e.to_string())))?;
        LanguageModel::load_with(bytes, &options)
            .map(|inner| Self { inner })
            .map_err(js_error)
    }

    /// Parse a GGUF file received as a `WasmFile`.
    #[wasm_bindgen(js_name = fromFile)]
    pub fn from_file(file: &WasmFile, options: &str) -> Result<WasmLanguageModel, JsValue> {
        Self::new(&file.bytes, options)
    }

    /// Texts that end an answer in the model's chat format (JSON array).
    #[wasm_bindgen(js_name = templateStops)]
    pub fn template_stops(&self) -> Result<String, JsValue> {
        to_json(&self.inner.template.stop())
    }

    /// `ModelInfo` as JSON.
    pub fn info(&self) -> Result<String, JsValue> {
        to_json(&self.inner.info())
    }

    #[wasm_bindgen(js_name = setTemplate)]
    pub fn set_template(&mut self, name: &str) -> Result<(), JsValue> {
        let template = Template::from_name(name).map_err(js_error)?;
        self.inner.set_template(template);
        Ok(())
    }

    /// The prompt text for `[{role, content}]` (JSON) in the model's chat format.
    pub fn render(&self, messages: &str) -> Result<String, JsValue> {
        let messages: Vec<ChatMessage> = serde_json::from_str(messages)
            .map_err(|e| js_error(LocalError::invalid("messages", e.to_string())))?;
        self.inner.render(&messages).map_err(js_error)
    }

    pub fn tokenize(
        &self,
        text: &str,
        add_bos: bool,
        parse_special: bool,
    ) -> Result<Vec<u32>, JsValue> {
        self.inner
            .tokenizer
            .encode(text, add_bos, parse_special)
            .map_err(js_error)
    }

    pub fn detokenize(&self, ids: &[u32], skip_special: bool) -> String {
        self.inner.tokenizer.decode(ids, skip_special)
    }

    /// The next-token logits after `prompt`.
    pub fn logits(&mut self, prompt: &str) -> Result<Vec<f32>, JsValue> {
        self.inner.logits(prompt).map_err(js_error)
    }

    /// The next-token logits after token ids (no BOS added).
    #[wasm_bindgen(js_name = logitsOfTokens)]
    pub fn logits_of_tokens(&mut self, tokens: &[u32]) -> Result<Vec<f32>, JsValue> {
        self.inner.logits_of(tokens).map_err(js_error)
    }

    /// Begin a generation (`GenerateOptions` as JSON); the prompt's token count.
    #[wasm_bindgen(js_name = startGeneration)]
    pub fn start_generation(&mut self, prompt: &str, options: &str) -> Result<usize, JsValue> {
        let options = GenerateOptions::parse(options).map_err(js_error)?;
        self.inner.start(prompt, options).map_err(js_error)
    }

    /// One token: `Step` as JSON, or `undefined` when the generation is over.
    pub fn step(&mut self) -> Result<Option<String>, JsValue> {
        match self.inner.step().map_err(js_error)? {
            Some(step) => to_json(&step).map(Some),
            None => Ok(None),
        }
    }

    /// `[promptTokens, completionTokens]` of the current generation.
    pub fn usage(&self) -> Vec<u32> {
        let (prompt, completion) = self.inner.usage();
        vec![prompt as u32, completion as u32]
    }

    pub fn reset(&mut self) {
        self.inner.reset();
    }
}

#[wasm_bindgen]
pub struct WasmEmbeddingModel {
    inner: EmbeddingModel,
}

#[wasm_bindgen]
impl WasmEmbeddingModel {
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: &[u8],
        tokenizer: &[u8],
        config: &[u8],
    ) -> Result<WasmEmbeddingModel, JsValue> {
        EmbeddingModel::load(weights, tokenizer, config)
            .map(|inner| Self { inner })
            .map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn dimensions(&self) -> usize {
        self.inner.dimensions
    }

    /// Embed texts (a JSON array of strings): the vectors, concatenated.
    pub fn embed(&self, texts: &str) -> Result<Vec<f32>, JsValue> {
        let texts: Vec<String> = serde_json::from_str(texts)
            .map_err(|e| js_error(LocalError::invalid("texts", e.to_string())))?;
        let vectors = self.inner.embed(&texts).map_err(js_error)?;
        Ok(vectors.into_iter().flatten().collect())
    }
}
