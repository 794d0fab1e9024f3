//! `EmbeddingModel`: texts in, vectors out, batched by the provider's limit.

use std::rc::Rc;

use js_sys::{Array, Float64Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::transport::{JsHttp, Transport};
use super::{abortable, js_error, optional_json, type_of};
use crate::error::{from_provider_error, BindError, ErrorCode};
use crate::options::{CallKind, CallOptions, EmbeddingModelOptions};
use crate::providers::{self, ProviderSpec};

struct EmbeddingState {
    spec: &'static ProviderSpec,
    options: EmbeddingModelOptions,
    transport: Transport,
}

/// A provider's embedding model.
#[wasm_bindgen]
pub struct WasmEmbeddingModel {
    state: Rc<EmbeddingState>,
}

/// The texts of a JavaScript array, checked.
fn texts(value: &JsValue) -> Result<Vec<String>, BindError> {
    if let Some(text) = value.as_string() {
        return Ok(vec![text]);
    }
    if !Array::is_array(value) {
        return Err(BindError::invalid(
            "texts",
            format!("must be an array of strings, got {}", type_of(value)),
        ));
    }
    let array: &Array = value.unchecked_ref();
    let mut out = Vec::with_capacity(array.length() as usize);
    for (index, item) in array.iter().enumerate() {
        let text = item.as_string().ok_or_else(|| {
            BindError::invalid(
                format!("texts[{index}]"),
                format!("must be a string, got {}", type_of(&item)),
            )
        })?;
        out.push(text);
    }
    Ok(out)
}

impl EmbeddingState {
    fn provider(&self) -> &str {
        self.spec.display_name(&self.options.connection)
    }

    async fn embed(
        self: Rc<Self>,
        input: JsValue,
        call: JsValue,
        ctx: JsValue,
    ) -> Result<Array, BindError> {
        let texts = texts(&input)?;
        if let Some(call) = optional_json(&call, "options")? {
            CallOptions::parse(&call, CallKind::Model)?;
        }
        let options = &self.options;
        let http = JsHttp::new(self.transport.clone(), ctx.clone());
        let model = self.spec.embedding_model(
            &options.connection,
            &options.model,
            options.dimensions,
            http,
        )?;
        let batch = model.capabilities().max_documents.max(1);
        let provider = self.provider().to_owned();
        let out = Array::new();
        for chunk in texts.chunks(batch) {
            let response = model
                .call(chunk.to_vec())
                .await
                .map_err(|error| from_provider_error(&error, &provider))?;
            if response.embeddings.len() != chunk.len() {
                return Err(BindError::new(
                    ErrorCode::InvalidResponse,
                    format!(
                        "{provider} returned {} embeddings for {} texts",
                        response.embeddings.len(),
                        chunk.len()
                    ),
                )
                .with_provider(provider.clone()));
            }
            for embedding in response.embeddings {
                let object = Object::new();
                let _ = Reflect::set(
                    &object,
                    &JsValue::from_str("document"),
                    &JsValue::from_str(&embedding.document),
                );
                let _ = Reflect::set(
                    &object,
                    &JsValue::from_str("vec"),
                    &Float64Array::from(embedding.vec.as_slice()),
                );
                out.push(&object);
            }
        }
        Ok(out)
    }
}

#[wasm_bindgen]
impl WasmEmbeddingModel {
    #[wasm_bindgen(constructor)]
    pub fn new(
        provider: &str,
        options: &str,
        transport: Transport,
    ) -> Result<WasmEmbeddingModel, JsValue> {
        let create = || -> Result<WasmEmbeddingModel, BindError> {
            let spec = providers::find(provider)?;
            let options = EmbeddingModelOptions::parse(options, spec.rules())?;
            spec.check(&options.connection, None)?;
            // Surface an unsupported provider at construction.
            spec.embedding_model(
                &options.connection,
                &options.model,
                options.dimensions,
                JsHttp::new(transport.clone(), JsValue::UNDEFINED),
            )?;
            Ok(WasmEmbeddingModel {
                state: Rc::new(EmbeddingState {
                    spec,
                    options,
                    transport,
                }),
            })
        };
        create().map_err(|e| js_error(&e))
    }

    /// Embed `texts` (a string or an array of strings), in order.
    /// Resolves to `[{document, vec: Float64Array}]` (the provider's numbers as they came).
    pub fn embed(&self, texts: JsValue, call: JsValue, ctx: JsValue) -> Promise {
        let state = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let key = state.options.connection.api_key.clone();
            let result = abortable(&ctx, state.clone().embed(texts, call, ctx.clone())).await;
            result.map(JsValue::from).map_err(|error| {
                let error = match &key {
                    Some(key) => error.redact(key),
                    None => error,
                };
                js_error(&error)
            })
        })
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.state.provider().to_owned()
    }
}
